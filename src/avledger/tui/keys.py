"""The keys every footer shows first.

A footer lists the focused widget's keys, then the screen's, then the application's, and cuts what does not
fit: at 80 columns F1 (帮助: every key of the screen) and Ctrl+Q (退出) fell off the end of almost every
screen. :class:`EssentialKeysFirst` puts them first, then Ctrl+P (命令, every action), and the footers leave
out Textual's own command-palette corner, which overlapped wide characters at the right edge.
"""

from __future__ import annotations

from textual.widgets import Footer

FIRST_KEYS = ("f1", "ctrl+p", "ctrl+q")


class EssentialKeysFirst:
    """A screen mixin (before ``Screen`` in the bases): its active bindings with :data:`FIRST_KEYS` first."""

    @property
    def active_bindings(self):
        bindings = super().active_bindings  # type: ignore[misc]
        first = {key: bindings[key] for key in FIRST_KEYS if key in bindings}
        return first | {key: value for key, value in bindings.items() if key not in first}


def keys_footer() -> Footer:
    """The footer of every screen: compact, the essential keys first, no command-palette corner."""
    return Footer(compact=True, show_command_palette=False)
