"""The counter's forms: issue with the pre-use check (F03, F04), return, handover,
and a device's fault, repair and damage or loss (F05).

Each form checks what it can as the user types (the asset number against the
devices that can take the step, numbers, times) and returns plain values; the
calling screen runs the lending service, whose refusal reopens the form.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.app import ComposeResult
from textual.suggester import SuggestFromList
from textual.widgets import Checkbox, Input, Static

from avledger.errors import UserError
from avledger.i18n import _
from avledger.timeutil import fmt_local, parse_local_datetime, to_local
from avledger.tui.forms import FaultForm, HandoverForm, IssueForm, LiabilityForm, RepairForm, ReturnForm
from avledger.tui.screens.device_form import check_price
from avledger.tui.screens.form import Field, FormScreen, required_text, select, text_input

TIME_HINT = _("留空为现在；补录填 YYYY-MM-DD HH:MM")

# Service refusals (message ids) and the field each one concerns.
ERROR_FIELDS = {
    "没有这个资产编号的设备：{asset}": "asset_no",
    "设备 {asset} 当前状态为“{status}”，不能领用": "asset_no",
    "设备 {asset} 没有在外的领用记录": "asset_no",
    "设备 {asset} 没有在外的领用记录，无法交接": "asset_no",
    "{name}（{number}）已离职，不能使用执法记录设备": "holder",
    "{name}（{number}）没有执法证，不是执法人员，不能领用执法记录设备（转借他人属违规）": "holder",
    "交接双方不能是同一人": "to",
    "应还时间应晚于领用时间": "due",
    "应还时间格式不对：“{value}”，应为 YYYY-MM-DD HH:MM": "due",
    "领用时间不能早于该设备上次归还的时间（{time}）": "at",
    "时间不能早于领用（交接）时间 {time}": "at",
    "{label}不能晚于现在：{value}": "at",
    "{label}格式不对：“{value}”，应为 YYYY-MM-DD HH:MM": "at",
    "使用前检查未通过：{failures}。如确需领用，请注明原因（--despite）": "despite",
    "电量应在 0 到 100 之间：{value}": "battery",
    "剩余存储不能为负数：{value}": "free_gb",
    "送修时间不能早于故障登记时间 {time}": "at",
    "返回时间不能早于 {time}": "at",
    "金额格式不对：{value}": "amount",
}


def error_field(exc: UserError) -> str | None:
    return ERROR_FIELDS.get(exc.message)


@dataclass(frozen=True)
class Thresholds:
    """The profile's pre-use check limits (F04)."""

    min_battery_pct: int
    min_free_gb: float
    max_clock_offset_s: int
    notice_text: str


@dataclass(frozen=True)
class CounterChoices:
    """What the counter's forms offer and check against (loaded by the caller through the services)."""

    tz: ZoneInfo
    now: dt.datetime  # naive UTC, the services' clock
    officers: list[tuple[str, str]]  # (label, staff number): active staff with an enforcement certificate
    in_store: dict[str, str] = field(default_factory=dict)  # asset number -> label, devices that can be issued
    issued: dict[str, str] = field(default_factory=dict)  # asset number -> "holder (number)" of open loans
    unavailable: dict[str, str] = field(default_factory=dict)  # asset number -> why it cannot take this step
    thresholds: Thresholds | None = None


def check_time(text: str, choices: CounterChoices, label: str) -> str | None:
    """A past local time typed by the manager, or empty for now."""
    if not text:
        return None
    try:
        when = parse_local_datetime(text, choices.tz, label=label)
    except UserError as exc:
        return exc.render()
    if when > choices.now:
        return _("{label}不能晚于现在：{value}").format(label=label, value=fmt_local(when, choices.tz))
    return None


def parse_number(text: str, label: str, *, integer: bool) -> tuple[float | int | None, str | None]:
    """The number typed in a field, or why it is refused."""
    if not text:
        return None, _("{label}不能为空").format(label=label)
    try:
        return (int(text) if integer else float(text)), None
    except ValueError:
        return None, (_("{label}应为整数：{value}") if integer else _("{label}应为数字：{value}")).format(
            label=label, value=text
        )


