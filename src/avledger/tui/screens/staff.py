"""人员: staff list filtered as you type; add, edit, and register a departure."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.widgets import Input, Static

from avledger.errors import UserError
from avledger.i18n import A_, _
from avledger.services.printing import Filters
from avledger.services.register import StaffQuery
from avledger.services.views import StaffView
from avledger.tui.forms.staff import StaffChoices, StaffForm, StaffFormScreen
from avledger.tui.screens.base import Confirm, FilteredRegisterScreen
from avledger.tui.widgets import Listing, RegisterTable
from avledger.vocab import ROLES, labels


def cells(s: StaffView) -> tuple:
    style = "" if s.active else "dim"
    return (
        Text(s.number, style=style),
        Text(s.name, style=style),
        Text(_("在职"), style="green") if s.active else Text(_("离职"), style="dim"),
        Text(s.department, style=style),
        Text(s.cert_no or "—", style=style),
        Text(labels(ROLES, s.roles) or "—", style=style),
    )


def form_of(s: StaffView) -> StaffForm:
    return StaffForm(s.name, s.number, s.department, s.cert_no or "", s.roles, s.os_user or "")


class StaffScreen(FilteredRegisterScreen):
    SECTION = "staff"
    FILTER_HINT = _("筛选：姓名、工号、科室、执法证号、角色")
    TABLE_ID = "staff"
    COLUMNS = (
        ("number", _("工号")),
        ("name", _("姓名")),
        ("state", _("状态")),
        ("dept", _("科室")),
        ("cert", _("执法证号")),
        ("roles", _("角色")),
    )
    BINDINGS = [
        Binding("a", "add", _("新增"), tooltip=_("新增人员")),
        Binding("e", "edit", _("修改"), tooltip=_("修改所选人员")),
        Binding("l", "leave", A_("离职"), tooltip=_("登记所选人员离职（记录保留）")),
        Binding("h", "loans", _("使用记录"), tooltip=_("所选人员领用、交接设备的全部记录")),
        Binding("k", "keys", _("SSH 密钥"), tooltip=_("同事通过 SSH 登录本机所用的密钥：登记、撤销")),
        Binding("v", "violations", _("过错责任"), tooltip=_("所选人员的过错责任追究：登记、决定")),
        Binding("j", "spotchecks", _("监督抽查"), tooltip=_("监督抽查：抽取样本、登记结果")),
        Binding("slash", "focus_filter", _("筛选"), key_display="/"),
    ]

    EMPTY = _("还没有人员。按 a 新增。")
    NO_MATCH = _("没有符合筛选条件的人员。")
    active = 0

    def compose_body(self) -> ComposeResult:
        yield from self.compose_filter_bar()
        yield Static("", id="empty", classes="empty")

    def listing(self) -> Listing:
        staff = self.services.staff
        query = StaffQuery(text=self.filter_text)
        return Listing(
            lambda after, n: staff.page(query, after, n), lambda: staff.count(query), lambda s: s.number, cells
        )

    def reload(self) -> None:
        self.active = self.services.staff.count_active()
        super().reload()

    def count_text(self) -> str:
        return super().count_text() + _("（在职 {active}）").format(active=self.active)

    def current(self) -> StaffView | None:
        return self.table.current_row

    def choices(self, exclude: str | None = None) -> StaffChoices:
        """What the form offers and checks against, loaded fresh (the form may open before this screen has loaded)."""
        everyone = self.services.staff.list()
        return StaffChoices(
            departments=[d.name for d in self.services.departments.list()],
            numbers=frozenset(s.number for s in everyone if s.number != exclude),
            os_users={s.os_user: s.number for s in everyone if s.os_user},
        )

    def open_form(
        self,
        initial: StaffForm | None = None,
        *,
        editing: bool = False,
        error: str | None = None,
        field: str | None = None,
    ) -> None:
        def done(form: StaffForm | None) -> None:
            if form is None:
                return
            try:
                if editing:
                    self.services.staff.update(
                        form.number,
                        name=form.name,
                        dept=form.dept,
                        cert_no=form.cert_no,
                        roles=list(form.roles),
                        os_user=form.os_user,
                    )
                else:
                    self.services.staff.add(
                        form.name,
                        form.number,
                        form.dept,
                        cert_no=form.cert_no or None,
                        roles=list(form.roles),
                        os_user=form.os_user or None,
                    )
            except UserError as exc:
                self.open_form(form, editing=editing, error=exc.render(), field=exc.field)
                return
            self.app.notify(
                (_("已修改人员：{name}（{number}）") if editing else _("已新增人员：{name}（{number}）")).format(
                    name=form.name, number=form.number
                )
            )
            if not editing:
                self.query_one("#filter", Input).value = ""
            self.active = self.services.staff.count_active()
            self.show_rows(keep=form.number)

        self.app.push_screen(
            StaffFormScreen(
                self.choices(initial.number if editing and initial else None),
                initial=initial,
                editing=editing,
                error=error,
                error_field=field,
            ),
            done,
        )

    @on(RegisterTable.RowSelected)
    def _open(self) -> None:
        self.action_edit()

    def action_add(self) -> None:
        self.open_form()

    def action_edit(self) -> None:
        person = self.current()
        if person is not None:
            self.open_form(form_of(person), editing=True)

    def action_leave(self) -> None:
        person = self.current()
        if person is None or not person.active:
            return

        def done(yes: bool | None) -> None:
            if not yes:
                return
            try:
                self.services.staff.update(person.number, active=False)
            except UserError as exc:
                self.app.notify(exc.render(), severity="error")
                return
            self.app.notify(_("已登记离职：{name}（{number}）").format(name=person.name, number=person.number))
            self.reload()

        question = (
            _("登记{name}（{number}）离职？").format(name=person.name, number=person.number)
            + "\n"
            + _("记录会保留；离职人员不能再保管设备。")
        )
        self.app.push_screen(Confirm(question, yes=_("登记离职")), done)

    def action_keys(self) -> None:
        from avledger.tui.screens.keys import KeysScreen

        person = self.current()
        self.app.push_screen(KeysScreen(self.services, person.number if person else ""))

    def action_loans(self) -> None:
        person = self.current()
        if person is not None:
            self.app.run_in_section("lending", "show_person", person.number)

    def action_violations(self) -> None:
        from avledger.tui.screens.violations import ViolationsScreen

        person = self.current()
        if person is not None:
            self.app.push_screen(ViolationsScreen(self.services, person.number))

    def action_spotchecks(self) -> None:
        from avledger.tui.screens.supervision import SupervisionScreen

        self.app.push_screen(SupervisionScreen(self.services))

    def check_action(self, action: str, parameters) -> bool | None:
        if action in ("edit", "leave", "loans", "violations") and self.is_mounted:
            person = self.current()
            if person is None:
                return None
            if action == "leave" and not person.active:
                return None
        return super().check_action(action, parameters)

    def print_targets(self):
        person = self.current() if self.is_mounted else None
        return [("loans", Filters(staff=person.number))] if person is not None else []

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand(_("新增人员"), _("新增一名人员"), self.action_add)
        person = self.current()
        if person is not None:
            yield SystemCommand(_("修改所选人员"), f"{person.name}（{person.number}）", self.action_edit)
            yield SystemCommand(_("所选人员的使用记录"), f"{person.name}（{person.number}）", self.action_loans)
            if person.active:
                yield SystemCommand(_("登记所选人员离职"), f"{person.name}（{person.number}）", self.action_leave)
        yield SystemCommand(_("筛选人员"), _("在人员列表中筛选"), self.action_focus_filter)
