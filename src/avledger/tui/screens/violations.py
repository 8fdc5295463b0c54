"""过错责任追究 (F19) in the TUI: the register of violations (of one person from the staff page), recording and
deciding them."""

from __future__ import annotations

from collections.abc import Iterable

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.widgets import Static

from avledger.errors import UserError
from avledger.i18n import _
from avledger.services.printing import Filters
from avledger.timeutil import fmt_local
from avledger.tui.forms.supervision import (
    AcknowledgeForm,
    AcknowledgeFormScreen,
    DecideForm,
    DecideFormScreen,
    ViolationForm,
    ViolationFormScreen,
)
from avledger.tui.screens.base import SubScreen
from avledger.tui.widgets import RegisterTable
from avledger.vocab import SANCTIONS, VIOLATION_STATUSES, label


def open_violation_form(screen, initial: ViolationForm, error: UserError | None = None, done=None) -> None:
    """The violation form on ``screen``; a refusal brings it back with what was typed."""
    services = screen.services

    def chosen(form: ViolationForm | None) -> None:
        if form is None:
            return
        try:
            view = services.violations.add(
                form.staff, form.article, form.what, activity=form.activity or None, check=form.check or None
            )
        except UserError as exc:
            open_violation_form(screen, form, exc, done)
            return
        screen.app.notify(
            _("已登记过错责任 {id}：{name}（{number}）").format(
                id=view.id, name=view.staff_name, number=view.staff_number
            )
        )
        screen.reload()
        if done is not None:
            done()

    screen.app.push_screen(
        ViolationFormScreen(
            articles=services.violations.articles(),
            initial=initial,
            error=error.render() if error else None,
            error_field=error.field if error else None,
        ),
        chosen,
    )


