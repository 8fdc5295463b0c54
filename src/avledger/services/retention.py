"""How long footage is kept, what holds it, and its lawful disposal (保存期限、冻结与清除处理, F11, F12).

The keep-until date of a clip or an activity comes from the office profile: the period of its category
(ordinary, case, evidence, long-term) counted from where its regulation starts it (the recording, the end of
the activity, the closing of the case, or the case file's own period, entered when the case is filed).
:func:`keep_until` computes it for one record; :func:`activity_keep_sql` and :func:`clip_keep_sql` compute the
same in SQL, so that the due clips of a register of a million are found by one query over indexed columns,
never loaded one by one.

Holds stop the clock whatever the date: an open case, an open viewing request or approval, an extraction
registered as evidence (while the case file's period is not entered, where the profile keeps evidence with the
case file), a long-term reason, an interruption or a late clip still waiting for its reason, a disc set not
yet burned in both copies and verified, and a manual hold.

Disposal is the only way footage leaves the archive: a plan lists the due clips; the profile's approver
approves it; the run deletes exactly the planned files, each after its SHA-256 and its holds are checked
again, recording each first as ``disposing`` (in a transaction), then deleting, then marking it ``done``. A
run killed in between leaves each file present and registered or deleted and recorded; running the plan again
completes a ``disposing`` record whose file is gone.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from avledger.digests import hash_file
from avledger.errors import UserError
from avledger.fsutil import fsync_dir
from avledger.i18n import N_
from avledger.models import audit
from avledger.models.audit import snapshot
from avledger.models.schema import Activity, CaseFile, Clip, Disposal, DisposalPlan, RetentionHold, deleted_file
from avledger.profile import Profile
from avledger.progress import CancelToken, Progress, ProgressSink, emit
from avledger.progress import check as check_cancel
from avledger.services.base import Context, check_text, optional_text, require_text
from avledger.services.clearance import today
from avledger.services.permissions import allowed, requires
from avledger.vocab import ROLES, label

# The article that sets each preset's keeping periods.
ARTICLES = {"wanzhou": "W14", "dalian": "D25", "ruzhou": "R14", "lingchuan": "L16", "pingdingshan": "P11"}
LONG_TERM_ARTICLES = {"wanzhou": "W15", "dalian": "D26", "ruzhou": "R14"}


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` as SQLite's ``date(x, '+N months')`` counts it (a day past the month's end runs
    on into the next month)."""
    total = day.year * 12 + day.month - 1 + months
    return dt.date(total // 12, total % 12 + 1, 1) + dt.timedelta(days=day.day - 1)


@dataclass(frozen=True)
class KeepUntil:
    """A record's keep-until date. ``until`` None: kept for now (``waiting`` says for what) or for ever."""

    until: dt.date | None
    category: str  # vocab RETENTION_CATEGORIES
    counts_from: str  # vocab RETENTION_STARTS
    start: dt.date | None
    months: int | None
    article: str
    waiting: str = ""  # why the date is not known yet: case_open | case_file; "" when for ever or known

    def as_json(self) -> dict:
        data = asdict(self)
        data["until"] = self.until.isoformat() if self.until else None
        data["start"] = self.start.isoformat() if self.start else None
        return data


def keep_until(
    profile: Profile,
    *,
    recorded: dt.date | None,
    activity_end: dt.date | None = None,
    case_no: str = "",
    closed_on: dt.date | None = None,
    evidence: bool = False,
    long_term: bool = False,
    case_file_entered: bool = False,
    case_file_months: int | None = None,
) -> KeepUntil:
    """The keep-until date of footage recorded on ``recorded`` (of an activity that ended on ``activity_end``)."""
    preset = profile.get("office.preset")
    article = ARTICLES.get(preset, "")
    if long_term:
        return KeepUntil(None, "long_term", "forever", None, None, LONG_TERM_ARTICLES.get(preset, article))
    base = activity_end or recorded
    counts = "activity_end" if activity_end else "recording"
    default = profile.get("retention.default_months")
    if not case_no:
        until = add_months(base, default) if base else None
        return KeepUntil(until, "ordinary", counts, base, default, article)
    minimum = profile.get("retention.case_min_months")
    after = profile.get("retention.case_months_after_close")
    evidence = evidence and profile.get("retention.evidence_with_case_file")
    category = "evidence" if evidence else "case"
    if closed_on is None:
        return KeepUntil(None, category, "case_closed", None, None, article, "case_open")
    until = max(add_months(closed_on, after), add_months(base, minimum) if base else closed_on)
    if evidence and not case_file_entered:
        return KeepUntil(None, category, "case_file", closed_on, None, article, "case_file")
    if case_file_entered:
        if case_file_months is None:
            return KeepUntil(None, category, "case_file", closed_on, None, article)
        until = max(until, add_months(closed_on, case_file_months))
        return KeepUntil(until, category, "case_file", closed_on, case_file_months, article)
    return KeepUntil(until, category, "case_closed", closed_on, after, article)


# why a keep-until date is not known, as the log words it (as the activity page does)
_NO_DATE = {"case_open": "案件终结后确定", "case_file": "登记案卷保管期限后确定", "long_term": "长期保存"}


# --- the same in SQL ---------------------------------------------------------------------------------------


def _offset_minutes(profile: Profile) -> int:
    offset = profile.tz.utcoffset(dt.datetime(2000, 1, 1)) or dt.timedelta()
    return int(offset.total_seconds() // 60)


def _shift(profile: Profile) -> str:
    """The SQLite modifier that turns a stored UTC time into the office's local time."""
    return f"'{_offset_minutes(profile):+d} minutes'"


def _evidence_sql(a: str) -> str:
    return (
        "EXISTS (SELECT 1 FROM extraction e JOIN access_clip ac ON ac.request_id = e.request_id"
        f" JOIN clip ec ON ec.id = ac.clip_id WHERE ec.activity_id = {a}.id)"
    )


def activity_keep_sql(profile: Profile, a: str = "a", cf: str = "cf") -> str:
    """The keep-until date (text, or NULL for not yet or never) of activity ``a`` (``cf``: its case file row,
    LEFT JOINed on the case number), as :func:`keep_until` computes it."""
    shift = _shift(profile)
    start = f"date(coalesce({a}.end_at, {a}.start_at), {shift})"
    default = int(profile.get("retention.default_months"))
    minimum = int(profile.get("retention.case_min_months"))
    after = int(profile.get("retention.case_months_after_close"))
    evidence = f"({_evidence_sql(a)})" if profile.get("retention.evidence_with_case_file") else "0"
    return (
        f"(CASE WHEN {a}.long_term != '' THEN NULL"
        f" WHEN {a}.case_no = '' THEN date({start}, '+{default} months')"
        f" WHEN {a}.status != 'closed' OR {a}.closed_at IS NULL THEN NULL"
        f" WHEN {cf}.id IS NULL AND {evidence} THEN NULL"
        f" WHEN {cf}.id IS NOT NULL AND {cf}.months IS NULL THEN NULL"
        f" ELSE max(date({a}.closed_at, '+{after} months'), date({start}, '+{minimum} months'),"
        f" coalesce(date({a}.closed_at, '+' || {cf}.months || ' months'), '0000-00-00')) END)"
    )


def clip_keep_sql(profile: Profile, c: str = "c", a: str = "a", cf: str = "cf") -> str:
    """The keep-until date of clip ``c`` (``a`` its activity LEFT JOINed, ``cf`` that activity's case file):
    its activity's, and never before its own recording's ordinary period."""
    months = int(profile.get("retention.default_months"))
    own = f"date(coalesce({c}.start_at, {c}.ingested_at), {_shift(profile)}, '+{months} months')"
    return f"(CASE WHEN {a}.id IS NULL THEN {own} ELSE max({activity_keep_sql(profile, a, cf)}, {own}) END)"


def activity_held_sql(a: str = "a") -> str:
    """True when something holds activity ``a`` (besides the open case, which leaves its date NULL)."""
    return (
        f"({a}.long_term != ''"
        f" OR EXISTS (SELECT 1 FROM gap g WHERE g.activity_id = {a}.id AND g.reason IS NULL)"
        f" OR {a}.id IN (SELECT activity_id FROM clip WHERE late = 1 AND (late_reason IS NULL OR late_reason = ''))"
        f" OR EXISTS (SELECT 1 FROM retention_hold h WHERE h.released_at IS NULL AND (h.activity_id = {a}.id"
        f" OR ({a}.case_no != '' AND h.case_no = {a}.case_no)))"
        f" OR EXISTS (SELECT 1 FROM access_request r WHERE r.status IN ('requested', 'approved') AND r.until >= :today"
        f" AND (r.activity_id = {a}.id OR ({a}.case_no != '' AND r.case_no = {a}.case_no)))"
        f" OR EXISTS (SELECT 1 FROM disc_set s JOIN disc d ON d.set_id = s.id"
        f" WHERE (s.activity_id = {a}.id OR ({a}.case_no != '' AND s.case_no = {a}.case_no))"
        " AND (SELECT count(*) FROM disc_copy k WHERE k.disc_id = d.id AND k.verified = 1) < 2))"
    )


# What holds a clip itself, each a list found once: its late reason missing (through the partial index of the
# late clips waiting for one), an open request covering it, an extraction of it (a clip of no activity: an
# activity's extractions hold the whole activity). A clip of an activity due has no late reason missing: that
# would hold its activity.
_LATE_WAITING = "SELECT lw.id FROM clip lw WHERE lw.late = 1 AND (lw.late_reason IS NULL OR lw.late_reason = '')"
_REQUESTED = (
    "SELECT ac.clip_id FROM access_clip ac JOIN access_request r ON r.id = ac.request_id"
    " WHERE r.status IN ('requested', 'approved') AND r.until >= :today"
)
_EXTRACTED = "SELECT ac.clip_id FROM access_clip ac JOIN extraction e ON e.request_id = ac.request_id"
# the clips the plans that stand take (planned, being or been deleted), read from the plans' index plan by plan
_TAKEN = (
    "SELECT x.clip_id FROM disposal_plan p CROSS JOIN disposal x ON x.plan_id = p.id"
    " WHERE p.status != 'cancelled' AND x.state != 'skipped'"
)


def _utc_midnight(day: dt.date, offset: dt.timedelta) -> str:
    """The stored (naive UTC) form of the office's local midnight starting ``day``."""
    return (dt.datetime.combine(day, dt.time()) - offset).isoformat(sep=" ")


def due_params(profile: Profile, day: dt.date, **more) -> dict:
    """The parameters of :func:`due_sql` for ``day``: ``:today``, and the two stored times that bound the
    recording (or collection) times whose own period is over (``:own_lo``: every time before it is due,
    ``:own_hi``: none from it on; between the two, the rare days where a month's end runs on into the next
    month, the exact ``date()`` decides). A clip's own period is thus found by comparing its indexed time,
    never by computing a date for each of a million clips."""
    months = int(profile.get("retention.default_months"))
    offset = dt.timedelta(minutes=_offset_minutes(profile))
    centre = add_months(dt.date(day.year, day.month, 1), -months)
    window = [centre + dt.timedelta(days=n) for n in range(-45, 76)]
    over = [add_months(d, months) <= day for d in window]
    # add_months runs at most three days past the same day of the target month: outside the window, all
    # before is over and all after is not
    assert over[0] and not over[-1], (day, months)
    lo = window[over.index(False)]
    hi = window[len(over) - over[::-1].index(True)]
    return {"today": day.isoformat(), "own_lo": _utc_midnight(lo, offset), "own_hi": _utc_midnight(hi, offset), **more}


def _own_due(profile: Profile, column: str) -> str:
    """True when the recording time ``column``'s own period (the ordinary one) is over on ``:today``."""
    months = int(profile.get("retention.default_months"))
    return (
        f"{column} < :own_hi AND ({column} < :own_lo OR date({column}, {_shift(profile)}, '+{months} months')"
        " <= :today)"
    )


def keep_cuts_sql(profile: Profile, keep: str) -> str:
    """Three stored times ``cut_a, cut_b, cut_c`` for the date ``keep`` (K): a clip recorded at t, before
    ``cut_a`` or from ``cut_b`` to before ``cut_c``, has its own keep-until date (``date(t, shift, '+N months')``)
    on or before K, so its keep-until is K without a date computed for it. With M the month N months before K's:
    a local date in M counts on to K's month day for day, so up to K's day (``cut_c``: the day after, M's last
    at most) is on or before K; one before M, three days short of its end at least, lands in the month before
    K's (``cut_a``: three days before M, since a month's end runs on into the next by three days at most).
    The dates between (the last three days before M) and after are computed."""
    months = int(profile.get("retention.default_months"))
    back = f"'{-_offset_minutes(profile):+d} minutes'"
    month = f"date({keep}, 'start of month', '-{months} months')"
    day = f"min(date({keep}, '-{months} months'), date({month}, '+1 month', '-1 day'))"
    return (
        f"datetime({month}, '-3 days', {back}) AS cut_a, datetime({month}, {back}) AS cut_b,"
        f" datetime({day}, '+1 day', {back}) AS cut_c"
    )


def due_sql(profile: Profile, *, planned_too: bool = False, one: bool = False) -> str:
    """The clips whose keep-until date is on or before ``:today`` and that nothing holds, with their keep-until
    date (the parameters: :func:`due_params`); clips of a plan that is not cancelled (or disposed of) left out
    unless ``planned_too``; ``one``: only the clip ``:clip``.

    The activities due and held by nothing are found first (a few thousand rows, each looked at once), then
    their clips through the clip_activity index (activity, recording time: the clips whose own period is over
    are a range of it, and the index holds all the query reads of them), and the clips of no activity through
    the same index; the few clips with no recording time count from their collection."""
    months = int(profile.get("retention.default_months"))
    shift = _shift(profile)
    own = {col: f"date(c.{col}, {shift}, '+{months} months')" for col in ("start_at", "ingested_at")}
    excluded = _REQUESTED if planned_too else f"{_REQUESTED} UNION ALL {_TAKEN}"
    rest = " AND c.id NOT IN (SELECT id FROM excluded)"
    one_activity = ""
    if one:
        rest += " AND c.id = :clip"
        one_activity = " AND a.id IN (SELECT activity_id FROM clip WHERE id = :clip)"
    loose = f"{rest} AND c.id NOT IN ({_LATE_WAITING}) AND c.id NOT IN ({_EXTRACTED})"
    branches = []
    for col, no_start in (("start_at", ""), ("ingested_at", " AND c.start_at IS NULL")):
        sure = f"c.{col} < d.cut_a OR (c.{col} >= d.cut_b AND c.{col} < d.cut_c)"
        branches.append(
            f"SELECT c.id, CASE WHEN {sure} THEN d.keep ELSE max(d.keep, {own[col]}) END AS keep"
            f" FROM due_activity d JOIN clip c ON c.activity_id = d.id"
            f" WHERE {_own_due(profile, 'c.' + col)}{no_start}{rest}"
        )
        branches.append(
            f"SELECT c.id, {own[col]} AS keep FROM clip c WHERE c.activity_id IS NULL"
            f" AND {_own_due(profile, 'c.' + col)}{no_start}{loose}"
        )
    return (
        "WITH due_activity (id, keep, cut_a, cut_b, cut_c) AS MATERIALIZED ("
        f"SELECT id, keep, {keep_cuts_sql(profile, 'keep')} FROM ("
        f"SELECT a.id, {activity_keep_sql(profile)} AS keep FROM activity a"
        " LEFT JOIN case_file cf ON a.case_no != '' AND cf.case_no = a.case_no"
        f" WHERE keep <= :today AND NOT {activity_held_sql()}{one_activity})),"
        f" excluded (id) AS MATERIALIZED ({excluded}) " + " UNION ALL ".join(branches)
    )


# --- services ----------------------------------------------------------------------------------------------


@dataclass
class Hold:
    kind: str  # vocab HOLD_KINDS
    detail: str = ""
    id: int | None = None  # a manual hold's number
    set_by: str = ""
    set_at: str = ""


@dataclass
class RetentionView:
    kind: str  # clip | activity
    id: int
    keep: KeepUntil
    holds: list[Hold] = field(default_factory=list)
    disposed: str = ""  # when the clip was disposed of

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "id": self.id,
            **self.keep.as_json(),
            "holds": [asdict(h) for h in self.holds],
            "disposed": self.disposed or None,
        }


class RetentionService:
    def __init__(self, ctx: Context, activities, staff):
        self.ctx = ctx
        self.activities = activities
        self.staff = staff

    def today(self) -> dt.date:
        return today(self.ctx)

    def _local_date(self, value: dt.datetime | None) -> dt.date | None:
        if value is None:
            return None
        return (value + (self.ctx.profile().tz.utcoffset(dt.datetime(2000, 1, 1)) or dt.timedelta())).date()

    def _case_file(self, case_no: str) -> CaseFile | None:
        return CaseFile.get_or_none(CaseFile.case_no == case_no) if case_no else None

    def _evidence(self, activity: Activity) -> bool:
        sql = f"SELECT {_evidence_sql('a')} FROM activity a WHERE a.id = ?"
        return bool(self.ctx.db.execute_sql(sql, (activity.id,)).fetchone()[0])

    def activity_keep(self, activity: Activity, *, recorded: dt.date | None = None) -> KeepUntil:
        cf = self._case_file(activity.case_no)
        end = self._local_date(activity.end_at) or self._local_date(activity.start_at)
        return keep_until(
            self.ctx.profile(),
            recorded=recorded,
            activity_end=end,
            case_no=activity.case_no,
            closed_on=activity.closed_at if activity.status == "closed" else None,
            evidence=self._evidence(activity),
            long_term=bool(activity.long_term),
            case_file_entered=cf is not None,
            case_file_months=cf.months if cf else None,
        )

    def watch_edit(self, activity: Activity):
        """A changed keep-until date of an edited (or closed) activity, logged with the edit's reason
        (:data:`~avledger.services.activities.EditWatcher`): its times move the date its period counts from,
        its case number and long-term reasons its category. The date is computed, never stored: the entry
        records the change for the record's history."""
        old = self.activity_keep(activity)

        def follow(edited: Activity, *, times: bool, why: str, outside_reason: str = "") -> None:
            new = self.activity_keep(edited)
            if new == old:
                return

            def words(keep: KeepUntil) -> str:
                if keep.until:
                    return keep.until.isoformat()
                return _NO_DATE.get(keep.waiting or keep.category, keep.waiting or keep.category)

            self.ctx.log(
                "keep_until",
                entity="activity",
                entity_id=edited.id,
                summary=f"{edited.id}：{words(old)} → {words(new)}（{new.article}；{why}）",
            )

        return follow

    def clip_keep(self, clip: Clip) -> KeepUntil:
        recorded = self._local_date(clip.start_at or clip.ingested_at)
        own = keep_until(self.ctx.profile(), recorded=recorded)
        if clip.activity_id is None:
            return own
        keep = self.activity_keep(clip.activity)
        if keep.until is None or own.until is None:
            return keep
        return keep if keep.until >= own.until else own

    def activity_holds(self, activity: Activity) -> list[Hold]:
        holds: list[Hold] = []
        day = self.today().isoformat()
        db = self.ctx.db
        if activity.case_no and activity.status != "closed":
            holds.append(Hold("open_case", activity.case_no))
        if activity.long_term:
            holds.append(Hold("long_term", activity.long_term))
        keep = self.activity_keep(activity)
        if keep.waiting == "case_file":
            holds.append(Hold("evidence", activity.case_no))
        gaps = db.execute_sql("SELECT count(*) FROM gap WHERE activity_id = ? AND reason IS NULL", (activity.id,))
        if (n := gaps.fetchone()[0]) > 0:
            holds.append(Hold("gap_waiting", str(n)))
        late = db.execute_sql(
            "SELECT count(*) FROM clip WHERE activity_id = ? AND late = 1 AND coalesce(late_reason, '') = ''",
            (activity.id,),
        )
        if (n := late.fetchone()[0]) > 0:
            holds.append(Hold("late_waiting", str(n)))
        for (rid,) in db.execute_sql(
            "SELECT r.id FROM access_request r"
            " WHERE r.status IN ('requested', 'approved') AND r.until >= ?"
            " AND (r.activity_id = ? OR (? != '' AND r.case_no = ?)) ORDER BY r.id",
            (day, activity.id, activity.case_no, activity.case_no),
        ):
            holds.append(Hold("request", str(rid)))
        for (sid,) in db.execute_sql(
            "SELECT DISTINCT s.id FROM disc_set s JOIN disc d ON d.set_id = s.id"
            " WHERE (s.activity_id = ? OR (? != '' AND s.case_no = ?))"
            " AND (SELECT count(*) FROM disc_copy k WHERE k.disc_id = d.id AND k.verified = 1) < 2 ORDER BY s.id",
            (activity.id, activity.case_no, activity.case_no),
        ):
            holds.append(Hold("disc_pending", str(sid)))
        query = RetentionHold.select().where(RetentionHold.released_at.is_null() & (RetentionHold.activity == activity))
        if activity.case_no:
            query = RetentionHold.select().where(
                RetentionHold.released_at.is_null()
                & ((RetentionHold.activity == activity) | (RetentionHold.case_no == activity.case_no))
            )
        for h in query.order_by(RetentionHold.id):
            holds.append(Hold("manual", h.reason, h.id, h.set_by, h.set_at.isoformat(sep=" ", timespec="minutes")))
        return holds

    def clip_holds(self, clip: Clip) -> list[Hold]:
        holds = self.activity_holds(clip.activity) if clip.activity_id is not None else []
        if clip.late and not clip.late_reason and not any(h.kind == "late_waiting" for h in holds):
            holds.append(Hold("late_waiting", "1"))
        day = self.today().isoformat()
        for (rid,) in self.ctx.db.execute_sql(
            "SELECT r.id FROM access_clip ac JOIN access_request r ON r.id = ac.request_id"
            " WHERE ac.clip_id = ? AND r.status IN ('requested', 'approved') AND r.until >= ? ORDER BY r.id",
            (clip.id, day),
        ):
            if not any(h.kind == "request" and h.detail == str(rid) for h in holds):
                holds.append(Hold("request", str(rid)))
        return holds

    def show(self, *, clip: int | str | None = None, activity: int | str | None = None) -> RetentionView:
        if clip not in (None, ""):
            check_text(clip if isinstance(clip, str) else None, N_("音像文件编号"), field="clip")
            try:
                row = Clip.get_or_none(Clip.id == int(clip))
            except ValueError:
                row = None
            if row is None:
                raise UserError("clip.unknown", "没有这个编号的音像文件：{id}", field="clip", id=clip)
            done = Disposal.get_or_none((Disposal.clip == row) & deleted_file())
            disposed = done.deleted_at.isoformat(sep=" ", timespec="minutes") if done else ""
            return RetentionView("clip", row.id, self.clip_keep(row), self.clip_holds(row), disposed)
        act = self.activities.get(activity, field="activity")
        return RetentionView("activity", act.id, self.activity_keep(act), self.activity_holds(act))

    # --- manual holds and case files ------------------------------------------------------------------
    @requires("retention.hold")
    def add_hold(self, *, activity: int | str | None = None, case_no: str | None = None, reason: str) -> Hold:
        reason = require_text(reason, N_("冻结原因"), field="reason")
        check_text(case_no, N_("案件编号"), field="case_no")
        with self.ctx.change():
            act = None
            if activity not in (None, ""):
                act = self.activities.get(activity, field="activity")
            elif not case_no or not Activity.select().where(Activity.case_no == case_no).exists():
                raise UserError("retention.unknown_case", "没有案件编号为 {no} 的执法活动", field="case_no", no=case_no)
            row = RetentionHold.create(
                activity=act,
                case_no="" if act else case_no,
                reason=reason,
                set_by=self.ctx.person() or self.ctx.acting().actor,
                set_at=self.ctx.clock(),
            )
            self.ctx.log("hold", row, summary=f"{act.id if act else case_no}：{reason}")
        return Hold("manual", reason, row.id, row.set_by, row.set_at.isoformat(sep=" ", timespec="minutes"))

    @requires("retention.hold")
    def release_hold(self, hold_id: int | str, *, reason: str) -> RetentionHold:
        check_text(hold_id if isinstance(hold_id, str) else None, N_("冻结编号"), field="hold_id")
        reason = require_text(reason, N_("解除原因"), field="reason")
        with self.ctx.change():
            try:
                row = RetentionHold.get_or_none(RetentionHold.id == int(hold_id))
            except ValueError:
                row = None
            if row is None:
                raise UserError("retention.unknown_hold", "没有编号为 {id} 的保存冻结", field="hold_id", id=hold_id)
            if row.released_at is not None:
                raise UserError("retention.hold_released", "保存冻结 {id} 已经解除", field="hold_id", id=row.id)
            before = snapshot(row)
            row.released_at = self.ctx.clock()
            row.released_by = self.ctx.person() or self.ctx.acting().actor
            row.release_reason = reason
            row.save()
            self.ctx.log("hold_release", row, before=before, summary=f"{row.id}：{reason}")
        return row

    def holds(self, *, open_only: bool = True, activity: int | None = None) -> list[RetentionHold]:
        """The manual holds (open ones only unless ``open_only`` is False); ``activity``: those on that
        activity or on its case number."""
        query = RetentionHold.select().order_by(RetentionHold.id)
        if open_only:
            query = query.where(RetentionHold.released_at.is_null())
        if activity is not None:
            act = Activity.get_by_id(activity)
            scope = RetentionHold.activity == act.id
            if act.case_no:
                scope |= RetentionHold.case_no == act.case_no
            query = query.where(scope)
        return list(query)

    def case_file(self, case_no: str) -> CaseFile | None:
        """The case file's keeping period as entered (None: not entered yet)."""
        check_text(case_no, N_("案号"), field="case_no")
        return self._case_file(case_no)

    @requires("retention.hold")
    def set_case_file(self, case_no: str, *, months: int | None) -> CaseFile:
        """The keeping period of a case's paper file (None: 永久), entered when the case is filed."""
        case_no = require_text(case_no, N_("案件编号"), field="case_no")
        if months is not None and not 1 <= months <= 1200:
            raise UserError("retention.bad_months", "保管期限应为 1 到 1200 个月", field="months")
        with self.ctx.change():
            if not Activity.select().where(Activity.case_no == case_no).exists():
                raise UserError("retention.unknown_case", "没有案件编号为 {no} 的执法活动", field="case_no", no=case_no)
            row = CaseFile.get_or_none(CaseFile.case_no == case_no)
            before = snapshot(row) if row else None
            if row is None:
                row = CaseFile(case_no=case_no)
            row.months = months
            row.entered_by = self.ctx.person() or self.ctx.acting().actor
            row.entered_at = self.ctx.clock()
            row.save()
            self.ctx.log("case_file", row, before=before, summary=f"{case_no}：{months if months else '永久'}")
        return row


# the clip's columns (by field name) a deleted file's record copies
_COPIED = ("original_name", "archive_path", "sha256", "size", "start_at", "ingested_at", "activity")


@dataclass(frozen=True)
class DisposalItem:
    """A file of a plan as lists, prints and exports show it: a planned file's name, place, SHA-256, size, dates
    and activity read from its clip (a planned record holds none of them), a file a run came to from its own
    record; a planned file of a cancelled plan shown as not disposed of (``skipped``, ``cancelled``)."""

    id: int
    plan_id: int
    clip_id: int
    original_name: str
    archive_path: str
    sha256: str
    size: int
    recorded_at: dt.datetime | None
    ingested_at: dt.datetime
    activity_id: int | None
    keep_until: dt.date
    state: str
    skip_reason: str
    deleted_at: dt.datetime | None
    deleted_by: str


def _own_or_clip(column: str, clip_column: str | None = None) -> str:
    return f"CASE WHEN d.sha256 IS NULL THEN c.{clip_column or column} ELSE d.{column} END"


_CANCELLED = "d.state = 'planned' AND p.status = 'cancelled'"
_ITEM_SQL = (
    f"SELECT d.id, d.plan_id, d.clip_id, {_own_or_clip('original_name')}, {_own_or_clip('archive_path')},"
    f" {_own_or_clip('sha256')}, {_own_or_clip('size')}, {_own_or_clip('recorded_at', 'start_at')},"
    f" {_own_or_clip('ingested_at')}, {_own_or_clip('activity_id')}, d.keep_until,"
    f" CASE WHEN {_CANCELLED} THEN 'skipped' ELSE d.state END,"
    f" CASE WHEN {_CANCELLED} THEN 'cancelled' ELSE d.skip_reason END, d.deleted_at, d.deleted_by"
    " FROM disposal d JOIN disposal_plan p ON p.id = d.plan_id LEFT JOIN clip c ON c.id = d.clip_id"
)
# what a printed register lists: the files a run came to, and those of cancelled plans
ITEMS_DECIDED = "(d.state != 'planned' OR p.status = 'cancelled')"
ITEM_ACTIVITY = _own_or_clip("activity_id")


def disposal_items(where: str, params: tuple = (), *, page: int = 2000):
    """The files (:class:`DisposalItem`) matching ``where`` (SQL over ``d`` the record, ``p`` its plan, ``c`` its
    clip), in record order, read a page at a time by the record's id: constant memory whatever their number."""
    from avledger.models.db import database

    conv_time = Disposal.ingested_at.python_value
    conv_day = Disposal.keep_until.python_value
    last = 0
    while True:
        rows = database.execute_sql(
            f"{_ITEM_SQL} WHERE d.id > ? AND ({where}) ORDER BY d.id LIMIT {int(page)}", (last, *params)
        ).fetchall()
        for row in rows:
            values = list(row)
            for n in (7, 8, 13):
                values[n] = conv_time(values[n])
            values[10] = conv_day(values[10])
            yield DisposalItem(*values)
        if len(rows) < page:
            return
        last = rows[-1][0]


@dataclass
class RunResult:
    plan_id: int
    deleted: int = 0
    completed: int = 0  # "disposing" records whose file was gone: completed
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (clip id, reason)


class DisposalService:
    def __init__(self, ctx: Context, retention: RetentionService, ingest, staff):
        self.ctx = ctx
        self.retention = retention
        self.ingest = ingest
        self.staff = staff

    def due(self, *, limit: int | None = None) -> list[tuple[int, str]]:
        """The clips due for disposal today and held by nothing: (clip id, keep-until)."""
        sql = due_sql(self.ctx.profile()) + " ORDER BY 1" + (f" LIMIT {int(limit)}" if limit else "")
        return list(self.ctx.db.execute_sql(sql, self._due_params()))

    def _due_params(self, **more) -> dict:
        return due_params(self.ctx.profile(), today(self.ctx), **more)

    def due_count(self, *, cap: int | None = None) -> int:
        """How many clips are due (at most ``cap``: the home screen stops counting there)."""
        sql = f"SELECT count(*) FROM ({due_sql(self.ctx.profile())}{f' LIMIT {int(cap)}' if cap else ''})"
        return self.ctx.db.execute_sql(sql, self._due_params()).fetchone()[0]

    def _plan(self, plan_id: int | str) -> DisposalPlan:
        check_text(plan_id if isinstance(plan_id, str) else None, N_("清除计划编号"), field="plan_id")
        try:
            plan = DisposalPlan.get_or_none(DisposalPlan.id == int(plan_id))
        except ValueError:
            plan = None
        if plan is None:
            raise UserError("disposal.unknown_plan", "没有编号为 {id} 的清除计划", field="plan_id", id=plan_id)
        return plan

    def get(self, plan_id: int | str) -> DisposalPlan:
        return self._plan(plan_id)

    def items(self, plan: DisposalPlan) -> list[DisposalItem]:
        """The plan's files, each with its details (:class:`DisposalItem`)."""
        return list(self.iter_items(plan))

    def iter_items(self, plan: DisposalPlan):
        """The plan's files, streamed a page at a time (through the plan's index)."""
        return disposal_items("d.plan_id = ?", (plan.id,))

    def plans(self) -> list[DisposalPlan]:
        return list(DisposalPlan.select().order_by(DisposalPlan.id))

    @requires("disposal.plan")
    def plan(self) -> DisposalPlan | None:
        """Register a plan of every clip due today (None when nothing is due).

        The files are found and registered by one statement (INSERT … SELECT over :func:`due_sql`), in clip
        order, each record narrow (plan, clip, keep-until, planned); the plan's one audit entry holds their
        number and the SHA-256 over their records (:data:`~avledger.models.schema.COVERED`), which
        ``audit verify`` and ``dispose run`` derive again."""
        with self.ctx.change():
            plan = DisposalPlan.create(
                planned_at=self.ctx.clock(),
                planned_by=self.ctx.person() or self.ctx.acting().actor,
                due_on=today(self.ctx),
                files=0,
                bytes=0,
                items_digest="",
            )
            db = self.ctx.db
            # narrow records (plan, clip, keep-until; planned): what the file is comes from its clip until a run
            # comes to it. The statement reads the disposal table (the clips the standing plans take) while
            # writing it: SQLite finds all first, then writes, in clip order.
            db.execute_sql(
                f"INSERT INTO disposal (plan_id, clip_id, keep_until) SELECT :plan, id, keep"
                f" FROM ({due_sql(self.ctx.profile())}) ORDER BY id",
                self._due_params(plan=plan.id),
            )
            files, size = db.execute_sql(
                "SELECT count(*), coalesce(sum(c.size), 0) FROM disposal d JOIN clip c ON c.id = d.clip_id"
                " WHERE d.plan_id = ?",
                (plan.id,),
            ).fetchone()
            if not files:
                plan.delete_instance()  # never logged: as if it had not been made
                return None
            _count, digest = audit.covered_digest(db.connection(), "disposal", plan.id)
            plan.files, plan.bytes, plan.items_digest = files, size, digest
            plan.save()
            self.ctx.log("dispose_plan", plan, summary=f"{plan.id}：{files} SHA-256 {digest[:16]}")
        return plan

    def check_items(self, plan: DisposalPlan) -> None:
        """Refuse a plan whose files are not those its logged entry vouches for (a record of it changed,
        added or removed since it was planned: found by the digest, see ``audit verify``)."""
        if plan.items_digest is None:  # an older plan: each file's record has its own entry
            return
        conn = self.ctx.db.connection()
        logged = audit.logged_state(conn, "disposal_plan", plan.id) or {}
        digest = audit.covered_digest(conn, "disposal", plan.id)
        if digest != (logged.get("files"), logged.get("items_digest")) or audit.covered_unvouched(
            conn, "disposal", plan.id
        ):
            raise UserError(
                "disposal.tampered",
                "清除计划 {id} 的文件清单与审计日志不符，不能执行；请运行 audit verify",
                field="plan_id",
                id=plan.id,
            )

    @requires("disposal.approve", "disposal.record_paper")
    def approve(self, plan_id: int | str, by: str, *, paper_form: str | None = None) -> DisposalPlan:
        check_text(by, N_("批准人"), field="by")
        paper = optional_text(paper_form, N_("纸质审批表编号"), field="paper_form")
        with self.ctx.change():
            plan = self._plan(plan_id)
            if plan.status == "cancelled":
                raise UserError("disposal.cancelled", "清除计划 {id} 已经取消", field="plan_id", id=plan.id)
            if plan.status != "planned":
                raise UserError("disposal.decided", "清除计划 {id} 已经批准", field="plan_id", id=plan.id)
            approver = self.staff.get(by, field="by")
            if not approver.active:
                raise UserError(
                    "staff.left", "{name}（{number}）已离职", field="by", name=approver.name, number=approver.number
                )
            profile = self.ctx.profile()
            role = profile.get("retention.disposal_approver_role")
            if "disposal.approve" not in allowed(approver.role_list, profile):
                raise UserError(
                    "disposal.not_approver",
                    "{name}（{number}）不是{role}，不能批准清除计划",
                    field="by",
                    name=approver.name,
                    number=approver.number,
                    role=label(ROLES, role),
                )
            if approver.name == plan.planned_by or approver.number == plan.planned_by:
                raise UserError("disposal.self_approval", "不能批准本人拟定的清除计划", field="by")
            acting = self.ctx.acting()
            recorded_by = ""
            if acting.staff_id != approver.id:
                if not self.ctx.may("disposal.record_paper"):
                    raise UserError(
                        "disposal.approver_absent", "只有批准人本人可以批准；管理员可代为登记纸质审批", field="by"
                    )
                recorded_by = acting.person or acting.actor
                if not paper:
                    raise UserError(
                        "disposal.paper_form_needed",
                        "代为登记批准时须填写批准人签字的纸质审批表编号（--paper-form）",
                        field="paper_form",
                    )
            before = snapshot(plan)
            plan.status = "approved"
            plan.approved_by = approver
            plan.approved_at = self.ctx.clock()
            plan.paper_form_no = paper
            plan.recorded_by = recorded_by
            plan.save()
            self.ctx.log("dispose_approve", plan, before=before, summary=f"{plan.id} {approver.name}")
        return plan

    @requires("disposal.plan")
    def cancel(self, plan_id: int | str, *, reason: str) -> DisposalPlan:
        """Cancel a plan that has not started running: its files are not disposed of (shown ``skipped``,
        ``cancelled``) and free for a later plan. Refused once a file of it is being or has been deleted.

        A plan registered in bulk is cancelled by its own row alone (one statement, one entry, whatever the
        number of its files): its planned records stay as they were written, and the plan's status says they
        were not disposed of. An older plan's files, each with its own entry, are marked one by one."""
        reason = require_text(reason, N_("取消原因"), field="reason")
        with self.ctx.change():
            plan = self._plan(plan_id)
            if plan.status == "cancelled":
                raise UserError("disposal.cancelled", "清除计划 {id} 已经取消", field="plan_id", id=plan.id)
            started = Disposal.select().where((Disposal.plan == plan) & (Disposal.state != "planned")).exists()
            if plan.status == "done" or started:
                raise UserError("disposal.started", "清除计划 {id} 已经开始执行，不能取消", field="plan_id", id=plan.id)
            before = snapshot(plan)
            plan.status = "cancelled"
            plan.finished_at = self.ctx.clock()
            plan.cancel_reason = reason
            plan.save()
            self.ctx.log("dispose_cancel", plan, before=before, summary=f"{plan.id}：{reason}")
            if plan.items_digest is None:
                for item in Disposal.select().where(Disposal.plan == plan).order_by(Disposal.id):
                    self._mark(item, "skipped", reason="cancelled")
        return plan

    def _still_due(self, clip_id: int) -> bool:
        sql = due_sql(self.ctx.profile(), planned_too=True, one=True)
        rows = self.ctx.db.execute_sql(sql, self._due_params(clip=clip_id))
        return rows.fetchone() is not None

    def _mark(self, item: Disposal, state: str, *, reason: str = "", clip: Clip | None = None) -> None:
        """Give the file's record its state, with its own audit entry; ``clip``: copy what the file is (name,
        place, SHA-256, size, dates, activity) from the clip's row into a record that does not hold it yet (a
        file about to be deleted: its record is kept for ever)."""
        with self.ctx.change():
            before = snapshot(item)
            if clip is not None and item.sha256 is None:
                item.original_name = clip.original_name
                item.archive_path = clip.archive_path
                item.sha256 = clip.sha256
                item.size = clip.size
                item.recorded_at = clip.start_at
                item.ingested_at = clip.ingested_at
                item.activity = clip.activity_id
            item.state = state
            item.skip_reason = reason
            if state == "done":
                item.deleted_at = self.ctx.clock()
                item.deleted_by = self.ctx.person() or self.ctx.acting().actor
            item.save()
            name = item.original_name or (clip.original_name if clip else f"#{item.clip_id}")
            self.ctx.log(f"dispose_{state}", item, before=before, summary=f"{item.plan_id} {name}")

    def _as_logged(self, clip: Clip) -> bool:
        """True when the clip's row holds what the audit log last says of the columns a deleted file's record
        copies from it (a row changed behind the log is not copied, and its file not deleted)."""
        logged = audit.logged_state(self.ctx.db.connection(), "clip", clip.id)
        if logged is None:
            return False
        now = snapshot(clip)
        return all(logged.get(key) == now[key] for key in _COPIED)

    @requires("disposal.plan")
    def run(
        self, plan_id: int | str, *, progress: ProgressSink | None = None, cancel: CancelToken | None = None
    ) -> RunResult:
        """Delete the plan's files (approved, each re-checked); a re-run completes an interrupted one. The files
        are read a page at a time; each file's record gets what the file is from its clip's row (checked
        against the log) in the transaction that marks it ``disposing``, before the file is deleted."""
        plan = self._plan(plan_id)
        if plan.status == "planned":
            raise UserError("disposal.not_approved", "清除计划 {id} 尚未批准", field="plan_id", id=plan.id)
        if plan.status == "cancelled":
            raise UserError("disposal.cancelled", "清除计划 {id} 已经取消", field="plan_id", id=plan.id)
        self.check_items(plan)
        root: Path = self.ingest.archive_root()
        result = RunResult(plan.id)
        waiting = (Disposal.plan == plan) & Disposal.state.in_(("planned", "disposing"))
        count, total = self.ctx.db.execute_sql(
            "SELECT count(*), coalesce(sum(coalesce(d.size, c.size)), 0) FROM disposal d"
            " LEFT JOIN clip c ON c.id = d.clip_id WHERE d.plan_id = ? AND d.state IN ('planned', 'disposing')",
            (plan.id,),
        ).fetchone()
        done = 0
        n = 0
        last = 0
        while batch := list(Disposal.select().where(waiting & (Disposal.id > last)).order_by(Disposal.id).limit(500)):
            last = batch[-1].id
            for item in batch:
                n += 1
                clip = Clip.get_by_id(item.clip_id)
                name = item.original_name or clip.original_name
                size = item.size if item.size is not None else clip.size
                check_cancel(cancel)
                emit(progress, Progress("disposal", "delete", done, total, "bytes", n - 1, count, name))
                path = root / (item.archive_path or clip.archive_path)
                if item.state == "disposing" and not os.path.lexists(path):
                    self._mark(item, "done")  # deleted before the run was stopped
                    result.completed += 1
                    done += size
                    continue
                same_sha = item.sha256 or clip.sha256
                try:
                    same = path.is_file() and not path.is_symlink() and hash_file(path) == same_sha
                except OSError:
                    same = False
                if not same or (item.sha256 is None and not self._as_logged(clip)):
                    self._mark(item, "skipped", reason="changed")
                    result.skipped.append((item.clip_id, "changed"))
                    continue
                with self.ctx.change():  # the holds checked in the transaction that marks the file: none can slip in
                    if self._plan(plan.id).status == "cancelled":  # cancelled before this run marked a file
                        raise UserError("disposal.cancelled", "清除计划 {id} 已经取消", field="plan_id", id=plan.id)
                    # what the record copies is the clip as it is now (it may have been assigned elsewhere while
                    # the file was hashed), and still the file that was hashed
                    clip = Clip.get_by_id(item.clip_id)
                    if item.sha256 is None and (
                        root / clip.archive_path != path or clip.sha256 != same_sha or not self._as_logged(clip)
                    ):
                        skip = "changed"
                        self._mark(item, "skipped", reason=skip)
                    elif self._still_due(item.clip_id):
                        skip = ""
                        self._mark(item, "disposing", clip=clip)
                    else:
                        skip = "held"
                        self._mark(item, "skipped", reason=skip)
                if skip:
                    result.skipped.append((item.clip_id, skip))
                    continue
                path.unlink()
                fsync_dir(path.parent)
                self._mark(item, "done")
                result.deleted += 1
                done += size
        with self.ctx.change():
            plan = self._plan(plan.id)
            if plan.status != "done":  # run again after it finished: nothing more to record
                before = snapshot(plan)
                plan.status = "done"
                plan.finished_at = self.ctx.clock()
                plan.save()
                self.ctx.log("dispose_finish", plan, before=before, summary=f"{plan.id}")
        emit(progress, Progress("disposal", "done", done, total, "bytes", count, count))
        return result

    def disposed_paths(self) -> set[str]:
        return {p for (p,) in Disposal.select(Disposal.archive_path).where(deleted_file()).tuples()}
