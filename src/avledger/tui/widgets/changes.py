"""Before and after of one audit entry, field by field."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from avledger.i18n import _
from avledger.services.views import AuditView
from avledger.tui.auditfmt import Names, changes


class ChangeView(Static):
    """A table of the fields one audit entry changed (字段 / 之前 / 之后)."""

    DEFAULT_CSS = """
    ChangeView {
        height: auto;
        padding: 0 1;
    }
    """

    def show(self, entry: AuditView | None, names: Names) -> None:
        if entry is None:
            self.update(Text(_("（未选择日志）"), style="dim"))
            return
        rows = changes(entry, names)
        if not rows:
            self.update(Text(_("没有字段变化"), style="dim"))
            return
        table = Table(box=None, expand=True, pad_edge=False, show_edge=False, header_style="bold")
        table.add_column(_("字段"), no_wrap=True)
        if entry.before is None or entry.after is None:
            # A creation (or a deletion): the one state there is.
            table.add_column(_("内容"), ratio=1, overflow="fold")
            for row in rows:
                table.add_row(row.field, row.after if entry.after is not None else row.before)
        else:
            table.add_column(_("之前"), ratio=1, overflow="fold")
            table.add_column(_("之后"), ratio=1, overflow="fold")
            for row in rows:
                table.add_row(row.field, Text(row.before, style="red"), Text(row.after, style="green"))
        self.update(table)
