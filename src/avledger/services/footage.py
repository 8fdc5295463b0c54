"""Archived footage after ingest: listing, assigning, late reasons, gaps (F09),
and verification of the archive (F08)."""

from __future__ import annotations

import collections
import datetime as dt
import os
import stat
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from peewee import fn

from avledger.digests import hash_file
from avledger.errors import UserError
from avledger.fsutil import TEMP_PREFIX, JobLock
from avledger.i18n import N_
from avledger.models.audit import snapshot
from avledger.models.schema import Activity, Clip, Device, Disposal, Gap, Loan, NoRecord, Staff, deleted_file
from avledger.progress import Cancelled, CancelToken, Progress, ProgressSink, emit
from avledger.progress import check as check_cancel
from avledger.services import leftovers, listing, search
from avledger.services.activities import ActivityService
from avledger.services.base import Context, check_text, optional_text, require_choice, require_text
from avledger.services.ingest import LOCK_NAME, IngestService, refresh_gaps
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
from avledger.timeutil import fmt_local
from avledger.vocab import CLIP_KINDS


@dataclass(frozen=True)
class ClipView:
    id: int
    original_name: str
    archive_path: str
    kind: str
    size: int
    sha256: str
    start_at: dt.datetime | None
    time_source: str
    duration_s: float | None
    width: int | None
    height: int | None
    codecs: str
    activity_id: int | None
    activity: str | None
    asset_no: str | None
    holder: str | None
    holder_number: str | None
    ingested_at: dt.datetime
    deadline_at: dt.datetime | None
    late: bool
    late_reason: str | None
    flags: tuple[str, ...]


@dataclass(frozen=True)
class GapView:
    id: int
    activity_id: int
    activity: str
    asset_no: str
    after_clip_id: int
    before_clip_id: int
    start_at: dt.datetime
    end_at: dt.datetime
    minutes: int
    reason: str | None
    note: str
    reported: bool


CLIP_ROWS = Rows(
    ClipView,
    [
        Column("id", "c.id", INT),
        Column("original_name", "c.original_name"),
        Column("archive_path", "c.archive_path"),
        Column("kind", "c.kind"),
        Column("size", "c.size", INT),
        Column("sha256", "c.sha256"),
        Column("start_at", "c.start_at", DATETIME),
        Column("time_source", "c.time_source"),
        Column("duration_s", "c.duration_s", FLOAT),
        Column("width", "c.width", INT),
        Column("height", "c.height", INT),
        Column("codecs", "c.codecs"),
        Column("activity_id", "c.activity_id", INT),
        Column("activity", "CASE WHEN a.id IS NULL THEN NULL WHEN a.case_no != '' THEN a.case_no ELSE a.title END"),
        Column("asset_no", "d.asset_no"),
        Column("holder", "s.name"),
        Column("holder_number", "s.number"),
        Column("ingested_at", "c.ingested_at", DATETIME),
        Column("deadline_at", "c.deadline_at", DATETIME),
        Column("late", "c.late", BOOL),
        Column("late_reason", "c.late_reason"),
        Column("flags", "c.flags", WORDS),
    ],
)
CLIP_JOINS = (
    "LEFT JOIN activity a ON a.id = c.activity_id LEFT JOIN device d ON d.id = c.device_id"
    " LEFT JOIN staff s ON s.id = c.holder_id"
)

GAP_ROWS = Rows(
    GapView,
    [
        Column("id", "g.id", INT),
        Column("activity_id", "g.activity_id", INT),
        Column("activity", "CASE WHEN a.case_no != '' THEN a.case_no ELSE a.title END"),
        Column("asset_no", "d.asset_no"),
        Column("after_clip_id", "g.after_clip_id", INT),
        Column("before_clip_id", "g.before_clip_id", INT),
        Column("start_at", "g.start_at", DATETIME),
        Column("end_at", "g.end_at", DATETIME),
        Column("minutes", "g.minutes", INT),
        Column("reason", "g.reason"),
        Column("note", "g.note"),
        Column("reported", "g.reported", BOOL),
    ],
)


