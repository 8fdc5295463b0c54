"""领用归还: the use and handover ledger at the counter (F03, F04, F05).

The list shows the devices out now (or, with ``t``, the whole ledger);
``o`` issues, ``r`` takes back, ``h`` hands over, each in a few keystrokes.
Typing a person's name or number in the filter shows that person's history.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.widgets import Input, Static

from avledger.i18n import A_, _
from avledger.services.lending import LoanQuery
from avledger.services.printing import Filters
from avledger.timeutil import fmt_local
from avledger.tui.actions.counter import CounterActions
from avledger.tui.screens.base import FilteredRegisterScreen
from avledger.tui.screens.device_detail import DeviceDetailScreen
from avledger.tui.widgets import Listing, RegisterTable

END_LABELS = {"return": _("已归还"), "handover": _("已交接"), "lost": _("丢失")}


def loan_state(loan) -> Text:
    if loan.end_at is None:
        return Text(_("逾期"), style="bold red") if loan.overdue else Text(_("在外"), style="cyan")
    return Text(END_LABELS.get(loan.end_kind or "", loan.end_kind or ""), style="dim")


def check_text(loan) -> Text:
    if loan.start_kind == "handover":
        return Text(_("交接自 {giver}").format(giver=loan.from_holder or ""), style="dim")
    if not loan.check_failures:
        return Text(_("通过"), style="green")
    return Text(_("未通过，仍领用：{reason}").format(reason=loan.despite or ""), style="yellow")


class LendingScreen(CounterActions, FilteredRegisterScreen):
    SECTION = "lending"
    FILTER_HINT = _("筛选：资产编号、使用人、工号、用途")
    TABLE_ID = "loans"
    COLUMNS = (
        ("asset", _("资产编号")),
        ("state", _("状态")),
        ("holder", _("使用人")),
        ("start", _("领用/交接")),
        ("due", _("应还")),
        ("check", _("使用前检查")),
        ("purpose", _("用途")),
    )
    FREE_COLUMNS = ("purpose", "holder", "check")
    KEEP_COLUMNS = ("asset", "state", "start", "due")
    COLUMN_MINIMUM = {"check": 9}  # "未通过，…": whether the check passed stays readable
    END_COLUMN = ("end", _("归还/交出"))  # in the whole ledger only
    BINDINGS = [
        Binding("o", "issue", A_("领用"), tooltip=_("把设备领给执法人员（含使用前检查）")),
        Binding("r", "give_back", _("归还"), tooltip=_("所选设备归还入库")),
        Binding("h", "handover", _("交接"), tooltip=_("所选设备直接交给另一名执法人员")),
        Binding("t", "toggle_all", _("全部/在外"), tooltip=_("在“只看在外的设备”和“全部记录”之间切换")),
        Binding("slash", "focus_filter", _("筛选"), key_display="/"),
    ]

    NO_MATCH = _("没有符合筛选条件的记录。")

    def __init__(self, services) -> None:
        super().__init__(services)
        self.show_all = False
        self.out = self.overdue = 0

    def compose_body(self) -> ComposeResult:
        yield Static("", id="mode", classes="subtitle")
        yield from self.compose_filter_bar()
        yield Static("", id="empty", classes="empty")

    def on_mount(self) -> None:
        self.table.focus()

    def set_columns(self) -> None:
        table = self.table
        columns = list(self.COLUMNS)
        if self.show_all:
            columns.insert(4, self.END_COLUMN)
        if [str(c.key.value) for c in table.columns.values()] != [key for key, _t in columns]:
            table.clear(columns=True)
            for key, title in columns:
                table.add_column(title, key=key)

    def listing(self) -> Listing:
        lending = self.services.lending
        query = LoanQuery(open_only=not self.show_all, text=self.filter_text)
        return Listing(
            lambda after, n: lending.page(query, after, n),
            lambda: lending.count(query),
            (lambda loan: str(loan.id)) if self.show_all else (lambda loan: loan.asset_no),
            self.cells,
            quick=lambda after, n: lending.page(query, after, n, quick=True),
        )

    def cells(self, loan) -> list:
        tz = self.tz
        due = Text(fmt_local(loan.due_at, tz) or "—", style="bold red" if loan.overdue else "")
        cells = [
            loan.asset_no,
            loan_state(loan),
            f"{loan.holder}（{loan.holder_number}）",
            fmt_local(loan.start_at, tz),
            due,
            check_text(loan),
            loan.purpose or "—",
        ]
        if self.show_all:
            cells.insert(4, fmt_local(loan.end_at, tz) or "—")
        return cells

    def show_rows(self, *, keep: str | None = None, count: bool = True) -> None:
        self.set_columns()
        if count:
            self.out = self.services.lending.count(LoanQuery(open_only=True))
            self.overdue = self.services.lending.count(LoanQuery(overdue=True))
        super().show_rows(keep=keep, count=count)

    def shown(self) -> None:
        self.query_one("#mode", Static).update(
            Text.assemble(
                (_("全部使用与交接记录") if self.show_all else _("在外的设备"), "bold"),
                "  ",
                (_("（按 t 切换）"), "dim"),
                "   ",
                (_("在外 {out} 台").format(out=self.out), "cyan"),
                ("  " + _("逾期 {n} 台").format(n=self.overdue), "bold red") if self.overdue else "",
            )
        )
        super().shown()

    def empty_text(self) -> str:
        return _("没有在外的设备。按 o 领用。") if not self.show_all else _("还没有使用记录。按 o 领用。")

    def current(self):
        return self.table.current_row

    def current_open_asset(self) -> str:
        loan = self.current()
        return loan.asset_no if loan is not None and loan.end_at is None else ""

    def action_issue(self) -> None:
        self.open_issue()

    def action_give_back(self) -> None:
        self.open_return(self.current_open_asset())

    def action_handover(self) -> None:
        self.open_handover(self.current_open_asset())

    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all
        self.reload()

    def show_person(self, number: str) -> None:
        """The whole history of one person (from the staff list)."""
        self.show_all = True
        self.query_one("#filter", Input).value = number
        self.reload()

    def lending_changed(self, asset_no: str) -> None:
        self.show_rows(keep=asset_no if not self.show_all else None)
        self.table.focus()

    @on(RegisterTable.RowSelected)
    def _open(self) -> None:
        loan = self.current()
        if loan is not None:
            self.app.push_screen(DeviceDetailScreen(self.services, loan.asset_no))

    def print_targets(self):
        return [("loans", Filters())]

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand(_("领用"), _("把设备领给执法人员（含使用前检查）"), self.action_issue)
        yield SystemCommand(_("归还"), _("设备归还入库"), self.action_give_back)
        yield SystemCommand(_("交接"), _("设备直接交给另一名执法人员"), self.action_handover)
        yield SystemCommand(_("全部/在外"), _("在“只看在外的设备”和“全部记录”之间切换"), self.action_toggle_all)
        yield SystemCommand(_("筛选使用记录"), _("按设备或人员筛选"), self.action_focus_filter)
