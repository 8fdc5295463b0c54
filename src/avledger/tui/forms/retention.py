"""Manual holds (人工冻结) and a case file's keeping period (案卷保管期限), opened from the activity page; each
form returns plain values and the page runs the service, whose refusal reopens the form."""

from __future__ import annotations

from dataclasses import dataclass

from avledger.i18n import _
from avledger.tui.forms.base import (
    Field,
    FormScreen,
    approval_fields,
    check_approver,
    required_text,
    select,
    text_input,
)


@dataclass(frozen=True)
class HoldForm:
    reason: str
    scope: str = "activity"  # activity | case (every activity of the case number)


@dataclass(frozen=True)
class CaseFileForm:
    kind: str  # months | permanent
    months: str = ""


class HoldFormScreen(FormScreen[HoldForm | None]):
    """设置保存冻结: the reason (a complaint, a court's request), for this activity or its whole case."""

    PARAM_FIELDS = {"case_no": "scope", "activity": "scope"}

    def __init__(
        self,
        heading: str,
        case_no: str,
        *,
        initial: HoldForm | None = None,
        error: str | None = None,
        error_field: str | None = None,
    ) -> None:
        super().__init__(error=error, error_field=error_field)
        self.case_no = case_no
        self.initial = initial
        self.title_text = _("设置保存冻结：{name}").format(name=heading)

    def fields(self) -> list[Field]:
        d = self.initial or HoldForm("")
        hint = _("例如 当事人投诉、法院调取")
        fields = [Field("reason", _("冻结原因"), text_input(d.reason, placeholder=hint), required=True)]
        if self.case_no:
            scopes = [(_("本执法活动"), "activity"), (_("案件 {no} 的全部执法活动").format(no=self.case_no), "case")]
            fields.append(Field("scope", _("冻结范围"), select(scopes, d.scope)))
        return fields

    def check(self, name: str) -> str | None:
        return required_text(self.value(name), _("冻结原因")) if name == "reason" else None

    def result(self) -> HoldForm:
        return HoldForm(self.value("reason"), (self.value("scope") or "activity") if self.case_no else "activity")


class ReleaseFormScreen(FormScreen[str | None]):
    """解除保存冻结: why the hold ends."""

    def __init__(
        self, heading: str, *, initial: str = "", error: str | None = None, error_field: str | None = None
    ) -> None:
        super().__init__(error=error, error_field=error_field)
        self.initial = initial
        self.title_text = _("解除保存冻结：{hold}").format(hold=heading)

    def fields(self) -> list[Field]:
        hint = _("例如 投诉已处理完毕")
        return [Field("reason", _("解除原因"), text_input(self.initial, placeholder=hint), required=True)]

    def check(self, name: str) -> str | None:
        return required_text(self.value(name), _("解除原因"))

    def result(self) -> str:
        return self.value("reason")


class CaseFileFormScreen(FormScreen[CaseFileForm | None]):
    """案卷保管期限: entered when the case is filed; evidence footage is kept as long as the case file."""

    def __init__(
        self,
        case_no: str,
        *,
        initial: CaseFileForm | None = None,
        error: str | None = None,
        error_field: str | None = None,
    ) -> None:
        super().__init__(error=error, error_field=error_field)
        self.initial = initial
        self.title_text = _("案卷保管期限：{no}").format(no=case_no)

    def fields(self) -> list[Field]:
        d = self.initial or CaseFileForm("months")
        kinds = [(_("按月计"), "months"), (_("永久"), "permanent")]
        return [
            Field("kind", _("保管期限"), select(kinds, d.kind), required=True),
            Field("months", _("月数"), text_input(d.months, placeholder=_("例如 120（十年）"))),
        ]

    def check(self, name: str) -> str | None:
        if name == "months" and self.value("kind") != "permanent":
            value = self.value("months")
            if not value:
                return _("请输入月数")
            if not value.isdigit() or not 1 <= int(value) <= 1200:
                return _("保管期限应为 1 到 1200 个月")
        return None

    def result(self) -> CaseFileForm:
        return CaseFileForm(self.value("kind") or "months", self.value("months"))


class PlanCancelFormScreen(FormScreen[str | None]):
    """取消清除计划: why a plan that has not run is cancelled."""

    def __init__(
        self, plan_id: int, *, initial: str = "", error: str | None = None, error_field: str | None = None
    ) -> None:
        super().__init__(error=error, error_field=error_field)
        self.initial = initial
        self.title_text = _("取消清除计划 {id}").format(id=plan_id)

    def fields(self) -> list[Field]:
        hint = _("例如 其中有正在投诉的执法活动")
        return [Field("reason", _("取消原因"), text_input(self.initial, placeholder=hint), required=True)]

    def check(self, name: str) -> str | None:
        return required_text(self.value(name), _("取消原因"))

    def result(self) -> str:
        return self.value("reason")


@dataclass(frozen=True)
class PlanApproveForm:
    by: str  # the approver's staff number
    paper_form: str = ""


class PlanApproveFormScreen(FormScreen[PlanApproveForm | None]):
    """批准清除计划: the approver (the profile's role), and the paper form they signed when someone else records
    the approval for them."""

    def __init__(
        self,
        heading: str,
        approvers: list[tuple[str, str]],
        *,
        initial: PlanApproveForm | None = None,
        error: str | None = None,
        error_field: str | None = None,
    ) -> None:
        super().__init__(error=error, error_field=error_field)
        self.approvers = approvers
        self.initial = initial
        self.title_text = _("批准清除计划 {plan}").format(plan=heading)

    def fields(self) -> list[Field]:
        d = self.initial or PlanApproveForm("")
        return approval_fields(self.approvers, d.by, d.paper_form)

    def check(self, name: str) -> str | None:
        return check_approver(self.value("by")) if name == "by" else None

    def result(self) -> PlanApproveForm:
        return PlanApproveForm(self.value("by"), self.value("paper_form"))
