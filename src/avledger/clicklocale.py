"""click's own messages (usage errors, help headings) in the user's language.

click looks its texts up through each module's ``_`` (gettext). We replace
that lookup with our catalog, keyed by click's English text; English stays
as it is.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

from avledger.i18n import language

_MODULES = ("core", "exceptions", "types", "formatting", "parser", "decorators", "termui")


@cache
def _zh() -> dict[str, str]:
    text = resources.files("avledger.locales").joinpath("click_zh.toml").read_text("utf-8")
    return tomllib.loads(text)


def _translate(message: str) -> str:
    if language() == "en":
        return message
    return _zh().get(message, message)


def _ntranslate(singular: str, plural: str, n: int) -> str:
    return _translate(singular if n == 1 else plural)


def install() -> None:
    import importlib

    for name in _MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = _translate
        if hasattr(module, "ngettext"):
            module.ngettext = _ntranslate
