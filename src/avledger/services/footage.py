"""Archived footage after ingest: listing, assigning, late reasons, gaps (F09),
and verification of the archive (F08)."""

from __future__ import annotations

import collections
import datetime as dt
import os
import stat
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path

from peewee import JOIN, fn

from avledger.digests import hash_file
from avledger.errors import UserError
from avledger.fsutil import TEMP_PREFIX
from avledger.i18n import N_
from avledger.models.audit import snapshot
from avledger.models.schema import Activity, Clip, Device, Gap, Loan, NoRecord, Staff
from avledger.progress import Cancelled, CancelToken, Progress, ProgressSink, emit
from avledger.progress import check as check_cancel
from avledger.services.activities import ActivityService
from avledger.services.base import Context, check_text, optional_text, require_choice, require_text
from avledger.services.ingest import LOCK_NAME, IngestService, refresh_gaps
from avledger.services.permissions import requires


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


VERIFY_KINDS = ("missing", "changed", "symlink", "special", "extra")
VERIFY_WORKERS = 2  # threads hashing the archive at once, never more than the cores (an office PC has two)


@dataclass(frozen=True)
class VerifyProblem:
    kind: str  # one of VERIFY_KINDS
    path: str
    clip_id: int | None


@dataclass
class ArchiveCheck:
    checked: int = 0
    bytes: int = 0
    problems: list[VerifyProblem] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)  # temporary files of a killed run (not problems)

    @property
    def ok(self) -> bool:
        return not self.problems


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

    def _query(self):
        return (
            Clip.select(Clip, Activity, Device, Staff)
            .join(Activity, JOIN.LEFT_OUTER, on=(Clip.activity == Activity.id))
            .switch(Clip)
            .join(Device, JOIN.LEFT_OUTER, on=(Clip.device == Device.id))
            .switch(Clip)
            .join(Staff, JOIN.LEFT_OUTER, on=(Clip.holder == Staff.id))
        )

    def list(
        self, *, activity: int | str | None = None, unassigned: bool = False, late: bool = False
    ) -> list[ClipView]:
        query = self._query()
        if activity not in (None, ""):
            query = query.where(Clip.activity == self.activities.get(activity, field="activity"))
        if unassigned:
            query = query.where(Clip.activity.is_null())
        if late:
            query = query.where(Clip.late == True)  # noqa: E712
        from avledger.services.clearance import Clearance

        clearance = Clearance(self.ctx)
        return [
            self._view(c)
            for c in query.order_by(Clip.start_at, Clip.id)
            if not c.activity_id or clearance.sees_activity(c.activity_id, c.activity.confidential)
        ]

    def view(self, clip_id: int | str) -> ClipView:
        return self._view(self._query().where(Clip.id == self.get(clip_id).id).get())

    def open(self, clip_id: int | str) -> ClipView:
        """A clip's details opened by a person (``footage show``): a clip of a confidential activity only for
        those cleared, and every opening of one, or attempt, is logged (F17)."""
        from avledger.services.clearance import require_cleared

        clip = self.get(clip_id)
        if clip.activity_id:
            require_cleared(self.ctx, [clip.activity], log_allowed=True)
        return self.view(clip.id)

    @staticmethod
    def _view(c: Clip) -> ClipView:
        activity = c.activity if c.activity_id else None
        device = c.device if c.device_id else None
        holder = c.holder if c.holder_id else None
        return ClipView(
            c.id,
            c.original_name,
            c.archive_path,
            c.kind,
            c.size,
            c.sha256,
            c.start_at,
            c.time_source,
            c.duration_s,
            c.width,
            c.height,
            c.codecs,
            c.activity_id,
            (activity.case_no or activity.title) if activity else None,
            device.asset_no if device else None,
            holder.name if holder else None,
            holder.number if holder else None,
            c.ingested_at,
            c.deadline_at,
            c.late,
            c.late_reason,
            tuple(f for f in c.flags.split(",") if f),
        )

    @requires("footage.edit")
    def assign(self, clip_id: int | str, activity_id: int | str) -> ClipView:
        """Attribute a clip to an activity. The archived file stays where it is (its path is registered)."""
        check_text(clip_id if isinstance(clip_id, str) else None, N_("音像文件编号"), field="clip_id")
        check_text(activity_id if isinstance(activity_id, str) else None, N_("执法活动编号"), field="activity_id")
        with self.ctx.change():
            clip = self.get(clip_id)
            activity = self.activities.get(activity_id)
            if clip.activity_id == activity.id:
                raise UserError(
                    "clip.already_assigned",
                    "音像文件 {id} 已属于执法活动 {activity}",
                    field="activity_id",
                    id=clip.id,
                    activity=activity.id,
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
            self.ctx.log("assign", clip, before=before, summary=f"{clip.original_name} → {activity.id}")
            if clip.device_id:
                if old_activity:
                    refresh_gaps(self.ctx, clip.device_id, old_activity)
                refresh_gaps(self.ctx, clip.device_id, activity.id)
        return self.view(clip.id)

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
            if not clip.late:
                raise UserError("clip.not_late", "音像文件 {id} 没有逾期，无需说明", field="clip_id", id=clip.id)
            before = snapshot(clip)
            clip.late_reason = reason
            clip.save()
            self.ctx.log("late_reason", clip, before=before, summary=f"{clip.original_name}：{reason}")
        return self.view(clip.id)

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
        query = Clip.select(Clip.id, Clip.archive_path, Clip.sha256, Clip.size).order_by(Clip.id)
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
                after={"checked": check.checked, **counts},
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
                .tuples()
                .iterator()
                if "/" not in row[0][len(prefix) :]
            }
            for name in names:
                rel = prefix + name
                if name.startswith(TEMP_PREFIX):
                    check.leftovers.append(rel)
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

    def list(self, *, activity: int | str | None = None, open_only: bool = False) -> list[GapView]:
        query = Gap.select(Gap, Activity, Device).join(Activity).switch(Gap).join(Device).order_by(Gap.start_at, Gap.id)
        if activity not in (None, ""):
            query = query.where(Gap.activity == self.activities.get(activity, field="activity"))
        if open_only:
            query = query.where(Gap.reason.is_null())
        from avledger.services.clearance import Clearance

        clearance = Clearance(self.ctx)  # confidential activities only for those cleared (F17)
        return [self._view(g) for g in query if clearance.sees_activity(g.activity_id, g.activity.confidential)]

    @staticmethod
    def _view(g: Gap) -> GapView:
        return GapView(
            g.id,
            g.activity_id,
            g.activity.case_no or g.activity.title,
            g.device.asset_no,
            g.after_clip_id,
            g.before_clip_id,
            g.start_at,
            g.end_at,
            g.minutes,
            g.reason,
            g.note,
            g.reported,
        )

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
        return self._view(
            Gap.select(Gap, Activity, Device).join(Activity).switch(Gap).join(Device).where(Gap.id == gap.id).get()
        )
