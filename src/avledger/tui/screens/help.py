"""按键帮助 (F1): the keys of the screen in front, in the user's language, the screen's own first.

Replaces Textual's own key panel, whose texts are in English. Three parts: the keys of the screen (and of the
widget with the focus: a table's Enter), the sections' number keys, then the application's keys and the
keys every screen shares.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from avledger.i18n import _
from avledger.tui.screens.base import NAV_GROUP, InfoDialog


def general_keys() -> list[tuple[str, str]]:
    return [
        ("Tab / Shift+Tab", _("在输入框、列表和按钮之间移动")),
        ("↑ ↓ PgUp PgDn", _("在列表中移动")),
        ("Enter", _("打开所选的一行；在表单中保存")),
        ("Esc", _("离开输入框；关闭对话框；返回上一页")),
    ]


def key_groups(screen: Screen) -> tuple[list[tuple[Binding, bool]], list[Binding], list[tuple[Binding, bool]]]:
    """The keys ``screen`` answers to now, as (binding, enabled): its own and its focused widget's, the
    sections', the application's. Only those the footer would show (Textual's widgets bind their keys with
    English descriptions and show=False); a key bound twice is named once, where it acts."""
    own: list[tuple[Binding, bool]] = []
    sections: list[Binding] = []
    application: list[tuple[Binding, bool]] = []
    seen: set[str] = set()
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.show or not binding.description or binding.system or binding.action in seen:
            continue
        seen.add(binding.action)
        if binding.group is NAV_GROUP:
            sections.append(binding)
        elif isinstance(active.node, App):
            application.append((binding, active.enabled))
        else:
            own.append((binding, active.enabled))
    return own, sections, application


class KeyHelpScreen(InfoDialog):
    BINDINGS = [Binding("f1", "close", show=False)]
    title_text = _("按键帮助")

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.target = screen

    def compose_content(self) -> ComposeResult:
        own, sections, application = key_groups(self.target)
        with VerticalScroll(id="keys"):
            yield Static(Text(_("本页"), style="bold underline"))
            if own:
                yield Static(self._table([(self._key(b), self._said(b, enabled)) for b, enabled in own]))
            else:
                yield Static(Text(_("（本页没有自己的按键）"), style="dim"))
            if sections:
                yield Static(Text(_("切换页面"), style="bold underline"))
                yield Static(self._table([(self._key(b), Text(b.description)) for b in sections]))
            yield Static(Text(_("通用"), style="bold underline"))
            rows = [(self._key(b), self._said(b, enabled)) for b, enabled in application]
            yield Static(self._table(rows + [(key, Text(text)) for key, text in general_keys()]))

    def _key(self, binding: Binding) -> str:
        return self.app.get_key_display(binding)

    @staticmethod
    def _said(binding: Binding, enabled: bool) -> Text:
        text = Text(binding.tooltip or binding.description)
        if not enabled:
            text.append(_("（此时不可用）"))
            text.stylize("dim")
        return text

    @staticmethod
    def _table(rows: list[tuple[str, Text]]) -> Table:
        table = Table(box=None, pad_edge=False, show_header=False, expand=True)
        table.add_column(no_wrap=True, style="bold")
        table.add_column(ratio=1, overflow="fold")
        for key, text in rows:
            table.add_row(key, text)
        return table
