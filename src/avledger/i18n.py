"""Chinese first, English on request.

Message ids are the Chinese texts themselves, so a missing translation falls
back to Chinese. English lives in ``locales/en.toml`` (a flat table of
Chinese -> English). The language is chosen once at start-up, before the TUI
modules are imported (Textual builds BINDINGS at class creation).
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

LANGUAGES = ("zh", "en")
_current = "zh"


@cache
def _catalog(lang: str) -> dict[str, str]:
    if lang == "zh":
        return {}
    text = resources.files("avledger.locales").joinpath(f"{lang}.toml").read_text("utf-8")
    return tomllib.loads(text)


def set_language(lang: str) -> None:
    global _current
    if lang not in LANGUAGES:
        raise ValueError(lang)
    _current = lang


def language() -> str:
    return _current


def _(message: str) -> str:
    """Translate a Chinese message id into the current language."""
    if _current == "zh":
        return message
    return _catalog(_current).get(message, message)


ACTION = "action:"  # catalogue prefix of a message id used as the name of an action


def A_(message: str) -> str:
    """Translate a message id that names an action (a key, a button) where the same Chinese word also
    names a state or a record, and English needs another word: 结案 is "Case closed" in a status column
    and "Close case" on a key. The catalogue holds it as ``action:结案``."""
    if _current == "zh":
        return message
    catalog = _catalog(_current)
    return catalog.get(ACTION + message) or catalog.get(message, message)


HEADING = "heading:"  # catalogue prefix of a message id used as a narrow column heading


def H_(message: str) -> str:
    """Translate a message id used as the heading of a narrow column, where English needs a shorter word than
    the same Chinese word gets elsewhere: 音像 is "Footage" in a sentence and "Clips" over a column of the
    statistics at 80 columns. The catalogue holds it as ``heading:音像`` (mark it with :func:`NH_`)."""
    if _current == "zh":
        return message
    catalog = _catalog(_current)
    return catalog.get(HEADING + message) or catalog.get(message, message)


def NH_(message: str) -> str:
    """Mark a narrow column heading for extraction (as ``heading:<id>``) without translating it yet."""
    return message


def N_(message: str) -> str:
    """Mark a message id for extraction without translating it yet (gettext's N_)."""
    return message


def catalog(lang: str) -> dict[str, str]:
    return dict(_catalog(lang))
