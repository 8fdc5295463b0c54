"""A device's care and its end: upkeep (保养: W5, D13, L6) and retirement (报废: D14, P6).

Upkeep is a log of what was done to a device, when and by whom. Retirement takes
a device out of service for good, with the reason and the approval of the role
the office profile names (``devices.retire_role``, by default 单位负责人): that
person retires it themself, or a manager records it on their behalf with the
number of the paper form they signed. The device stays in the register, with
its whole history, as ``retired``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from avledger.errors import UserError
from avledger.i18n import N_
from avledger.models.schema import DeviceRetirement, Upkeep
from avledger.services.base import Context, check_text, optional_text, require_text
from avledger.services.permissions import allowed, requires
from avledger.services.register import DeviceService, StaffService
from avledger.timeutil import fmt_local, parse_local_datetime
from avledger.vocab import ROLES, label


@dataclass(frozen=True)
class UpkeepView:
    id: int
    asset_no: str
    at: dt.datetime
    done_by: str
    what: str


@dataclass(frozen=True)
class RetirementView:
    id: int
    asset_no: str
    at: dt.datetime
    reason: str
    approved_by: str  # name
    approved_by_number: str
    paper_form_no: str
    recorded_by: str


class DeviceCareService:
    def __init__(self, ctx: Context, devices: DeviceService, staff: StaffService):
        self.ctx = ctx
        self.devices = devices
        self.staff = staff

    def _when(self, at: str | dt.datetime | None, label_text: str) -> dt.datetime:
        check_text(at if isinstance(at, str) else None, label_text, field="at")
        now = self.ctx.clock()
        if at in (None, ""):
            return now
        tz = self.ctx.profile().tz
        when = at if isinstance(at, dt.datetime) else parse_local_datetime(at, tz, label=label_text, field="at")
        if when > now:
            raise UserError(
                "input.future", "{label}不能晚于现在：{value}", field="at", label=label_text, value=fmt_local(when, tz)
            )
        return when

    @staticmethod
    def _not_retired(device) -> None:
        if device.status == "retired":
            raise UserError("device.retired", "设备 {asset} 已报废", field="asset_no", asset=device.asset_no)

    # --- upkeep ----------------------------------------------------------------------
    @requires("devices.repair")
    def upkeep(self, asset_no: str, what: str, *, at: str | dt.datetime | None = None) -> UpkeepView:
        """保养: what was done to the device, when (now, or a past local time), by the person recording it."""
        check_text(asset_no, N_("资产编号"), field="asset_no")
        what = require_text(what, N_("保养内容"), field="what")
        when = self._when(at, N_("保养日期"))
        with self.ctx.change():
            device = self.devices.get(asset_no)
            self._not_retired(device)
            record = Upkeep.create(device=device, at=when, done_by=self.ctx.person(), what=what)
            self.ctx.log("upkeep", record, summary=f"{device.asset_no} {what}")
        return self._upkeep_view(record)

    def upkeep_log(self, asset_no: str) -> list[UpkeepView]:
        """The device's upkeep, newest first."""
        device = self.devices.get(asset_no)
        query = Upkeep.select().where(Upkeep.device == device).order_by(Upkeep.at.desc(), Upkeep.id.desc())
        return [self._upkeep_view(u) for u in query]

    @staticmethod
    def _upkeep_view(u: Upkeep) -> UpkeepView:
        return UpkeepView(u.id, u.device.asset_no, u.at, u.done_by, u.what)

    # --- retirement ------------------------------------------------------------------
    @requires("devices.retire", "devices.edit")
    def retire(self, asset_no: str, reason: str, by: str, *, paper_form: str | None = None) -> RetirementView:
        """报废, approved by ``by`` (a member of staff in the profile's ``devices.retire_role``). Recorded by
        someone else (a manager), it needs the number of the paper form the approver signed."""
        check_text(asset_no, N_("资产编号"), field="asset_no")
        reason = require_text(reason, N_("报废原因"), field="reason")
        check_text(by, N_("批准人"), field="by")
        paper = optional_text(paper_form, N_("纸质审批表编号"), field="paper_form")
        role = self.ctx.profile().get("devices.retire_role")
        with self.ctx.change():
            device = self.devices.get(asset_no)
            self._not_retired(device)
            if device.status == "issued":
                raise UserError(
                    "device.in_use",
                    "设备 {asset} 正在使用中，请先归还再报废",
                    field="asset_no",
                    asset=device.asset_no,
                )
            approver = self.staff.get(by, field="by")
            if not approver.active or "devices.retire" not in allowed(approver.role_list, self.ctx.profile()):
                raise UserError(
                    "device.not_retire_approver",
                    "{name}（{number}）不是在职的{role}，不能批准设备报废",
                    field="by",
                    name=approver.name,
                    number=approver.number,
                    role=label(ROLES, role),
                )
            me = self.ctx.staff()
            recorder = "" if me is not None and me.id == approver.id else self.ctx.person()
            if recorder and not paper:
                raise UserError(
                    "device.paper_form_needed",
                    "代为登记报废时须填写批准人签字的纸质审批表编号（--paper-form）",
                    field="paper_form",
                )
            record = DeviceRetirement.create(
                device=device,
                at=self.ctx.clock(),
                reason=reason,
                approved_by=approver,
                paper_form_no=paper,
                recorded_by=recorder,
            )
            note = f"（纸质审批表 {paper}，{recorder} 代为登记）" if recorder else ""
            self.ctx.log(
                "retire",
                record,
                summary=f"{device.asset_no} {reason}，{approver.name}（{approver.number}）批准{note}",
            )
            self.devices.set_status(device, "retired", f"{device.asset_no} 报废")
        return self._retirement_view(record)

    def retirement(self, asset_no: str) -> RetirementView | None:
        """The device's retirement, if it was retired."""
        device = self.devices.get(asset_no)
        record = (
            DeviceRetirement.select()
            .where(DeviceRetirement.device == device)
            .order_by(DeviceRetirement.id.desc())
            .first()
        )
        return self._retirement_view(record) if record else None

    @staticmethod
    def _retirement_view(r: DeviceRetirement) -> RetirementView:
        return RetirementView(
            r.id,
            r.device.asset_no,
            r.at,
            r.reason,
            r.approved_by.name,
            r.approved_by.number,
            r.paper_form_no,
            r.recorded_by,
        )
