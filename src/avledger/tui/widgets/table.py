"""The register table: a row-cursor DataTable whose Enter is labelled in the user's language."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import DataTable

from avledger.i18n import _
from avledger.tui.text import plain


class RegisterTable(DataTable):
    DEFAULT_CSS = """
    RegisterTable {
        height: 1fr;
        min-height: 4;
    }
    """

    BINDINGS = [Binding("enter", "select_cursor", _("打开"), tooltip=_("打开所选的一行"))]

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(**kwargs)

    def add_row(self, *cells, **kwargs):
        """A row of register values, shown as they are stored (see :func:`avledger.tui.text.plain`)."""
        return super().add_row(*(plain(c) for c in cells), **kwargs)

    def update_cell(self, row_key, column_key, value, **kwargs) -> None:
        super().update_cell(row_key, column_key, plain(value), **kwargs)

    def update_cell_at(self, coordinate, value, **kwargs) -> None:
        super().update_cell_at(coordinate, plain(value), **kwargs)

    @property
    def current_key(self) -> str | None:
        """The key of the row under the cursor, or None when the table is empty."""
        if self.row_count == 0:
            return None
        try:
            row_key, _col = self.coordinate_to_cell_key(self.cursor_coordinate)
        except Exception:
            return None
        return row_key.value

    def select_key(self, key: str | None) -> bool:
        """Move the cursor to the row with this key; False when it is not shown."""
        if key is None:
            return False
        try:
            index = self.get_row_index(key)
        except Exception:
            return False
        self.move_cursor(row=index)
        return True
