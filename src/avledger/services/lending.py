"""The use and handover ledger (使用情况台账, F03), the pre-use check (F04),
and a device's life outside the cupboard: faults, repairs, damage and loss (F05).

A :class:`Loan` is one holder's period with a device. Issue (领用) opens one;
return (归还) closes it; a handover (交接) closes the giver's and opens the
taker's in one step; a loss closes it. At most one loan per device is open
(a partial unique index guarantees it).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from peewee import JOIN

from avledger.errors import UserError
from avledger.i18n import N_
from avledger.models.audit import snapshot
from avledger.models.schema import Device, DeviceRetirement, Fault, Liability, Loan, Staff, Upkeep
from avledger.services import listing, search
from avledger.services.base import Context, check_text, optional_text, require_choice, require_text
from avledger.services.listing import (
    BOOL,
    DATETIME,
    FLOAT,
    INT,
    WORDS,
    Column,
    Condition,
    Cursor,
    Page,
    Rows,
    Select,
    SortKey,
    any_of,
)
from avledger.services.permissions import requires
from avledger.services.register import DeviceService, StaffService, fen_to_yuan, yuan_to_fen
from avledger.services.suspensions import refuse_if_suspended
from avledger.timeutil import fmt_local, local_today, parse_local_datetime

CHECKS = {
    "battery": N_("电量不足"),
    "storage": N_("存储空间不足"),
    "clock": N_("时钟误差过大"),
    "notice": N_("未提醒告知用语"),
}

CONDITIONS = ("ok", "damaged")
REPAIR_STEPS = ("sent", "back")
LIABILITY_KINDS = ("damaged", "lost")


@dataclass(frozen=True)
class PreCheck:
    """The pre-use check as entered at the counter."""

    battery_pct: int
    free_gb: float
    clock_offset_s: int
    notice_given: bool


@dataclass(frozen=True)
class PreCheckLimits:
    """The profile's pre-use check limits (F04), and the notice officers are reminded to give."""

    min_battery_pct: int
    min_free_gb: float
    max_clock_offset_s: int
    notice_text: str

    @classmethod
    def of(cls, profile) -> PreCheckLimits:
        return cls(
            profile.get("precheck.min_battery_pct"),
            profile.get("precheck.min_free_gb"),
            profile.get("precheck.max_clock_offset_s"),
            profile.get("precheck.notice_text"),
        )


def precheck_refusal(
    *, battery_pct: int | None = None, free_gb: float | None = None, clock_offset_s: int | None = None
) -> UserError | None:
    """Why a value entered at the counter cannot be part of a pre-use check, or None. A number must be finite:
    NaN passes every comparison the wrong way (``--free-gb nan`` passed the check)."""
    for value, label, param in (
        (battery_pct, N_("电量"), "battery"),
        (free_gb, N_("剩余存储"), "free_gb"),
        (clock_offset_s, N_("时钟误差"), "clock_offset"),
    ):
        if isinstance(value, float) and not math.isfinite(value):
            return UserError(
                "input.not_finite", "{label} 应为有限的数字：{value}", field=param, label=label, value=str(value)
            )
    if battery_pct is not None and not 0 <= battery_pct <= 100:
        return UserError("input.out_of_range", "电量应在 0 到 100 之间：{value}", field="battery", value=battery_pct)
    if free_gb is not None and free_gb < 0:
        return UserError("input.out_of_range", "剩余存储不能为负数：{value}", field="free_gb", value=free_gb)
    return None


def precheck_failures(
    limits: PreCheckLimits,
    *,
    battery_pct: int | None = None,
    free_gb: float | None = None,
    clock_offset_s: int | None = None,
    notice_given: bool = False,
) -> list[str]:
    """The pre-use check ids (:data:`CHECKS`) that fail under ``limits``, in their order.

    No I/O, so that a form can show the result as the values are typed: a
    value not known yet (None) fails nothing."""
    failures = []
    if battery_pct is not None and battery_pct < limits.min_battery_pct:
        failures.append("battery")
    if free_gb is not None and free_gb < limits.min_free_gb:
        failures.append("storage")
    if clock_offset_s is not None and abs(clock_offset_s) > limits.max_clock_offset_s:
        failures.append("clock")
    if not notice_given:
        failures.append("notice")
    return failures


