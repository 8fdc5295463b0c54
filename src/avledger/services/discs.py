"""Disc archives in the register (刻录光盘, F12 to F14).

Footage that must be kept long-term (the activity's long-term reasons that
the profile lists as ``disc.triggers``) goes onto write-once discs in two
identical copies. :meth:`DiscService.plan` splits an activity's or a case's
footage over discs of one medium; :meth:`DiscService.build` registers the set
and writes one image per disc (``avledger.burners.iso``); :meth:`burn` writes
a copy to a drive, reads it back and registers it with where it is kept;
:meth:`verify` recognises a disc from its ``bag-info.txt`` and checks every
file. Re-checks fall due by the profile (``disc.recheck_years``, at least
``disc.recheck_percent`` of the discs each time).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import math
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from avledger.burners import burn as burner
from avledger.burners.iso import SourceChanged, build_image, payload_names
from avledger.burners.plan import DiscPlan, SourceFile, image_bytes, plan_discs
from avledger.burners.verify import DiscProblem, read_disc
from avledger.digests import hash_file
from avledger.errors import PartlyDone, UserError
from avledger.fsutil import (
    OWN_PREFIX,
    PRIVATE_DIR,
    JobLock,
    is_space_error,
    make_dirs,
    require_space,
    require_writable_folder,
    windows_text,
)
from avledger.i18n import N_, _
from avledger.models import audit
from avledger.models.audit import snapshot
from avledger.models.schema import Activity, Clip, Disc, DiscBurn, DiscCheck, DiscCopy, DiscSet
from avledger.progress import Cancelled, CancelToken, Progress, ProgressSink, emit
from avledger.progress import check as check_cancel
from avledger.services import leftovers, listing
from avledger.services.activities import ActivityService
from avledger.services.base import Context, check_text, optional_text, require_text
from avledger.services.clearance import require_cleared
from avledger.services.ingest import IngestService
from avledger.services.listing import DATETIME, INT, Column, Cursor, Page, Rows, Select, SortKey
from avledger.services.permissions import requires
from avledger.services.typeset import Typesetter
from avledger.timeutil import fmt_local, to_local
from avledger.vocab import LONG_TERM_REASONS

log = logging.getLogger(__name__)


# --- events and rows -----------------------------------------------------------------
@dataclass(frozen=True)
class CopyView:
    id: int
    copy: int
    drive: str
    burned_at: dt.datetime
    burned_by: str
    kept_at: str
    verified: bool
    verified_at: dt.datetime | None


@dataclass(frozen=True)
class CheckView:
    id: int
    copy: int | None
    at: dt.datetime
    kind: str
    result: str
    problems: tuple[dict, ...]
    by: str


@dataclass(frozen=True)
class BurnView:
    id: int
    copy: int
    drive: str
    started_at: dt.datetime
    started_by: str
    state: str  # burning (its burner runs) | interrupted (registered burning, its burner gone) | burned | failed
    ended_at: dt.datetime | None
    failure: str


@dataclass(frozen=True)
class DiscView:
    id: int
    set_id: int
    number: int
    discs: int
    volume_id: str
    files: int
    payload_bytes: int
    image_path: str | None
    image_sha256: str | None
    size: int | None
    built_at: dt.datetime | None
    copies: tuple[CopyView, ...]
    checks: tuple[CheckView, ...]
    burns: tuple[BurnView, ...] = ()

    @property
    def unfinished(self) -> tuple[BurnView, ...]:
        """The burns still registered as running: live, or interrupted (for disc verify to end)."""
        return tuple(b for b in self.burns if b.state in ("burning", "interrupted"))

    @property
    def built(self) -> bool:
        return self.image_sha256 is not None

    @property
    def verified_copies(self) -> int:
        return sum(1 for c in self.copies if c.verified)

    @property
    def last_check(self) -> CheckView | None:
        return self.checks[-1] if self.checks else None


@dataclass(frozen=True)
class DiscSetView:
    id: int
    activity_id: int | None
    case_no: str
    title: str  # the activity's title or the case name
    media: str
    created_at: dt.datetime
    created_by: str
    discs: tuple[DiscView, ...]

    @property
    def built(self) -> bool:
        return all(d.built for d in self.discs)

    def complete(self, copies: int) -> bool:
        return all(d.verified_copies >= copies for d in self.discs)


@dataclass(frozen=True)
class DiscTarget:
    """An activity that must go to disc, and how far it got."""

    activity_id: int
    title: str
    case_no: str
    reasons: tuple[str, ...]
    clips: int
    state: str  # none | built | partly | done


@dataclass(frozen=True)
class BurnResult:
    disc: DiscView
    copy: CopyView
    ok: bool
    problems: tuple[DiscProblem, ...]


@dataclass(frozen=True)
class VerifyResult:
    disc: DiscView
    ok: bool
    checked: int
    problems: tuple[DiscProblem, ...]
    resumed: str | None = None  # an interrupted burn this read-back ended: "completed" or "failed"
    copy: int | None = None  # the copy of that burn


@dataclass(frozen=True)
class DueDisc:
    disc_id: int
    volume_id: str
    title: str
    last_check: dt.datetime
    kept_at: tuple[str, ...]


@dataclass(frozen=True)
class Rechecks:
    due: tuple[DueDisc, ...]  # oldest check first
    required: int  # how many to check now (the profile's percent of all discs, at least one when any is due)
    total: int


@dataclass(frozen=True)
class DiscRow:
    """A disc of the register, as its list shows it."""

    id: int
    set_id: int
    number: int
    discs: int
    volume_id: str
    title: str
    case_no: str
    media: str
    size: int | None
    built: bool
    copies: tuple[tuple[int, str, bool], ...]  # (copy, kept at, verified), by copy
    burning: tuple[int, ...]  # the copies with a burn registered as running (or interrupted)
    last_check_at: dt.datetime | None
    last_check_result: str | None


_SEP, _FIELD = "\x1f", "\x1e"


def _copies(text: str | None) -> tuple[tuple[int, str, bool], ...]:
    copies = []
    for item in (text or "").split(_SEP):
        if item:
            number, verified, kept_at = item.split(_FIELD, 2)
            copies.append((int(number), kept_at, verified == "1"))
    return tuple(copies)


# A set's name: its activity's title, or the case name (or title) of the case's first activity.
_SET_TITLE = (
    "CASE WHEN s.activity_id IS NOT NULL THEN (SELECT title FROM activity WHERE id = s.activity_id)"
    " ELSE coalesce((SELECT CASE WHEN x.case_name != '' THEN x.case_name ELSE x.title END FROM activity x"
    " WHERE x.case_no = s.case_no ORDER BY x.start_at LIMIT 1), s.case_no) END"
)
_LAST_CHECK = "(SELECT {field} FROM disc_check k WHERE k.disc_id = d.id ORDER BY k.at DESC, k.id DESC LIMIT 1)"

DISC_ROWS = Rows(
    DiscRow,
    [
        Column("id", "d.id", INT),
        Column("set_id", "d.set_id", INT),
        Column("number", "d.number", INT),
        Column("discs", "s.discs", INT),
        Column("volume_id", "d.volume_id"),
        Column("title", _SET_TITLE),
        Column("case_no", "CASE WHEN s.case_no != '' THEN s.case_no ELSE coalesce(a.case_no, '') END"),
        Column("media", "s.media"),
        Column("size", "d.size", INT),
        Column("built", "d.image_sha256 IS NOT NULL", listing.BOOL),
        Column(
            "copies",
            f"(SELECT group_concat(item, '{_SEP}') FROM (SELECT c.copy || '{_FIELD}' || (c.verified != 0) || '{_FIELD}'"
            " || c.kept_at AS item FROM disc_copy c WHERE c.disc_id = d.id ORDER BY c.copy))",
            decode=_copies,
        ),
        Column(
            "burning",
            "(SELECT group_concat(b.copy) FROM disc_burn b WHERE b.disc_id = d.id AND b.state = 'burning')",
            decode=lambda text: tuple(sorted({int(n) for n in (text or "").split(",") if n})),
        ),
        Column("last_check_at", _LAST_CHECK.format(field="k.at"), DATETIME),
        Column("last_check_result", _LAST_CHECK.format(field="k.result")),
    ],
)
DISC_JOINS = "JOIN disc_set s ON s.id = d.set_id LEFT JOIN activity a ON a.id = s.activity_id"

# The discs of activity a's sets (its own, or its case's), and how far they got (DiscTarget.state)
_MINE = "(s.activity_id = a.id OR (s.case_no != '' AND s.case_no = a.case_no))"
_TARGET_STATE = (
    "CASE"
    f" WHEN EXISTS (SELECT 1 FROM disc_set s WHERE {_MINE} AND NOT EXISTS (SELECT 1 FROM disc d WHERE d.set_id = s.id"
    " AND (SELECT count(*) FROM disc_copy c WHERE c.disc_id = d.id AND c.verified) < ?)) THEN 'done'"
    f" WHEN EXISTS (SELECT 1 FROM disc_set s JOIN disc d ON d.set_id = s.id JOIN disc_copy c ON c.disc_id = d.id"
    f" WHERE {_MINE}) THEN 'partly'"
    f" WHEN EXISTS (SELECT 1 FROM disc_set s WHERE {_MINE} AND NOT EXISTS (SELECT 1 FROM disc d WHERE d.set_id = s.id"
    " AND d.image_sha256 IS NULL)) THEN 'built'"
    " ELSE 'none' END"
)


DISC_TARGET_STATES = {
    "none": N_("未刻录"),
    "built": N_("已制作镜像"),
    "partly": N_("未完成两份"),
    "done": N_("已完成"),
}


def _volume_id(set_id: int, number: int, when: dt.datetime) -> str:
    """An ASCII volume identifier of at most 16 characters (Joliet's limit): date, set and disc."""
    vid = f"AVL{when:%y%m%d}S{set_id}D{number}"
    return vid if len(vid) <= 16 else f"AVS{set_id}D{number}"[:16]


def same_place_text(other: CopyView) -> str:
    """The caution for a copy to be kept where ``other`` is (:meth:`DiscService.same_place`)."""
    return _("第 {other} 份也存放在“{place}”：两份同在一处，一次火灾、水浸或失窃会同时损毁，宜分开存放").format(
        other=other.copy, place=other.kept_at
    )


class DiscService:
    def __init__(self, ctx: Context, activities: ActivityService, ingest: IngestService, typesetter: Typesetter):
        self.ctx = ctx
        self.activities = activities
        self.ingest = ingest  # the archive
        self.typesetter = typesetter  # for the printable description on each disc (说明.pdf)

    def get(self, volume_id: str, *, field: str = "volume_id") -> Disc:
        """The registered disc with that volume id; ``field``: the caller's parameter that named it."""
        check_text(volume_id, N_("卷标"), field=field)
        disc = Disc.get_or_none(Disc.volume_id == (volume_id or "").strip())
        if disc is None:
            raise UserError("disc.unknown", "没有这个卷标的光盘：{volume}", field=field, volume=volume_id)
        return disc

    # --- what must go to disc ------------------------------------------------------------
    def _targets(self) -> tuple[Rows[DiscTarget], Select]:
        from avledger.services.activities import ActivityQuery

        profile = self.ctx.profile()
        triggers = tuple(profile.get("disc.triggers"))
        rows = Rows(
            DiscTarget,
            [
                Column("activity_id", "a.id", INT),
                Column("title", "a.title"),
                Column("case_no", "a.case_no"),
                Column(
                    "reasons",
                    "a.long_term",
                    decode=lambda text: tuple(r for r in (text or "").split(",") if r and r in triggers),
                ),
                Column("clips", "(SELECT count(*) FROM clip WHERE clip.activity_id = a.id)", INT),
                Column("state", _TARGET_STATE, params=(profile.get("disc.copies"),)),
            ],
        )
        return rows, self.activities._select(ActivityQuery(long_term=triggers))

    def targets(self) -> list[DiscTarget]:
        """The activities that must go to disc (their long-term reasons include a trigger), newest first."""
        rows, select = self._targets()
        return list(listing.rows(self.ctx.db, rows, select))

    def count_unfinished_targets(self) -> int:
        """How many activities must go to disc (F12) whose discs are not yet burned in every copy and verified."""
        _rows, select = self._targets()
        return listing.count(
            self.ctx.db, select.where(f"({_TARGET_STATE}) != 'done'", self.ctx.profile().get("disc.copies"))
        )

    def page_targets(self, after: Cursor | None = None, limit: int = 200) -> Page[DiscTarget]:
        rows, select = self._targets()
        return listing.page(self.ctx.db, rows, select, after, limit)

    def count_targets(self) -> int:
        return listing.count(self.ctx.db, self._targets()[1])

    # --- plan ---------------------------------------------------------------------------------
    def _source(self, activity: int | str | None, case_no: str | None) -> tuple[Activity | None, str, list[Activity]]:
        check_text(activity if isinstance(activity, str) else None, N_("执法活动编号"), field="activity")
        check_text(case_no, N_("案号"), field="case_no")
        if (activity in (None, "")) == (case_no in (None, "")):
            raise UserError("input.one_of", "请指定执法活动编号或案号（二选一）")
        if activity not in (None, ""):
            found = self.activities.get(activity, field="activity")
            require_cleared(self.ctx, [found])  # a confidential activity's footage only for those cleared (F17)
            return found, "", [found]
        case_no = (case_no or "").strip()
        acts = list(Activity.select().where(Activity.case_no == case_no).order_by(Activity.start_at))
        if not acts:
            raise UserError("case.unknown", "没有这个案号的执法活动：{no}", field="case_no", no=case_no)
        require_cleared(self.ctx, acts)
        return None, case_no, acts

    def _files(self, acts: list[Activity]) -> list[SourceFile]:
        root = self.ingest.archive_root()
        clips = Clip.select().where(Clip.activity.in_([a.id for a in acts])).order_by(Clip.start_at, Clip.id)
        return [SourceFile(c.id, c.original_name, c.size, c.sha256, root / c.archive_path) for c in clips]

    @requires("discs.edit")
    def plan(
        self,
        *,
        activity: int | str | None = None,
        case_no: str | None = None,
        media: str = "dvd",
        capacity_bytes: int | None = None,
    ) -> DiscPlan:
        """Which files go on which disc (nothing is written)."""
        check_text(media, N_("光盘类型"), field="media")
        _, _, acts = self._source(activity, case_no)
        return plan_discs(self._files(acts), media, capacity_bytes=capacity_bytes)

    # --- build --------------------------------------------------------------------------------
    @requires("discs.edit")
    def build(
        self,
        out: str | Path,
        *,
        activity: int | str | None = None,
        case_no: str | None = None,
        media: str = "dvd",
        capacity_bytes: int | None = None,
        progress: ProgressSink | None = None,
        cancel: CancelToken | None = None,
    ) -> DiscSetView:
        """Register the set and write one image per disc into ``out``.

        Cancelled (:class:`~avledger.progress.Cancelled`), the images written so far stay registered, the one
        in hand is removed, and a re-run finishes the set.

        A re-run with the same footage resumes the set that has no burned copy yet: images already
        written are kept, missing ones are written, leftovers of an interrupted run are removed.
        """
        check_text(out if isinstance(out, str) else None, N_("输出目录"), field="out")
        check_text(media, N_("光盘类型"), field="media")
        source_activity, case, acts = self._source(activity, case_no)
        plan = plan_discs(self._files(acts), media, capacity_bytes=capacity_bytes)
        for f in (f for d in plan.discs for f in d.files):
            if not f.path.is_file() or f.path.stat().st_size != f.size:
                raise UserError(
                    "archive.file_missing", "存储中缺少文件 {path}，请先运行 avledger verify", path=str(f.path)
                )
        folder = Path(out).expanduser().resolve()
        require_writable_folder(folder, field="out")
        try:
            make_dirs(folder, PRIVATE_DIR)  # a folder it creates is private; the images are (fsutil.PRIVATE_FILE)
        except OSError as exc:
            raise UserError(
                "write.failed", "无法创建目录 {path}：{err}", field="out", path=str(folder), err=exc.strerror
            ) from None
        home = self.ingest.home
        lock = leftovers.build_lock(home, folder)
        if not lock.acquire():
            raise UserError(
                "disc.build_busy", "另一个制作任务正在写入目录 {path}，请等它结束后再试", field="out", path=str(folder)
            )
        try:
            # the partial images of builds that were killed, here or in a folder recorded by an earlier build
            leftovers.start(home, folder)
            # room for the images still to write, before anything is registered (issue 17)
            resumed = self._resumable(source_activity, case, plan)
            written = {d.number: d for d in resumed.disc_list} if resumed is not None else {}
            missing = [p for p in plan.discs if not _image_done(written.get(p.number), folder)]
            require_space(
                folder, sum(image_bytes(p) for p in missing), N_("镜像输出目录"), files=len(missing), field="out"
            )
            # the description is checked before anything is registered: a missing font, a character it cannot
            # draw or an office's template typst refuses is refused with nothing changed (the texts are the same
            # on every disc but for ASCII ids); it is printed once, for its disc
            self._tags(
                DiscSet(id=0, case_no=case),
                Disc(id=0, number=1, volume_id="AVL000000S0D1"),
                len(plan.discs),
                plan.discs[0].files,
                acts,
                check_only=True,
            )
            with self.ctx.change():
                disc_set = self._resumable(source_activity, case, plan)
                fresh = disc_set is None
                if fresh:
                    disc_set = self._register_set(source_activity, case, plan)
            discs = list(disc_set.disc_list.order_by(Disc.number))
            try:
                self._write_images(disc_set, discs, plan, folder, acts, progress, cancel)
            except Exception:
                if fresh and not any(d.image_sha256 for d in disc_set.disc_list):
                    try:
                        self._withdraw(disc_set)  # registered only with an image: the set this run planned goes again
                    except Exception:  # noqa: BLE001 - the failure that stopped the build is the one to report
                        log.warning("disc set %s not withdrawn", disc_set.id, exc_info=True)
                raise
            return self.view_set(disc_set.id)
        finally:
            try:
                leftovers.finish(home, folder)
            except OSError:  # the record stays; the next build or verify finds the folder again
                pass
            lock.release()

    def _write_images(self, disc_set, discs, plan, folder, acts, progress, cancel) -> None:
        """Write and register each disc's image not yet written into ``folder``, in order."""
        for disc, planned in zip(discs, plan.discs):
            target = folder / f"{disc.volume_id}.iso"
            if _image_done(disc, folder):
                continue
            tags = self._tags(disc_set, disc, len(discs), planned.files, acts)
            manifest_sha = _sha(tags["manifest-sha256.txt"])

            def report(event: Progress, n=disc.number) -> None:
                emit(progress, replace(event, item=n, items=len(discs)))

            try:
                image = build_image(target, disc.volume_id, planned.files, tags, progress=report, cancel=cancel)
            except SourceChanged as exc:
                raise UserError(
                    "archive.file_changed",
                    "存储中的文件与登记的指纹不一致，未制作镜像：{names}（请运行 avledger verify）",
                    names="、".join(exc.names),
                ) from None
            except FileNotFoundError as exc:
                raise UserError(
                    "archive.file_missing", "存储中缺少文件 {path}，请先运行 avledger verify", path=str(exc.filename)
                ) from None
            except OSError as exc:
                if is_space_error(exc):
                    raise self._folder_full(folder, discs, disc) from None
                raise UserError(
                    "write.failed",
                    "写入镜像 {path} 失败：{err}",
                    field="out",
                    path=str(target),
                    err=exc.strerror or str(exc),
                ) from None
            with self.ctx.change():
                before = snapshot(disc)
                disc.image_path, disc.image_sha256, disc.size = str(image.path), image.sha256, image.size
                disc.manifest_sha256, disc.built_at = manifest_sha, self.ctx.clock()
                disc.save()
                self.ctx.log(
                    "disc_build",
                    disc,
                    before=before,
                    summary=f"{disc.volume_id} {disc.number}/{len(discs)} {image.size}",
                )

    @staticmethod
    def _folder_full(folder: Path, discs: list[Disc], stopped_at: Disc) -> UserError:
        """The output folder's disk filled while an image was written (the partial image is removed): the
        images written before it stay registered, and a re-run once there is room writes the rest."""
        done = sum(1 for d in discs if d.number < stopped_at.number)
        if not done:
            return UserError(
                "space.ran_out",
                "镜像输出目录 {path} 的空间已用完，写入镜像 {volume} 时停止；未留下镜像，也未登记，请腾出空间后再试",
                field="out",
                path=str(folder),
                volume=stopped_at.volume_id,
            )
        return PartlyDone(
            "space.ran_out",
            "镜像输出目录 {path} 的空间已用完，写入镜像 {volume} 时停止：已写成并登记 {done} 张光盘的镜像，"
            "余下 {left} 张未写；腾出空间后再次运行同一命令即可完成",
            field="out",
            path=str(folder),
            volume=stopped_at.volume_id,
            done=done,
            left=len(discs) - done,
        )

    def _withdraw(self, disc_set: DiscSet) -> None:
        """Take back a set this build registered when none of its images could be written: a disc set is in
        the register only with its images (a re-run plans it again). Its planning and its withdrawal both stay
        in the audit log."""
        with self.ctx.change():
            for disc in disc_set.disc_list:
                before = snapshot(disc)
                disc.delete_instance()
                self.ctx.log("delete", entity="disc", entity_id=disc.id, before=before, summary=disc.volume_id)
            before = snapshot(disc_set)
            disc_set.delete_instance()
            self.ctx.log("delete", entity="disc_set", entity_id=disc_set.id, before=before, summary=f"{disc_set.id}")

    def _resumable(self, activity: Activity | None, case: str, plan: DiscPlan) -> DiscSet | None:
        query = DiscSet.select().where(DiscSet.media == plan.media).order_by(DiscSet.id.desc())
        query = query.where(DiscSet.activity == activity.id) if activity else query.where(DiscSet.case_no == case)
        wanted = [",".join(str(f.clip_id) for f in d.files) for d in plan.discs]
        for candidate in query:
            discs = list(candidate.disc_list.order_by(Disc.number))
            if [d.clip_ids for d in discs] != wanted:
                continue
            if DiscCopy.select().join(Disc).where(Disc.disc_set == candidate).exists():
                return None
            return candidate
        return None

    def _register_set(self, activity: Activity | None, case: str, plan: DiscPlan) -> DiscSet:
        now = self.ctx.clock()
        disc_set = DiscSet.create(
            activity=activity,
            case_no=case,
            media=plan.media,
            discs=len(plan.discs),
            created_at=now,
            created_by=self.ctx.person(),
        )
        self.ctx.log(
            "disc_plan",
            disc_set,
            summary=f"{disc_set.id} {activity.title if activity else case} {plan.media} × {len(plan.discs)}",
        )
        local = to_local(now, self.ctx.profile().tz)
        for planned in plan.discs:
            disc = Disc.create(
                disc_set=disc_set,
                number=planned.number,
                volume_id=_volume_id(disc_set.id, planned.number, local),
                clip_ids=",".join(str(f.clip_id) for f in planned.files),
                files=len(planned.files),
                payload_bytes=planned.payload_bytes,
            )
            self.ctx.log("create", disc, summary=f"{disc.volume_id} {planned.number}/{len(plan.discs)}")
        return disc_set

    def _tags(
        self,
        disc_set: DiscSet,
        disc: Disc,
        count: int,
        files: list[SourceFile],
        acts: list[Activity],
        *,
        check_only: bool = False,
    ) -> dict[str, bytes]:
        """The bag's tag files and the description (``说明.pdf``); with ``check_only``, the description is
        only checked (:meth:`Typesetter.check_form`), not printed."""
        tz = self.ctx.profile().tz
        unit = self.ctx.office().unit
        maker = self.ctx.person()
        made = fmt_local(self.ctx.clock(), tz)
        first = acts[0]
        case_no = disc_set.case_no or first.case_no
        case_name = first.case_name
        activity_text = "；".join(f"{a.id} {a.title}" for a in acts)
        names = payload_names(files)
        manifest = "".join(f"{f.sha256}  data/{name}\n" for f, name in zip(files, names))
        info = [
            ("Source-Organization", unit),
            ("Contact-Name", maker),
            ("Bagging-Date", to_local(self.ctx.clock(), tz).date().isoformat()),
            ("External-Identifier", disc.volume_id),
            ("Bag-Count", f"{disc.number} of {count}"),
            ("Payload-Oxum", f"{sum(f.size for f in files)}.{len(files)}"),
            ("Avledger-Made-At", made),
            ("Avledger-Case-No", case_no),
            ("Avledger-Case-Name", case_name),
            ("Avledger-Activity", activity_text),
            ("Avledger-Set-Id", str(disc_set.id)),
            ("Avledger-Disc-Id", str(disc.id)),
            ("Avledger-Clip-Ids", ",".join(str(f.clip_id) for f in files)),
            ("Avledger-Audit-Head", str(audit.head(self.ctx.db))),  # a witness of the log (avledger.witness)
        ]
        reasons = sorted({r for a in acts for r in a.long_term.split(",") if r})
        lines = [
            "执法音像记录光盘说明",
            "",
            f"制作单位：{unit}",
            f"制作人：{maker}",
            f"制作时间：{made}",
            f"案件名称：{case_name or '（无）'}",
            f"案号：{case_no or '（无）'}",
            f"执法活动：{activity_text}",
            f"长期保存情形：{'、'.join(LONG_TERM_REASONS.get(r, r) for r in reasons) or '（无）'}",
            f"光盘：第 {disc.number} 张，共 {count} 张（卷标 {disc.volume_id}，登记编号 {disc.id}）",
            f"份数：一式 {self.ctx.profile().get('disc.copies')} 份",
            f"文件：{len(files)} 个，共 {sum(f.size for f in files)} 字节",
            "",
            "文字说明材料（作为证据调取时）：",
            f"制作人：{maker}",
            f"调取人：{maker}",
            f"调取时间：{made}",
            "",
            "文件清单（名称、大小、SHA-256）：",
            *(f"{name}  {f.size}  {f.sha256}" for f, name in zip(files, names)),
            "",
            "校验：manifest-sha256.txt 列出每个文件的 SHA-256（BagIt, RFC 8493）。",
        ]
        tags = {
            "bagit.txt": b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
            "bag-info.txt": "".join(f"{k}: {v}\n" for k, v in info).encode("utf-8"),
            "manifest-sha256.txt": manifest.encode("utf-8"),
            "说明.txt": windows_text("\n".join(lines) + "\n"),
        }
        fields = [
            ("制作单位", unit),
            ("制作人", maker),
            ("制作时间", made),
            ("案件名称", case_name or "（无）"),
            ("案号", case_no or "（无）"),
            ("执法活动", activity_text),
            ("长期保存情形", "、".join(LONG_TERM_REASONS.get(r, r) for r in reasons) or "（无）"),
            ("光盘", f"第 {disc.number} 张，共 {count} 张"),
            ("卷标", disc.volume_id),
            ("登记编号", str(disc.id)),
            ("份数", f"一式 {self.ctx.profile().get('disc.copies')} 份"),
            ("文件", f"{len(files)} 个，共 {sum(f.size for f in files)} 字节"),
        ]
        sheet = [
            ("制作人", maker),
            ("调取人", maker),
            ("调取时间", made),
            (
                "说明",
                "本光盘所载音像资料由存储中的原始文件复制，未作任何改动；"
                "每个文件的 SHA-256 见 manifest-sha256.txt，文件清单见 说明.txt。",
            ),
        ]
        description = {
            "title": "执法音像记录光盘说明",
            "fields": fields,
            "sheet": sheet,
            "note": "校验：manifest-sha256.txt 列出每个文件的 SHA-256（BagIt, RFC 8493）。",
        }
        if check_only:
            self.typesetter.check_form("disc-description", description)
        else:
            tags["说明.pdf"] = self.typesetter.render_form("disc-description", description)
        return tags

    # --- burn ------------------------------------------------------------------------------------
    def _disc_of_image(self, image: Path) -> Disc:
        import pycdlib
        from pycdlib.pycdlibexception import PyCdlibException

        if not image.is_file():
            raise UserError("disc.no_image", "没有这个镜像文件：{path}", field="image", path=str(image))
        iso = pycdlib.PyCdlib()
        try:
            iso.open(str(image))
            volume_id = iso.pvd.volume_identifier.decode("ascii", "replace").strip()
            iso.close()
        except PyCdlibException:
            raise UserError("disc.not_an_image", "{path} 不是光盘镜像", field="image", path=str(image)) from None
        disc = Disc.get_or_none(Disc.volume_id == volume_id)
        if disc is None or not disc.image_sha256:
            raise UserError("disc.foreign", "{path} 不是本登记库制作的光盘镜像", field="image", path=str(image))
        return disc

    @requires("discs.edit")
    def burn(
        self,
        image: str | Path,
        drive: str,
        copy: int,
        *,
        kept_at: str = "",
        progress: ProgressSink | None = None,
        cancel: CancelToken | None = None,
    ) -> BurnResult:
        """Burn copy 1 or 2 of a disc from its image, read it back and register it.

        The burn is registered (``burning``, with the drive and the time) once the image is checked and before
        xorriso starts, and a lock held while it runs; it ends ``burned`` with the copy registered, or ``failed``
        with the reason. xorriso ends with avledger (:func:`avledger.burners.burn.burn_image`). Cancelled
        (:class:`~avledger.progress.Cancelled`) while checking the image, nothing is registered; while writing
        the disc, xorriso is stopped and the burn marked failed; once the disc is written, the read-back and the
        registration finish. Killed while burning, the burn stays ``burning`` with no burner: ``disc verify``
        completes or fails it (:meth:`verify`).
        """
        check_text(image if isinstance(image, str) else None, N_("镜像文件"), field="image")
        check_text(drive, N_("刻录机"), field="drive")
        kept_at = optional_text(kept_at, N_("存放位置"), field="kept_at")
        copies = self.ctx.profile().get("disc.copies")
        if copy not in range(1, copies + 1):
            raise UserError("input.out_of_range", "份号应为 1 到 {n}", field="copy", n=copies)
        burner.drive_path(drive)
        path = Path(image).expanduser().resolve()
        disc = self._disc_of_image(path)
        disc_set = disc.disc_set
        require_cleared(
            self.ctx,
            [disc_set.activity]
            if disc_set.activity_id
            else Activity.select().where(Activity.case_no == disc_set.case_no),
        )
        existing = DiscCopy.get_or_none((DiscCopy.disc == disc) & (DiscCopy.copy == copy))
        if existing is not None and existing.verified:
            raise UserError(
                "disc.copy_done",
                "光盘 {volume} 的第 {copy} 份已刻录并核验（{at}）",
                field="copy",
                volume=disc.volume_id,
                copy=copy,
                at=fmt_local(existing.verified_at, self.ctx.profile().tz),
            )
        if path.stat().st_size != disc.size:
            raise UserError(
                "disc.image_changed", "镜像 {path} 与制作时登记的指纹不一致，请重新制作", field="image", path=str(path)
            )

        def report(event: Progress) -> None:
            emit(progress, replace(event, current=disc.volume_id))

        lock = JobLock(self._burn_lock(disc.id, copy))
        if not lock.acquire():
            raise self._busy(disc, copy)
        burn: DiscBurn | None = None
        written = False

        def started() -> None:
            """The image is checked and xorriso about to start: the burn is registered (and logged) first."""
            nonlocal burn
            with self.ctx.change():
                for stale in self.interrupted(disc.id):  # we hold this copy's lock: these burners are gone
                    if stale.copy == copy:
                        self._end_burn(stale, "failed", "刻录中断，未经核验；已重新刻录")
                burn = DiscBurn.create(
                    disc=disc,
                    copy=copy,
                    drive=drive.strip(),
                    started_at=self.ctx.clock(),
                    started_by=self.ctx.person(),
                    state="burning",
                )
                self.ctx.log("disc_burn_start", burn, summary=f"{disc.volume_id} 第{copy}份 {burn.drive}")

        try:
            try:
                burner.burn_image(
                    path, drive, sha256=disc.image_sha256, progress=report, cancel=cancel, on_start=started
                )
            except burner.ImageChanged:
                # the image changed since it was built: nothing is burned or registered
                raise UserError(
                    "disc.image_changed",
                    "镜像 {path} 与制作时登记的指纹不一致，请重新制作",
                    field="image",
                    path=str(path),
                ) from None
            written = True
            # once xorriso has written the disc, the copy exists: its read-back runs to the end (not cancellable)
            # so that it is registered, verified or not, rather than left a disc the register does not know
            ok = burner.read_back(drive, disc.size, progress=report) == disc.image_sha256
            problems: tuple[DiscProblem, ...] = ()
            if not ok:
                problems = tuple(self._find_problems(drive)) or (DiscProblem("image", disc.volume_id),)
            assert burn is not None
            row = self._register_copy(disc, burn, ok, problems, kept_at=kept_at)
        except BaseException as exc:
            # a disc xorriso wrote but that could not be read back (or registered) stays "burning": with its
            # burner gone, it is an interrupted burn that disc verify completes or fails from the disc itself
            if burn is not None and not written:
                self._burn_failed(burn, exc)
            raise
        finally:
            lock.release()
        return BurnResult(self.view_disc(disc.id), self._copy_view(row), ok, problems)

    def _register_copy(
        self, disc: Disc, burn: DiscBurn, ok: bool, problems, *, kept_at: str | None = None, note: str = ""
    ) -> DiscCopy:
        """A burn that wrote its disc: the copy registered (verified or not) and the burn marked burned."""
        now = self.ctx.clock()
        copy = burn.copy
        with self.ctx.change():
            who = self.ctx.person()
            existing = DiscCopy.get_or_none((DiscCopy.disc == disc) & (DiscCopy.copy == copy))
            if existing is None:
                row = DiscCopy.create(
                    disc=disc,
                    copy=copy,
                    drive=burn.drive,
                    burned_at=now,
                    burned_by=who,
                    kept_at=kept_at or "",
                    verified=ok,
                    verified_at=now if ok else None,
                )
                before = None
            else:
                row, before = existing, snapshot(existing)
                row.drive, row.burned_at, row.burned_by = burn.drive, now, who
                if kept_at is not None:
                    row.kept_at = kept_at
                row.verified, row.verified_at = ok, now if ok else None
                row.save()
            self.ctx.log(
                "disc_burn",
                row,
                before=before,
                summary=f"{disc.volume_id} 第{copy}份 {'ok' if ok else 'failed'} {row.kept_at}{note}".rstrip(),
            )
            self._end_burn(burn, "burned")
            self._record_check(disc, row, "burn", problems)
        return row

    def _end_burn(self, burn: DiscBurn, state: str, failure: str = "") -> None:
        """Within a change: the burn ended (burned or failed, with its reason), logged."""
        before = snapshot(burn)
        burn.state, burn.ended_at, burn.failure = state, self.ctx.clock(), failure
        burn.save()
        self.ctx.log(
            "disc_burn_end",
            burn,
            before=before,
            summary=f"{burn.disc.volume_id} 第{burn.copy}份 {state} {failure}".rstrip(),
        )

    def _burn_failed(self, burn: DiscBurn, exc: BaseException) -> None:
        """The burn stopped before its copy was registered: marked failed with the reason. Should even that
        fail (a full disk), the burn stays ``burning`` with no burner: an interrupted burn for disc verify."""
        if isinstance(exc, UserError):
            reason = f"{exc.code}：{exc.message.format(**exc.params)}"
        elif isinstance(exc, Cancelled):
            reason = "已停止"
        else:
            reason = f"{type(exc).__name__}：{exc}".rstrip("：")
        try:
            with self.ctx.change():
                fresh = DiscBurn.get_by_id(burn.id)
                if fresh.state == "burning":
                    self._end_burn(fresh, "failed", reason[:500])
        except Exception:  # the first failure is the one to report
            log.warning("could not mark burn %s failed", burn.id, exc_info=True)

    def _burn_lock(self, disc_id: int, copy: int) -> Path:
        return self.ingest.home.path / f"{OWN_PREFIX}burn-{disc_id}-{copy}.lock"

    def _live(self, burn: DiscBurn) -> bool:
        """Whether the burner of a ``burning`` burn runs (its lock is held), or it was interrupted."""
        return JobLock.held(self._burn_lock(burn.disc_id, burn.copy))

    def _busy(self, disc: Disc, copy: int) -> UserError:
        burn = (
            DiscBurn.select()
            .where((DiscBurn.disc == disc) & (DiscBurn.copy == copy) & (DiscBurn.state == "burning"))
            .order_by(DiscBurn.id.desc())
            .first()
        )
        return UserError(
            "disc.burning",
            "光盘 {volume} 的第 {copy} 份正在刻录（{drive}，{at} 开始），请等它结束",
            field="copy",
            volume=disc.volume_id,
            copy=copy,
            drive=burn.drive if burn else "",
            at=fmt_local(burn.started_at, self.ctx.profile().tz) if burn else "",
        )

    def interrupted(self, disc_id: int | None = None) -> list[DiscBurn]:
        """Burns registered as started whose burner is gone (avledger was killed while burning), oldest first."""
        query = DiscBurn.select().where(DiscBurn.state == "burning").order_by(DiscBurn.id)
        if disc_id is not None:
            query = query.where(DiscBurn.disc == disc_id)
        return [b for b in query if not self._live(b)]

    def next_copy(self, disc: DiscView) -> int | None:
        """The copy of a disc to burn next: the first of the profile's copies not yet burned and verified
        (a copy whose read-back failed is burned again); None once every copy is."""
        done = {c.copy for c in disc.copies if c.verified}
        return next((n for n in range(1, self.ctx.profile().get("disc.copies") + 1) if n not in done), None)

    @staticmethod
    def same_place(disc: DiscView, copy: int, kept_at: str) -> CopyView | None:
        """Another copy of ``disc`` kept where ``copy`` is to be kept (one fire, flood or theft would take both
        of the 一式两份, W15), or None. A caution (:func:`same_place_text`), not a refusal: a small office may
        have one safe."""
        place = " ".join(kept_at.split()).casefold()
        if not place:
            return None
        return next(
            (c for c in disc.copies if c.copy != copy and " ".join(c.kept_at.split()).casefold() == place), None
        )

    @requires("discs.edit")
    def keep(self, volume_id: str, copy: int, kept_at: str) -> CopyView:
        """A copy moved: where it is kept now."""
        place = require_text(kept_at, N_("存放位置"), field="kept_at")
        with self.ctx.change():
            disc = self.get(volume_id)
            row = DiscCopy.get_or_none((DiscCopy.disc == disc) & (DiscCopy.copy == copy))
            if row is None:
                self._check_burning(disc, copy)
                raise UserError(
                    "disc.no_copy", "光盘 {volume} 没有登记第 {copy} 份", field="copy", volume=disc.volume_id, copy=copy
                )
            before = snapshot(row)
            row.kept_at = place
            row.save()
            self.ctx.log("update", row, before=before, summary=f"{disc.volume_id} 第{copy}份 {place}")
        return self._copy_view(row)

    def _check_burning(self, disc: Disc, copy: int) -> None:
        """Refuse to take a copy whose burn runs, or was interrupted, for a registered one (saying which)."""
        burns = DiscBurn.select().where(
            (DiscBurn.disc == disc) & (DiscBurn.copy == copy) & (DiscBurn.state == "burning")
        )
        for burn in burns.order_by(DiscBurn.id.desc()):
            if self._live(burn):
                raise self._busy(disc, copy)
            raise UserError(
                "disc.burn_interrupted",
                "光盘 {volume} 第 {copy} 份的刻录中断了（{drive}，{at} 开始）：请把这张光盘放入刻录机，"
                "运行 avledger disc verify --drive {drive} --copy {copy}，完成或作废这次刻录",
                field="copy",
                volume=disc.volume_id,
                copy=copy,
                drive=burn.drive,
                at=fmt_local(burn.started_at, self.ctx.profile().tz),
            )

    def _resolve(
        self, drive: str, candidates: list[DiscBurn], progress: ProgressSink | None, cancel: CancelToken | None
    ) -> VerifyResult:
        """Interrupted burns (newest last) whose disc may be in ``drive``: the medium is read back for each
        image's length; one that matches is completed (the copy registered, burned and verified), else the newest
        is marked failed (a new disc is to be burned). Each copy's burn lock is held meanwhile."""
        locks = []
        try:
            for burn in candidates:
                lock = JobLock(self._burn_lock(burn.disc_id, burn.copy))
                if not lock.acquire():  # a new burn of this copy has just started
                    raise self._busy(burn.disc, burn.copy)
                locks.append(lock)
            for burn in reversed(candidates):
                disc = burn.disc

                def read(n: int, disc=disc) -> None:
                    check_cancel(cancel)
                    emit(progress, Progress("disc_verify", "image", n, disc.size, current=disc.volume_id))

                try:
                    same = hash_file(burner.drive_path(drive), disc.size, on_bytes=read) == disc.image_sha256
                except EOFError:  # the burn stopped before the end of the image
                    same = False
                except OSError as exc:
                    raise UserError(
                        "drive.unreadable",
                        "无法读取光盘 {drive}：{err}",
                        field="drive",
                        drive=drive,
                        err=exc.strerror or str(exc),
                    ) from None
                if same:
                    check_cancel(cancel)
                    self._register_copy(disc, burn, True, (), note=" (interrupted burn completed)")
                    emit(progress, Progress("disc_verify", "done", disc.files, disc.files, "files"))
                    return VerifyResult(self.view_disc(disc.id), True, disc.files, (), "completed", burn.copy)
            burn = candidates[-1]
            check_cancel(cancel)
            with self.ctx.change():
                fresh = DiscBurn.get_by_id(burn.id)
                if fresh.state == "burning":
                    self._end_burn(fresh, "failed", "刻录中断，回读与镜像不一致")
            problem = DiscProblem("image", burn.disc.volume_id)
            return VerifyResult(self.view_disc(burn.disc_id), False, 0, (problem,), "failed", burn.copy)
        finally:
            for lock in locks:
                lock.release()

    def _find_problems(self, drive: str) -> list[DiscProblem]:
        try:
            return read_disc(drive).problems
        except UserError:
            return []

    def _record_check(self, disc: Disc, copy: DiscCopy | None, kind: str, problems) -> DiscCheck:
        check = DiscCheck.create(
            disc=disc,
            copy=copy,
            at=self.ctx.clock(),
            kind=kind,
            result="failed" if problems else "ok",
            problems=json.dumps([asdict(p) for p in problems], ensure_ascii=False),
            by=self.ctx.person(),
        )
        self.ctx.log("disc_check", check, summary=f"{disc.volume_id} {check.result}")
        return check

    # --- verify ----------------------------------------------------------------------------------
    @requires("discs.edit")
    def verify(
        self,
        drive: str,
        *,
        copy: int | None = None,
        progress: ProgressSink | None = None,
        cancel: CancelToken | None = None,
    ) -> VerifyResult:
        """Recognise the disc in ``drive`` from its contents, check every file, and record the result.

        A burn into ``drive`` (of ``copy``, if given) that was interrupted (avledger killed while burning) is
        ended first: the medium read back against its image completes it (the copy registered, burned and
        verified) or fails it (``resumed`` says which). So is an interrupted burn of the disc recognised in
        another drive. Cancelled (:class:`~avledger.progress.Cancelled`), nothing is recorded.
        """
        check_text(drive, N_("刻录机"), field="drive")
        burning = DiscBurn.select().where((DiscBurn.state == "burning") & (DiscBurn.drive == drive.strip()))
        if copy is not None:
            burning = burning.where(DiscBurn.copy == copy)
        burning = list(burning.order_by(DiscBurn.id))
        dead = [b for b in burning if not self._live(b)]
        if dead:
            return self._resolve(drive, dead, progress, cancel)
        if burning:
            raise self._busy(burning[-1].disc, burning[-1].copy)
        reading = read_disc(drive, progress=progress, cancel=cancel)
        try:
            disc_id = int(reading.bag_info.get("Avledger-Disc-Id", ""))
        except ValueError:
            disc_id = None
        disc = Disc.get_or_none(Disc.id == disc_id) if disc_id is not None else None
        if disc is None or disc.volume_id != reading.bag_info.get("External-Identifier"):
            raise UserError(
                "disc.foreign",
                "{drive} 中的光盘不在本登记库中（卷标 {volume}）",
                field="drive",
                drive=drive,
                volume=reading.volume_id,
            )
        elsewhere = [b for b in self.interrupted(disc.id) if copy is None or b.copy == copy]
        if len(elsewhere) == 1:  # its burn was interrupted in another drive
            return self._resolve(drive, elsewhere, progress, cancel)
        copy_row = None
        if copy is not None:
            copy_row = DiscCopy.get_or_none((DiscCopy.disc == disc) & (DiscCopy.copy == copy))
            if copy_row is None:
                self._check_burning(disc, copy)
                raise UserError(
                    "disc.no_copy", "光盘 {volume} 没有登记第 {copy} 份", field="copy", volume=disc.volume_id, copy=copy
                )
        problems = list(reading.problems)
        if reading.manifest_sha256 != disc.manifest_sha256:
            problems.append(DiscProblem("manifest", "manifest-sha256.txt"))
        if not problems:

            def read(n: int) -> None:
                check_cancel(cancel)
                emit(progress, Progress("disc_verify", "image", n, disc.size, current=disc.volume_id))

            try:
                same = hash_file(burner.drive_path(drive), disc.size, on_bytes=read) == disc.image_sha256
            except (EOFError, OSError):
                same = False
            if not same:
                problems.append(DiscProblem("image", disc.volume_id))
        check_cancel(cancel)  # asked to stop at the very end: still nothing recorded
        with self.ctx.change():
            self._record_check(disc, copy_row, "recheck", problems)
        emit(progress, Progress("disc_verify", "done", reading.checked, len(reading.manifest), "files"))
        return VerifyResult(self.view_disc(disc.id), not problems, reading.checked, tuple(problems))

    # --- the register -------------------------------------------------------------------------------
    def list(self) -> list[DiscSetView]:
        return [self.view_set(s.id) for s in DiscSet.select().order_by(DiscSet.id)]

    def view_set(self, set_id: int) -> DiscSetView:
        s = DiscSet.get_by_id(set_id)
        title = s.activity.title if s.activity_id else s.case_no
        if not s.activity_id:
            first = Activity.select().where(Activity.case_no == s.case_no).order_by(Activity.start_at).first()
            title = (first.case_name or first.title) if first else s.case_no
        discs = tuple(self.view_disc(d.id) for d in s.disc_list.order_by(Disc.number))
        return DiscSetView(
            s.id,
            s.activity_id,
            s.case_no or (s.activity.case_no if s.activity_id else ""),
            title,
            s.media,
            s.created_at,
            s.created_by,
            discs,
        )

    def view_disc(self, disc_id: int) -> DiscView:
        d = Disc.get_by_id(disc_id)
        copies = tuple(self._copy_view(c) for c in d.copies.order_by(DiscCopy.copy))
        numbers = {c.id: c.copy for c in d.copies}
        checks = tuple(
            CheckView(c.id, numbers.get(c.copy_id), c.at, c.kind, c.result, tuple(json.loads(c.problems)), c.by)
            for c in d.checks.order_by(DiscCheck.at, DiscCheck.id)
        )
        return DiscView(
            d.id,
            d.disc_set.id,
            d.number,
            d.disc_set.discs,
            d.volume_id,
            d.files,
            d.payload_bytes,
            d.image_path,
            d.image_sha256,
            d.size,
            d.built_at,
            copies,
            checks,
            tuple(
                BurnView(
                    b.id,
                    b.copy,
                    b.drive,
                    b.started_at,
                    b.started_by,
                    "interrupted" if b.state == "burning" and not self._live(b) else b.state,
                    b.ended_at,
                    b.failure,
                )
                for b in d.burns.order_by(DiscBurn.id)
            ),
        )

    @staticmethod
    def _copy_view(c: DiscCopy) -> CopyView:
        return CopyView(c.id, c.copy, c.drive, c.burned_at, c.burned_by, c.kept_at, c.verified, c.verified_at)

    def _register(self) -> Select:
        return Select("disc d", (SortKey("d.set_id"), SortKey("d.number"), SortKey("d.id")), DISC_JOINS)

    def page_register(self, after: Cursor | None = None, limit: int = 200) -> Page[DiscRow]:
        """The disc register, a disc a row, by set and number."""
        return listing.page(self.ctx.db, DISC_ROWS, self._register(), after, limit)

    def count_register(self) -> int:
        return listing.count(self.ctx.db, self._register())

    def rechecks(self) -> Rechecks:
        """Discs whose last check is older than the profile's interval, oldest first."""
        profile = self.ctx.profile()
        years, percent = profile.get("disc.recheck_years"), profile.get("disc.recheck_percent")
        now = self.ctx.clock()
        due, total = [], 0
        query = (
            f"SELECT d.id, d.volume_id, {_SET_TITLE}, coalesce({_LAST_CHECK.format(field='k.at')}, d.built_at,"
            f" s.created_at), (SELECT group_concat(c.kept_at, '{_SEP}') FROM (SELECT kept_at FROM disc_copy c"
            " WHERE c.disc_id = d.id AND c.verified ORDER BY c.copy) c)"
            " FROM disc d JOIN disc_set s ON s.id = d.set_id"
            " WHERE EXISTS (SELECT 1 FROM disc_copy c WHERE c.disc_id = d.id AND c.verified) ORDER BY s.id, d.number"
        )
        for disc_id, volume_id, title, last_text, kept in self.ctx.db.execute_sql(query).fetchall():
            total += 1
            last = dt.datetime.fromisoformat(last_text)
            try:
                limit = last.replace(year=last.year + years)
            except ValueError:  # 29 February
                limit = last.replace(year=last.year + years, day=28)
            if limit <= now:
                due.append(DueDisc(disc_id, volume_id, title, last, tuple(kept.split(_SEP))))
        due.sort(key=lambda x: x.last_check)
        required = min(len(due), max(1, math.ceil(total * percent / 100))) if due else 0
        return Rechecks(tuple(due), required, total)


def _image_done(disc: Disc | None, folder: Path) -> bool:
    """The disc's image is registered and is in ``folder``, whole."""
    if disc is None or not disc.image_sha256:
        return False
    target = folder / f"{disc.volume_id}.iso"
    return disc.image_path == str(target) and target.is_file() and target.stat().st_size == disc.size


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
