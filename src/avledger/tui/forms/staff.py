"""A member of staff: add or edit (name, number, department, certificate, roles, OS user)."""

from __future__ import annotations

from dataclasses import dataclass

from avledger.i18n import _
from avledger.tui.forms.base import Field, FormScreen, required_text, select, text_input
from avledger.tui.widgets import CheckGroup
from avledger.vocab import ROLES


@dataclass(frozen=True)
class StaffForm:
    name: str
    number: str
    dept: str
    cert_no: str = ""
    roles: tuple[str, ...] = ()
    os_user: str = ""


@dataclass(frozen=True)
class StaffChoices:
    departments: list[str]
    numbers: frozenset[str]  # staff numbers already taken
    os_users: dict[str, str]  # OS user -> staff number using it


class StaffFormScreen(FormScreen[StaffForm | None]):
    def __init__(
        self,
        choices: StaffChoices,
        *,
        initial: StaffForm | None = None,
        editing: bool = False,
        error: str | None = None,
        error_field: str | None = None,
    ) -> None:
        super().__init__(error=error, error_field=error_field)
        self.choices = choices
        self.initial = initial
        self.editing = editing
        self.title_text = (
            _("修改人员：{name}（{number}）").format(name=initial.name, number=initial.number)
            if editing and initial
            else _("新增人员")
        )

    def fields(self) -> list[Field]:
        s = self.initial or StaffForm("", "", "")
        depts = [(name, name) for name in self.choices.departments]
        return [
            Field("name", _("姓名"), text_input(s.name), required=True),
            Field("number", _("工号"), text_input(s.number, disabled=self.editing), required=True),
            Field("dept", _("科室"), select(depts, s.dept or None, allow_blank=True), required=True),
            Field("cert_no", _("执法证号"), text_input(s.cert_no, placeholder=_("无执法证的不是执法人员"))),
            Field("roles", _("角色"), CheckGroup(ROLES, s.roles)),
            Field("os_user", _("系统用户名"), text_input(s.os_user, placeholder=_("可选：登录本机的用户名"))),
        ]

    def check(self, name: str) -> str | None:
        value = self.value(name)
        if name == "name":
            return required_text(value, _("姓名"))
        if name == "number" and not self.editing:
            if not value:
                return required_text(value, _("工号"))
            if value in self.choices.numbers:
                return _("工号已存在：{number}").format(number=value)
        if name == "dept" and not value:
            return _("请选择科室")
        if name == "os_user" and value:
            owner = self.choices.os_users.get(value)
            mine = self.initial.number if self.editing and self.initial else None
            if owner is not None and owner != mine:
                return _("系统用户名已被其他人员使用：{user}").format(user=value)
        return None

    def result(self) -> StaffForm:
        return StaffForm(
            name=self.value("name"),
            number=self.initial.number if self.editing and self.initial else self.value("number"),
            dept=self.value("dept"),
            cert_no=self.value("cert_no"),
            roles=self.value("roles"),
            os_user=self.value("os_user"),
        )