def check_failures(
    thresholds: Thresholds, battery: int | None, free_gb: float | None, offset: int | None, notice: bool
) -> list[str]:
    """The failing checks, in words with their limits (the same ids the service uses)."""
    failures = []
    if battery is not None and battery < thresholds.min_battery_pct:
        failures.append(_("电量不足") + f"（≥ {thresholds.min_battery_pct}%）")
    if free_gb is not None and free_gb < thresholds.min_free_gb:
        failures.append(_("存储空间不足") + f"（≥ {thresholds.min_free_gb} GB）")
    if offset is not None and abs(offset) > thresholds.max_clock_offset_s:
        failures.append(_("时钟误差过大") + f"（≤ {thresholds.max_clock_offset_s} s）")
    if not notice:
        failures.append(_("未提醒告知用语"))
    return failures


def default_due(choices: CounterChoices) -> str:
    """End of today's working day (18:00), when that is still ahead; else left for the manager."""
    local_now = to_local(choices.now, choices.tz)
    end = local_now.replace(hour=18, minute=0, second=0, microsecond=0)
    return end.strftime("%Y-%m-%d %H:%M") if end > local_now else ""


class AssetField:
    """Shared by the counter's forms: an asset number typed or scanned, checked against ``choices``.

    A barcode scanner types the number and Enter; Enter in the asset field
    moves on to the next field rather than submitting the form.
    """

    choices: CounterChoices
    asset_pool: dict[str, str]

    def asset_input(self, value: str) -> Input:
        control = text_input(value, placeholder=_("输入或扫描资产编号"))
        control.suggester = SuggestFromList(sorted(self.asset_pool), case_sensitive=False)
        return control

    def check_asset(self, value: str) -> str | None:
        if not value:
            return required_text(value, _("资产编号"))
        match = self.match_asset(value)
        if match is not None:
            return None
        if value in self.choices.unavailable:
            return self.choices.unavailable[value]
        return _("没有这个资产编号的设备：{asset}").format(asset=value)

    def input_submitted(self, name: str | None) -> None:
        if name == "asset_no":
            if not self.recheck("asset_no"):  # scanned or typed: on to the next field
                self.focus_next()
            return
        super().input_submitted(name)  # type: ignore[misc]

    def match_asset(self, value: str) -> str | None:
        """The asset number meant (case-insensitive, as scanners and people type), or None."""
        folded = value.casefold()
        return next((a for a in self.asset_pool if a.casefold() == folded), None)


