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

from avledger.errors import UserError
from avledger.i18n import A_, _
from avledger.services.lending import PreCheck
from avledger.services.printing import Filters
from avledger.timeutil import fmt_local
from avledger.tui.filtering import matches
from avledger.tui.forms import FaultForm, HandoverForm, IssueForm, LiabilityForm, RepairForm, ReturnForm
from avledger.tui.screens.base import FilteredRegisterScreen
from avledger.tui.screens.lending_forms import (
    CounterChoices,
    FaultFormScreen,
    HandoverFormScreen,
    IssueFormScreen,
    LiabilityFormScreen,
    RepairFormScreen,
    ReturnFormScreen,
    Thresholds,
    default_due,
    error_field,
)
from avledger.tui.widgets import RegisterTable
from avledger.vocab import DEVICE_KINDS, DEVICE_STATUSES, label

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


class CounterActions:
    """Opening the counter's forms and running the lending service on what they return.

    Mixed into a screen that has ``services``; the list and a device's page share it.
    ``lending_changed(asset_no)`` is called after each step.
    """

    def counter_choices(self, step: str) -> CounterChoices:
        services = self.services  # type: ignore[attr-defined]
        profile = services.office.profile()
        devices = services.devices.list()
        # The number first: typing it in the list jumps to the person (type to search).
        officers = [
            (f"{s.number} {s.name}  {s.department}", s.number)
            for s in services.staff.list(include_left=False)
            if s.is_enforcement
        ]
        in_store, issued, unavailable = {}, {}, {}
        for d in devices:
            if d.status == "in_store":
                in_store[d.asset_no] = f"{label(DEVICE_KINDS, d.kind)} {d.model}".strip()
            if d.holder:
                issued[d.asset_no] = f"{d.holder}（{d.holder_number}）"
            if step == "issue" and d.status != "in_store":
                unavailable[d.asset_no] = _("设备 {asset} 当前状态为“{status}”，不能领用").format(
                    asset=d.asset_no, status=label(DEVICE_STATUSES, d.status)
                )
            elif step != "issue" and not d.holder:
                unavailable[d.asset_no] = _("设备 {asset} 没有在外的领用记录").format(asset=d.asset_no)
        thresholds = Thresholds(
            profile.get("precheck.min_battery_pct"),
            profile.get("precheck.min_free_gb"),
            profile.get("precheck.max_clock_offset_s"),
            profile.get("precheck.notice_text"),
        )
        return CounterChoices(
            tz=profile.tz,
            now=services.ctx.clock(),
            officers=officers,
            in_store=in_store,
            issued=issued,
            unavailable=unavailable,
            thresholds=thresholds,
        )

    def _run_form(self, screen, run, reopen, done_message) -> None:
        """Push a form; run the service on its result; on a refusal reopen it with the reason."""
        app = self.app  # type: ignore[attr-defined]

        def done(form) -> None:
            if form is None:
                return
            try:
                asset_no = run(form)
            except UserError as exc:
                reopen(form, exc.render(), error_field(exc))
                return
            app.notify(done_message(form))
            self.lending_changed(asset_no)

        app.push_screen(screen, done)

    def open_issue(
        self, asset_no: str = "", initial: IssueForm | None = None, error: str | None = None, field: str | None = None
    ) -> None:
        choices = self.counter_choices("issue")
        if initial is None and asset_no:
            initial = IssueForm(asset_no, "", "", "", "", False, due=default_due(choices))

        def run(form: IssueForm) -> str:
            check = PreCheck(int(form.battery), float(form.free_gb), int(form.clock_offset), form.notice_given)
            self.services.lending.issue(
                form.asset_no,
                form.holder,
                check,
                due=form.due or None,  # type: ignore
                purpose=form.purpose,
                despite=form.despite or None,
                at=form.at or None,
            )
            return form.asset_no

        self._run_form(
            IssueFormScreen(choices, initial=initial, error=error, error_field=field),
            run,
            lambda form, err, f: self.open_issue(initial=form, error=err, field=f),
            lambda form: _("已领用：{asset}").format(asset=form.asset_no),
        )

    def open_return(
        self, asset_no: str = "", initial: ReturnForm | None = None, error: str | None = None, field: str | None = None
    ) -> None:
        initial = initial or ReturnForm(asset_no)

        def run(form: ReturnForm) -> str:
            self.services.lending.give_back(
                form.asset_no,
                content=form.content,  # type: ignore[attr-defined]
                condition=form.condition,
                at=form.at or None,
            )
            return form.asset_no

        self._run_form(
            ReturnFormScreen(self.counter_choices("return"), initial=initial, error=error, error_field=field),
            run,
            lambda form, err, f: self.open_return(initial=form, error=err, field=f),
            lambda form: (
                _("已归还：{asset}，设备转入维修") if form.condition == "damaged" else _("已归还：{asset}")
            ).format(asset=form.asset_no),
        )

    def open_handover(
        self,
        asset_no: str = "",
        initial: HandoverForm | None = None,
        error: str | None = None,
        field: str | None = None,
    ) -> None:
        initial = initial or HandoverForm(asset_no, "")

        def run(form: HandoverForm) -> str:
            self.services.lending.handover(form.asset_no, form.to, at=form.at or None)  # type: ignore
            return form.asset_no

        self._run_form(
            HandoverFormScreen(self.counter_choices("handover"), initial=initial, error=error, error_field=field),
            run,
            lambda form, err, f: self.open_handover(initial=form, error=err, field=f),
            lambda form: _("已交接：{asset}").format(asset=form.asset_no),
        )

    def open_fault(
        self, asset_no: str, initial: FaultForm | None = None, error: str | None = None, field: str | None = None
    ) -> None:
        def run(form: FaultForm) -> str:
            self.services.lending.report_fault(asset_no, form.description, at=form.at or None)  # type: ignore
            return asset_no

        self._run_form(
            FaultFormScreen(asset_no, self.counter_choices("fault"), initial=initial, error=error, error_field=field),
            run,
            lambda form, err, f: self.open_fault(asset_no, form, err, f),
            lambda form: _("已登记故障：{asset}").format(asset=asset_no),
        )

    def open_repair(
        self,
        asset_no: str,
        step: str,
        initial: RepairForm | None = None,
        error: str | None = None,
        field: str | None = None,
    ) -> None:
        def run(form: RepairForm) -> str:
            self.services.lending.repair(asset_no, step, at=form.at or None, outcome=form.outcome)  # type: ignore
            return asset_no

        self._run_form(
            RepairFormScreen(
                asset_no, step, self.counter_choices("repair"), initial=initial, error=error, error_field=field
            ),
            run,
            lambda form, err, f: self.open_repair(asset_no, step, form, err, f),
            lambda form: (_("已送修：{asset}") if step == "sent" else _("已修复入库：{asset}")).format(asset=asset_no),
        )

    def open_liability(
        self, asset_no: str, initial: LiabilityForm | None = None, error: str | None = None, field: str | None = None
    ) -> None:
        services = self.services  # type: ignore[attr-defined]
        device = services.devices.view(asset_no)
        people = [(f"{s.number} {s.name}  {s.department}", s.number) for s in services.staff.list()]
        if initial is None and device.holder_number:
            initial = LiabilityForm("lost", device.holder_number)

        def run(form: LiabilityForm) -> str:
            services.lending.record_liability(
                asset_no,
                form.kind,
                form.liable,
                amount=form.amount or None,
                description=form.description,
                at=form.at or None,
            )
            return asset_no

        self._run_form(
            LiabilityFormScreen(
                asset_no,
                device.price_yuan,
                people,
                self.counter_choices("liability"),
                initial=initial,
                error=error,
                error_field=field,
            ),
            run,
            lambda form, err, f: self.open_liability(asset_no, form, err, f),
            lambda form: _("已登记责任：{asset}").format(asset=asset_no),
        )

    def lending_changed(self, asset_no: str) -> None:
        """Hook: a step was registered for this device."""


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
    END_COLUMN = ("end", _("归还/交出"))  # in the whole ledger only
    BINDINGS = [
        Binding("o", "issue", A_("领用"), tooltip=_("把设备领给执法人员（含使用前检查）")),
        Binding("r", "give_back", _("归还"), tooltip=_("所选设备归还入库")),
        Binding("h", "handover", _("交接"), tooltip=_("所选设备直接交给另一名执法人员")),
        Binding("t", "toggle_all", _("全部/在外"), tooltip=_("在“只看在外的设备”和“全部记录”之间切换")),
        Binding("slash", "focus_filter", _("筛选"), key_display="/"),
    ]

    def __init__(self, services) -> None:
        super().__init__(services)
        self.rows = []
        self.show_all = False
        self._select_after_load: str | None = None

    def compose_body(self) -> ComposeResult:
        yield Static("", id="mode", classes="subtitle")
        yield from self.compose_filter_bar()
        yield Static("", id="empty", classes="empty")

    def reload(self) -> None:
        self.rows = self.services.lending.list(open_only=not self.show_all)
        self.show_rows()

    def on_mount(self) -> None:
        self.query_one(RegisterTable).focus()

    def set_columns(self) -> None:
        table = self.query_one(RegisterTable)
        columns = list(self.COLUMNS)
        if self.show_all:
            columns.insert(4, self.END_COLUMN)
        if [str(c.key.value) for c in table.columns.values()] != [key for key, _t in columns]:
            table.clear(columns=True)
            for key, title in columns:
                table.add_column(title, key=key)

    def show_rows(self) -> None:
        tz = self.tz
        self.set_columns()
        table = self.query_one(RegisterTable)
        keep = self._select_after_load or table.current_key
        self._select_after_load = None
        query = self.query_one("#filter", Input).value
        shown = [
            loan
            for loan in self.rows
            if matches(
                query,
                [loan.asset_no, loan.holder, loan.holder_number, loan.purpose, loan.from_holder, str(loan_state(loan))],
            )
        ]
        table.clear()
        for loan in shown:
            end = fmt_local(loan.end_at, tz) or "—"
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
                cells.insert(4, end)
            table.add_row(*cells, key=str(loan.id) if self.show_all else loan.asset_no)
        table.select_key(keep)
        out = sum(1 for loan in self.rows if loan.end_at is None)
        overdue = sum(1 for loan in self.rows if loan.overdue)
        self.query_one("#mode", Static).update(
            Text.assemble(
                (_("全部使用与交接记录") if self.show_all else _("在外的设备"), "bold"),
                "  ",
                (_("（按 t 切换）"), "dim"),
                "   ",
                (_("在外 {out} 台").format(out=out), "cyan"),
                ("  " + _("逾期 {n} 台").format(n=overdue), "bold red") if overdue else "",
            )
        )
        self.query_one("#count", Static).update(
            _("显示 {shown} / 共 {total} 条").format(shown=len(shown), total=len(self.rows))
        )
        empty = self.query_one("#empty", Static)
        if not self.rows:
            empty.update(_("没有在外的设备。按 o 领用。") if not self.show_all else _("还没有使用记录。按 o 领用。"))
        elif not shown:
            empty.update(_("没有符合筛选条件的记录。"))
        empty.display = not shown
        table.styles.height = "auto" if not shown else "1fr"
        self.refresh_bindings()

    def current(self):
        key = self.query_one(RegisterTable).current_key
        if key is None:
            return None
        return next((loan for loan in self.rows if (str(loan.id) if self.show_all else loan.asset_no) == key), None)

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
        self._select_after_load = asset_no if not self.show_all else None
        self.reload()
        self.query_one(RegisterTable).focus()

    @on(RegisterTable.RowSelected)
    def _open(self) -> None:
        loan = self.current()
        if loan is not None:
            from avledger.tui.screens.device_detail import DeviceDetailScreen

            self.app.push_screen(DeviceDetailScreen(self.services, loan.asset_no))

    def print_targets(self):
        return [("loans", Filters())]

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand(_("领用"), _("把设备领给执法人员（含使用前检查）"), self.action_issue)
        yield SystemCommand(_("归还"), _("设备归还入库"), self.action_give_back)
        yield SystemCommand(_("交接"), _("设备直接交给另一名执法人员"), self.action_handover)
        yield SystemCommand(_("全部/在外"), _("在“只看在外的设备”和“全部记录”之间切换"), self.action_toggle_all)
        yield SystemCommand(_("筛选使用记录"), _("按设备或人员筛选"), self.action_focus_filter)
