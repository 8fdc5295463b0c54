"""A device's upkeep (保养: W5, D13, L6) and its retirement (报废: D14, P6), opened from the device's page;
each form returns plain values and the page runs the service, whose refusal reopens the form."""

from __future__ import annotations

from dataclasses import dataclass

from avledger.i18n import _
from avledger.tui.forms.base import Field, FormScreen, approval_fields, check_approver, required_text, text_input
from avledger.tui.forms.counter import TIME_HINT, CounterChoices, check_time


@dataclass(frozen=True)
class UpkeepForm:
    what: str
    at: str = ""


@dataclass(frozen=True)
class RetireForm:
    reason: str
    by: str  # the approver's staff number
    paper_form: str = ""


class UpkeepFormScreen(FormScreen[UpkeepForm | None]):
    """保养: what was done, and when (empty for now); who is the person recording it."""

    def __init__(
        self,
        asset_no: str,
        choices: CounterChoices,
        *,
        initial: UpkeepForm | None = None,
        error: str | None = None,
        error_field: str | None = None,
    ) -> None:
        super().__init__(error=error, error_field=error_field)
        self.choices = choices
        self.initial = initial
        self.title_text = _("设备保养：{asset}").format(asset=asset_no)

    def fields(self) -> list[Field]:
        d = self.initial or UpkeepForm("")
        hint = _("例如 清洁镜头、检查电池和充电接口")
        return [
            Field("what", _("保养内容"), text_input(d.what, placeholder=hint), required=True),
            Field("at", _("保养日期"), text_input(d.at, placeholder=TIME_HINT)),
        ]

    def check(self, name: str) -> str | None:
        value = self.value(name)
        if name == "what":
            return required_text(value, _("保养内容"))
        if name == "at":
            return check_time(value, self.choices, _("保养日期"))
        return None

    def result(self) -> UpkeepForm:
        return UpkeepForm(self.value("what"), self.value("at"))


class RetireFormScreen(FormScreen[RetireForm | None]):
    """报废: the reason, the approver (the profile's role), and the paper form they signed when someone else
    records it."""

    def __init__(
        self,
        asset_no: str,
        approvers: list[tuple[str, str]],
        *,
        initial: RetireForm | None = None,
        error: str | None = None,
        error_field: str | None = None,
    ) -> None:
        super().__init__(error=error, error_field=error_field)
        self.approvers = approvers
        self.initial = initial
        self.title_text = _("设备报废：{asset}").format(asset=asset_no)

    def fields(self) -> list[Field]:
        d = self.initial or RetireForm("", "")
        return [
            Field("reason", _("报废原因"), text_input(d.reason, placeholder=_("例如 厂家确认无法修复")), required=True),
            *approval_fields(self.approvers, d.by, d.paper_form),
        ]

    def check(self, name: str) -> str | None:
        value = self.value(name)
        if name == "reason":
            return required_text(value, _("报废原因"))
        if name == "by":
            return check_approver(value)
        return None

    def result(self) -> RetireForm:
        return RetireForm(self.value("reason"), self.value("by"), self.value("paper_form"))
