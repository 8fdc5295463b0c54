"""A register table fed from SQL a page at a time.

:class:`PagedTable` shows the first page of a :class:`Listing` (a service's ``page`` and ``count``
bound to what the screen asks: a filter, a mode) and asks for the next page when the cursor, or the
scrolled view, comes near the last row it holds: it holds the pages scrolled through, no more. Pages
follow each other by the sort key of the last row (the services' keyset pagination), so that the
500th page costs what the first does. The rows are the services' plain dataclasses; the table keeps
them by key for the screen (:attr:`PagedTable.current_row`).

Reloading (:meth:`PagedTable.show`) keeps the selected row selected when it is still listed: pages
are read again up to as many rows as were shown, or until the row is found. The number of rows
(``count(*)``) may be asked for later than the rows (:meth:`PagedTable.recount`), so that typing in a
filter shows rows at once and counts them when the typing pauses.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from textual.coordinate import Coordinate
from textual.message import Message

from avledger.i18n import _
from avledger.services.listing import Cursor, Page
from avledger.tui.widgets.table import RegisterTable

T = TypeVar("T")

PAGE = 100  # rows asked for at a time
AHEAD = 20  # the next page is asked for when the cursor is this close to the last row held


@dataclass(frozen=True)
class Listing(Generic[T]):
    """What a table shows: a page after a cursor, the number of rows, a row's key and cells.

    ``quick``, when given, is ``page`` that stops after the rows its filter is quick to find (the services'
    ``quick=True``): a page it leaves short is completed by ``page`` beside the screen (see
    :class:`PagedTable.Short`)."""

    page: Callable[[Cursor | None, int], Page[T]]
    count: Callable[[], int]
    key: Callable[[T], str]
    cells: Callable[[T], Sequence[Any]]
    quick: Callable[[Cursor | None, int], Page[T]] | None = None


_CURRENT = object()  # show(): keep the row under the cursor


class PagedTable(RegisterTable):
    class Paged(Message):
        """Rows were shown, more were added, or they were counted."""

        def __init__(self, table: PagedTable) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> PagedTable:
            return self.table

    class Short(Message):
        """A quick page came short: the rest of it is to be asked of ``listing.page`` after ``after`` (in a
        worker: the owner then calls :meth:`PagedTable.continued`)."""

        def __init__(self, table: PagedTable, listing: Listing, after: Cursor) -> None:
            super().__init__()
            self.table = table
            self.listing = listing
            self.after = after

        @property
        def control(self) -> PagedTable:
            return self.table

    def __init__(self, *, page_size: int = PAGE, **kwargs) -> None:
        super().__init__(**kwargs)
        self.page_size = page_size
        self.listing: Listing | None = None
        self.records: list = []
        self.by_key: dict[str, Any] = {}
        self.after: Cursor | None = None  # where the next page starts; None: every row is shown
        self.total: int | None = None  # the rows of the listing, once counted
        self.searching = False  # a short page is being completed beside the screen
        self._adding = False

    # --- what is shown --------------------------------------------------------------------
    def show(self, listing: Listing, *, keep: Any = _CURRENT, count: bool = True) -> None:
        """Show ``listing`` from its first page, with the row of key ``keep`` (by default the one under the
        cursor) selected when it is still listed; count the rows unless ``count`` is False."""
        key = self.current_key if keep is _CURRENT else keep
        held = len(self.records)
        self.listing = listing
        self.records, self.by_key, self.after = [], {}, None
        self.total = None
        self.searching = False
        self.clear()
        self._add_page(None)
        while (
            key is not None
            and key not in self.by_key
            and self.after is not None
            and not self.searching
            and len(self.records) < held
        ):
            self._add_page(self.after)
        if count:
            self.total = listing.count()
        if not self.select_key(key) and self.row_count:
            self.move_cursor(row=0)
        self.post_message(self.Paged(self))

    def recount(self) -> None:
        """Count the rows of the listing shown (after a filter changed: see :meth:`show`)."""
        if self.listing is not None:
            self.counted(self.listing, self.listing.count())

    def counted(self, listing: Listing, total: int) -> None:
        """``listing`` has ``total`` rows (counted elsewhere, a worker thread say): shown if it is still shown."""
        if listing is self.listing:
            self.total = total
            self.post_message(self.Paged(self))

    def more(self) -> bool:
        """Add the next page; False when every row is shown (or a page is being added or completed)."""
        if self.listing is None or self.after is None or self._adding or self.searching:
            return False
        self._add_page(self.after)
        self.post_message(self.Paged(self))
        return True

    def _add_page(self, after: Cursor | None) -> None:
        listing = self.listing
        page = (listing.quick or listing.page)(after, self.page_size)
        self._add_rows(page)
        if len(page.rows) < self.page_size and page.after is not None:  # short: completed beside the screen
            self.searching = True
            self.post_message(self.Short(self, listing, page.after))

    def continued(self, listing: Listing, page: Page) -> None:
        """The rest of a short page (see :class:`Short`), when ``listing`` is still the one shown."""
        if listing is not self.listing:
            return
        self.searching = False
        self._add_rows(page)
        self.post_message(self.Paged(self))

    def _add_rows(self, page: Page) -> None:
        self.after = page.after
        self._adding = True  # adding rows moves the view: that asks for no page
        try:
            for row in page.rows:
                key = self.listing.key(row)
                self.add_row(*self.listing.cells(row), key=key)
                self.records.append(row)
                self.by_key[key] = row
        finally:
            self._adding = False

    @property
    def current_row(self) -> Any:
        """The row under the cursor, or None."""
        key = self.current_key
        return None if key is None else self.by_key.get(key)

    def summary(self) -> str:
        """第 1–200 条，共 N 条: the rows shown, of how many."""
        shown = len(self.records)
        if self.searching:
            return _("第 1–{last} 条，正在查找…").format(last=shown) if shown else _("正在查找…")
        if self.total is None:
            return _("第 1–{last} 条，正在计数…").format(last=shown) if shown else _("正在计数…")
        if not shown:
            return _("共 0 条")
        return _("第 1–{last} 条，共 {total} 条").format(last=shown, total=self.total)

    # --- asking for the next page --------------------------------------------------------------
    def watch_cursor_coordinate(self, old: Coordinate, new: Coordinate) -> None:
        super().watch_cursor_coordinate(old, new)
        if self.after is not None and new.row >= self.row_count - AHEAD:
            self.more()

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if self.after is not None and new + self.scrollable_content_region.height >= self.row_count - AHEAD:
            self.more()


class ListingJob:
    """A query of a listing run in a worker thread (a count, the rest of a short page), which the screen may
    stop: its query is interrupted."""

    def __init__(self, listing: Listing, call) -> None:
        self.listing = listing
        self.call = call
        self.connection = None
        self.stopped = False
        self.lock = threading.Lock()

    def run(self, db):
        """What ``call()`` gives, or None when stopped. ``db``: the register (peewee), whose connection in this
        thread the query uses (the caller closes it)."""
        with self.lock:
            if self.stopped:
                return None
            self.connection = db.connection()  # this thread's
        try:
            return self.call()
        except Exception:
            if self.stopped:  # its query was interrupted
                return None
            raise
        finally:
            with self.lock:
                self.connection = None  # not interrupted once its query is done (the thread closes it)

    def stop(self) -> None:
        with self.lock:
            self.stopped = True
            if self.connection is not None:
                self.connection.interrupt()
