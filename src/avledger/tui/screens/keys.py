"""按键帮助: the keys of the current screen, in the user's language.

Replaces Textual's own key panel, whose texts are in English.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from avledger.i18n import _
from avledger.tui.screens.base import InfoDialog


def general_keys() -> list[tuple[str, str]]:
    return [
        ("Tab / Shift+Tab", _("在输入框、列表和按钮之间移动")),
        ("↑ ↓ PgUp PgDn", _("在列表中移动")),
        ("Enter", _("打开所选的一行；在表单中保存")),
        ("Esc", _("离开输入框；关闭对话框；返回上一页")),
        ("Ctrl+P", _("命令面板：可以执行每一项操作")),
        ("Ctrl+Q", _("退出程序")),
    ]


class KeysScreen(InfoDialog):
    BINDINGS = [Binding("f1", "close", show=False)]
    title_text = _("按键帮助")

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.target = screen

    def compose_content(self) -> ComposeResult:
        table = Table(box=None, pad_edge=False, show_header=False, expand=True)
        table.add_column(no_wrap=True, style="bold")
        table.add_column(ratio=1)
        seen: set[str] = set()
        for active in self.target.active_bindings.values():
            binding = active.binding
            # Only the bindings the footer shows: ours, in the user's language (Textual's widgets
            # bind their keys with English descriptions and show=False).
            if not binding.show or not binding.description or binding.system or binding.action in seen:
                continue
            seen.add(binding.action)
            table.add_row(self.app.get_key_display(binding), binding.tooltip or binding.description)
        general = Table(box=None, pad_edge=False, show_header=False, expand=True)
        general.add_column(no_wrap=True, style="bold")
        general.add_column(ratio=1)
        for key, text in general_keys():
            general.add_row(key, text)
        with VerticalScroll(id="keys"):
            yield Static(Text(_("本页"), style="bold underline"))
            yield Static(table)
            yield Static(Text(_("通用"), style="bold underline"))
            yield Static(general)
