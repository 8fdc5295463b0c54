"""Characters that free text must not hold, and how to show them when a register already holds them.

Typed text reaches terminals (``staff list``, ``audit list``, the TUI), printed
registers and spreadsheets. Control characters (C0, DEL, C1) can drive a
terminal (``ESC [2J`` clears it, others retitle the window or move the
cursor); bidirectional controls reorder what is shown so that a name or an
amount reads differently from what is stored; lone surrogates are bytes that
were not UTF-8 (a mistyped argument) and cannot be stored. The services refuse
them in every free-text field (:func:`avledger.services.base.check_text`);
text stored by older versions is shown with each such character as a visible
escape (:func:`visible`), never raw.
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls; the bidirectional embeddings, overrides and isolates, the marks
# (LRM, RLM, ALM); lone surrogates.
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def unsafe_chars(text: str) -> list[str]:
    """The unsafe characters of ``text``, each once, in the order they first appear."""
    return list(dict.fromkeys(UNSAFE.findall(text)))


def escape(char: str) -> str:
    """One character as a visible escape: ``\\n``, ``\\x1b``, ``\\u202e``."""
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def visible(text: str, *, keep: str = "") -> str:
    """``text`` with every unsafe character (but those in ``keep``, e.g. a printed line break) shown as its
    escape, so that a terminal or a page shows what is stored instead of obeying it."""
    if not UNSAFE.search(text):
        return text
    return UNSAFE.sub(lambda m: m.group() if m.group() in keep else escape(m.group()), text)


def describe(chars: list[str]) -> str:
    """The characters of :func:`unsafe_chars` for a message: ``\\x1b (U+001B), \\u202e (U+202E)``."""
    return ", ".join(f"{escape(c)} (U+{ord(c):04X})" for c in chars)
