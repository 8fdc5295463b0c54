"""Enforcement activities and cases (执法活动/案件, F06).

An activity is what was recorded: its kind, the case it belongs to (a case
number makes it a case), the party, the place, the officers, and when it
started and ended. Whether it must be recorded in full follows the office
profile (``full_record.kinds`` and ``full_record.circumstances``) or the
manager's own mark. Closing a case records the date retention counts from.

When an activity could not be recorded, a not-recorded work record
(无法记录工作记录, F10) gives the reason and basis, signed by enough officers
and reported to the leader.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from avledger.errors import UserError
from avledger.i18n import N_
from avledger.models.audit import snapshot
from avledger.models.schema import Activity, ActivityOfficer, NoRecord, Staff
from avledger.services import listing, search
from avledger.services.base import (
    Context,
    check_text,
    check_texts,
    optional_text,
    require_choice,
    require_choices,
    require_text,
)
from avledger.services.listing import (
    BOOL,
    DATE,
    DATETIME,
    INT,
    ITEM_SEP,
    ITEMS,
    WORDS,
    Column,
    Condition,
    Cursor,
    Page,
    Rows,
    Select,
    SortKey,
    any_of,
    json_list,
)
from avledger.services.permissions import requires
from avledger.services.register import StaffService
from avledger.services.suspensions import refuse_if_suspended
from avledger.timeutil import fmt_local, local_today, parse_date, parse_local_datetime
from avledger.vocab import ACTIVITY_KINDS, CASE_STATUSES, CIRCUMSTANCES, LONG_TERM_REASONS, NORECORD_REASONS

# An activity without an end time covers this long after its start (for attributing footage).
OPEN_END = dt.timedelta(hours=12)
PICK_LIMIT = 300  # activities a picker offers: the newest (an older one is reached by its number)


@dataclass(frozen=True)
class ActivityView:
    id: int
    kind: str
    title: str
    case_name: str
    case_no: str
    party: str
    place: str
    department: str | None
    officers: tuple[str, ...]  # staff numbers
    officer_names: tuple[str, ...]
    start_at: dt.datetime
    end_at: dt.datetime | None
    full_record: bool
    circumstances: tuple[str, ...]
    confidential: bool
    long_term: tuple[str, ...]
    status: str
    closed_at: dt.date | None
    clips: int
    norecords: int
    open_gaps: int

    @property
    def missing_record(self) -> bool:
        """Must be recorded in full, but has neither footage nor a not-recorded work record."""
        return self.full_record and self.clips == 0 and self.norecords == 0


@dataclass(frozen=True)
class NoRecordView:
    id: int
    activity_id: int
    reason: str
    basis: str
    signers: tuple[str, ...]  # staff numbers
    reported_to: str
    at: dt.datetime


def _officers(field: str) -> str:
    """SQL: the officers of activity ``a`` in the order they were named, one ``field`` (s.number, s.name) each."""
    return (
        f"SELECT {field} AS item FROM activity_officer ao JOIN staff s ON s.id = ao.staff_id"
        " WHERE ao.activity_id = a.id ORDER BY ao.id"
    )


_CLIPS = "(SELECT count(*) FROM clip WHERE clip.activity_id = a.id)"
_NORECORDS = "(SELECT count(*) FROM norecord WHERE norecord.activity_id = a.id)"
_OPEN_GAPS = "(SELECT count(*) FROM gap WHERE gap.activity_id = a.id AND gap.reason IS NULL)"
# Must be recorded in full, but has neither footage nor a not-recorded work record (ActivityView.missing_record).
MISSING_RECORD = (
    "(a.full_record AND NOT EXISTS (SELECT 1 FROM clip WHERE clip.activity_id = a.id)"
    " AND NOT EXISTS (SELECT 1 FROM norecord WHERE norecord.activity_id = a.id))"
)

ACTIVITY_ROWS = Rows(
    ActivityView,
    [
        Column("id", "a.id", INT),
        Column("kind", "a.kind"),
        Column("title", "a.title"),
        Column("case_name", "a.case_name"),
        Column("case_no", "a.case_no"),
        Column("party", "a.party"),
        Column("place", "a.place"),
        Column("department", "dp.name"),
        *(
            Column(
                key,
                f"(SELECT group_concat(item, '{ITEM_SEP}') FROM ({_officers(field)}))",
                ITEMS,
                json=json_list(_officers(field)),
            )
            for key, field in (("officers", "s.number"), ("officer_names", "s.name"))
        ),
        Column("start_at", "a.start_at", DATETIME),
        Column("end_at", "a.end_at", DATETIME),
        Column("full_record", "a.full_record", BOOL),
        Column("circumstances", "a.circumstances", WORDS),
        Column("confidential", "a.confidential", BOOL),
        Column("long_term", "a.long_term", WORDS),
        Column("status", "a.status"),
        Column("closed_at", "a.closed_at", DATE),
        Column("clips", _CLIPS, INT),
        Column("norecords", _NORECORDS, INT),
        Column("open_gaps", _OPEN_GAPS, INT),
    ],
    json_extra=[Column("missing_record", MISSING_RECORD, BOOL)],
)

_SIGNERS = (
    "SELECT s.number AS item FROM json_each('[' || r.signer_ids || ']') j JOIN staff s ON s.id = j.value ORDER BY j.key"
)
NORECORD_ROWS = Rows(
    NoRecordView,
    [
        Column("id", "r.id", INT),
        Column("activity_id", "r.activity_id", INT),
        Column("reason", "r.reason"),
        Column("basis", "r.basis"),
        Column(
            "signers", f"(SELECT group_concat(item, '{ITEM_SEP}') FROM ({_SIGNERS}))", ITEMS, json=json_list(_SIGNERS)
        ),
        Column("reported_to", "t.number"),
        Column("at", "r.at", DATETIME),
    ],
)

# What the list's reminders column says (avledger.tui.text.attention), for the filter.
ATTENTION_WORDS = {
    N_("缺音像记录"): MISSING_RECORD,
    N_("中断待说明"): f"{_OPEN_GAPS} > 0",
    N_("长期保存"): "a.long_term != ''",
    N_("涉密"): "a.confidential = 1",
}


@dataclass(frozen=True)
class ActivityQuery:
    """Which activities a listing shows: newest first."""

    open_only: bool = False
    text: str = ""  # what is typed in the filter (avledger.services.search)
    long_term: tuple[str, ...] = ()  # only those kept long-term for one of these reasons


def activity_name(a) -> str:
    """How an activity (a row or a view) is named to a reader: the case name or title, and the case number."""
    return (a.case_name or a.title) + (f"（{a.case_no}）" if a.case_no else "")


def _split(text: str) -> tuple[str, ...]:
    return tuple(t for t in (text or "").split(",") if t)


def enforcement_officer(staff: StaffService, number: str, *, field: str) -> Staff:
    """An active member of staff with an enforcement certificate, or a refusal naming ``field``."""
    person = staff.get(number, field=field)
    if not person.active:
        raise UserError("staff.left", "{name}（{number}）已离职", field=field, name=person.name, number=person.number)
    if not person.cert_no:
        raise UserError(
            "staff.not_officer",
            "{name}（{number}）没有执法证，不是执法人员",
            field=field,
            name=person.name,
            number=person.number,
        )
    return person


# What follows an activity's edit: given the activity before the edit, a watcher returns what to do once the
# edit is saved (in the same change), called with ``times`` (its start or end changed), ``why`` and
# ``outside_reason``. The services that keep what derives from an activity (footage: collection deadlines and
# clips outside its time; retention: keep-until dates) register theirs when the services are built.
EditWatcher = Callable[[Activity], Callable[..., None]]


class ActivityService:
    def __init__(self, ctx: Context, staff: StaffService):
        self.ctx = ctx
        self.staff = staff
        self.edit_watchers: list[EditWatcher] = []
        # what follows a case's closing, in the same change (retention: its keep-until date, logged)
        self.close_watchers: list[EditWatcher] = []

    def _tz(self):
        return self.ctx.profile().tz

    def get(self, activity_id: int | str, *, field: str = "activity_id") -> Activity:
        """The activity with that id; ``field``: the caller's parameter that named it."""
        check_text(activity_id if isinstance(activity_id, str) else None, N_("执法活动编号"), field=field)
        try:
            key = int(activity_id)
        except (TypeError, ValueError):
            key = None
        activity = Activity.get_or_none(Activity.id == key) if key is not None else None
        if activity is None:
            raise UserError("activity.unknown", "没有这个编号的执法活动：{id}", field=field, id=activity_id)
        return activity

    def _time(self, value: str | dt.datetime | None, label: str, field: str) -> dt.datetime | None:
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime):
            return value
        check_text(value, label, field=field)
        return parse_local_datetime(value, self._tz(), label=label, field=field)

    # --- actions ---------------------------------------------------------
    @requires("activities.edit")
    def add(
        self,
        kind: str,
        title: str,
        start: str | dt.datetime,
        *,
        end: str | dt.datetime | None = None,
        officers: list[str] | tuple[str, ...] = (),
        case_no: str = "",
        case_name: str = "",
        party: str = "",
        place: str = "",
        full_record: bool = False,
        circumstances: list[str] | tuple[str, ...] = (),
        confidential: bool = False,
        long_term: list[str] | tuple[str, ...] = (),
    ) -> ActivityView:
        """登记执法活动。"""
        require_choice(kind, ACTIVITY_KINDS, N_("执法活动类型"), field="kind")
        title = require_text(title, N_("标题"), field="title")
        case_no = optional_text(case_no, N_("案件编号"), field="case_no")
        case_name = optional_text(case_name, N_("案件名称"), field="case_name")
        party = optional_text(party, N_("当事人"), field="party")
        place = optional_text(place, N_("地点"), field="place")
        check_texts(officers, N_("执法人员"), field="officers")
        start_at = self._time(start, N_("开始时间"), "start")
        if start_at is None:
            raise UserError("input.empty", "{label}不能为空", field="start", label=N_("开始时间"))
        end_at = self._time(end, N_("结束时间"), "end")
        if end_at is not None and end_at <= start_at:
            raise UserError("input.end_before_start", "结束时间应晚于开始时间", field="end")
        now = self.ctx.clock()
        if start_at > now:
            raise UserError(
                "input.future",
                "{label}不能晚于现在：{value}",
                field="start",
                label=N_("开始时间"),
                value=fmt_local(start_at, self._tz()),
            )
        circ = require_choices(circumstances, CIRCUMSTANCES, N_("情形"), field="circumstances")
        reasons = require_choices(long_term, LONG_TERM_REASONS, N_("长期保存情形"), field="long_term")
        numbers = list(dict.fromkeys(n.strip() for n in officers if n and n.strip()))
        if not numbers:
            raise UserError("input.empty", "请至少指定一名执法人员（--officer 工号）", field="officers")
        profile = self.ctx.profile()
        must = (
            full_record
            or kind in profile.get("full_record.kinds")
            or any(c in profile.get("full_record.circumstances") for c in _split(circ))
        )
        with self.ctx.change():
            people = [enforcement_officer(self.staff, n, field="officers") for n in numbers]
            for person in people:
                refuse_if_suspended(person, local_today(start_at, profile.tz), field="officers")
            activity = Activity.create(
                kind=kind,
                title=title,
                case_no=case_no,
                case_name=case_name,
                party=party,
                place=place,
                department=people[0].department_id,
                start_at=start_at,
                end_at=end_at,
                full_record=bool(must),
                circumstances=circ,
                confidential=confidential,
                long_term=reasons,
                status="open",
                created_at=now,
            )
            self.ctx.log("create", activity, summary=f"{activity.id} {title}")
            for person in people:
                link = ActivityOfficer.create(activity=activity, staff=person)
                self.ctx.log("create", link, summary=f"{activity.id} {person.name}（{person.number}）")
        return self.view(activity.id)

    @requires("activities.edit")
    def close(self, activity_id: int | str, *, at: str | dt.date | None = None) -> ActivityView:
        """结案: the case is closed on a date (retention counts from it)."""
        check_text(activity_id if isinstance(activity_id, str) else None, N_("执法活动编号"), field="activity_id")
        check_text(at if isinstance(at, str) else None, N_("结案日期"), field="at")
        today = local_today(self.ctx.clock(), self._tz())
        if at in (None, ""):
            when = today
        else:
            when = at if isinstance(at, dt.date) else parse_date(at, label=N_("结案日期"), field="at")
        with self.ctx.change():
            activity = self.get(activity_id)
            if activity.status == "closed":
                raise UserError(
                    "activity.closed",
                    "执法活动 {id} 已于 {date} 结案",
                    field="activity_id",
                    id=activity.id,
                    date=activity.closed_at.isoformat(),
                )
            if when > today:
                raise UserError(
                    "input.future",
                    "{label}不能晚于现在：{value}",
                    field="at",
                    label=N_("结案日期"),
                    value=when.isoformat(),
                )
            start_day = local_today(activity.start_at, self._tz())
            if when < start_day:
                raise UserError(
                    "input.before_previous",
                    "结案日期不能早于执法活动开始日期 {date}",
                    field="at",
                    date=start_day.isoformat(),
                )
            before = snapshot(activity)
            followers = [watch(activity) for watch in self.close_watchers]
            activity.status = "closed"
            activity.closed_at = when
            activity.save()
            self.ctx.log("close", activity, before=before, summary=f"{activity.id} {activity.title}")
            for follow in followers:
                follow(activity, times=False, why=f"结案 {when.isoformat()}")
        return self.view(activity.id)

    @requires("activities.edit")
    def edit(
        self,
        activity_id: int | str,
        *,
        why: str,
        start: str | dt.datetime | None = None,
        end: str | dt.datetime | None = None,
        place: str | None = None,
        party: str | None = None,
        case_no: str | None = None,
        case_name: str | None = None,
        officers: list[str] | tuple[str, ...] | None = None,
        long_term: list[str] | tuple[str, ...] = (),
        outside_reason: str = "",
    ) -> ActivityView:
        """修改执法活动: times, place, party, case number and name, officers; ``long_term`` adds long-term
        keeping reasons (W15, D26: a complaint that arrives later), which start the disc duty (F12) when
        one of them is a disc trigger. ``None`` leaves a field as it is. Each change is logged with who
        made it and ``why`` (修改原因).

        What derives from the activity follows in the same change (:data:`EditWatcher`): new times recompute
        its clips' collection deadlines and late flags, a clip the new times leave outside (as assigning
        one would) needs ``outside_reason``, and a changed keep-until date is logged. Its interruptions are
        between its clips, which stay where they are: the times do not change them."""
        check_text(activity_id if isinstance(activity_id, str) else None, N_("执法活动编号"), field="activity_id")
        why = require_text(why, N_("修改原因"), field="why")
        outside_reason = optional_text(outside_reason, N_("归属原因"), field="outside_reason")
        texts = {}
        for key, value, label in (
            ("place", place, N_("地点")),
            ("party", party, N_("当事人")),
            ("case_no", case_no, N_("案件编号")),
            ("case_name", case_name, N_("案件名称")),
        ):
            if value is not None:
                texts[key] = optional_text(value, label, field=key)
        if officers is not None:
            check_texts(officers, N_("执法人员"), field="officers")
        added = require_choices(long_term, LONG_TERM_REASONS, N_("长期保存情形"), field="long_term")
        start_at = self._time(start, N_("开始时间"), "start")
        end_at = self._time(end, N_("结束时间"), "end")
        now = self.ctx.clock()
        with self.ctx.change():
            activity = self.get(activity_id)
            new_start = start_at or activity.start_at
            new_end = end_at or activity.end_at
            if start_at is not None and start_at > now:
                raise UserError(
                    "input.future",
                    "{label}不能晚于现在：{value}",
                    field="start",
                    label=N_("开始时间"),
                    value=fmt_local(start_at, self._tz()),
                )
            if new_end is not None and new_end <= new_start:
                raise UserError("input.end_before_start", "结束时间应晚于开始时间", field="end" if end_at else "start")
            before = snapshot(activity)
            followers = [watch(activity) for watch in self.edit_watchers]
            for key, value in texts.items():
                setattr(activity, key, value)
            activity.start_at = new_start
            activity.end_at = new_end
            reasons = list(_split(activity.long_term))
            reasons += [r for r in _split(added) if r not in reasons]
            activity.long_term = ",".join(reasons)
            changed = {k for k, v in snapshot(activity).items() if before.get(k) != v}
            people: list[Staff] | None = None
            if officers is not None:
                numbers = list(dict.fromkeys(n.strip() for n in officers if n and n.strip()))
                if not numbers:
                    raise UserError("input.empty", "请至少指定一名执法人员（--officer 工号）", field="officers")
                people = [enforcement_officer(self.staff, n, field="officers") for n in numbers]
                links = list(ActivityOfficer.select().where(ActivityOfficer.activity == activity))
                if [link.staff_id for link in sorted(links, key=lambda x: x.id)] == [p.id for p in people]:
                    people = None
            if not changed and people is None:
                raise UserError(
                    "activity.unchanged", "执法活动 {id} 没有要修改的内容", field="activity_id", id=activity.id
                )
            if changed:
                activity.save()
                self.ctx.log("update", activity, before=before, summary=f"{activity.id} {activity.title}：{why}")
            if people is not None:
                wanted = {p.id for p in people}
                for link in links:
                    if link.staff_id not in wanted:
                        gone = snapshot(link)
                        link.delete_instance()
                        self.ctx.log(
                            "delete",
                            entity="activity_officer",
                            entity_id=link.id,
                            before=gone,
                            summary=f"{activity.id} {link.staff.name}（{link.staff.number}）：{why}",
                        )
                kept = {link.staff_id for link in links}
                for person in people:
                    if person.id not in kept:
                        link = ActivityOfficer.create(activity=activity, staff=person)
                        self.ctx.log("create", link, summary=f"{activity.id} {person.name}（{person.number}）：{why}")
            if changed:
                times = bool(changed & {"start_at", "end_at"})
                for follow in followers:
                    follow(activity, times=times, why=why, outside_reason=outside_reason)
        return self.view(activity.id)

    @requires("confidential.mark", "confidential.lift")
    def set_confidential(self, activity_id: int | str, on: bool = True) -> ActivityView:
        """Mark an activity's records confidential (保密, F17), or lift the mark. Every role may mark (stricter
        handling is always safe); only the profile's confidential approver may lift it."""
        if not on:
            self.ctx.require("confidential.lift", entity="activity")
        with self.ctx.change():
            activity = self.get(activity_id)
            if activity.confidential == bool(on):
                return self.view(activity.id)
            before = snapshot(activity)
            activity.confidential = bool(on)
            activity.save()
            self.ctx.log(
                "update",
                activity,
                before=before,
                summary=f"{activity.id} {activity.title}：{'保密' if on else '取消保密'}",
            )
        return self.view(activity.id)

    # --- queries ---------------------------------------------------------
    def _select(self, query: ActivityQuery) -> Select:
        from avledger.services.clearance import Clearance

        select = Select(
            "activity a",
            (SortKey("a.start_at", desc=True), SortKey("a.id", desc=True)),
            "LEFT JOIN department dp ON dp.id = a.department_id",
            index="activity_start",
        )
        if query.open_only:
            select.where("a.status = 'open'")
        if query.long_term:
            select.also(search.has_word("a.long_term", query.long_term))
        clearance = Clearance(self.ctx)  # confidential ones only for those cleared to see them (F17)
        if not clearance.sees_all:
            cleared = "[" + ",".join(str(i) for i in sorted(clearance.cleared_activities())) + "]"
            select.where("a.confidential = 0 OR a.id IN (SELECT value FROM json_each(?))", cleared)
        tz = self._tz()
        return select.search(self._word(w, tz) for w in search.words(query.text))

    @staticmethod
    def _word(word: str, tz) -> Condition:
        """An activity whose title, case, party, place, officers, number, date, kind, status, long-term reasons or
        reminders hold ``word``."""
        found = [
            search.ACTIVITY_TEXT.matches("a.id", word),
            search.one_of("a.kind", search.label_ids(ACTIVITY_KINDS, word)),
            search.one_of("a.status", search.label_ids(CASE_STATUSES, word)),
            search.has_word("a.long_term", search.label_ids(LONG_TERM_REASONS, word)),
        ]
        if (n := search.number(word)) is not None:
            found.append(Condition("a.id = ?", (n,)))
        if (period := search.during("a.start_at", word, tz)) is not None:
            found.append(period)
        found += [Condition(sql) for text, sql in ATTENTION_WORDS.items() if search.said(text, word)]
        return any_of(found)

    def page(
        self,
        query: ActivityQuery = ActivityQuery(),
        after: Cursor | None = None,
        limit: int = 200,
        *,
        quick: bool = False,
    ) -> Page[ActivityView]:
        """The activities of ``query`` after ``after``, at most ``limit``, newest first."""
        return listing.page(self.ctx.db, ACTIVITY_ROWS, self._select(query), after, limit, quick=quick)

    def count(self, query: ActivityQuery = ActivityQuery()) -> int:
        return listing.count(self.ctx.db, self._select(query))

    def count_missing_records(self, query: ActivityQuery = ActivityQuery()) -> int:
        """Of the activities of ``query``, those that must be recorded in full but have no record at all."""
        return listing.count(self.ctx.db, self._select(query).where(MISSING_RECORD))

    def rows(self, query: ActivityQuery = ActivityQuery()) -> Iterator[ActivityView]:
        return listing.rows(self.ctx.db, ACTIVITY_ROWS, self._select(query))

    def write_json(self, query: ActivityQuery, out: BinaryIO) -> int:
        """The activities of ``query`` as ``activity list --json`` prints them, streamed to ``out``."""
        return listing.write_json(self.ctx.db, ACTIVITY_ROWS, self._select(query), out)

    def list(self, *, open_only: bool = False) -> list[ActivityView]:
        """Activities, newest first; confidential ones only for those cleared to see them (F17)."""
        return list(self.rows(ActivityQuery(open_only)))

    def recent(self, limit: int = PICK_LIMIT) -> list[ActivityView]:
        """The newest ``limit`` activities, as a picker offers them (an office's tenth year holds tens of
        thousands; an older one is reached by its number)."""
        return list(self.page(ActivityQuery(), None, limit).rows)

    def names(self, ids: Iterable[int]) -> dict[int, str]:
        """Each of these activities' case name, else its title (those a plan or a page names)."""
        wanted = sorted({int(i) for i in ids if i is not None})
        names: dict[int, str] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            query = Activity.select(Activity.id, Activity.case_name, Activity.title).where(Activity.id.in_(chunk))
            names.update((a.id, a.case_name or a.title) for a in query)
        return names

    def view(self, activity_id: int | str) -> ActivityView:
        select = Select("activity a", (SortKey("a.id"),), "LEFT JOIN department dp ON dp.id = a.department_id")
        return next(listing.rows(self.ctx.db, ACTIVITY_ROWS, select.where("a.id = ?", self.get(activity_id).id)))

    def open(self, activity_id: int | str) -> ActivityView:
        """An activity opened by a person (its page, ``activity show``): a confidential one only for those
        cleared, and every opening of it, or attempt, is logged (F17)."""
        from avledger.services.clearance import require_cleared

        activity = self.get(activity_id)
        require_cleared(self.ctx, [activity], log_allowed=True)
        return self.view(activity.id)

    def window(self, activity: Activity) -> tuple[dt.datetime, dt.datetime]:
        return activity.start_at, activity.end_at or activity.start_at + OPEN_END