@dataclass(frozen=True)
class FootageQuery:
    """Which clips a footage listing shows, in which order."""

    activity: int | str | None = None  # an activity's clips only
    unassigned: bool = False  # clips not attributed to an activity
    late: bool = False  # clips collected after their deadline
    text: str = ""  # what is typed in the filter (avledger.services.search)
    newest_first: bool = False
    waiting_reason: bool = False  # late clips whose reason is still to be given (the home screen counts them)


# What a clip's flags say on screen (avledger.tui.text.clip_flags), for the filter.
FLAG_WORDS = {
    N_("未归入活动"): "c.activity_id IS NULL",
    N_("逾期采集"): "c.late = 1 AND coalesce(c.late_reason, '') != ''",
    N_("逾期待说明"): "c.late = 1 AND coalesce(c.late_reason, '') = ''",
    N_("文件损坏"): "(',' || c.flags || ',') LIKE '%,corrupt,%'",
}


def seen_activities(clearance, activity: str, confidential: str) -> Condition | None:
    """The rows whose activity (its id and confidential columns) the person at the keyboard may see (F17),
    as SQL; None when they see all. A row without an activity is seen."""
    if clearance.sees_all:
        return None
    cleared = sorted(clearance.cleared_activities())
    return Condition(
        f"({activity} IS NULL OR {confidential} = 0 OR {activity} IN (SELECT value FROM json_each(?)))",
        ("[" + ",".join(str(i) for i in cleared) + "]",),
    )


VERIFY_KINDS = ("missing", "changed", "symlink", "special", "extra")
VERIFY_WORKERS = 2  # threads hashing the archive at once, never more than the cores (an office PC has two)


@dataclass(frozen=True)
class VerifyProblem:
    kind: str  # one of VERIFY_KINDS
    path: str
    clip_id: int | None


@dataclass(frozen=True)
class Leftover:
    """A temporary file a killed run left: in the archive (its path there), or a disc build's partial image in
    a folder a build recorded (its full path)."""

    path: str
    size: int


@dataclass
class ArchiveCheck:
    checked: int = 0
    bytes: int = 0
    problems: list[VerifyProblem] = field(default_factory=list)
    leftovers: list[Leftover] = field(default_factory=list)  # temporary files of killed runs

    @property
    def ok(self) -> bool:
        """Nothing missing, changed or strange, and nothing a killed run left (the archive is not complete
        while a killed ingest's partial copy lies in it)."""
        return not self.problems and not self.leftovers


@dataclass(frozen=True)
class WaitingView:
    """Footage the 24-hour rule is waiting for: a device back without any of its footage
    archived, or an activity that must be recorded in full, ended, with no footage yet."""

    kind: str  # loan | activity
    id: int
    asset_no: str | None
    holder: str | None
    activity: str | None
    since: dt.datetime  # return or end of the activity
    deadline_at: dt.datetime
    hours_left: float  # negative once overdue


