"""The register table: a row-cursor DataTable whose Enter is labelled in the user's language, and whose
columns fit the terminal's width.

A table wider than the terminal would scroll sideways, hiding its right-hand columns without a hint. So
the columns are narrowed to fit (:meth:`RegisterTable.fit`): free-text columns first (a title, a name,
a purpose), then the widest others, never below their heading, and never the columns a screen must keep
whole (a reminder, a date). A cut cell ends with "…", and :meth:`RegisterTable.cut_cells` gives the full
text of a row's cut cells (shown under the table).
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
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

    class Fitted(Message):
        """The columns were narrowed or widened to fit: the cut cells of a row may have changed."""

    MIN_CELLS = 6  # a narrowed column keeps at least this much (or its heading, when wider)

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(**kwargs)
        self.free: set[str] = set()  # column keys narrowed first (free text)
        self.keep: set[str] = set()  # column keys never narrowed
        self.minimum: dict[str, int] = {}  # column key -> the cells it keeps when narrowed

    def fit_columns(self, *, free=(), keep=(), minimum: dict[str, int] | None = None) -> None:
        """Say which columns are narrowed first (``free``), never (``keep``), and how far (``minimum``)."""
        self.free, self.keep, self.minimum = set(free), set(keep), dict(minimum or {})
        self._require_update_dimensions = True
        self.refresh()

    def add_row(self, *cells, **kwargs):
        """A row of register values, shown as they are stored (see :func:`avledger.tui.text.plain`)."""
        return super().add_row(*(_cell(c) for c in cells), **kwargs)

    def update_cell(self, row_key, column_key, value, **kwargs) -> None:
        super().update_cell(row_key, column_key, _cell(value), **kwargs)

    def update_cell_at(self, coordinate, value, **kwargs) -> None:
        super().update_cell_at(coordinate, _cell(value), **kwargs)

    # --- fitting the columns to the width ----------------------------------------------------------
    def _update_dimensions(self, new_rows) -> None:
        super()._update_dimensions(new_rows)  # measures the new rows' cells (Column.content_width)
        self._apply_fit()

    def on_resize(self) -> None:
        self._apply_fit()

    def _apply_fit(self) -> None:
        widths = self.fit(self.scrollable_content_region.width)
        if widths is None:
            return
        changed = False
        for column in self.columns.values():
            width = widths.get(str(column.key.value))
            auto = width is None
            if column.auto_width != auto or (not auto and column.width != width):
                column.auto_width = auto
                column.width = width or 0
                changed = True
        if changed:
            self._clear_caches()
            total = sum(column.get_render_width(self) for column in self.columns.values())
            self.virtual_size = Size(total + self._row_label_column_width, self.virtual_size.height)
            self.refresh()
            self.post_message(self.Fitted())

    def fit(self, available: int) -> dict[str, int] | None:
        """The width of each narrowed column (None: the column keeps its content's width) so that the
        columns fit ``available`` cells; None when there is nothing to fit yet."""
        columns = list(self.columns.values())
        if available <= 0 or not columns:
            return None
        pad = 2 * self.cell_padding
        natural = {str(c.key.value): c.content_width for c in columns}
        floor = {
            key: width
            if key in self.keep
            else min(width, max(self.minimum.get(key, self.MIN_CELLS), column.label.cell_len))
            for (key, width), column in zip(natural.items(), columns)
        }
        budget = available - pad * len(columns) - self._row_label_column_width
        if sum(natural.values()) <= budget:
            return {}
        widths = dict(natural)
        free = [k for k in natural if k in self.free]
        rest = [k for k in natural if k not in self.free and k not in self.keep]
        for group in (free, rest):
            over = sum(widths.values()) - budget
            if over <= 0:
                break
            _narrow(widths, group, floor, over)
        return {key: width for key, width in widths.items() if width < natural[key]}

    def cut_cells(self, row_key) -> list[tuple[str, str]]:
        """(heading, full text) of the cells of a row that its narrowed columns cut, or that lie past the
        right edge (when even the narrowed columns are wider than the table)."""
        try:
            values = self.get_row(row_key)
        except Exception:
            return []
        cut = []
        right, shown = self._row_label_column_width, self.scrollable_content_region.width
        for column, value in zip(self.ordered_columns, values):
            text = value.plain if isinstance(value, Text) else str(value)
            right += column.get_render_width(self)
            beyond = right - self.cell_padding > shown + self.scroll_x  # past the right edge: scrolled out of view
            if (beyond or (not column.auto_width and cell_len(text) > column.width)) and text.strip():
                cut.append((column.label.plain, text))
        return cut

    @property
    def current_cut(self) -> list[tuple[str, str]]:
        """The cut cells of the row under the cursor (see :meth:`cut_cells`)."""
        key = self.current_key
        return [] if key is None else self.cut_cells(key)

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


def _cell(value: object) -> object:
    """A cell as :func:`plain` shows it, ending with "…" where its column cuts it."""
    value = plain(value)
    if isinstance(value, Text) and value.overflow != "ellipsis":
        value = value.copy()
        value.overflow = "ellipsis"
        value.no_wrap = True
    return value


def _narrow(widths: dict[str, int], keys: list[str], floor: dict[str, int], over: int) -> None:
    """Take ``over`` cells from the columns ``keys``, the widest first, none below its floor."""
    while over > 0:
        wide = [k for k in keys if widths[k] > floor[k]]
        if not wide:
            return
        top = max(widths[k] for k in wide)
        widest = [k for k in wide if widths[k] == top]
        below = max([widths[k] for k in wide if widths[k] < top] + [max(floor[k] for k in widest)])
        step = min(top - below, -(-over // len(widest)))
        step = max(step, 1)
        for key in widest:
            if over <= 0:
                break
            cut = min(step, widths[key] - floor[key], over)
            widths[key] -= cut
            over -= cut