def failures_text(failures: list[str], limits: PreCheckLimits) -> str:
    """The failed checks in the user's language with their limits: ``电量不足（≥ 80%）；未提醒告知用语``."""
    from avledger.i18n import _

    bounds = {
        "battery": f"≥ {limits.min_battery_pct}%",
        "storage": f"≥ {limits.min_free_gb} GB",
        "clock": f"≤ {limits.max_clock_offset_s} s",
        "notice": "",
    }
    return "；".join(f"{_(CHECKS[f])}{('（' + bounds[f] + '）') if bounds[f] else ''}" for f in failures)


def overdue_at(now: dt.datetime):
    """The loans overdue at ``now`` (a condition on :class:`Loan`): still out past their due time."""
    return Loan.end_at.is_null() & Loan.due_at.is_null(False) & (Loan.due_at < now)


@dataclass(frozen=True)
class LoanView:
    id: int
    asset_no: str
    device_kind: str
    holder: str
    holder_number: str
    start_at: dt.datetime
    start_kind: str
    from_holder: str | None
    due_at: dt.datetime | None
    purpose: str
    battery_pct: int | None
    free_gb: float | None
    clock_offset_s: int | None
    notice_given: bool | None
    check_failures: tuple[str, ...]
    despite: str | None
    end_at: dt.datetime | None
    end_kind: str | None
    content: str
    condition: str | None
    overdue: bool


_OVERDUE = "l.end_at IS NULL AND l.due_at IS NOT NULL AND l.due_at < ?"

LOAN_JOINS = (
    "JOIN device d ON d.id = l.device_id JOIN staff h ON h.id = l.holder_id"
    " LEFT JOIN loan p ON p.id = l.from_loan_id LEFT JOIN staff g ON g.id = p.holder_id"
)


def loan_rows(now: dt.datetime) -> Rows[LoanView]:
    """The ledger's columns, a loan overdue at ``now`` marked so."""
    return Rows(
        LoanView,
        [
            Column("id", "l.id", INT),
            Column("asset_no", "d.asset_no"),
            Column("device_kind", "d.kind"),
            Column("holder", "h.name"),
            Column("holder_number", "h.number"),
            Column("start_at", "l.start_at", DATETIME),
            Column("start_kind", "l.start_kind"),
            Column("from_holder", "g.name"),
            Column("due_at", "l.due_at", DATETIME),
            Column("purpose", "l.purpose"),
            Column("battery_pct", "l.battery_pct", INT),
            Column("free_gb", "l.free_gb", FLOAT),
            Column("clock_offset_s", "l.clock_offset_s", INT),
            Column("notice_given", "l.notice_given", BOOL),
            Column("check_failures", "l.check_failures", WORDS),
            Column("despite", "l.despite"),
            Column("end_at", "l.end_at", DATETIME),
            Column("end_kind", "l.end_kind"),
            Column("content", "l.content"),
            Column("condition", "l.condition"),
            Column("overdue", f"({_OVERDUE})", BOOL, (listing.sql_value(now),)),
        ],
    )


@dataclass(frozen=True)
class LoanQuery:
    """Which loans a ledger listing shows, newest first."""

    open_only: bool = False  # devices out now
    overdue: bool = False  # out past their due time
    asset_no: str | None = None  # one device's
    staff_number: str | None = None  # one holder's
    text: str = ""  # what is typed in the filter (avledger.services.search)


# What the ledger's state column says (avledger.tui.screens.lending.loan_state), for the filter.
STATE_WORDS = {
    N_("逾期"): _OVERDUE,
    N_("在外"): f"l.end_at IS NULL AND NOT ({_OVERDUE})",
    N_("已归还"): "l.end_kind = 'return'",
    N_("已交接"): "l.end_kind = 'handover'",
    N_("丢失"): "l.end_kind = 'lost'",
}


@dataclass(frozen=True)
class FaultView:
    id: int
    asset_no: str
    reported_at: dt.datetime
    description: str
    sent_at: dt.datetime | None
    back_at: dt.datetime | None


