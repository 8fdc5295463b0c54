"""What the office has to do now (待办提醒), and the office at a glance (the TUI's home screen).

:meth:`ReminderService.todo` lists the reminders a person reads first:
nothing registered yet, loans overdue, discs due for a re-check, footage the
24-hour rule is waiting for, interruptions and late clips waiting for their
reason, departments short of devices. :meth:`ReminderService.glance` adds
what the home screen shows beside them (device statuses, the size of the
register, the allocation shortfalls in full).

The values are plain and the same in every language: kinds, ids, counts,
naive-UTC times and the register's own names and numbers; each reminder is a
flat row (:func:`avledger.services.views.to_json` makes it JSON, a front end
prints it as a table). :func:`reminder_text` words one in the user's language
for any front end. Counts come from ``count(*)`` queries and every list stops
at ``limit`` with the number left out, so that the home screen stays quick on
a register of a million clips. A confidential activity is neither named nor
counted for someone not cleared to see it, as in the lists these come from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from peewee import JOIN

from avledger.models.schema import Activity, Gap, Loan, RetentionHold
from avledger.services.base import Context
from avledger.services.clearance import Clearance
from avledger.services.footage import FootageQuery
from avledger.services.lending import overdue_at
from avledger.services.views import AllocationRow, to_json
from avledger.timeutil import fmt_local

if TYPE_CHECKING:
    from avledger.services.allocation import AllocationService
    from avledger.services.auditlog import AuditService
    from avledger.services.discs import DiscService
    from avledger.services.footage import FootageService
    from avledger.services.lending import LendingService
    from avledger.services.register import DepartmentService, DeviceService
    from avledger.services.retention import DisposalService

LIMIT = 8  # items of one kind listed; the rest are counted
DISPOSAL_CAP = 1000  # clips due for disposal counted at most (the rest are found by dispose plan)

# In the order a person reads them: set-up first, then what is late, then what waits for a reason.
KINDS = (
    "no_departments",  # nothing registered yet: departments first,
    "no_staff",  # then staff,
    "no_devices",  # then devices
    "overdue_loan",  # a device still out past its due time
    "disc_recheck",  # discs whose last check is too old (count), how many to check now (required)
    "collection",  # footage the 24-hour rule waits for (hours_left), past the deadline when negative
    "open_gaps",  # interruptions waiting for their reason (count)
    "late_clips",  # clips collected late waiting for their reason (count)
    "disposal_due",  # clips past their keeping period, held by nothing and in no plan (count): 清除处理 (F11)
    "hold_review",  # manual holds set longer ago than retention.hold_review_days, not released (count, days)
    "allocation_shortfall",  # a department with fewer working devices than the standard asks
    "disc_due",  # activities kept long-term (F12) not yet on disc in every copy, verified (count)
)


@dataclass(frozen=True)
class Reminder:
    """One thing to do. Only the fields its kind needs are set."""

    kind: str  # one of KINDS
    count: int = 1  # how many things it stands for (files, interruptions, discs, devices short)
    at: dt.datetime | None = None  # naive UTC: the due time, the collection deadline
    since: dt.datetime | None = None  # naive UTC: the return or the end of the activity (collection)
    hours_left: float | None = None  # collection: hours to the deadline, negative once past
    loan_id: int | None = None
    activity_id: int | None = None
    activity: str | None = None  # the activity's case number or title
    asset_no: str | None = None
    staff: str | None = None  # the holder's name
    staff_number: str | None = None
    department: str | None = None
    required: int | None = None  # discs to check now; devices the standard asks (allocation)
    days: int | None = None  # hold_review: the profile's days a manual hold may stand without review


@dataclass(frozen=True)
class Todo:
    at: dt.datetime  # naive UTC: when it was computed
    reminders: tuple[Reminder, ...]
    left_out: dict[str, int] = field(default_factory=dict)  # kind -> reminders of that kind past the limit

    def as_json(self) -> dict:
        return {
            "at": self.at.isoformat(),
            "reminders": [to_json(r) for r in self.reminders],
            "left_out": dict(self.left_out),
        }


@dataclass(frozen=True)
class Register:
    """The size of the register."""

    departments: int
    staff: int  # active
    officers: int  # active, with an enforcement certificate
    devices: int
    last_change_at: dt.datetime | None  # naive UTC, the newest audit entry


@dataclass(frozen=True)
class Glance:
    """Everything the home screen shows."""

    devices: dict[str, int]  # device status -> how many (every status, zeros too)
    register: Register
    shortfalls: tuple[AllocationRow, ...]  # departments short of devices, as the allocation report has them
    todo: Todo

    def as_json(self) -> dict:
        return {
            "devices": dict(self.devices),
            "register": to_json(self.register),
            "shortfalls": [to_json(r) for r in self.shortfalls],
            "todo": self.todo.as_json(),
        }


class ReminderService:
    """Reads through its siblings (given, never built here) and ``count(*)`` queries; changes nothing."""

    def __init__(
        self,
        ctx: Context,
        *,
        departments: DepartmentService,
        devices: DeviceService,
        allocation: AllocationService,
        audit: AuditService,
        lending: LendingService,
        footage: FootageService,
        discs: DiscService,
        disposal: DisposalService | None = None,
    ):
        self.ctx = ctx
        self.departments = departments
        self.devices = devices
        self.allocation = allocation
        self.audit = audit
        self.lending = lending
        self.footage = footage
        self.discs = discs
        self.disposal = disposal

    def glance(self, *, limit: int = LIMIT) -> Glance:
        devices = self.devices.status_counts()
        register = self._register(sum(devices.values()))
        shortfalls = tuple(r for r in self.allocation.report() if r.shortfall)
        return Glance(devices, register, shortfalls[:limit], self._todo(register, shortfalls, limit))

    def todo(self, *, limit: int = LIMIT) -> Todo:
        register = self._register(sum(self.devices.status_counts().values()))
        shortfalls = tuple(r for r in self.allocation.report() if r.shortfall)
        return self._todo(register, shortfalls, limit)

    # --- the parts ---------------------------------------------------------------------------
    def _register(self, devices: int) -> Register:
        depts = self.departments.list()  # a few rows, each with its staff counted in SQL
        return Register(
            len(depts),
            sum(d.staff_count for d in depts),
            sum(d.officer_count for d in depts),
            devices,
            self.audit.last_change_at(),
        )

    def _todo(self, register: Register, shortfalls: tuple[AllocationRow, ...], limit: int) -> Todo:
        now = self.ctx.clock()
        items: list[Reminder] = []
        left_out: dict[str, int] = {}

        def listed(kind: str, reminders: list[Reminder], total: int) -> None:
            items.extend(reminders[:limit])
            if total > min(len(reminders), limit):
                left_out[kind] = total - min(len(reminders), limit)

        if not register.departments:
            items.append(Reminder("no_departments"))
        elif not register.staff:
            items.append(Reminder("no_staff"))
        elif not register.devices:
            items.append(Reminder("no_devices"))

        overdue = [
            Reminder(
                "overdue_loan",
                at=loan.due_at,
                loan_id=loan.id,
                asset_no=loan.asset_no,
                staff=loan.holder,
                staff_number=loan.holder_number,
            )
            for loan in self.lending.list(overdue=True, limit=limit)
        ]
        listed("overdue_loan", overdue, Loan.select().where(overdue_at(now)).count())

        rechecks = self.discs.rechecks()
        if rechecks.due:
            items.append(Reminder("disc_recheck", count=len(rechecks.due), required=rechecks.required))

        waiting = [  # returns and ends of the last days only; soonest deadline first
            Reminder(
                "collection",
                at=w.deadline_at,
                since=w.since,
                hours_left=w.hours_left,
                loan_id=w.id if w.kind == "loan" else None,
                activity_id=w.id if w.kind == "activity" else None,
                activity=w.activity,
                asset_no=w.asset_no,
                staff=w.holder,
            )
            for w in self.footage.waiting()
        ]
        listed("collection", waiting, len(waiting))

        clearance = Clearance(self.ctx)
        gaps = clearance.seen_in(
            Gap.select().join(Activity).where(Gap.reason.is_null()), Activity.id, Activity.confidential
        ).count()
        if gaps:
            items.append(Reminder("open_gaps", count=gaps))
        late = self.footage.count(FootageQuery(waiting_reason=True))
        if late:
            items.append(Reminder("late_clips", count=late))
        if self.disposal is not None and (due := self.disposal.due_count(cap=DISPOSAL_CAP)):
            items.append(Reminder("disposal_due", count=due))
        days = int(self.ctx.profile().get("retention.hold_review_days"))
        old = RetentionHold.select().join(Activity, JOIN.LEFT_OUTER, on=RetentionHold.activity == Activity.id)
        old = old.where(RetentionHold.released_at.is_null() & (RetentionHold.set_at <= now - dt.timedelta(days=days)))
        if held := clearance.seen_in(old, RetentionHold.activity, Activity.confidential).count():
            items.append(Reminder("hold_review", count=held, days=days))

        listed(
            "allocation_shortfall",
            [
                Reminder("allocation_shortfall", count=r.shortfall, department=r.department, required=r.required)
                for r in shortfalls
            ],
            len(shortfalls),
        )
        disc_due = self.discs.count_unfinished_targets()
        if disc_due:
            items.append(Reminder("disc_due", count=disc_due))
        return Todo(now, tuple(items), left_out)


def reminder_text(r: Reminder, tz) -> str:
    """One reminder in the user's language, for any front end (times in the office's time zone ``tz``).

    It says what waits, not where to go: a front end adds how to act on it (a key, a command)."""
    from avledger.i18n import _

    if r.kind == "no_departments":
        return _("还没有科室")
    if r.kind == "no_staff":
        return _("还没有人员")
    if r.kind == "no_devices":
        return _("还没有设备")
    if r.kind == "overdue_loan":
        return _("逾期未还：{asset} {holder}（{number}），应还 {due}").format(
            asset=r.asset_no, holder=r.staff, number=r.staff_number, due=fmt_local(r.at, tz)
        )
    if r.kind == "disc_recheck":
        return _("光盘到期复检：{n} 张，本次至少检测 {m} 张").format(n=r.count, m=r.required)
    if r.kind == "collection":
        what = (
            _("{asset} {holder} 归还于 {since}").format(asset=r.asset_no, holder=r.staff, since=fmt_local(r.since, tz))
            if r.loan_id is not None
            else _("执法活动“{name}”").format(name=r.activity)
        )
        if r.hours_left >= 0:
            return _("待采集：{what}，剩余 {hours} 小时").format(what=what, hours=r.hours_left)
        return _("采集逾期：{what}，已超 {hours} 小时").format(what=what, hours=-r.hours_left)
    if r.kind == "open_gaps":
        return _("记录中断待说明原因：{n} 处").format(n=r.count)
    if r.kind == "late_clips":
        return _("逾期采集待说明原因：{n} 个文件").format(n=r.count)
    if r.kind == "disposal_due":
        if r.count >= DISPOSAL_CAP:
            return _("保存期限已满、可清除处理：{n} 个以上文件").format(n=r.count)
        return _("保存期限已满、可清除处理：{n} 个文件").format(n=r.count)
    if r.kind == "hold_review":
        return _("保存冻结超过 {days} 天未复核：{n} 项").format(days=r.days, n=r.count)
    if r.kind == "allocation_shortfall":
        return _("配备缺额：{dept} 缺 {n} 台").format(dept=r.department, n=r.count)
    if r.kind == "disc_due":
        return _("须刻录光盘长期保存：{n} 项执法活动").format(n=r.count)
    raise ValueError(r.kind)


def left_out_text(n: int) -> str:
    """The line under a list cut at its limit."""
    from avledger.i18n import _

    return _("另有 {n} 项未列出").format(n=n)
