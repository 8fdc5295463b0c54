"""What every section screen shares: the section bar, the number keys, the footer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import HorizontalGroup, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Input, Static

from avledger.errors import UserError
from avledger.i18n import _
from avledger.tui.forms.confirm import Confirm as Confirm  # where the screens have always found it
from avledger.tui.keys import EssentialKeysFirst, keys_footer
from avledger.tui.sections import SECTIONS
from avledger.tui.widgets import Listing, ListingJob, NavBar, PagedTable, RegisterTable

if TYPE_CHECKING:
    from avledger.services import Services
    from avledger.services.printing import Filters

NAV_GROUP = Binding.Group(_("切换页面"), compact=True)

NAV_BINDINGS = [
    Binding(s.key, f"app.section('{s.id}')", _(s.label), group=NAV_GROUP, id=f"section.{s.id}")
    for s in SECTIONS
    if s.key
]


def close_thread_connection(services: Services) -> None:
    """Close the register connection a worker thread opened (peewee keeps one per thread)."""
    if not services.db.is_closed():
        services.db.close()


class SectionScreen(EssentialKeysFirst, Screen):
    """A section of the app (a mode): the nav bar, a body, the footer.

    Data is (re)loaded through the services each time the screen becomes
    active, so that a change made elsewhere shows.
    """

    SECTION: ClassVar[str] = ""
    BINDINGS = [
        *NAV_BINDINGS,
        Binding("escape", "leave_input", show=False),
        Binding("f2", "print", _("打印"), tooltip=_("把本页的登记表打印为 A4 PDF"), id="print"),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self._resumed = False

    def compose(self) -> ComposeResult:
        acting = getattr(self.app, "acting_label", None)
        yield NavBar(self.SECTION, who=acting() if acting else "")
        with Vertical(id="body"):
            yield from self.compose_body()
        yield keys_footer()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_screen_resume(self) -> None:
        # Textual 8.2.8 resumes a mode's screen twice when it is first shown (from _init_mode and from
        # switch_mode): load once per time the screen comes to the front.
        if self._resumed:
            return
        self._resumed = True
        self.reload()

    def on_screen_suspend(self) -> None:
        self._resumed = False

    @on(RegisterTable.RowHighlighted)
    def _row_highlighted(self) -> None:
        """Keys that depend on the row under the cursor (edit, return, approve...) follow it."""
        self.refresh_bindings()

    def reload(self) -> None:
        """Load the screen's data through the services."""

    def palette_commands(self) -> Iterable[SystemCommand]:
        """This screen's actions, for the command palette."""
        return ()

    # --- printing ----------------------------------------------------------------
    def print_targets(self) -> list[tuple[str, Filters]]:
        """The registers this screen prints (register name, filters); F2 prints the first."""
        return []

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "print":
            return bool(self.print_targets())
        return True

    def action_print(self, index: int = 0) -> None:
        targets = self.print_targets()
        if not targets:
            return
        name, filters = targets[min(index, len(targets) - 1)]
        self.app.notify(_("正在生成 PDF…"), title=_("打印"))
        self.print_register(name, filters)

    @work(thread=True, exclusive=True, group="print")
    def print_register(self, name: str, filters: Filters) -> None:
        from avledger.services.delivery import deliver, print_path
        from avledger.timeutil import to_local

        services = self.services
        try:
            now = to_local(services.ctx.clock(), services.office.profile().tz)
            path = services.printing.render_pdf(name, filters, print_path(services.home.path / "prints", name, now))
        except UserError as exc:
            self.app.call_from_thread(self.app.notify, exc.render(), title=_("打印"), severity="error")
            return
        finally:
            close_thread_connection(services)
        delivery = deliver(path)
        message = {
            "viewer": _("已在查看器中打开：{path}"),
            "printer": _("已发送到打印机 {printer}：{path}"),
        }.get(delivery.how, _("PDF 已保存：{path}")).format(path=path, printer=delivery.detail)
        self.app.call_from_thread(self.app.notify, message, title=_("打印"), timeout=20)

    def print_commands(self) -> Iterable[SystemCommand]:
        from avledger.services.printing import REGISTERS

        for index, (name, _filters) in enumerate(self.print_targets()):
            title = _(REGISTERS[name].title)
            yield SystemCommand(
                _("打印：{title}").format(title=title),
                _("生成 A4 PDF（F2 打印第一项）"),
                lambda i=index: self.action_print(i),
            )

    def action_leave_input(self) -> None:
        """Escape in a text box leaves it, so that the number keys switch sections again."""
        if isinstance(self.focused, Input):
            self.focus_next_table()

    def focus_next_table(self) -> None:
        tables = list(self.query(DataTable))
        if tables:
            tables[0].focus()
        else:
            self.set_focus(None)

    @property
    def tz(self):
        return self.services.office.profile().tz


class SubScreen(SectionScreen):
    """A screen pushed on top of a section (e.g. a device's page): escape goes back."""

    BINDINGS = [Binding("escape", "back", _("返回"))]

    def action_back(self) -> None:
        if isinstance(self.focused, Input):
            self.focus_next_table()
            return
        self.app.pop_screen()


class InfoDialog(EssentialKeysFirst, ModalScreen[None]):
    """A dialog that shows something and closes (escape or its button). Subclasses give
    ``title_text`` and ``compose_content``."""

    BINDINGS = [Binding("escape", "close", _("关闭"))]
    title_text = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.title_text, id="form-title")
            yield from self.compose_content()
            with HorizontalGroup(id="form-buttons"):
                yield Button(_("关闭"), id="close", compact=True)
        yield keys_footer()

    def compose_content(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.query_one("#close").focus()

    def on_button_pressed(self) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)