@dataclass(frozen=True)
class LiabilityView:
    id: int
    asset_no: str
    staff: str
    staff_number: str
    kind: str
    at: dt.datetime
    amount_yuan: str
    description: str


@dataclass(frozen=True)
class HistoryEntry:
    """One event in a device's life: the same data in every language (for JSON); :attr:`text` words it."""

    at: dt.datetime  # naive UTC
    kind: str  # issue, handover, return, fault, repair_sent, repair_back, liability, upkeep, retire
    details: dict[str, Any] = field(default_factory=dict)  # see describe_history

    @property
    def text(self) -> str:
        """The event in the user's language."""
        return describe_history(self)


def describe_history(entry: HistoryEntry) -> str:
    """A device history entry in words, in the user's language."""
    from avledger.i18n import _

    d = entry.details
    if entry.kind == "issue":
        text = _("{holder}（{number}）领用").format(holder=d["holder"], number=d["number"])
        if d["check_failed"]:
            text += _("，检查未通过仍领用：{reason}").format(reason=d["despite"] or "")
        return text
    if entry.kind == "handover":
        return _("{giver} 交接给 {holder}（{number}）").format(
            giver=d["giver"] or "", holder=d["holder"], number=d["number"]
        )
    if entry.kind == "return":
        text = _("{holder} 归还").format(holder=d["holder"])
        if d["damaged"]:
            text += _("（损坏）")
        if d["content"]:
            text += _("；记录内容：{content}").format(content=d["content"])
        return text
    if entry.kind == "fault":
        return _("故障登记：{desc}").format(desc=d["description"])
    if entry.kind == "repair_sent":
        return _("送厂维修")
    if entry.kind == "repair_back":
        return _("修复返回入库")
    if entry.kind == "upkeep":
        return _("保养：{what}（{by}）").format(what=d["what"], by=d["by"])
    if entry.kind == "retire":
        return _("报废：{reason}，{name}（{number}）批准").format(
            reason=d["reason"], name=d["name"], number=d["number"]
        )
    if entry.kind == "liability":
        return _("{kind}，责任人 {name}（{number}），赔偿 {amount} 元").format(
            kind=_("丢失") if d["liability"] == "lost" else _("损坏"),
            name=d["name"],
            number=d["number"],
            amount=d["amount"],
        )
    return entry.kind