class FootageService:
    def __init__(self, ctx: Context, activities: ActivityService, ingest: IngestService):
        """``ingest`` gives the archive (verify) and the collection deadlines (assign)."""
        self.ctx = ctx
        self.activities = activities
        self.ingest = ingest

    def get(self, clip_id: int | str, *, field: str = "clip_id") -> Clip:
        """The archived clip with that id; ``field``: the caller's parameter that named it."""
        check_text(clip_id if isinstance(clip_id, str) else None, N_("音像文件编号"), field=field)
        try:
            key = int(clip_id)
        except (TypeError, ValueError):
            key = None
        clip = Clip.get_or_none(Clip.id == key) if key is not None else None
        if clip is None:
            raise UserError("clip.unknown", "没有这个编号的音像文件：{id}", field=field, id=clip_id)
        return clip

    # --- listing ---------------------------------------------------------------------------
    def _select(self, query: FootageQuery) -> Select:
        from avledger.services.clearance import Clearance

        desc = query.newest_first
        select = Select(
            "clip c",
            (SortKey("c.start_at", desc=desc, nullable=True), SortKey("c.id", desc=desc)),
            CLIP_JOINS,
            index="clip_start",
        )
        if query.activity not in (None, ""):
            select.where("c.activity_id = ?", self.activities.get(query.activity, field="activity").id)
            select.index = None  # the activity's own index finds its clips in order
        if query.unassigned:
            select.where("c.activity_id IS NULL")
        if query.late:
            select.where("c.late = 1")
        if query.waiting_reason:  # written as the clip_late_waiting index is, so that it counts them
            select.where("c.late = 1 AND (c.late_reason IS NULL OR c.late_reason = '')")
        seen = seen_activities(Clearance(self.ctx), "c.activity_id", "a.confidential")
        if seen is not None:
            select.also(seen)
        tz = self.ctx.profile().tz
        return select.search(self._word(w, tz) for w in search.words(query.text))

    @staticmethod
    def _word(word: str, tz) -> Condition:
        """A clip whose name, activity (title, case, party, place, officers), device, holder, number, date,
        kind or flags hold ``word``."""
        name = search.contains("c.original_name", word)
        found = [
            Condition(name.row, name.params, *search.CLIP_TEXT.matches("c.id", word).sql(False)),
            search.ACTIVITY_TEXT.matches("c.activity_id", word),
            Condition("c.device_id IN (SELECT id FROM device WHERE asset_no LIKE ? ESCAPE '\\')", (search.like(word),)),
            Condition(
                "c.holder_id IN (SELECT id FROM staff WHERE name LIKE ? ESCAPE '\\' OR number LIKE ? ESCAPE '\\')",
                (search.like(word),) * 2,
            ),
            search.one_of("c.kind", search.label_ids(CLIP_KINDS, word)),
        ]
        if (n := search.number(word)) is not None:
            found.append(Condition("c.id = ?", (n,)))
        if (period := search.during("c.start_at", word, tz)) is not None:
            found.append(period)
        found += [Condition(sql) for text, sql in FLAG_WORDS.items() if search.said(text, word)]
        return any_of(found)

    def page(
        self,
        query: FootageQuery = FootageQuery(),
        after: Cursor | None = None,
        limit: int = 200,
        *,
        quick: bool = False,
    ) -> Page[ClipView]:
        """The clips of ``query`` after ``after``, at most ``limit``."""
        return listing.page(self.ctx.db, CLIP_ROWS, self._select(query), after, limit, quick=quick)

    def count(self, query: FootageQuery = FootageQuery()) -> int:
        return listing.count(self.ctx.db, self._select(query))

    def rows(self, query: FootageQuery = FootageQuery()) -> Iterator[ClipView]:
        """Every clip of ``query``, streamed."""
        return listing.rows(self.ctx.db, CLIP_ROWS, self._select(query))

    def write_json(self, query: FootageQuery, out: BinaryIO) -> int:
        """Every clip of ``query`` as the JSON list ``footage list --json`` prints, streamed to ``out``."""
        return listing.write_json(self.ctx.db, CLIP_ROWS, self._select(query), out)

    def list(
        self, *, activity: int | str | None = None, unassigned: bool = False, late: bool = False
    ) -> list[ClipView]:
        """The clips in time order (confidential ones only for those cleared: F17)."""
        return list(self.rows(FootageQuery(activity, unassigned, late)))

    def view(self, clip_id: int | str) -> ClipView:
        select = Select("clip c", (SortKey("c.id"),), CLIP_JOINS).where("c.id = ?", self.get(clip_id).id)
        return next(listing.rows(self.ctx.db, CLIP_ROWS, select))

    def open(self, clip_id: int | str) -> ClipView:
        """A clip's details opened by a person (``footage show``): a clip of a confidential activity only for
        those cleared, and every opening of one, or attempt, is logged (F17)."""
        from avledger.services.clearance import require_cleared

        clip = self.get(clip_id)
        if clip.activity_id:
            require_cleared(self.ctx, [clip.activity], log_allowed=True)
        return self.view(clip.id)

    @requires("footage.edit")
    def assign(self, clip_id: int | str, activity_id: int | str, *, reason: str = "") -> ClipView:
        """Attribute a clip to an activity. The archived file stays where it is (its path is registered). A clip
        recorded outside the activity's time (with the profile's ``ingest.assign_margin_minutes`` either side) needs
        ``reason``."""
        check_text(clip_id if isinstance(clip_id, str) else None, N_("音像文件编号"), field="clip_id")
        check_text(activity_id if isinstance(activity_id, str) else None, N_("执法活动编号"), field="activity_id")
        reason = optional_text(reason, N_("归属原因"), field="reason")
        with self.ctx.change():
            clip = self.get(clip_id)
            activity = self.activities.get(activity_id)
            self._recount(activity, [self._assign(clip, activity, reason)])
        return self.view(clip.id)

    @requires("footage.edit")
    def assign_many(self, clip_ids: Sequence[int | str], activity_id: int | str, *, reason: str = "") -> list[ClipView]:
        """Attribute several clips to one activity, each checked as :meth:`assign` checks one and logged as
        one (``reason`` for those recorded outside its time); when any is refused (unknown, already in that
        activity, outside its time without a reason) none is assigned."""
        check_text(activity_id if isinstance(activity_id, str) else None, N_("执法活动编号"), field="activity_id")
        reason = optional_text(reason, N_("归属原因"), field="reason")
        ids = self._chosen(clip_ids)
        with self.ctx.change():
            activity = self.activities.get(activity_id)
            clips = [self.get(i, field="clip_ids") for i in ids]
            self._recount(activity, [self._assign(clip, activity, reason) for clip in clips])
        return [self.view(clip.id) for clip in clips]

    def outside(self, clip: Clip, activity: Activity) -> bool:
        """The clip was recorded (in part) outside the activity's time, the profile's
        ``ingest.assign_margin_minutes`` either side (a clip recorded that close to it is still of its time:
        cameras are switched on on the way, clocks drift); a clip without a recording time is never outside."""
        if clip.start_at is None:
            return False
        start, end = self.activities.window(activity)
        stop = clip.start_at + dt.timedelta(seconds=clip.duration_s or 0)
        margin = dt.timedelta(minutes=self.ctx.profile().get("ingest.assign_margin_minutes"))
        return clip.start_at < start - margin or stop > end + margin

    def watch_edit(self, activity: Activity) -> Callable[..., None]:
        """What an edit of ``activity`` changes in its clips (:data:`~avledger.services.activities.EditWatcher`):
        once its times changed, each clip's collection deadline and late flag are computed again as ingest
        and assign compute them (a clip no longer late loses its late reason; one late now waits for one), and
        a clip the new times leave outside the activity (:meth:`outside`) needs ``outside_reason``, as
        assigning it would; it is logged for each such clip."""
        clips = list(Clip.select().where(Clip.activity == activity.id).order_by(Clip.id))
        was_outside = {c.id for c in clips if self.outside(c, activity)}

        def follow(edited: Activity, *, times: bool, why: str, outside_reason: str = "") -> None:
            if not times:
                return
            tz = self.ctx.profile().tz
            start, end = self.activities.window(edited)
            now_outside = [c for c in clips if c.id not in was_outside and self.outside(c, edited)]
            if now_outside and not outside_reason:
                first = now_outside[0]
                raise UserError(
                    "activity.clips_outside",
                    "修改后执法活动 {activity} 的时间（{start} 至 {end}）不包括音像文件 {id}（{name}，录制于 {at}）"
                    "等 {n} 个文件；须说明其仍属于该活动的原因，或先将其归入其他执法活动",
                    field="outside_reason",
                    activity=edited.id,
                    start=fmt_local(start, tz),
                    end=fmt_local(end, tz),
                    id=first.id,
                    name=first.original_name,
                    at=fmt_local(first.start_at, tz),
                    n=len(now_outside),
                )
            for clip in now_outside:
                self.ctx.log(
                    "outside",
                    entity="clip",
                    entity_id=clip.id,
                    summary=f"{clip.original_name} ∉ {edited.id}：{outside_reason}",
                )
            for clip in clips:
                deadline = self.ingest.deadline(clip.device_id, edited, clip.start_at, clip.duration_s)
                late = bool(deadline and clip.ingested_at > deadline)
                if deadline == clip.deadline_at and late == clip.late:
                    continue
                before = snapshot(clip)
                clip.deadline_at = deadline
                clip.late = late
                if not late:
                    clip.late_reason = None
                clip.save()
                when = fmt_local(deadline, tz) if deadline else "—"
                self.ctx.log("deadline", clip, before=before, summary=f"{clip.original_name}：{when}（{why}）")

        return follow

    def _recount(self, activity: Activity, moved: list[tuple[int | None, int | None]]) -> None:
        """The gaps of each device whose clips were assigned to ``activity``, recounted once all are moved:
        there first (a gap whose two clips both came comes along, with its reason), then where they were."""
        devices = sorted({device for device, _old in moved if device})
        for device in devices:
            refresh_gaps(self.ctx, device, activity.id)
        for device, old in sorted({(d, o) for d, o in moved if d and o}):
            refresh_gaps(self.ctx, device, old)

    def _assign(self, clip: Clip, activity: Activity, reason: str = "") -> tuple[int | None, int | None]:
        """Assign one clip (the gaps are recounted by the caller): its device and the activity it was in."""
        if clip.activity_id == activity.id:
            raise UserError(
                "clip.already_assigned",
                "音像文件 {id} 已属于执法活动 {activity}",
                field="activity_id",
                id=clip.id,
                activity=activity.id,
            )
        if not reason and self.outside(clip, activity):
            tz = self.ctx.profile().tz
            start, end = self.activities.window(activity)
            raise UserError(
                "clip.outside_activity",
                "音像文件 {id}（{name}）录制于 {at}，不在执法活动 {activity} 的时间（{start} 至 {end}）内；"
                "归入须说明原因",
                field="reason",
                id=clip.id,
                name=clip.original_name,
                at=fmt_local(clip.start_at, tz),
                activity=activity.id,
                start=fmt_local(start, tz),
                end=fmt_local(end, tz),
            )
        old_activity = clip.activity_id
        before = snapshot(clip)
        clip.activity = activity
        deadline = self.ingest.deadline(clip.device_id, activity, clip.start_at, clip.duration_s)
        clip.deadline_at = deadline
        clip.late = bool(deadline and clip.ingested_at > deadline)
        if not clip.late:
            clip.late_reason = None
        clip.save()
        summary = f"{clip.original_name} → {activity.id}" + (f"：{reason}" if reason else "")
        self.ctx.log("assign", clip, before=before, summary=summary)
        return clip.device_id, old_activity

    @staticmethod
    def _chosen(clip_ids: Sequence[int | str]) -> list[int | str]:
        """The clips a call names, each once, in the order given; refused when none is named."""
        ids: list[int | str] = []
        for clip_id in clip_ids:
            check_text(clip_id if isinstance(clip_id, str) else None, N_("音像文件编号"), field="clip_ids")
            if str(clip_id).strip() not in {str(i).strip() for i in ids}:
                ids.append(clip_id)
        if not ids:
            raise UserError("clip.none_chosen", "没有选择音像文件", field="clip_ids")
        return ids

    def waiting(self, *, overdue_days: int = 7) -> list[WaitingView]:
        """What the collection deadline is still waiting for, soonest deadline first.

        Loans returned without any clip of that device recorded during the loan, and
        activities to be recorded in full that ended without footage or a not-recorded
        work record. Deadlines passed more than ``overdue_days`` ago are left out.
        """
        now = self.ctx.clock()
        profile = self.ctx.profile()
        hours = dt.timedelta(hours=profile.get("ingest.deadline_hours"))
        oldest = now - hours - dt.timedelta(days=overdue_days)
        rows: list[WaitingView] = []
        if profile.get("ingest.deadline_from") == "return":
            loans = (
                Loan.select(Loan, Device, Staff)
                .join(Device)
                .switch(Loan)
                .join(Staff)
                .where((Loan.end_kind == "return") & (Loan.end_at >= oldest))
            )
            for loan in loans:
                recorded = (
                    Clip.select()
                    .where(
                        (Clip.device == loan.device_id)
                        & (Clip.start_at >= loan.start_at)
                        & (Clip.start_at <= loan.end_at)
                    )
                    .exists()
                )
                if not recorded:
                    deadline = loan.end_at + hours
                    rows.append(
                        WaitingView(
                            "loan",
                            loan.id,
                            loan.device.asset_no,
                            loan.holder.name,
                            None,
                            loan.end_at,
                            deadline,
                            round((deadline - now).total_seconds() / 3600, 1),
                        )
                    )
        activities = Activity.select().where(
            Activity.full_record
            & Activity.end_at.is_null(False)
            & (Activity.end_at >= oldest)
            & (Activity.end_at <= now)
        )
        from avledger.services.clearance import Clearance

        clearance = Clearance(self.ctx)  # a confidential activity is named only to those cleared (F17)
        for activity in activities:
            if (
                Clip.select().where(Clip.activity == activity).exists()
                or NoRecord.select().where(NoRecord.activity == activity).exists()
                or not clearance.sees_activity(activity.id, activity.confidential)
            ):
                continue
            deadline = activity.end_at + hours
            rows.append(
                WaitingView(
                    "activity",
                    activity.id,
                    None,
                    None,
                    activity.case_no or activity.title,
                    activity.end_at,
                    deadline,
                    round((deadline - now).total_seconds() / 3600, 1),
                )
            )
        return sorted(rows, key=lambda r: (r.deadline_at, r.kind, r.id))

    @requires("footage.edit")
    def explain_late(self, clip_id: int | str, reason: str) -> ClipView:
        """逾期说明: why footage reached the archive after the deadline."""
        reason = require_text(reason, N_("逾期原因"), field="reason")
        check_text(clip_id if isinstance(clip_id, str) else None, N_("音像文件编号"), field="clip_id")
        with self.ctx.change():
            clip = self.get(clip_id)
            self._explain_late(clip, reason, "clip_id")
        return self.view(clip.id)

    @requires("footage.edit")
    def explain_late_many(self, clip_ids: Sequence[int | str], reason: str) -> list[ClipView]:
        """One 逾期说明 for several clips (a card collected late): each logged as :meth:`explain_late` logs
        one; when any is unknown or not late, none is changed."""
        reason = require_text(reason, N_("逾期原因"), field="reason")
        ids = self._chosen(clip_ids)
        with self.ctx.change():
            clips = [self.get(i, field="clip_ids") for i in ids]
            for clip in clips:
                self._explain_late(clip, reason, "clip_ids")
        return [self.view(clip.id) for clip in clips]

    def waiting_reason(self, activity: int | str) -> list[int]:
        """The late clips of an activity whose reason is still to be given, in time order."""
        return [c.id for c in self.rows(FootageQuery(activity=activity, waiting_reason=True))]

    def _explain_late(self, clip: Clip, reason: str, field: str) -> None:
        if not clip.late:
            raise UserError("clip.not_late", "音像文件 {id} 没有逾期，无需说明", field=field, id=clip.id)
        before = snapshot(clip)
        clip.late_reason = reason
        clip.save()
        self.ctx.log("late_reason", clip, before=before, summary=f"{clip.original_name}：{reason}")

    # --- verify ------------------------------------------------------------------
    @requires("footage.verify")
    def verify(
        self,
        *,
        activity: int | str | None = None,
        progress: ProgressSink | None = None,
        cancel: CancelToken | None = None,
    ) -> ArchiveCheck:
        """Re-hash archived files; report missing, changed and (whole archive only) extra files. Logged.

        The files are hashed by a small pool of threads (one per core: hashlib lets go of the GIL, and so
        does reading), each reading its file once into the buffer its thread keeps
        (:func:`~avledger.digests.hash_file`); a few files at most are in hand at once, and their results
        are taken in the register's order, so memory stays flat and the report reads as before.

        Cancelled (:class:`~avledger.progress.Cancelled`), nothing is logged.
        """
        root = self.ingest.archive_root()
        check = ArchiveCheck()
        # a disposed clip's file is expected absent (清除处理): not checked, and reported as extra if present
        gone = Disposal.select(Disposal.clip).where(deleted_file())
        query = (
            Clip.select(Clip.id, Clip.archive_path, Clip.sha256, Clip.size)
            .where(Clip.id.not_in(gone))
            .order_by(Clip.id)
        )
        scope = None
        if activity not in (None, ""):
            scope = self.activities.get(activity, field="activity")
            query = query.where(Clip.activity == scope)
        totals = query.select(fn.COUNT(Clip.id), fn.COALESCE(fn.SUM(Clip.size), 0)).order_by()
        files, total = totals.scalar(as_tuple=True)
        done = 0
        stop = threading.Event()

        def report(phase: str, extra: int = 0, current: str = "") -> None:
            check_cancel(cancel)
            emit(
                progress, Progress("archive_verify", phase, done + extra, total, "bytes", check.checked, files, current)
            )

        def examine(path: Path, clip_size: int, sha: str, read: list[int]) -> tuple[str | None, int]:
            """In a worker: what stands at the clip's place, and whether its content is the registered one."""

            def on_bytes(n: int) -> None:
                read[0] = n
                if stop.is_set() or (cancel is not None and cancel.cancelled):
                    raise Cancelled

            kind, size = _archived_state(path)
            if kind is None and (size != clip_size or hash_file(path, on_bytes=on_bytes) != sha):
                kind = "changed"
            return kind, size

        workers = max(1, min(VERIFY_WORKERS, os.cpu_count() or 1))
        pending: collections.deque[tuple[Future, object, list[int]]] = collections.deque()
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="avledger-verify") as pool:
            try:
                clips = query.tuples().iterator()
                while True:
                    while len(pending) < 2 * workers:  # a few files in hand, whatever the archive's size
                        clip = next(clips, None)
                        if clip is None:
                            break
                        read = [0]
                        future = pool.submit(examine, root / clip[1], clip[3], clip[2], read)
                        pending.append((future, clip, read))
                    if not pending:
                        break
                    future, (clip_id, archive_path, _sha, clip_size), read = pending[0]
                    try:
                        kind, size = future.result(timeout=0.2)
                    except FutureTimeout:  # a long file: say how far the files in hand are
                        report("files", sum(r[0] for _f, _c, r in pending), archive_path)
                        continue
                    pending.popleft()
                    if kind is not None:
                        check.problems.append(VerifyProblem(kind, archive_path, clip_id))
                    check.checked += 1
                    check.bytes += size
                    done += clip_size
                    report("files", sum(r[0] for _f, _c, r in pending), archive_path)
            finally:
                stop.set()  # an error or a cancel: the workers stop at their next chunk
                for future, _clip, _read in pending:
                    future.cancel()
        if scope is None and root.is_dir():
            self._unregistered(root, check, lambda: report("extra"))
            if JobLock.held(root / LOCK_NAME):  # an ingest runs: its temporary files are its work in hand
                check.leftovers.clear()
            check.leftovers += [Leftover(str(p), size) for p, size in leftovers.stale(self.ingest.home)]
            check.leftovers += [Leftover(str(p), n) for p, n in leftovers.stale_spills(self.ingest.home.path)]
        check_cancel(cancel)  # asked to stop at the very end: still nothing logged
        counts = {k: sum(1 for p in check.problems if p.kind == k) for k in VERIFY_KINDS}
        summary = f"{'activity ' + str(scope.id) if scope else 'all'}: {check.checked} checked, " + ", ".join(
            f"{n} {k}" for k, n in counts.items() if n or k in ("missing", "changed", "extra")
        )
        with self.ctx.change():
            self.ctx.log(
                "verify",
                entity="archive",
                entity_id=scope.id if scope else None,
                summary=summary,
                after={"checked": check.checked, **counts, "leftovers": len(check.leftovers)},
            )
        emit(progress, Progress("archive_verify", "done", total, total, "bytes", check.checked, files))
        return check

    @staticmethod
    def _unregistered(root: Path, check: ArchiveCheck, tick: Callable[[], None]) -> None:
        """Every file in the archive that is not a registered clip, whatever its name, folder by folder:
        the folder's registered names come from the archive_path index, so memory does not grow with the
        archive. Symbolic links are reported, never followed; avledger's own temporary files are leftovers
        of a killed run (reported, not problems); its lock file is its own."""
        for dirpath, dirnames, names in os.walk(root):
            tick()
            here = Path(dirpath)
            rel_dir = here.relative_to(root).as_posix()
            prefix = "" if rel_dir == "." else rel_dir + "/"
            for name in dirnames:
                if (here / name).is_symlink():
                    check.problems.append(VerifyProblem("symlink", prefix + name, None))
            if not names:
                continue
            known = {
                row[0][len(prefix) :]
                for row in Clip.select(Clip.archive_path)
                .where((Clip.archive_path >= prefix) & (Clip.archive_path < prefix + "\U0010ffff"))
                .where(Clip.id.not_in(Disposal.select(Disposal.clip).where(deleted_file())))
                .tuples()
                .iterator()
                if "/" not in row[0][len(prefix) :]
            }
            for name in names:
                rel = prefix + name
                if name.startswith(TEMP_PREFIX):
                    check.leftovers.append(Leftover(rel, _archived_state(here / name)[1]))
                elif prefix == "" and name == LOCK_NAME:
                    continue
                elif name not in known:
                    kind, _size = _archived_state(here / name)
                    check.problems.append(VerifyProblem(kind if kind in ("symlink", "special") else "extra", rel, None))