class FilteredRegisterScreen(SectionScreen):
    """A section showing one register as a table fed from SQL a page at a time, filtered as the user types.

    Subclasses name the table's columns, the filter's hint and what an empty table says, and give the
    :meth:`listing` the table shows for the filter's words. Typing shows the matching rows at once and
    counts them when the typing pauses.
    """

    FILTER_HINT: ClassVar[str] = ""
    TABLE_ID: ClassVar[str] = ""
    COLUMNS: ClassVar[tuple[tuple[str, str], ...]] = ()  # (key, translated title)
    # Fitting the columns to the width (see RegisterTable.fit): narrowed first, never, and how far.
    FREE_COLUMNS: ClassVar[tuple[str, ...]] = ()
    KEEP_COLUMNS: ClassVar[tuple[str, ...]] = ()
    COLUMN_MINIMUM: ClassVar[dict[str, int]] = {}
    EMPTY: ClassVar[str] = ""  # nothing registered yet
    NO_MATCH: ClassVar[str] = ""  # nothing matches the filter
    COUNT_AFTER = 0.3  # seconds of no typing before the matching rows are counted

    _count_timer = None

    def compose_filter_bar(self) -> ComposeResult:
        with HorizontalGroup(classes="toolbar"):
            yield Input(placeholder=self.FILTER_HINT, id="filter", compact=True)
            yield Static("", id="count")
        table = PagedTable(id=self.TABLE_ID)
        table.fit_columns(free=self.FREE_COLUMNS, keep=self.KEEP_COLUMNS, minimum=self.COLUMN_MINIMUM)
        yield table
        yield Static("", id="row-detail", classes="note", markup=False)

    def on_mount(self) -> None:
        table = self.query_one(PagedTable)
        for key, title in self.COLUMNS:
            table.add_column(title, key=key)
        table.focus()

    @on(PagedTable.RowHighlighted)
    @on(PagedTable.Fitted)
    def _row_highlighted(self) -> None:
        self.show_row_detail()

    def show_row_detail(self) -> None:
        """Under the table, the full text of the cells its narrowed columns cut in the row under the cursor."""
        detail = next(iter(self.query("#row-detail").results(Static)), None)
        if detail is None:
            return
        cut = self.table.current_cut
        detail.update("  ".join(_("{title}：{text}").format(title=t, text=v) for t, v in cut))
        detail.display = bool(cut)

    @property
    def table(self) -> PagedTable:
        return self.query_one(PagedTable)

    @property
    def rows(self) -> list:
        """The rows the table holds (the pages loaded so far)."""
        return self.table.records

    @property
    def filter_text(self) -> str:
        return self.query_one("#filter", Input).value

    def listing(self) -> Listing:
        """What the table shows for the filter as it stands."""
        raise NotImplementedError

    def reload(self) -> None:
        self.show_rows()

    def show_rows(self, *, keep: str | None = None, count: bool = True) -> None:
        """Show the listing from its first page; the row of key ``keep`` (else the current one) stays selected.
        The rows are counted at once, or, when a filter is typed, in a worker thread (:meth:`count_rows`)."""
        table = self.table
        filtered = bool(self.filter_text.strip())
        if keep is None:
            table.show(self.listing(), count=count and not filtered)
        else:
            table.show(self.listing(), keep=keep, count=count and not filtered)
        self.shown()
        if count and filtered:
            self.count_rows()

    def shown(self) -> None:
        """After the table changed: its count, what an empty table says, the keys that follow the row."""
        table = self.table
        self.query_one("#count", Static).update(self.count_text())
        empty = next(iter(self.query("#empty").results(Static)), None)
        if empty is not None:
            empty.update(
                _("正在查找…") if table.searching else self.NO_MATCH if self.filter_text.strip() else self.empty_text()
            )
            empty.display = table.row_count == 0
        table.styles.height = "auto" if table.row_count == 0 else "1fr"
        self.show_row_detail()
        self.refresh_bindings()

    def count_text(self) -> str:
        return self.table.summary()

    def empty_text(self) -> str:
        return self.EMPTY

    @on(PagedTable.Paged)
    def _paged(self) -> None:
        self.shown()

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self.stop_counting()
        self.show_rows(count=False)
        if self._count_timer is not None:
            self._count_timer.stop()
        self._count_timer = self.set_timer(self.COUNT_AFTER, self.count_rows)

    # --- what a filter asks of a large register, beside the screen -----------------------------------
    _jobs: tuple[ListingJob, ...] = ()  # the queries under way in worker threads

    def count_rows(self) -> None:
        """Count the rows of the listing shown in a worker thread: a rare word on a large register may make
        SQLite read a whole table (the audit log's, say), and typing goes on meanwhile."""
        listing = self.table.listing
        if listing is not None:
            job = ListingJob(listing, listing.count)
            self._jobs = (*self._jobs, job)
            self._in_thread(job, self.table.counted)

    @on(PagedTable.Short)
    def _short(self, event: PagedTable.Short) -> None:
        """The rows quick to find did not fill a page: the rest of it is looked for in a worker thread."""
        size = event.table.page_size
        job = ListingJob(event.listing, lambda: event.listing.page(event.after, size))
        self._jobs = (*self._jobs, job)
        self._in_thread(job, event.table.continued)

    def stop_counting(self) -> None:
        """Stop the queries of a filter no longer shown: their queries are interrupted."""
        for job in self._jobs:
            job.stop()
        self._jobs = ()

    @work(thread=True)
    def _in_thread(self, job: ListingJob, done) -> None:
        try:
            result = job.run(self.services.db)
        finally:
            close_thread_connection(self.services)
        if result is not None:
            self.app.call_from_thread(done, job.listing, result)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.table.focus()

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()
