"""清除处理 (F11): what is due, the plans, their approval and the run with a progress bar. Opened from the
footage section (``d``) and the command palette. Also the keep-until and holds lines of the clip and activity
pages (:func:`retention_pairs`)."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.widgets import Static

from avledger.errors import UserError
from avledger.i18n import _
from avledger.present import size_text
from avledger.progress import Cancelled
from avledger.services.printing import Filters
from avledger.timeutil import fmt_local
from avledger.tui.forms.base import staff_options
from avledger.tui.forms.retention import PlanApproveForm, PlanApproveFormScreen, PlanCancelFormScreen
from avledger.tui.screens.base import SubScreen, close_thread_connection
from avledger.tui.widgets import JobProgress, RegisterTable
from avledger.vocab import DISPOSAL_PLAN_STATES, HOLD_KINDS, RETENTION_CATEGORIES, RETENTION_STARTS, ROLES, label


def retention_pairs(view) -> list[tuple[str, str | Text]]:
    """The keep-until date and the holds of a clip or an activity (a :class:`RetentionView`), in words."""
    keep = view.keep
    if keep.until is not None:
        until: str | Text = keep.until.isoformat()
    elif keep.waiting == "case_open":
        until = _("案件终结后确定")
    elif keep.waiting == "case_file":
        until = _("登记案卷保管期限后确定")
    else:
        until = _("长期保存")
    start = label(RETENTION_STARTS, keep.counts_from) + (f" {keep.start}" if keep.start else "")
    pairs: list[tuple[str, str | Text]] = [
        (_("保存至"), f"{until}（{label(RETENTION_CATEGORIES, keep.category)}，{start}，{keep.article}）"),
    ]
    holds = [label(HOLD_KINDS, h.kind) + (f"：{h.detail}" if h.detail else "") for h in view.holds]
    pairs.append((_("冻结"), Text("；".join(holds), style="yellow") if holds else _("无")))
    if view.disposed:
        pairs.append((_("已清除"), Text(view.disposed, style="bold red")))
    return pairs


class DisposalScreen(SubScreen):
    """The disposal plans, what is due now, and the run of an approved plan."""

    SECTION = "footage"
    BINDINGS = [
        Binding("p", "plan", _("拟定计划"), tooltip=_("列出到期且未冻结的音像资料，登记清除计划")),
        Binding("a", "approve", _("批准"), tooltip=_("批准所选的清除计划（选择批准人）")),
        Binding("r", "run", _("执行"), tooltip=_("执行已批准的清除计划：逐个复核后清除")),
        Binding("x", "cancel_plan", _("取消计划"), tooltip=_("取消所选的尚未执行的清除计划（须说明原因）")),
        Binding("s", "stop", _("停止"), tooltip=_("停止清除（已清除的留有记录，再次执行可继续）")),
    ]

    def compose_body(self) -> ComposeResult:
        yield Static(Text(_("清除处理"), style="bold"), classes="title")
        yield Static("", id="due")
        yield RegisterTable(id="plans")
        yield Static("", id="plan-note")
        yield JobProgress(id="job")

    def on_mount(self) -> None:
        table = self.query_one("#plans", RegisterTable)
        for title in (_("编号"), _("状态"), _("拟定"), _("文件"), _("大小"), _("批准人"), _("执行完毕"), _("取消原因")):
            table.add_column(title)

    def reload(self) -> None:
        tz = self.tz
        due = self.services.disposal.due_count()
        self.query_one("#due", Static).update(
            Text(_("保存期限已满、可清除处理：{n} 个文件").format(n=due), style="yellow" if due else "dim")
        )
        table = self.query_one("#plans", RegisterTable)
        table.clear()
        for p in self.services.disposal.plans():
            table.add_row(
                str(p.id),
                label(DISPOSAL_PLAN_STATES, p.status),
                f"{fmt_local(p.planned_at, tz)} {p.planned_by}",
                str(p.files),
                size_text(p.bytes),
                p.approved_by.name if p.approved_by_id else "—",
                fmt_local(p.finished_at, tz) if p.finished_at else "—",
                p.cancel_reason or "—",
                key=str(p.id),
            )
        self.show_note()
        self.refresh_bindings()

    def show_note(self) -> None:
        """The selected plan's cancellation and its reason, in full under the table."""
        plan = self.selected_plan()
        text = ""
        if plan is not None and plan.status == "cancelled":
            text = _("清除计划 {id} 已取消：{reason}").format(id=plan.id, reason=plan.cancel_reason or "—")
        self.query_one("#plan-note", Static).update(Text(text, style="yellow"))

    @on(RegisterTable.RowHighlighted, "#plans")
    def _plan_highlighted(self) -> None:
        self.show_note()

    def selected_plan(self):
        key = self.query_one("#plans", RegisterTable).current_key
        return self.services.disposal.get(key) if key else None

    def check_action(self, action: str, parameters) -> bool | None:
        if action in ("approve", "run", "stop", "cancel_plan") and self.is_mounted:
            running = self.query_one(JobProgress).running
            if action == "stop":
                return True if running else None
            plan = self.selected_plan()
            if running or plan is None:
                return None
            if action == "approve":
                return True if plan.status == "planned" else None
            if action == "cancel_plan":
                return True if plan.status in ("planned", "approved") else None
            return True if plan.status in ("approved", "done") else None
        return super().check_action(action, parameters)

    def refused(self, exc: UserError) -> None:
        self.app.notify(exc.render(), severity="error", title=_("清除处理"))

    def action_plan(self) -> None:
        try:
            plan = self.services.disposal.plan()
        except UserError as exc:
            self.refused(exc)
            return
        if plan is None:
            self.app.notify(_("没有到期待清除的音像资料"), title=_("清除处理"))
        else:
            self.app.notify(
                _("已登记清除计划 {id}：{n} 个文件，{size}，待批准").format(
                    id=plan.id, n=plan.files, size=size_text(plan.bytes)
                ),
                title=_("清除处理"),
            )
        self.reload()

    def action_approve(self, initial: PlanApproveForm | None = None, error=None, field=None) -> None:
        plan = self.selected_plan()
        if plan is None or self.query_one(JobProgress).running:
            return
        approvers = staff_options(self.services.staff.able("disposal.approve"))
        if not approvers:
            role = self.services.office.profile().get("retention.disposal_approver_role")
            self.app.notify(
                _("还没有在职的{role}批准清除计划：请先在“人员”中设定角色").format(role=label(ROLES, role)),
                severity="error",
                title=_("清除处理"),
            )
            return

        def done(form: PlanApproveForm | None) -> None:
            if form is None:
                return
            try:
                self.services.disposal.approve(plan.id, form.by, paper_form=form.paper_form or None)
            except UserError as exc:
                if exc.field in ("by", "paper_form"):
                    self.action_approve(form, exc.render(), exc.field)
                else:
                    self.refused(exc)
                return
            self.app.notify(_("已批准清除计划 {id}").format(id=plan.id), title=_("清除处理"))
            self.reload()

        heading = _("{id}（{n} 个文件，{size}）").format(id=plan.id, n=plan.files, size=size_text(plan.bytes))
        screen = PlanApproveFormScreen(heading, approvers, initial=initial, error=error, error_field=field)
        self.app.push_screen(screen, done)

    def action_cancel_plan(self, initial: str = "", error: str | None = None, field: str | None = None) -> None:
        plan = self.selected_plan()
        if plan is None or self.query_one(JobProgress).running:
            return

        def done(reason: str | None) -> None:
            if reason is None:
                return
            try:
                self.services.disposal.cancel(plan.id, reason=reason)
            except UserError as exc:
                if exc.field == "reason":
                    self.action_cancel_plan(reason, exc.render(), exc.field)
                else:
                    self.refused(exc)
                return
            self.app.notify(_("已取消清除计划 {id}").format(id=plan.id), title=_("清除处理"))
            self.reload()

        self.app.push_screen(PlanCancelFormScreen(plan.id, initial=initial, error=error, error_field=field), done)

    def action_run(self) -> None:
        plan = self.selected_plan()
        job = self.query_one(JobProgress)
        if plan is None or job.running:
            return
        job.start()
        self.refresh_bindings()
        self.run_plan(plan.id)

    def action_stop(self) -> None:
        self.query_one(JobProgress).cancel()

    @work(thread=True, exclusive=True, group="dispose")
    def run_plan(self, plan_id: int) -> None:
        job = self.query_one(JobProgress)
        try:
            result = self.services.disposal.run(plan_id, progress=job.sink(), cancel=job.token)
        except UserError as exc:
            self.app.call_from_thread(self.ran, exc.render(), False)
            return
        except Cancelled:
            self.app.call_from_thread(self.ran, _("清除已停止；已清除的文件留有记录，再次执行可继续"), False)
            return
        finally:
            close_thread_connection(self.services)
        message = _("清除计划 {id}：已清除 {n} 个文件").format(id=plan_id, n=result.deleted + result.completed)
        self.app.call_from_thread(self.ran, message, not result.skipped)

    def ran(self, message: str, ok: bool) -> None:
        self.query_one(JobProgress).finish(message, ok)
        self.app.notify(message, title=_("清除处理"), severity="information" if ok else "warning", timeout=20)
        self.reload()

    def print_targets(self):
        return [("disposals", Filters())]

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand(_("拟定清除计划"), _("列出到期且未冻结的音像资料，登记清除计划"), self.action_plan)
        plan = self.selected_plan()
        if plan is not None and plan.status == "planned":
            yield SystemCommand(_("批准清除计划"), _("批准所选的清除计划（选择批准人）"), self.action_approve)
        if plan is not None and plan.status in ("planned", "approved"):
            yield SystemCommand(_("取消计划"), _("取消所选的尚未执行的清除计划（须说明原因）"), self.action_cancel_plan)
        if plan is not None and plan.status in ("approved", "done"):
            yield SystemCommand(_("执行清除计划"), _("执行已批准的清除计划：逐个复核后清除"), self.action_run)