def _archived_state(path: Path) -> tuple[str | None, int]:
    """What stands at an archived clip's place, without following a link: None and its size for a regular
    file, else "missing", "symlink" (a clip moved away and a link to a copy put in its place) or "special"."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return "missing", 0
    if stat.S_ISLNK(st.st_mode):
        return "symlink", 0
    if not stat.S_ISREG(st.st_mode):
        return "special", 0
    return None, st.st_size


class GapService:
    def __init__(self, ctx: Context, activities: ActivityService):
        self.ctx = ctx
        self.activities = activities

    def _select(self, activity: int | str | None, open_only: bool) -> Select:
        from avledger.services.clearance import Clearance

        select = Select(
            "gap g",
            (SortKey("g.start_at"), SortKey("g.id")),
            "JOIN activity a ON a.id = g.activity_id JOIN device d ON d.id = g.device_id",
        )
        if activity not in (None, ""):
            select.where("g.activity_id = ?", self.activities.get(activity, field="activity").id)
        if open_only:
            select.where("g.reason IS NULL")
        seen = seen_activities(Clearance(self.ctx), "g.activity_id", "a.confidential")  # F17
        return select.also(seen) if seen is not None else select

    def rows(self, *, activity: int | str | None = None, open_only: bool = False) -> Iterator[GapView]:
        return listing.rows(self.ctx.db, GAP_ROWS, self._select(activity, open_only))

    def write_json(self, out: BinaryIO, *, activity: int | str | None = None, open_only: bool = False) -> int:
        return listing.write_json(self.ctx.db, GAP_ROWS, self._select(activity, open_only), out)

    def list(self, *, activity: int | str | None = None, open_only: bool = False) -> list[GapView]:
        return list(self.rows(activity=activity, open_only=open_only))

    @requires("footage.edit")
    def explain(self, gap_id: int | str, reason: str, *, note: str = "", reported: bool = False) -> GapView:
        """中断说明: the reason of an interruption and whether a written report was made."""
        check_text(gap_id if isinstance(gap_id, str) else None, N_("中断编号"), field="gap_id")
        require_choice(reason, self.ctx.profile().get("ingest.gap_reasons"), N_("中断原因"), field="reason")
        note = optional_text(note, N_("说明"), field="note")
        with self.ctx.change():
            try:
                gap = Gap.get_or_none(Gap.id == int(gap_id))
            except (TypeError, ValueError):
                gap = None
            if gap is None:
                raise UserError("gap.unknown", "没有这个编号的记录中断：{id}", field="gap_id", id=gap_id)
            before = snapshot(gap)
            gap.reason = reason
            gap.note = note
            gap.reported = bool(reported)
            gap.save()
            self.ctx.log("explain", gap, before=before, summary=f"{gap.id} {reason}")
        select = Select(
            "gap g", (SortKey("g.id"),), "JOIN activity a ON a.id = g.activity_id JOIN device d ON d.id = g.device_id"
        )
        return next(listing.rows(self.ctx.db, GAP_ROWS, select.where("g.id = ?", gap.id)))