class ViolationsScreen(SubScreen):
    """过错责任追究: every violation (of one person when opened from the staff page), record and decide."""

    SECTION = "staff"
    BINDINGS = [
        Binding("a", "add", _("登记"), tooltip=_("登记一项过错责任")),
        Binding("d", "decide", _("决定"), tooltip=_("对所选过错责任作出追究决定")),
        Binding("v", "acknowledge", _("签收"), tooltip=_("本人签收所选的追究决定")),
        Binding("s", "spotchecks", _("监督抽查"), tooltip=_("监督抽查：抽取样本、登记结果")),
    ]

    def __init__(self, services, staff: str | None = None) -> None:
        super().__init__(services)
        self.staff = staff

    def compose_body(self) -> ComposeResult:
        yield Static(_("过错责任追究"), classes="title", id="violations-title")
        yield RegisterTable(id="violations")
        yield Static("", id="violation-detail")

    def on_mount(self) -> None:
        table = self.query_one("#violations", RegisterTable)
        for key, title in (
            ("id", _("编号")),
            ("person", _("责任人")),
            ("article", _("条款")),
            ("sanction", _("追究方式")),
            ("what", _("过错事实")),
        ):
            table.add_column(title, key=key)
        table.fit_columns(free={"what"}, keep={"id", "article"})
        table.focus()

    def reload(self) -> None:
        table = self.query_one("#violations", RegisterTable)
        keep = table.current_key
        table.clear()
        views = self.services.violations.list(staff=self.staff)
        for v in views:
            sanction = label(SANCTIONS, v.sanction) if v.sanction else label(VIOLATION_STATUSES, v.status)
            if v.until:
                sanction += _("至 {until}").format(until=v.until.isoformat())
            table.add_row(str(v.id), f"{v.staff_name}（{v.staff_number}）", v.article, sanction, v.what, key=str(v.id))
        if keep and any(str(v.id) == keep for v in views):
            table.move_cursor(row=table.get_row_index(keep))
        title = _("过错责任追究")
        if self.staff:
            person = self.services.staff.view(self.staff)
            title += f" · {person.name}（{person.number}）"
        self.query_one("#violations-title", Static).update(
            f"{title}  " + (_("{n} 项").format(n=len(views)) if views else _("（无）"))
        )
        self.show_detail(table.current_key)

    def show_detail(self, key: str | None) -> None:
        detail = self.query_one("#violation-detail", Static)
        if key is None:
            detail.update("")
            return
        v = self.services.violations.view(key)
        evidence = "；".join(
            text.format(id=value)
            for text, value in (
                (_("执法活动 {id}"), v.activity_id),
                (_("音像文件 {id}"), v.clip_id),
                (_("领用 {id}"), v.loan_id),
                (_("抽查 {id}"), v.check_id),
            )
            if value
        )
        lines = [v.what, _("证据：{evidence}").format(evidence=evidence or _("（无）"))]
        if v.decided_by:
            lines.append(
                _("决定人：{who}，{when}").format(who=v.decided_by, when=fmt_local(v.decided_at, self.tz))
                + (f"（{v.paper_form_no}）" if v.paper_form_no else "")
            )
        if v.acknowledged_at:
            lines.append(
                _("本人签收：{when}").format(when=fmt_local(v.acknowledged_at, self.tz))
                + (
                    _("（{who}代为登记）").format(who=v.acknowledgement_recorded_by)
                    if v.acknowledgement_recorded_by
                    else ""
                )
                + (f"  {v.acknowledged_note}" if v.acknowledged_note else "")
            )
        elif v.status == "decided":
            lines.append(_("本人尚未签收（按 v 签收）"))
        detail.update("\n".join(lines))

    @on(RegisterTable.RowHighlighted, "#violations")
    def _highlighted(self, event: RegisterTable.RowHighlighted) -> None:
        self.show_detail(event.row_key.value if event.row_key is not None else None)

    def action_add(self) -> None:
        open_violation_form(self, ViolationForm(self.staff or "", "", "", "", ""))

    def action_decide(self, initial: DecideForm | None = None, error: UserError | None = None) -> None:
        key = self.query_one("#violations", RegisterTable).current_key
        if key is None:
            return
        v = self.services.violations.view(key)
        me = self.services.who.whoami().staff_number or ""
        initial = initial or DecideForm("", "", me, "")

        def chosen(form: DecideForm | None) -> None:
            if form is None:
                return
            try:
                self.services.violations.decide(
                    key, form.sanction, by=form.by, until=form.until or None, paper_form=form.paper_form or None
                )
            except UserError as exc:
                self.action_decide(form, exc)
                return
            self.reload()

        self.app.push_screen(
            DecideFormScreen(
                heading=f"{v.id} {v.staff_name}（{v.staff_number}）",
                sanctions=self.services.violations.sanctions(),
                initial=initial,
                error=error.render() if error else None,
                error_field=error.field if error else None,
            ),
            chosen,
        )

    def action_acknowledge(self, initial: AcknowledgeForm | None = None, error: UserError | None = None) -> None:
        key = self.query_one("#violations", RegisterTable).current_key
        if key is None:
            return
        v = self.services.violations.view(key)

        def chosen(form: AcknowledgeForm | None) -> None:
            if form is None:
                return
            try:
                self.services.violations.acknowledge(key, at=form.at or None, note=form.note or None)
            except UserError as exc:
                self.action_acknowledge(form, exc)
                return
            self.app.notify(_("过错责任 {id}：已签收").format(id=v.id))
            self.reload()

        self.app.push_screen(
            AcknowledgeFormScreen(
                heading=f"{v.id} {v.staff_name}（{v.staff_number}）",
                initial=initial or AcknowledgeForm("", ""),
                error=error.render() if error else None,
                error_field=error.field if error else None,
            ),
            chosen,
        )

    def action_spotchecks(self) -> None:
        self.app.action_spotchecks()

    def check_action(self, action: str, parameters) -> bool | None:
        if action in ("decide", "acknowledge") and self.is_mounted:
            key = self.query_one("#violations", RegisterTable).current_key
            if key is None:
                return None
        return super().check_action(action, parameters)

    def print_targets(self):
        return [("violations", Filters(staff=self.staff) if self.staff else Filters())]

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand(_("登记过错责任"), _("登记一项过错责任"), self.action_add)
        yield SystemCommand(_("监督抽查"), _("监督抽查：抽取样本、登记结果"), self.action_spotchecks)