class IssueFormScreen(AssetField, FormScreen[IssueForm | None]):
    """领用: the device, the officer, the pre-use check; the PC's clock shows to compare with the device's."""

    title_text = _("领用登记")

    def __init__(
        self,
        choices: CounterChoices,
        *,
        initial: IssueForm | None = None,
        error: str | None = None,
        error_field: str | None = None,
    ) -> None:
        super().__init__(error=error, error_field=error_field)
        self.choices = choices
        self.asset_pool = choices.in_store
        self.initial = initial

    def compose_note(self) -> ComposeResult:
        yield Static("", id="pc-clock")
        t = self.choices.thresholds
        if t is not None:
            yield Static(Text.assemble((_("告知用语："), "bold"), t.notice_text), id="notice-text")

    def on_mount(self) -> None:
        super().on_mount()
        self.tick()
        self.set_interval(1, self.tick)
        self.on_resize()

    def on_resize(self) -> None:
        """The notice text in full when there is room; on a small terminal the form comes first."""
        for notice in self.query("#notice-text"):
            notice.display = self.app.size.height >= 30

    def tick(self) -> None:
        """The PC's own clock, to compare with the time the device shows."""
        now = dt.datetime.now(self.choices.tz)
        self.query_one("#pc-clock", Static).update(
            Text.assemble(
                (_("本机时间："), "bold"),
                (now.strftime("%Y-%m-%d %H:%M:%S"), "bold cyan"),
                "  ",
                (_("与设备显示的时间比对"), "dim"),
            )
        )

    def fields(self) -> list[Field]:
        d = self.initial or IssueForm("", "", "", "", "", False, due=default_due(self.choices))
        t = self.choices.thresholds
        officers = list(self.choices.officers)
        return [
            Field("asset_no", _("资产编号"), self.asset_input(d.asset_no), required=True),
            Field("holder", _("领用人"), select(officers, d.holder or None, allow_blank=True), required=True),
            Field(
                "battery",
                _("电量（%）"),
                text_input(d.battery, placeholder=f"≥ {t.min_battery_pct}" if t else ""),
                required=True,
            ),
            Field(
                "free_gb",
                _("剩余存储（GB）"),
                text_input(d.free_gb, placeholder=f"≥ {t.min_free_gb}" if t else ""),
                required=True,
            ),
            Field(
                "clock_offset",
                _("时钟误差（秒）"),
                text_input(
                    d.clock_offset,
                    placeholder=_("设备快为正，慢为负；≤ ±{limit}").format(limit=t.max_clock_offset_s) if t else "",
                ),
                required=True,
            ),
            Field(
                "notice_given", _("告知用语"), Checkbox(_("已提醒执法人员使用告知用语"), d.notice_given, compact=True)
            ),
            Field("due", _("应还时间"), text_input(d.due, placeholder="YYYY-MM-DD HH:MM")),
            Field("purpose", _("用途"), text_input(d.purpose, placeholder=_("例如 日常检查、案件调查"))),
            Field("despite", _("仍领用的原因"), text_input(d.despite, placeholder=_("检查未通过时必填"))),
            Field("at", _("领用时间"), text_input(d.at, placeholder=TIME_HINT)),
        ]

    def numbers(self) -> tuple[int | None, float | None, int | None]:
        battery, _e1 = parse_number(self.value("battery"), _("电量"), integer=True)
        free, _e2 = parse_number(self.value("free_gb"), _("剩余存储"), integer=False)
        offset, _e3 = parse_number(self.value("clock_offset"), _("时钟误差"), integer=True)
        return battery, free, offset  # type: ignore[return-value]

    def failures(self) -> list[str]:
        if self.choices.thresholds is None:
            return []
        battery, free, offset = self.numbers()
        return check_failures(self.choices.thresholds, battery, free, offset, self.value("notice_given"))

    def check(self, name: str) -> str | None:
        value = self.value(name)
        if name == "asset_no":
            return self.check_asset(value)
        if name == "holder" and not value:
            return _("请选择领用人")
        if name == "battery":
            number, error = parse_number(value, _("电量"), integer=True)
            if error is None and not 0 <= number <= 100:
                return _("电量应在 0 到 100 之间：{value}").format(value=value)
            return error
        if name == "free_gb":
            number, error = parse_number(value, _("剩余存储"), integer=False)
            if error is None and number < 0:
                return _("剩余存储不能为负数：{value}").format(value=value)
            return error
        if name == "clock_offset":
            return parse_number(value, _("时钟误差"), integer=True)[1]
        if name == "due" and value:
            try:
                due = parse_local_datetime(value, self.choices.tz, label=_("应还时间"))
            except UserError as exc:
                return exc.render()
            start = self.choices.now
            if self.value("at") and not self.check("at"):
                start = parse_local_datetime(self.value("at"), self.choices.tz)
            if due <= start:
                return _("应还时间应晚于领用时间")
        if name == "at":
            return check_time(value, self.choices, _("领用时间"))
        if name == "despite":
            failures = self.failures()
            if failures and not value:
                return _("使用前检查未通过：{failures}。如确需领用，请注明原因").format(failures="；".join(failures))
        return None

    def on_field_changed(self, name: str) -> None:
        if name in ("battery", "free_gb", "clock_offset", "notice_given"):
            self.show_check()
        if name == "at":
            self.recheck("due")

    def show_check(self) -> None:
        """The check's result as the numbers go in: the reason field asks only when something fails."""
        row = self._rows["despite"]
        failures = self.failures()
        complete = all(self.value(n) for n in ("battery", "free_gb", "clock_offset"))
        if failures and (complete or self.value("despite")):
            self.recheck("despite")
        else:
            row.set_error(None)

    def result(self) -> IssueForm:
        return IssueForm(
            asset_no=self.match_asset(self.value("asset_no")) or self.value("asset_no"),
            holder=self.value("holder"),
            battery=self.value("battery"),
            free_gb=self.value("free_gb"),
            clock_offset=self.value("clock_offset"),
            notice_given=self.value("notice_given"),
            due=self.value("due"),
            purpose=self.value("purpose"),
            despite=self.value("despite") if self.failures() else "",
            at=self.value("at"),
        )


