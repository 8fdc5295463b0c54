"""The counter's forms (F03): what they share (the asset number typed or scanned, the time), return and
handover; the issue form with the pre-use check is :mod:`.issue`.

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
from textual.widgets import Input, Static

from avledger.errors import UserError
from avledger.i18n import _
from avledger.services.lending import PreCheckLimits
from avledger.timeutil import fmt_local, parse_local_datetime
from avledger.tui.forms.base import Field, FormScreen, required_text, select, text_input

TIME_HINT = _("留空为现在；补录填 YYYY-MM-DD HH:MM")


@dataclass(frozen=True)
class ReturnForm:
    asset_no: str
    content: str = ""
    condition: str = "ok"
    at: str = ""


@dataclass(frozen=True)
class HandoverForm:
    asset_no: str
    to: str  # staff number
    at: str = ""


@dataclass(frozen=True)
class CounterChoices:
    """What the counter's forms offer and check against (loaded by the caller through the services)."""

    tz: ZoneInfo
    now: dt.datetime  # naive UTC, the services' clock
    officers: list[tuple[str, str]]  # (label, staff number): active staff with an enforcement certificate
    in_store: dict[str, str] = field(default_factory=dict)  # asset number -> label, devices that can be issued
    issued: dict[str, str] = field(default_factory=dict)  # asset number -> "holder (number)" of open loans
    unavailable: dict[str, str] = field(default_factory=dict)  # asset number -> why it cannot take this step
    limits: PreCheckLimits | None = None  # the pre-use check's (issue only)


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
