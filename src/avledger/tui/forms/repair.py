"""A device's life outside the cupboard (F05): a fault, its repair, damage or loss with the person liable.

Opened from the device's page; each form returns plain values and the page
runs the lending service, whose refusal reopens the form.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.widgets import Static

from avledger.i18n import _
from avledger.tui.forms.base import Field, FormScreen, required_text, select, text_input
from avledger.tui.forms.counter import TIME_HINT, CounterChoices, check_time
from avledger.tui.forms.device import check_price


@dataclass(frozen=True)
class FaultForm:
    description: str
    at: str = ""


@dataclass(frozen=True)
class RepairForm:
    at: str = ""
    outcome: str = ""


@dataclass(frozen=True)
class LiabilityForm:
    kind: str  # damaged | lost
    liable: str  # staff number
    amount: str = ""
    description: str = ""
    at: str = ""


class FaultFormScreen(FormScreen[FaultForm | None]):
    """故障登记: the device goes to "in repair"."""

    def __init__(
        self,
        asset_no: str,
        choices: CounterChoices,
        *,
        initial: FaultForm | None = None,
        error: str | None = None,
        error_field: str | None = None,
    ) -> None:
        super().__init__(error=error, error_field=error_field)
        self.choices = choices
        self.initial = initial
        self.title_text = _("故障登记：{asset}").format(asset=asset_no)

    def fields(self) -> list[Field]:
        d = self.initial or FaultForm("")
        return [
            Field(
                "description", _("故障描述"), text_input(d.description, placeholder=_("例如 无法开机")), required=True
            ),
            Field("at", _("登记时间"), text_input(d.at, placeholder=TIME_HINT)),
        ]

    def check(self, name: str) -> str | None:
        value = self.value(name)
        if name == "description":
            return required_text(value, _("故障描述"))
        if name == "at":
            return check_time(value, self.choices, _("登记时间"))
        return None

    def result(self) -> FaultForm:
        return FaultForm(self.value("description"), self.value("at"))


class RepairFormScreen(FormScreen[RepairForm | None]):
    """送修 or 修复返回: the date of the step (and, on return, what was done)."""

    def __init__(
        self,
        asset_no: str,
        step: str,
        choices: CounterChoices,
        *,
        initial: RepairForm | None = None,
        error: str | None = None,
        error_field: str | None = None,
    ) -> None:
        super().__init__(error=error, error_field=error_field)
        self.step = step
        self.choices = choices
        self.initial = initial
        self.title_text = (_("送厂维修：{asset}") if step == "sent" else _("修复返回：{asset}")).format(asset=asset_no)
        self.time_label = _("送修时间") if step == "sent" else _("返回时间")

    def fields(self) -> list[Field]:
        d = self.initial or RepairForm()
        fields = [Field("at", self.time_label, text_input(d.at, placeholder=TIME_HINT))]
        if self.step == "back":
            fields.append(Field("outcome", _("维修结果"), text_input(d.outcome, placeholder=_("例如 更换电池"))))
        return fields

    def check(self, name: str) -> str | None:
        if name == "at":
            return check_time(self.value(name), self.choices, self.time_label)
        return None

    def result(self) -> RepairForm:
        return RepairForm(at=self.value("at"), outcome=self.value("outcome") if self.step == "back" else "")


class LiabilityFormScreen(FormScreen[LiabilityForm | None]):
    """损坏或丢失的责任认定: the person liable and the amount (the original price by default)."""

    def __init__(
        self,
        asset_no: str,
        price_yuan: str | None,
        people: list[tuple[str, str]],
        choices: CounterChoices,
        *,
        initial: LiabilityForm | None = None,
        error: str | None = None,
        error_field: str | None = None,
    ) -> None:
        super().__init__(error=error, error_field=error_field)
        self.price_yuan = price_yuan
        self.people = people
        self.choices = choices
        self.initial = initial
        self.title_text = _("损坏或丢失：{asset}").format(asset=asset_no)

    def compose_note(self) -> ComposeResult:
        yield Static(_("丢失的设备将退出使用（状态为“丢失”）。"), classes="note")

    def fields(self) -> list[Field]:
        d = self.initial or LiabilityForm("lost", "")
        kinds = [(_("丢失"), "lost"), (_("损坏"), "damaged")]
        return [
            Field("kind", _("情形"), select(kinds, d.kind), required=True),
            Field("liable", _("责任人"), select(self.people, d.liable or None, allow_blank=True), required=True),
            Field(
                "amount",
                _("赔偿金额（元）"),
                text_input(
                    d.amount,
                    placeholder=_("留空按原价 {price} 元").format(price=self.price_yuan)
                    if self.price_yuan
                    else _("未登记原价，必填"),
                ),
            ),
            Field("description", _("情况说明"), text_input(d.description)),
            Field("at", _("时间"), text_input(d.at, placeholder=TIME_HINT)),
        ]

    def check(self, name: str) -> str | None:
        value = self.value(name)
        if name == "liable" and not value:
            return _("请选择责任人")
        if name == "amount":
            if not value and not self.price_yuan:
                return _("设备未登记原价，请填写赔偿金额")
            return check_price(value)
        if name == "at":
            return check_time(value, self.choices, _("时间"))
        return None

    def result(self) -> LiabilityForm:
        return LiabilityForm(
            self.value("kind"), self.value("liable"), self.value("amount"), self.value("description"), self.value("at")
        )