class OutDeviceForm(AssetField):
    """A form for a device that is out (return, handover): who holds it shows as its number is typed."""

    holder_label = ""

    def __init__(
        self, choices: CounterChoices, *, initial=None, error: str | None = None, error_field: str | None = None
    ) -> None:
        super().__init__(error=error, error_field=error_field)  # type: ignore[call-arg]
        self.choices = choices
        self.asset_pool = choices.issued
        self.initial = initial

    def compose_note(self) -> ComposeResult:
        yield Static("", id="holder-note")

    def on_mount(self) -> None:
        super().on_mount()  # type: ignore[misc]
        self.show_holder()

    def show_holder(self) -> None:
        asset = self.match_asset(self.value("asset_no"))  # type: ignore[attr-defined]
        self.query_one("#holder-note", Static).update(  # type: ignore[attr-defined]
            Text.assemble((self.holder_label, "bold"), self.choices.issued[asset]) if asset else ""
        )

    def on_field_changed(self, name: str) -> None:
        if name == "asset_no":
            self.show_holder()


class ReturnFormScreen(OutDeviceForm, FormScreen[ReturnForm | None]):
    """归还: when, what was recorded, the condition. The return opens the 24-hour window for its footage."""

    title_text = _("归还登记")
    holder_label = _("使用人：")

    def fields(self) -> list[Field]:
        d = self.initial or ReturnForm("")
        conditions = [(_("完好"), "ok"), (_("损坏（转入维修）"), "damaged")]
        return [
            Field("asset_no", _("资产编号"), self.asset_input(d.asset_no), required=True),
            Field("content", _("记录内容"), text_input(d.content, placeholder=_("例如 检查某超市，拍摄 3 段"))),
            Field("condition", _("设备状况"), select(conditions, d.condition)),
            Field("at", _("归还时间"), text_input(d.at, placeholder=TIME_HINT)),
        ]

    def check(self, name: str) -> str | None:
        value = self.value(name)
        if name == "asset_no":
            return self.check_asset(value)
        if name == "at":
            return check_time(value, self.choices, _("归还时间"))
        return None

    def result(self) -> ReturnForm:
        return ReturnForm(
            asset_no=self.match_asset(self.value("asset_no")) or self.value("asset_no"),
            content=self.value("content"),
            condition=self.value("condition"),
            at=self.value("at"),
        )


class HandoverFormScreen(OutDeviceForm, FormScreen[HandoverForm | None]):
    """交接: from the holder straight to another officer, in one step."""

    title_text = _("交接登记")
    holder_label = _("交出人：")

    def fields(self) -> list[Field]:
        d = self.initial or HandoverForm("", "")
        return [
            Field("asset_no", _("资产编号"), self.asset_input(d.asset_no), required=True),
            Field(
                "to", _("接收人"), select(list(self.choices.officers), d.to or None, allow_blank=True), required=True
            ),
            Field("at", _("交接时间"), text_input(d.at, placeholder=TIME_HINT)),
        ]

    def check(self, name: str) -> str | None:
        value = self.value(name)
        if name == "asset_no":
            return self.check_asset(value)
        if name == "to" and not value:
            return _("请选择接收人")
        if name == "at":
            return check_time(value, self.choices, _("交接时间"))
        return None

    def result(self) -> HandoverForm:
        return HandoverForm(
            asset_no=self.match_asset(self.value("asset_no")) or self.value("asset_no"),
            to=self.value("to"),
            at=self.value("at"),
        )


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
