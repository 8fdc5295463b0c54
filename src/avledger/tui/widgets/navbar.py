"""The section bar at the top of every section screen: number key and name, clickable."""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.widgets import Static

from avledger.i18n import _
from avledger.tui.sections import SECTIONS


class NavItem(Static):
    DEFAULT_CSS = """
    NavItem {
        width: auto;
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    NavItem:hover {
        background: $boost;
        color: $text;
    }
    NavItem.-active {
        background: $primary;
        color: $text;
        text-style: bold;
    }
    """

    def __init__(self, section_id: str, key: str, label: str, active: bool) -> None:
        super().__init__(classes="-active" if active else "", markup=False)
        self.section_id = section_id
        self.key = key
        self.label = label
        self.tooltip = label
        self.show_label(True)

    @property
    def text(self) -> str:
        return f"{self.key} {self.label}" if self.key else self.label

    @property
    def full_width(self) -> int:
        """Cells the item takes with its name (padding included)."""
        return cell_len(self.text) + 2

    def show_label(self, show: bool) -> None:
        """The name, or only the number key when names do not fit (an item without a key then hides)."""
        if self.key:
            self.update(self.text if show else self.key)
        else:
            self.update(self.text)
            self.display = show

    async def on_click(self) -> None:
        await self.app.run_action(f"section('{self.section_id}')")


class WhoItem(Static):
    """Who is acting, at the right end of the section bar; a click shows who may do what (F3)."""

    DEFAULT_CSS = """
    WhoItem {
        width: auto;
        height: 1;
        padding: 0 1;
        dock: right;
        color: $text-accent;
        background: $panel;
    }
    WhoItem:hover {
        background: $boost;
    }
    """

    def __init__(self, who: str) -> None:
        super().__init__(who, markup=False, id="acting")
        self.tooltip = _("当前身份（F3：身份与权限）")

    @property
    def full_width(self) -> int:
        return cell_len(str(self.content)) + 2

    async def on_click(self) -> None:
        await self.app.run_action("whoami")


class NavBar(HorizontalGroup):
    """One line naming every section, the current one highlighted.

    When the names do not fit (a narrow terminal, a longer language), the other
    sections show their number key only; the current one keeps its name.
    """

    DEFAULT_CSS = """
    NavBar {
        height: 1;
        width: 1fr;
        background: $panel;
        dock: top;
        overflow: hidden hidden;
    }
    """

    def __init__(self, current: str, who: str = "") -> None:
        super().__init__()
        self.current = current
        self.who = who

    def compose(self) -> ComposeResult:
        for s in SECTIONS:
            yield NavItem(s.id, s.key, _(s.label), s.id == self.current)
        if self.who:
            yield WhoItem(self.who)

    def on_resize(self) -> None:
        items = list(self.query(NavItem))
        width = self.size.width - sum(w.full_width for w in self.query(WhoItem))
        if sum(item.full_width for item in items) <= width:
            for item in items:
                item.show_label(True)
            return
        shown = [item for item in items if item.key or item.section_id == self.current]
        names_fit = sum(item.full_width for item in shown) <= width
        for item in items:
            current = item.section_id == self.current
            if item.key:
                item.show_label(names_fit or current)
            else:  # a section without a number key: shown only while it is the current one
                item.show_label(current)
