"""领用 (F03) with the pre-use check (F04): the device, the officer, the check's values, and the reason to
issue despite a failed check; the PC's clock shows to compare with the device's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from avledger.errors import UserError
from avledger.i18n import _
from avledger.services.lending import failures_text, precheck_failures, precheck_refusal
from avledger.timeutil import parse_local_datetime, to_local
from avledger.tui.forms.base import Field, FormScreen, select, text_input
from avledger.tui.forms.counter import TIME_HINT, AssetField, CounterChoices, check_time
from avledger.tui.widgets.tick import Tick


@dataclass(frozen=True)
class IssueForm:
    """领用 at the counter, with the pre-use check (values as typed; the service parses them)."""

    asset_no: str
    holder: str  # staff number
    battery: str
    free_gb: str
    clock_offset: str
    notice_given: bool
    due: str = ""
    purpose: str = ""
    despite: str = ""
    at: str = ""


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


def default_due(choices: CounterChoices) -> str:
    """End of today's working day (18:00), when that is still ahead; else left for the manager."""
    local_now = to_local(choices.now, choices.tz)
    end = local_now.replace(hour=18, minute=0, second=0, microsecond=0)
    return end.strftime("%Y-%m-%d %H:%M") if end > local_now else ""


class IssueFormScreen(AssetField, FormScreen[IssueForm | None]):
    """领用: the device, the officer, the pre-use check; the PC's clock shows to compare with the device's."""

    title_text = _("领用登记")
    PARAM_FIELDS = {"battery_pct": "battery", "clock_offset_s": "clock_offset"}  # PreCheck's names

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
        t = self.choices.limits
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
        t = self.choices.limits
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
            Field("notice_given", _("告知用语"), Tick(_("已提醒执法人员使用告知用语"), d.notice_given, compact=True)),
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
        """The ids of the checks that fail with the values typed so far (the lending service's rule)."""
        if self.choices.limits is None:
            return []
        battery, free, offset = self.numbers()
        return precheck_failures(
            self.choices.limits,
            battery_pct=battery,
            free_gb=free,
            clock_offset_s=offset,
            notice_given=self.value("notice_given"),
        )

    def check(self, name: str) -> str | None:
        value = self.value(name)
        if name == "asset_no":
            return self.check_asset(value)
        if name == "holder" and not value:
            return _("请选择领用人")
        if name == "battery":
            number, error = parse_number(value, _("电量"), integer=True)
            refusal = precheck_refusal(battery_pct=number) if error is None else None
            return refusal.render() if refusal is not None else error
        if name == "free_gb":
            number, error = parse_number(value, _("剩余存储"), integer=False)
            refusal = precheck_refusal(free_gb=number) if error is None else None
            return refusal.render() if refusal is not None else error
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
                return _("使用前检查未通过：{failures}。如确需领用，请注明原因").format(
                    failures=failures_text(failures, self.choices.limits)
                )
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
