"""Every message a user reads has an English text with the same placeholders."""

from __future__ import annotations

import re
import string
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from messages import message_ids  # noqa: E402

CATALOG = tomllib.loads((ROOT / "src/avledger/locales/en.toml").read_text("utf-8"))
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_has_english():
    missing = [m for m in message_ids() if not CATALOG.get(m)]
    assert missing == []


def test_placeholders_match():
    wrong = [m for m in message_ids() if m in CATALOG and fields(m) != fields(CATALOG[m])]
    assert wrong == []


def test_english_has_no_chinese():
    assert [v for v in CATALOG.values() if CJK.search(v)] == []


def test_user_error_translates_label_arguments():
    from avledger.errors import UserError
    from avledger.i18n import set_language

    set_language("en")
    try:
        assert UserError("input.empty", "{label}不能为空", label="资产编号").render() == CATALOG[
            "{label}不能为空"
        ].format(label=CATALOG["资产编号"])
    finally:
        set_language("zh")


def test_every_audit_action_written_has_a_label():
    """Each action a service logs has a label in vocab.AUDIT_ACTIONS (so no raw id reaches the screen)."""
    import re as _re

    from avledger.vocab import AUDIT_ACTIONS

    src = (ROOT / "src/avledger/services").rglob("*.py")
    logged = set()
    for path in src:
        logged |= set(_re.findall(r'ctx\.log\(\s*"([a-z_]+)"', path.read_text("utf-8")))
        logged |= set(_re.findall(r'self\._end\(loan, [^,]+, "([a-z_]+)"', path.read_text("utf-8")))
    assert logged and logged <= set(AUDIT_ACTIONS), logged - set(AUDIT_ACTIONS)