class NoRecordService:
    def __init__(self, ctx: Context, activities: ActivityService, staff: StaffService):
        self.ctx = ctx
        self.activities = activities
        self.staff = staff

    @requires("activities.edit")
    def add(
        self,
        activity_id: int | str,
        reason: str,
        basis: str,
        signers: list[str] | tuple[str, ...],
        reported_to: str,
        *,
        at: str | dt.datetime | None = None,
    ) -> NoRecordView:
        """无法记录工作记录: reason and basis, signed by enough officers, reported to the leader."""
        profile = self.ctx.profile()
        allowed = profile.get("norecord.reasons")
        require_choice(reason, allowed, N_("无法记录原因"), field="reason")
        require_choice(reason, NORECORD_REASONS, N_("无法记录原因"), field="reason")
        basis = require_text(basis, N_("依据"), field="basis")
        check_text(activity_id if isinstance(activity_id, str) else None, N_("执法活动编号"), field="activity_id")
        check_texts(signers, N_("签字执法人员"), field="signers")
        check_text(reported_to, N_("报告对象"), field="reported_to")
        check_text(at if isinstance(at, str) else None, N_("时间"), field="at")
        numbers = list(dict.fromkeys(n.strip() for n in signers if n and n.strip()))
        minimum = profile.get("norecord.min_signers")
        if len(numbers) < minimum:
            raise UserError(
                "norecord.too_few_signers", "工作记录须由至少 {n} 名执法人员签字", field="signers", n=minimum
            )
        when = self.ctx.clock()
        if at not in (None, ""):
            if isinstance(at, dt.datetime):
                when = at
            else:
                when = parse_local_datetime(at, profile.tz, label=N_("时间"), field="at")
            if when > self.ctx.clock():
                raise UserError(
                    "input.future",
                    "{label}不能晚于现在：{value}",
                    field="at",
                    label=N_("时间"),
                    value=fmt_local(when, profile.tz),
                )
        role = profile.get("norecord.report_role")
        with self.ctx.change():
            activity = self.activities.get(activity_id)
            people = [enforcement_officer(self.staff, n, field="signers") for n in numbers]
            leader = self.staff.get(reported_to, field="reported_to")
            if not leader.active or role not in leader.role_list:
                from avledger.vocab import ROLES, label

                raise UserError(
                    "norecord.bad_recipient",
                    "{name}（{number}）不是在职的{role}，不能接收工作记录报告",
                    field="reported_to",
                    name=leader.name,
                    number=leader.number,
                    role=label(ROLES, role),
                )
            record = NoRecord.create(
                activity=activity,
                reason=reason,
                basis=basis,
                signer_ids=",".join(str(p.id) for p in people),
                reported_to=leader,
                at=when,
            )
            self.ctx.log("norecord", record, summary=f"{activity.id} {reason}")
        return self._view(record)

    def _select(self, activity: int | str | None) -> Select:
        from avledger.services.clearance import Clearance

        select = Select(
            "norecord r",
            (SortKey("r.at"), SortKey("r.id")),
            "JOIN activity a ON a.id = r.activity_id JOIN staff t ON t.id = r.reported_to_id",
        )
        if activity not in (None, ""):
            select.where("r.activity_id = ?", self.activities.get(activity, field="activity").id)
        clearance = Clearance(self.ctx)  # confidential activities only for those cleared (F17)
        if not clearance.sees_all:
            cleared = "[" + ",".join(str(i) for i in sorted(clearance.cleared_activities())) + "]"
            select.where("a.confidential = 0 OR a.id IN (SELECT value FROM json_each(?))", cleared)
        return select

    def rows(self, *, activity: int | str | None = None) -> Iterator[NoRecordView]:
        return listing.rows(self.ctx.db, NORECORD_ROWS, self._select(activity))

    def write_json(self, out: BinaryIO, *, activity: int | str | None = None) -> int:
        return listing.write_json(self.ctx.db, NORECORD_ROWS, self._select(activity), out)

    def list(self, *, activity: int | str | None = None) -> list[NoRecordView]:
        return list(self.rows(activity=activity))

    def _view(self, r: NoRecord) -> NoRecordView:
        select = Select(
            "norecord r",
            (SortKey("r.id"),),
            "JOIN activity a ON a.id = r.activity_id JOIN staff t ON t.id = r.reported_to_id",
        )
        return next(listing.rows(self.ctx.db, NORECORD_ROWS, select.where("r.id = ?", r.id)))