class LendingService:
    def __init__(self, ctx: Context, devices: DeviceService, staff: StaffService):
        self.ctx = ctx
        self.devices = devices
        self.staff = staff

    # --- time ----------------------------------------------------------
    def _when(self, at: str | dt.datetime | None, label: str = "时间") -> dt.datetime:
        """The event's time (the ``at`` parameter) as naive UTC: now, or a past local time typed by the manager."""
        check_text(at if isinstance(at, str) else None, label, field="at")
        now = self.ctx.clock()
        if at is None or at == "":
            return now
        tz = self.ctx.profile().tz
        when = at if isinstance(at, dt.datetime) else parse_local_datetime(at, tz, label=label, field="at")
        if when > now:
            raise UserError(
                "input.future", "{label}不能晚于现在：{value}", field="at", label=label, value=fmt_local(when, tz)
            )
        return when

    def _fmt(self, value: dt.datetime | None) -> str:
        return fmt_local(value, self.ctx.profile().tz)

    # --- rules ----------------------------------------------------------
    def _holder(self, number: str, field: str, when: dt.datetime) -> Staff:
        """The officer who is to hold a device from ``when`` (``field``: the parameter that named them); not one
        suspended from enforcement then (D34 P14)."""
        person = self.staff.get(number, field=field)
        if not person.active:
            raise UserError(
                "staff.left",
                "{name}（{number}）已离职，不能使用执法记录设备",
                field=field,
                name=person.name,
                number=person.number,
            )
        if not person.cert_no:
            raise UserError(
                "staff.not_officer",
                "{name}（{number}）没有执法证，不是执法人员，不能领用执法记录设备（转借他人属违规）",
                field=field,
                name=person.name,
                number=person.number,
            )
        refuse_if_suspended(person, local_today(when, self.ctx.profile().tz), field=field)
        return person

    def precheck_limits(self) -> PreCheckLimits:
        return PreCheckLimits.of(self.ctx.profile())

    def check_failures(self, check: PreCheck) -> list[str]:
        """The pre-use check ids that fail under the profile's thresholds."""
        refusal = precheck_refusal(
            battery_pct=check.battery_pct, free_gb=check.free_gb, clock_offset_s=check.clock_offset_s
        )
        if refusal is not None:
            raise refusal
        return precheck_failures(
            self.precheck_limits(),
            battery_pct=check.battery_pct,
            free_gb=check.free_gb,
            clock_offset_s=check.clock_offset_s,
            notice_given=check.notice_given,
        )

    def describe_failures(self, failures: list[str]) -> str:
        return failures_text(failures, self.precheck_limits())

    def _open_loan(self, device: Device) -> Loan | None:
        return Loan.get_or_none((Loan.device == device) & (Loan.end_at.is_null()))

    def _last_end(self, device: Device) -> dt.datetime | None:
        last = (
            Loan.select(Loan.end_at)
            .where((Loan.device == device) & Loan.end_at.is_null(False))
            .order_by(Loan.end_at.desc())
            .first()
        )
        return last.end_at if last else None

    # --- actions --------------------------------------------------------
    @requires("loans.edit")
    def issue(
        self,
        asset_no: str,
        holder: str,
        check: PreCheck,
        *,
        due: str | dt.datetime | None = None,
        purpose: str = "",
        despite: str | None = None,
        at: str | dt.datetime | None = None,
    ) -> LoanView:
        """领用: issue a device to an enforcement officer after the pre-use check."""
        check_text(asset_no, "资产编号", field="asset_no")
        check_text(holder, "领用人", field="holder")
        check_text(due if isinstance(due, str) else None, "应还时间", field="due")
        purpose = optional_text(purpose, "用途", field="purpose")
        check_text(despite, "仍领用的原因", field="despite")
        when = self._when(at, "领用时间")
        due_at = None
        if due:
            due_at = (
                due
                if isinstance(due, dt.datetime)
                else parse_local_datetime(due, self.ctx.profile().tz, label="应还时间", field="due")
            )
            if due_at <= when:
                raise UserError("input.end_before_start", "应还时间应晚于领用时间", field="due")
        failures = self.check_failures(check)
        despite = (despite or "").strip() or None
        if failures and not despite:
            raise UserError(
                "loan.check_failed",
                "使用前检查未通过：{failures}。如确需领用，请注明原因（--despite）",
                field="despite",
                failures=self.describe_failures(failures),
            )
        with self.ctx.change():
            device = self.devices.get(asset_no)
            person = self._holder(holder, "holder", when)
            if device.status != "in_store":
                from avledger.vocab import DEVICE_STATUSES, label

                raise UserError(
                    "device.unavailable",
                    "设备 {asset} 当前状态为“{status}”，不能领用",
                    field="asset_no",
                    asset=device.asset_no,
                    status=label(DEVICE_STATUSES, device.status),
                )
            last_end = self._last_end(device)
            if last_end and when < last_end:
                raise UserError(
                    "input.before_previous",
                    "领用时间不能早于该设备上次归还的时间（{time}）",
                    field="at",
                    time=self._fmt(last_end),
                )
            loan = Loan.create(
                device=device,
                holder=person,
                start_at=when,
                start_kind="issue",
                due_at=due_at,
                purpose=purpose,
                battery_pct=check.battery_pct,
                free_gb=check.free_gb,
                clock_offset_s=check.clock_offset_s,
                notice_given=check.notice_given,
                check_failures=",".join(failures),
                despite=despite if failures else None,
            )
            self.ctx.log("issue", loan, summary=f"{device.asset_no} → {person.name}（{person.number}）")
            self.devices.set_status(device, "issued", f"{device.asset_no} 领用")
        return self.view(loan.id)

    def _end(self, loan: Loan, when: dt.datetime, kind: str, **fields) -> None:
        if when < loan.start_at:
            raise UserError(
                "input.before_previous",
                "时间不能早于领用（交接）时间 {time}",
                field="at",
                time=self._fmt(loan.start_at),
            )
        before = snapshot(loan)
        loan.end_at = when
        loan.end_kind = kind
        for key, value in fields.items():
            setattr(loan, key, value)
        loan.save()
        self.ctx.log(kind, loan, before=before, summary=f"{loan.device.asset_no} {kind}")

    @requires("loans.edit")
    def give_back(
        self, asset_no: str, *, content: str = "", condition: str = "ok", at: str | dt.datetime | None = None
    ) -> LoanView:
        """归还: the device comes back to the cupboard. Opens the footage collection window."""
        check_text(asset_no, "资产编号", field="asset_no")
        content = optional_text(content, "记录内容", field="content")
        check_text(condition, "设备状况", field="condition")
        if condition not in CONDITIONS:
            raise UserError(
                "input.bad_choice", "设备状况无效：{value}（可选：ok damaged）", field="condition", value=condition
            )
        when = self._when(at, "归还时间")
        with self.ctx.change():
            device = self.devices.get(asset_no)
            loan = self._open_loan(device)
            if loan is None:
                raise UserError(
                    "loan.not_out", "设备 {asset} 没有在外的领用记录", field="asset_no", asset=device.asset_no
                )
            self._end(loan, when, "return", content=content, condition=condition)
            if condition == "damaged":
                fault = Fault.create(device=device, reported_at=when, description=content or "归还时发现损坏")
                self.ctx.log("fault", fault, summary=f"{device.asset_no} 归还时损坏")
                self.devices.set_status(device, "in_repair", f"{device.asset_no} 归还时损坏，待维修")
            else:
                self.devices.set_status(device, "in_store", f"{device.asset_no} 归还")
        return self.view(loan.id)

    @requires("loans.edit")
    def handover(self, asset_no: str, to: str, *, at: str | dt.datetime | None = None) -> LoanView:
        """交接: from the current holder straight to another officer, as one step."""
        check_text(asset_no, "资产编号", field="asset_no")
        check_text(to, "接收人", field="to")
        when = self._when(at, "交接时间")
        with self.ctx.change():
            device = self.devices.get(asset_no)
            loan = self._open_loan(device)
            if loan is None:
                raise UserError(
                    "loan.not_out", "设备 {asset} 没有在外的领用记录，无法交接", field="asset_no", asset=device.asset_no
                )
            person = self._holder(to, "to", when)
            if person.id == loan.holder_id:
                raise UserError("loan.same_holder", "交接双方不能是同一人", field="to")
            self._end(loan, when, "handover")
            new = Loan.create(
                device=device,
                holder=person,
                start_at=when,
                start_kind="handover",
                from_loan=loan,
                due_at=loan.due_at,
                purpose=loan.purpose,
            )
            self.ctx.log("handover", new, summary=f"{device.asset_no} {loan.holder.name} → {person.name}")
        return self.view(new.id)

    # --- faults, repairs, losses -------------------------------------------
    @requires("devices.repair")
    def report_fault(self, asset_no: str, description: str, *, at: str | dt.datetime | None = None) -> FaultView:
        """故障登记: the device goes to "in repair"."""
        check_text(asset_no, "资产编号", field="asset_no")
        description = require_text(description, "故障描述", field="description")
        when = self._when(at, "登记时间")
        with self.ctx.change():
            device = self.devices.get(asset_no)
            if device.status == "issued":
                raise UserError(
                    "device.in_use",
                    "设备 {asset} 正在使用中，请先归还（状况：damaged）再登记故障",
                    field="asset_no",
                    asset=device.asset_no,
                )
            if device.status != "in_store":
                from avledger.vocab import DEVICE_STATUSES, label

                raise UserError(
                    "device.unavailable",
                    "设备 {asset} 当前状态为“{status}”，不能登记故障",
                    field="asset_no",
                    asset=device.asset_no,
                    status=label(DEVICE_STATUSES, device.status),
                )
            fault = Fault.create(device=device, reported_at=when, description=description)
            self.ctx.log("fault", fault, summary=f"{device.asset_no} {description}")
            self.devices.set_status(device, "in_repair", f"{device.asset_no} 故障")
        return self._fault_view(fault)

    @requires("devices.repair")
    def repair(self, asset_no: str, step: str, *, at: str | dt.datetime | None = None, outcome: str = "") -> FaultView:
        """送修 (sent) or 修复返回 (back)."""
        check_text(asset_no, "资产编号", field="asset_no")
        require_choice(step, REPAIR_STEPS, "维修步骤", field="step")
        outcome = optional_text(outcome, "维修结果", field="outcome")
        when = self._when(at, "送修时间" if step == "sent" else "返回时间")
        with self.ctx.change():
            device = self.devices.get(asset_no)
            fault = (
                Fault.select()
                .where((Fault.device == device) & Fault.back_at.is_null())
                .order_by(Fault.id.desc())
                .first()
            )
            if device.status != "in_repair" or fault is None:
                raise UserError(
                    "repair.no_fault", "设备 {asset} 没有待维修的故障登记", field="asset_no", asset=device.asset_no
                )
            before = snapshot(fault)
            if step == "sent":
                if fault.sent_at:
                    raise UserError(
                        "repair.already_sent",
                        "设备 {asset} 已于 {time} 送修",
                        field="asset_no",
                        asset=device.asset_no,
                        time=self._fmt(fault.sent_at),
                    )
                if when < fault.reported_at:
                    raise UserError(
                        "input.before_previous",
                        "送修时间不能早于故障登记时间 {time}",
                        field="at",
                        time=self._fmt(fault.reported_at),
                    )
                fault.sent_at = when
                fault.save()
                self.ctx.log("repair_sent", fault, before=before, summary=f"{device.asset_no} 送厂维修")
            else:
                start = fault.sent_at or fault.reported_at
                if when < start:
                    raise UserError(
                        "input.before_previous", "返回时间不能早于 {time}", field="at", time=self._fmt(start)
                    )
                fault.back_at = when
                fault.outcome = outcome
                fault.save()
                self.ctx.log("repair_back", fault, before=before, summary=f"{device.asset_no} 修复返回")
                self.devices.set_status(device, "in_store", f"{device.asset_no} 修复入库")
        return self._fault_view(fault)

    @requires("devices.repair")
    def record_liability(
        self,
        asset_no: str,
        kind: str,
        liable: str,
        *,
        amount: str | None = None,
        description: str = "",
        at: str | dt.datetime | None = None,
    ) -> LiabilityView:
        """Damage or loss with the person liable (compensation at the original price)."""
        check_text(asset_no, "资产编号", field="asset_no")
        require_choice(kind, LIABILITY_KINDS, "损失类型", field="kind")
        check_text(liable, "责任人", field="liable")
        check_text(amount, "赔偿金额", field="amount")
        description = optional_text(description, "情况说明", field="description")
        when = self._when(at, "时间")
        with self.ctx.change():
            device = self.devices.get(asset_no)
            person = self.staff.get(liable, field="liable")
            amount_fen = yuan_to_fen(amount, field="amount") if amount not in (None, "") else device.price_fen
            if amount_fen is None:
                raise UserError(
                    "liability.no_price",
                    "设备 {asset} 未登记原价，请注明赔偿金额（--amount）",
                    field="amount",
                    asset=device.asset_no,
                )
            if device.status in ("lost", "retired"):
                from avledger.vocab import DEVICE_STATUSES, label

                raise UserError(
                    "device.unavailable",
                    "设备 {asset} 当前状态为“{status}”",
                    field="asset_no",
                    asset=device.asset_no,
                    status=label(DEVICE_STATUSES, device.status),
                )
            loan = self._open_loan(device)
            if kind == "lost":
                if loan is not None:
                    self._end(loan, max(when, loan.start_at), "lost")
                self.devices.set_status(device, "lost", f"{device.asset_no} 丢失")
            case = Liability.create(
                device=device,
                staff=person,
                kind=kind,
                at=when,
                amount_fen=amount_fen,
                description=description,
                loan=loan,
            )
            self.ctx.log("liability", case, summary=f"{device.asset_no} {kind} {person.name}（{person.number}）")
        return self._liability_view(case)

    # --- queries -----------------------------------------------------------
    def _select(self, query: LoanQuery, now: dt.datetime) -> Select:
        select = Select(
            "loan l", (SortKey("l.start_at", desc=True), SortKey("l.id", desc=True)), LOAN_JOINS, index="loan_start"
        )
        if query.open_only:
            select.where("l.end_at IS NULL")
        if query.overdue:
            select.where(_OVERDUE, listing.sql_value(now))
        if query.asset_no:
            select.where("l.device_id = ?", self.devices.get(query.asset_no).id)
        if query.staff_number:
            select.where("l.holder_id = ?", self.staff.get(query.staff_number, field="staff_number").id)
        return select.search(self._word(w, now) for w in search.words(query.text))

    @staticmethod
    def _word(word: str, now: dt.datetime) -> Condition:
        """A loan whose device, holder (name or number), giver, purpose or state holds ``word``."""
        pattern = search.like(word)
        people = "SELECT id FROM staff WHERE name LIKE ? ESCAPE '\\' OR number LIKE ? ESCAPE '\\'"
        found = [
            Condition("l.device_id IN (SELECT id FROM device WHERE asset_no LIKE ? ESCAPE '\\')", (pattern,)),
            Condition(f"l.holder_id IN ({people})", (pattern, pattern)),
            Condition(f"p.holder_id IN ({people})", (pattern, pattern)),
            search.contains("l.purpose", word),
        ]
        found += [
            Condition(sql, (listing.sql_value(now),) * sql.count("?"))
            for text, sql in STATE_WORDS.items()
            if search.said(text, word)
        ]
        return any_of(found)

    def page(
        self, query: LoanQuery = LoanQuery(), after: Cursor | None = None, limit: int = 200, *, quick: bool = False
    ) -> Page[LoanView]:
        """The loans of ``query`` after ``after``, at most ``limit``, newest first."""
        now = self.ctx.clock()
        return listing.page(self.ctx.db, loan_rows(now), self._select(query, now), after, limit, quick=quick)

    def count(self, query: LoanQuery = LoanQuery()) -> int:
        return listing.count(self.ctx.db, self._select(query, self.ctx.clock()))

    def rows(self, query: LoanQuery = LoanQuery()) -> Iterator[LoanView]:
        now = self.ctx.clock()
        return listing.rows(self.ctx.db, loan_rows(now), self._select(query, now))

    def write_json(self, query: LoanQuery, out: BinaryIO) -> int:
        """The loans of ``query`` as ``loan list --json`` prints them, streamed to ``out``."""
        now = self.ctx.clock()
        return listing.write_json(self.ctx.db, loan_rows(now), self._select(query, now), out)

    def list(
        self,
        *,
        open_only: bool = False,
        overdue: bool = False,
        asset_no: str | None = None,
        staff_number: str | None = None,
        limit: int | None = None,
    ) -> list[LoanView]:
        query = LoanQuery(open_only, overdue, asset_no, staff_number)
        if limit:
            return list(self.page(query, limit=limit).rows)
        return list(self.rows(query))

    def _query(self):
        """The loans as peewee rows with their device, holder and giver (the printed ledger reads them: see
        :func:`_view`); listings use :meth:`page` and :meth:`rows`."""
        holder = Staff.alias()
        previous = Loan.alias()
        giver = Staff.alias()
        return (
            Loan.select(Loan, Device, holder, previous.id, giver.name)
            .join(Device, on=(Loan.device == Device.id))
            .switch(Loan)
            .join(holder, on=(Loan.holder == holder.id))
            .switch(Loan)
            .join(previous, JOIN.LEFT_OUTER, on=(Loan.from_loan == previous.id))
            .join(giver, JOIN.LEFT_OUTER, on=(previous.holder == giver.id))
        )

    @staticmethod
    def _view(loan: Loan, now: dt.datetime) -> LoanView:
        holder = loan.holder
        device = loan.device
        giver = loan.from_loan.holder.name if loan.from_loan_id else None
        overdue = loan.end_at is None and loan.due_at is not None and loan.due_at < now
        return LoanView(
            loan.id,
            device.asset_no,
            device.kind,
            holder.name,
            holder.number,
            loan.start_at,
            loan.start_kind,
            giver,
            loan.due_at,
            loan.purpose,
            loan.battery_pct,
            loan.free_gb,
            loan.clock_offset_s,
            loan.notice_given,
            tuple(f for f in loan.check_failures.split(",") if f),
            loan.despite,
            loan.end_at,
            loan.end_kind,
            loan.content,
            loan.condition,
            overdue,
        )

    def view(self, loan_id: int) -> LoanView:
        now = self.ctx.clock()
        select = Select("loan l", (SortKey("l.id"),), LOAN_JOINS).where("l.id = ?", loan_id)
        return next(listing.rows(self.ctx.db, loan_rows(now), select))

    def faults(self, asset_no: str | None = None) -> list[FaultView]:
        query = Fault.select(Fault, Device).join(Device).order_by(Fault.reported_at.desc())
        if asset_no:
            query = query.where(Fault.device == self.devices.get(asset_no))
        return [self._fault_view(f) for f in query]

    def liabilities(self, asset_no: str | None = None) -> list[LiabilityView]:
        query = Liability.select(Liability, Device, Staff).join(Device).switch(Liability).join(Staff)
        if asset_no:
            query = query.where(Liability.device == self.devices.get(asset_no))
        return [self._liability_view(c) for c in query.order_by(Liability.at.desc())]

    @staticmethod
    def _fault_view(f: Fault) -> FaultView:
        return FaultView(f.id, f.device.asset_no, f.reported_at, f.description, f.sent_at, f.back_at)

    @staticmethod
    def _liability_view(c: Liability) -> LiabilityView:
        return LiabilityView(
            c.id,
            c.device.asset_no,
            c.staff.name,
            c.staff.number,
            c.kind,
            c.at,
            fen_to_yuan(c.amount_fen),
            c.description,
        )

    def history(self, asset_no: str) -> list[HistoryEntry]:
        """Everything that happened to a device, oldest first (``entry.text`` words each one)."""
        entries: list[HistoryEntry] = []
        for loan in reversed(self.list(asset_no=asset_no)):
            holder = {"holder": loan.holder, "number": loan.holder_number}
            if loan.start_kind == "issue":
                entries.append(
                    HistoryEntry(
                        loan.start_at,
                        "issue",
                        holder | {"check_failed": bool(loan.check_failures), "despite": loan.despite},
                    )
                )
            else:
                entries.append(HistoryEntry(loan.start_at, "handover", holder | {"giver": loan.from_holder}))
            if loan.end_kind == "return":
                entries.append(
                    HistoryEntry(
                        loan.end_at,
                        "return",
                        holder | {"damaged": loan.condition == "damaged", "content": loan.content},
                    )
                )
        for fault in self.faults(asset_no):
            entries.append(HistoryEntry(fault.reported_at, "fault", {"description": fault.description}))
            if fault.sent_at:
                entries.append(HistoryEntry(fault.sent_at, "repair_sent"))
            if fault.back_at:
                entries.append(HistoryEntry(fault.back_at, "repair_back"))
        for case in self.liabilities(asset_no):
            liable = {"name": case.staff, "number": case.staff_number, "amount": case.amount_yuan}
            entries.append(HistoryEntry(case.at, "liability", {"liability": case.kind} | liable))
        device = self.devices.get(asset_no)
        for u in Upkeep.select().where(Upkeep.device == device):
            entries.append(HistoryEntry(u.at, "upkeep", {"what": u.what, "by": u.done_by}))
        for r in DeviceRetirement.select().where(DeviceRetirement.device == device):
            approver = {"name": r.approved_by.name, "number": r.approved_by.number}
            entries.append(HistoryEntry(r.at, "retire", {"reason": r.reason} | approver))
        order = {"fault": 0, "return": 1, "repair_sent": 2, "repair_back": 3, "issue": 4, "handover": 4, "liability": 5}
        order |= {"upkeep": 6, "retire": 7}
        return sorted(entries, key=lambda e: (e.at, order.get(e.kind, 9)))
