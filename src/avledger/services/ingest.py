"""Footage ingest (采集入库, F07 and F08): scan, plan, then apply.

:meth:`IngestService.scan` walks a card or folder (any depth), reads each
media file's metadata with PyAV, and attributes it to a device, the officer
who held the device at that time (lending ledger) and the activity whose time
covers it. Nothing is written.

:meth:`IngestService.apply` copies each planned file into the archive: the
source is read once while its SHA-256 is computed (by one thread) and the
same bytes written past the page cache (by another) to a temporary name in
the target folder, flushed to disk, read back from disk to confirm
the hash, renamed to its final name and registered in one transaction (with
the other files ready at that moment, up to 16: one commit and one flush of
their folder for all of them).
A file whose hash is already registered is a duplicate and is not copied
again, so a re-run after a crash or a kill finishes the job with nothing
doubled. The source is only ever opened for reading.

Archive layout, findable without the program::

    <archive>/<YYYY-MM-DD local>/<activity id-case no or title | 未分配>/<original name>

The original name as UTF-8 (a GBK name read as GB18030), shortened to the file system's NAME_MAX when needed.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import errno
import hashlib
import itertools
import json
import os
import re
import stat
import unicodedata
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from peewee import SQL, NodeList

from avledger.digests import Buffers, DigestThread, DirectWriter, Worker, hash_file
from avledger.errors import PartlyDone, UserError
from avledger.fsutil import (
    ARCHIVED_FILE,
    OWN_PREFIX,
    PRIVATE_DIR,
    PRIVATE_FILE,
    clean_leftovers,
    fsync_dir,
    is_space_error,
    make_dirs,
    opener,
    require_space,
    temp_path,
)
from avledger.home import Home
from avledger.i18n import N_
from avledger.models.audit import snapshot
from avledger.models.schema import Activity, ActivityOfficer, Clip, Device, Gap, Loan, Staff
from avledger.progress import Cancelled, CancelToken, Progress, ProgressSink, emit
from avledger.progress import check as check_cancel
from avledger.services.activities import OPEN_END, ActivityService
from avledger.services.base import Context, check_text
from avledger.services.media import MediaInfo, file_time, media_kind, name_time, probe, require_av
from avledger.services.permissions import requires
from avledger.services.register import DeviceService
from avledger.timeutil import from_local, to_local

LOCK_NAME = OWN_PREFIX + "ingest.lock"
COPY_CHUNK = 8 * 1024 * 1024  # read, hashed and written past the page cache at a time (twice the disk's
# largest request: 4 MiB chunks made the copy 5-10 % slower); five or so are in use at a time
MAX_PENDING = 32  # copied files waiting for their read-back before the copying waits too
BATCH_FILES = 16  # files registered in one transaction (one commit, one flush of their folder)...
BATCH_BYTES = 64 * 1024 * 1024  # ...or fewer once they hold this much, so that a large file is not kept waiting
UNASSIGNED_DIR = "未分配"
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
NAME_MAX = 255  # bytes of a file name, where the file system does not say (os.pathconf)
MAX_SUFFIX = 16  # bytes of an extension kept whole when a name is shortened
FAULT_REASONS = frozenset({"changing", "unreadable"})  # not collected by a fault, not by design: a partial ingest


# --- plan and events ---------------------------------------------------------
@dataclass
class PlannedFile:
    source: Path
    name: str
    size: int
    kind: str
    info: MediaInfo
    start_at: dt.datetime | None  # naive UTC, corrected by the device clock offset
    time_source: str  # tag | name | file
    device_id: int | None = None
    holder_id: int | None = None
    activity_id: int | None = None
    question: str | None = None  # what the manager should decide (e.g. several activities match)

    @property
    def flags(self) -> tuple[str, ...]:
        return ("corrupt",) if self.info.corrupt else ()


@dataclass(frozen=True)
class Skipped:
    path: str  # as text that can be stored and printed (see shown)
    reason: str  # a SKIP_REASONS id: empty | not_media | unreadable | hidden | symlink | fifo | device | ...


@dataclass
class Plan:
    source: Path
    files: list[PlannedFile]
    skipped: list[Skipped]

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)


@dataclass(frozen=True)
class ArchivedClip:
    id: int
    source: str
    archive_path: str
    sha256: str
    flags: tuple[str, ...]
    late: bool
    activity_id: int | None


@dataclass(frozen=True)
class Duplicate:
    source: str
    sha256: str
    clip_id: int


@dataclass
class IngestResult:
    archived: list[ArchivedClip] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    refused: list[Skipped] = field(default_factory=list)
    cancelled: bool = False
    not_collected: list[str] = field(default_factory=list)  # planned but left (the archive's disk filled up)

    @property
    def flagged(self) -> list[ArchivedClip]:
        return [c for c in self.archived if c.flags or c.late]

    @property
    def faults(self) -> list[Skipped]:
        """The files not collected because of a fault (still being written, unreadable), not by design:
        the ingest is then only partly done, and a re-run (later) collects them."""
        return [s for s in self.refused if s.reason in FAULT_REASONS]


@dataclass
class _Copied:
    """A file copied to a temporary name and flushed, waiting for its read-back and registration."""

    planned: PlannedFile
    temp: Path
    target_dir: Path
    sha: str
    size: int
    readback: Future | None = None


class SourceChanged(Exception):
    """The file's size or time changed while it was copied (a camera still writing it)."""


class SourceUnreadable(Exception):
    """Reading the file of the card failed (a bad sector, a card pulled out)."""


class _ArchiveLock:
    """One ingest at a time per archive (so one run never removes another's temporary files)."""

    def __init__(self, root: Path):
        self.path = root / LOCK_NAME
        self.handle = None

    def __enter__(self) -> _ArchiveLock:
        self.handle = open(self.path, "a", opener=opener(PRIVATE_FILE))
        try:
            import fcntl
        except ImportError:  # Windows: no advisory lock; one ingest at a time is then the manager's care
            return self
        try:
            fcntl.flock(self.handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.handle.close()
            raise UserError(
                "ingest.archive_busy",
                "另一个采集任务正在写入存储 {path}，请等它结束后再试",
                path=str(self.path.parent),
            ) from None
        return self

    def __exit__(self, *exc) -> None:
        if self.handle is not None:
            self.handle.close()


# --- helpers -------------------------------------------------------------------
def _not_collected(path: Path, name: str) -> tuple[str | None, int]:
    """Why a file of a card is not collected (a SKIP_REASONS id), else None; and its size.

    A card may hold anything: a symbolic link (to /etc/passwd, say) is never followed and a device file or a
    pipe never read; they are listed with their reason, as are hidden, empty and unreadable files."""
    try:
        st = os.lstat(path)
    except OSError:
        return "unreadable", 0
    if stat.S_ISLNK(st.st_mode):
        return "symlink", 0
    if stat.S_ISFIFO(st.st_mode):
        return "fifo", 0
    if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
        return "device", 0
    if not stat.S_ISREG(st.st_mode):
        return "special", 0
    if name.startswith("."):
        return "hidden", st.st_size
    if st.st_size == 0:
        return "empty", 0
    if not os.access(path, os.R_OK):
        return "unreadable", st.st_size
    return None, st.st_size


def open_regular(path: Path) -> int:
    """Open a file of a card for reading without following a symbolic link and only if it is a regular file
    (it may have been swapped since the scan); returns the descriptor. OSError otherwise."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def shown(text: str) -> str:
    """A path or name as the file system gave it, as text that can be stored and printed: its own when it is
    UTF-8, else with each byte that is not (Python's surrogate escape) written as a visible ``\\xNN``, so the
    original bytes can be read back from it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(text).decode("utf-8", "backslashreplace")
    return text


def readable_name(name: str) -> str:
    """The name a file of a card is archived and registered under: its own when it is UTF-8; else its bytes
    read as GB18030 (a superset of GBK, what a Chinese Windows or camera writes) when they read cleanly into
    printable text; else :func:`shown`. The original bytes stay recorded in the clip's ``source_path``."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    raw = os.fsencode(name)
    try:
        decoded = raw.decode("gb18030")
    except UnicodeDecodeError:
        return shown(name)
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cn") for ch in decoded):
        return shown(name)
    return decoded


def name_max(folder: Path) -> int:
    """The longest file name (in bytes) the file system of ``folder`` holds."""
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):  # not said, or no pathconf (Windows)
        return NAME_MAX


def fit_name(stem: str, tail: str, limit: int) -> str:
    """``stem + tail``, the stem cut (on a character) so that the whole holds at most ``limit`` UTF-8 bytes."""
    room = limit - len(tail.encode("utf-8"))
    encoded = stem.encode("utf-8")
    if len(encoded) > room:
        stem = encoded[: max(room, 1)].decode("utf-8", "ignore").rstrip() or "_"
    return stem + tail


@contextlib.contextmanager
def _unless_committed(renamed: list[Path]):
    """Remove the files renamed to their final names inside a registration that did not commit (the
    register's disk full or failing): an archive file is there only if it is registered."""
    try:
        yield
    except Exception:
        for path in renamed:
            with contextlib.suppress(OSError):
                path.unlink()
        raise


_BY_SHA = f'SELECT id FROM "{Clip._meta.table_name}" WHERE sha256 = ?'


def _registered(sha: str) -> int | None:
    """The id of the clip registered with this SHA-256, if any: one look-up in its unique index, with its SQL
    written once (peewee's ``get_or_none`` took 0.7 ms to build its query and its object, twice a file: more
    than copying a photo)."""
    row = Clip._meta.database.execute_sql(_BY_SHA, (sha,)).fetchone()
    return row[0] if row else None


def safe_name(text: str) -> str:
    cleaned = _UNSAFE.sub("_", text).strip().strip(".")
    return cleaned[:80] or "_"


class IngestService:
    def __init__(self, ctx: Context, home: Home, devices: DeviceService, activities: ActivityService):
        self.ctx = ctx
        self.home = home
        self.devices = devices
        self.activities = activities

    # --- where ---------------------------------------------------------------
    def archive_root(self) -> Path:
        configured = (self.ctx.profile().get("ingest.archive_dir") or "").strip()
        if not configured:
            return self.home.archive_path
        path = Path(configured).expanduser()
        return path if path.is_absolute() else self.home.path / path  # relative: inside the data folder

    def clean_leftovers(self) -> int:
        """Remove temporary files a killed run left in the archive."""
        return clean_leftovers(self.archive_root(), recursive=True, suffix="")  # its own names only (temp_path)

    # --- scan ------------------------------------------------------------------
    @requires("footage.ingest")
    def scan(self, source: str | Path, *, device: str | None = None, activity: int | str | None = None) -> Plan:
        check_text(source if isinstance(source, str) else None, N_("采集来源"), field="source")
        require_av()
        root = Path(source).expanduser()
        if not root.is_dir():
            raise UserError("ingest.no_source", "找不到要采集的文件夹：{path}", field="source", path=str(source))
        given_device = self.devices.get(device, field="device") if device else None
        given_activity = self.activities.get(activity, field="activity") if activity not in (None, "") else None
        archive = self.archive_root().resolve()
        files: list[PlannedFile] = []
        skipped: list[Skipped] = []
        known = self._known_devices()
        for dirpath, dirnames, filenames in os.walk(root):  # symlinked folders are listed, never entered
            dirnames.sort()
            here = Path(dirpath)
            if here.resolve() == archive or archive in here.resolve().parents:
                dirnames[:] = []
                continue
            for name in [d for d in dirnames if (here / d).is_symlink()]:
                skipped.append(Skipped(shown(str((here / name).relative_to(root))), "symlink"))
            hidden = [d for d in dirnames if d.startswith(".") and not (here / d).is_symlink()]
            for name in hidden:  # .Trashes, .Spotlight-V100: not entered
                dirnames.remove(name)
                skipped.append(Skipped(shown(str((here / name).relative_to(root))), "hidden"))
            for name in sorted(filenames):
                path = here / name
                rel = str(path.relative_to(root))
                reason, size = _not_collected(path, name)
                if reason is None:
                    kind = media_kind(path)
                    reason = "not_media" if kind is None else None
                if reason is not None:
                    skipped.append(Skipped(shown(rel), reason))
                    continue
                files.append(self._plan_file(path, rel, size, kind, given_device, given_activity, known))
        return Plan(root, files, skipped)

    @staticmethod
    def _known_devices() -> dict[str, int]:
        """Each device's asset number and serial (lower case, four characters or more) -> its id: three
        short columns of the device table, read once per scan."""
        known: dict[str, int] = {}
        for device_id, asset_no, serial in Device.select(Device.id, Device.asset_no, Device.serial).tuples():
            for key in (asset_no, serial):
                key = (key or "").strip()
                if len(key) >= 4:
                    known[key.lower()] = device_id
        return known

    @staticmethod
    def _recognise(rel: str, info: MediaInfo, known: dict[str, int]) -> Device | None:
        for value in info.tags.values():
            hit = known.get(value.strip().lower())
            if hit is not None:
                return Device.get_by_id(hit)
        haystack = rel.lower()
        hits = {device_id for key, device_id in known.items() if key in haystack}
        return Device.get_by_id(hits.pop()) if len(hits) == 1 else None

    @staticmethod
    def _officer_in_tags(info: MediaInfo) -> int | None:
        """An officer named in the file's tags (staff number or certificate number), when the ledger says nothing."""
        values = {v.strip() for v in info.tags.values() if len(v.strip()) >= 4}
        if not values:
            return None
        hits = {s.id for s in Staff.select(Staff.id).where(Staff.number.in_(values) | Staff.cert_no.in_(values))}
        return hits.pop() if len(hits) == 1 else None

    def _plan_file(
        self,
        path: Path,
        rel: str,
        size: int,
        kind: str,
        given_device: Device | None,
        given_activity: Activity | None,
        known: dict[str, int],
    ) -> PlannedFile:
        tz = self.ctx.profile().tz
        info = probe(path, kind)
        device = given_device or self._recognise(rel, info, known)
        # the time as the device's clock had it, in UTC
        if info.tag_time is not None:
            # a camera registered as writing local time into the UTC field; a time with its own offset
            # from UTC (EXIF's OffsetTimeOriginal, Apple's creation date) is right whatever the camera
            local_tags = device is not None and device.media_time == "local" and not info.tag_time_offset
            raw = from_local(info.tag_time, tz) if (local_tags or not info.tag_time_utc) else info.tag_time
            source = "tag"
        elif (named := name_time(path.name)) is not None:
            raw, source = from_local(named, tz), "name"
        else:
            raw, source = file_time(path), "file"
        start = raw
        if device is not None:
            offset = self._clock_offset(device, raw)
            if offset:
                start = raw - dt.timedelta(seconds=offset)
        planned = PlannedFile(
            path, readable_name(path.name), size, kind, info, start, source, device_id=device.id if device else None
        )
        if device is not None:
            loan = self._loan_at(device, start)
            planned.holder_id = loan.holder_id if loan else None
        if planned.holder_id is None:
            planned.holder_id = self._officer_in_tags(info)
        if given_activity is not None:
            planned.activity_id = given_activity.id
        else:
            planned.activity_id, planned.question = self._match_activity(planned)
        return planned

    @staticmethod
    def _clock_offset(device: Device, at: dt.datetime) -> int | None:
        """Device clock minus true time, as measured at the latest issue before ``at``."""
        loan = (
            Loan.select(Loan.clock_offset_s)
            .where((Loan.device == device) & (Loan.start_at <= at) & Loan.clock_offset_s.is_null(False))
            .order_by(Loan.start_at.desc())
            .first()
        )
        return loan.clock_offset_s if loan else None

    @staticmethod
    def _loan_at(device: Device | int, at: dt.datetime) -> Loan | None:
        """The loan of the device at ``at``: a device's loans follow one another (an issue is never before
        the last return), so it can only be the last one begun by then."""
        loan = (
            Loan.select()
            .where((Loan.device == device) & (Loan.start_at <= at))
            .order_by(Loan.start_at.desc(), Loan.id.desc())
            .first()
        )
        return loan if loan is not None and (loan.end_at is None or loan.end_at >= at) else None

    def _match_activity(self, planned: PlannedFile) -> tuple[int | None, str | None]:
        if planned.start_at is None:
            return None, None
        start = planned.start_at
        end = start + dt.timedelta(seconds=planned.info.duration_s or 0)
        candidates = []
        # two indexed queries (an OR of both would scan every activity begun before the clip): those ended
        # after the clip began (activity_end), and those still open that began at most OPEN_END before it
        ended = Activity.select().where((Activity.end_at >= start) & (NodeList((SQL("+"), Activity.start_at)) <= end))
        still_open = Activity.select().where(
            Activity.end_at.is_null() & (Activity.start_at >= start - OPEN_END) & (Activity.start_at <= end)
        )
        for activity in sorted([*ended, *still_open], key=lambda a: a.id):
            a_start, a_end = self.activities.window(activity)
            if a_start <= end and start <= a_end:
                candidates.append(activity)
        if len(candidates) == 1:
            return candidates[0].id, None
        if not candidates:
            return None, "no_activity"
        if planned.holder_id is not None:
            mine = [
                a
                for a in candidates
                if ActivityOfficer.select()
                .where((ActivityOfficer.activity == a) & (ActivityOfficer.staff == planned.holder_id))
                .exists()
            ]
            if len(mine) == 1:
                return mine[0].id, None
        return None, "several_activities"

    @requires("footage.ingest")
    def resolve(
        self, plan: Plan, index: int, *, device: str | None = None, activity: int | str | None = None
    ) -> PlannedFile:
        """The manager's answer for one planned file: its device and/or activity.

        The file is planned again with them, so its time (the device's media time
        and clock offset), holder and deadline follow the answer.
        """
        try:
            planned = plan.files[index]
        except IndexError:
            raise UserError("ingest.not_planned", "计划中没有第 {n} 个文件", field="index", n=index + 1) from None
        if device:
            given_device = self.devices.get(device, field="device")
        else:
            given_device = Device.get_by_id(planned.device_id) if planned.device_id else None
        given_activity = self.activities.get(activity, field="activity") if activity not in (None, "") else None
        rel = str(planned.source.relative_to(plan.source))
        replanned = self._plan_file(
            planned.source, rel, planned.size, planned.kind, given_device, given_activity, self._known_devices()
        )
        plan.files[index] = replanned
        return replanned

    # --- apply -------------------------------------------------------------------
    @requires("footage.ingest")
    def apply(
        self,
        plan: Plan,
        *,
        progress: ProgressSink | None = None,
        cancel: CancelToken | None = None,
    ) -> IngestResult:
        """Copy, verify and register every planned file. Safe to re-run after any interruption.

        Cancelled, it stops in the file in hand (whose temporary copy is removed) and returns what it did,
        every file of it registered, with ``cancelled`` set.
        """
        result = IngestResult(refused=list(plan.skipped))
        root = self.archive_root()
        try:
            make_dirs(root, PRIVATE_DIR)  # the archive and every folder in it: its owner's only
        except OSError as exc:
            raise UserError(
                "write.failed", "无法创建存储目录 {path}：{err}", path=str(root), err=exc.strerror
            ) from None
        with _ArchiveLock(root):
            self.clean_leftovers()
            needed, files = self._to_copy(plan)
            require_space(root, needed, N_("存储"), files=files)  # before anything is copied (issue 17)
            total_files, total_bytes = len(plan.files), plan.total_bytes
            done_bytes = 0

            def report(phase: str, files_done: int, current: str, extra: int = 0) -> None:
                done = done_bytes + extra
                emit(progress, Progress("ingest", phase, done, total_bytes, "bytes", files_done, total_files, current))

            # The read-backs (from disk) run in a thread of their own while the next files are copied;
            # each file is registered, in order, only after its own read-back matched.
            pending: collections.deque[_Copied] = collections.deque()
            files_done = 0

            def finish(*, wait: bool) -> None:
                """Register the copied files whose read-back is done, several in one transaction: when a
                batch's worth is ready (all of them, in order, with ``wait``)."""
                nonlocal done_bytes, files_done
                while pending:
                    ready = list(itertools.takewhile(lambda c: c.readback.done(), pending))
                    if not (wait or len(pending) > MAX_PENDING or len(ready) >= BATCH_FILES):
                        if sum(c.size for c in ready) < BATCH_BYTES:
                            return
                    batch = [pending.popleft() for _ in range(max(1, min(len(ready), BATCH_FILES)))]
                    for copied, outcome in zip(batch, self._finish_batch(root, batch)):
                        (result.duplicates if isinstance(outcome, Duplicate) else result.archived).append(outcome)
                        done_bytes += copied.planned.size
                        files_done += 1
                        report("register", files_done, copied.planned.name)

            hasher, writer, buffers = DigestThread(), Worker(), Buffers(COPY_CHUNK, aligned=True)
            with (
                ThreadPoolExecutor(max_workers=1, thread_name_prefix="avledger-readback") as readback,
                contextlib.closing(hasher),
                contextlib.closing(writer),
            ):
                try:
                    for planned in plan.files:
                        if cancel is not None and cancel.cancelled:
                            result.cancelled = True
                            break
                        try:
                            source = open(open_regular(planned.source), "rb", buffering=0)
                        except OSError as exc:
                            reason = (
                                "symlink"
                                if exc.errno == errno.ELOOP
                                else "special"
                                if exc.errno == errno.EINVAL
                                else "unreadable"
                            )
                            result.refused.append(Skipped(self._shown_source(plan, planned), reason))
                            continue
                        try:
                            with source:
                                copied = self._copy_one(
                                    root,
                                    planned,
                                    source,
                                    lambda n, p=planned: report("copy", files_done, p.name, n),  # noqa: B023 (the live count)
                                    cancel,
                                    hasher,
                                    writer,
                                    buffers,
                                )
                        except Cancelled:
                            result.cancelled = True
                            break
                        except (SourceChanged, SourceUnreadable) as exc:  # nothing of it kept; the rest goes on
                            reason = "changing" if isinstance(exc, SourceChanged) else "unreadable"
                            result.refused.append(Skipped(self._shown_source(plan, planned), reason))
                            continue
                        except OSError as exc:
                            if is_space_error(exc):
                                with contextlib.suppress(UserError, OSError):
                                    finish(wait=True)  # the files copied whole before it are registered
                                raise self._archive_full(root, plan, planned, result) from None
                            raise UserError(
                                "ingest.copy_failed",
                                "复制 {name} 失败：{err}",
                                name=shown(str(planned.source)),
                                err=exc.strerror or str(exc),
                            ) from None
                        finish(wait=False)  # the files before whose read-back is done
                        if isinstance(copied, Duplicate):
                            finish(wait=True)  # in order
                            result.duplicates.append(copied)
                            done_bytes += planned.size
                            files_done += 1
                            report("register", files_done, planned.name)
                            continue
                        copied.readback = readback.submit(hash_file, copied.temp, drop_cache=True)
                        pending.append(copied)
                    finish(wait=True)
                except UserError as exc:
                    if isinstance(exc, PartlyDone) or not (result.archived or result.duplicates):
                        raise
                    raise self._stopped(plan, result, exc) from None  # exit 2 would say nothing changed
                finally:
                    for copied in pending:  # an error or a cancel left copied files unregistered
                        try:
                            copied.readback.result()
                        except Exception:  # noqa: BLE001 - the temp file is removed either way
                            pass
                        copied.temp.unlink(missing_ok=True)
            report("done", len(result.archived) + len(result.duplicates), "")
        return result

    @staticmethod
    def _shown_source(plan: Plan, planned: PlannedFile) -> str:
        """A planned file's path in the card, as the scan lists the files it skips."""
        try:
            return shown(str(planned.source.relative_to(plan.source)))
        except ValueError:
            return shown(str(planned.source))

    @staticmethod
    def _to_copy(plan: Plan) -> tuple[int, int]:
        """The bytes and files of the plan to copy: those not seen before (a re-run copies only the rest;
        the same name and size registered counts as seen, as :meth:`_copy_one` guesses it)."""
        size = files = 0
        for planned in plan.files:
            if not Clip.select().where((Clip.original_name == planned.name) & (Clip.size == planned.size)).exists():
                size, files = size + planned.size, files + 1
        return size, files

    @staticmethod
    def _stopped(plan: Plan, result: IngestResult, refusal: UserError) -> PartlyDone:
        """A refusal (a read-back that differs, the register's disk full) after some files were registered:
        they stay, and the outcome says what was and was not collected."""
        done = {c.source for c in result.archived} | {d.source for d in result.duplicates}
        result.not_collected = [shown(str(f.source)) for f in plan.files if shown(str(f.source)) not in done]
        stopped = PartlyDone(
            "ingest.stopped",
            "{reason}：已入库并登记 {done} 个，余下 {left} 个未采集；排除问题后再次运行同一命令即可完成",
            reason=refusal.render(),
            done=len(done),
            left=len(result.not_collected),
        )
        stopped.result = result
        return stopped

    @staticmethod
    def _archive_full(root: Path, plan: Plan, stopped_at: PlannedFile, result: IngestResult) -> UserError:
        """The archive's disk filled during the copy: what was registered stays (every file of it whole),
        the rest is named, and a re-run once there is room finishes the job."""
        done = {c.source for c in result.archived} | {d.source for d in result.duplicates}
        result.not_collected = [shown(str(f.source)) for f in plan.files if shown(str(f.source)) not in done]
        if not done:
            refusal = UserError(
                "space.ran_out",
                "存储 {path} 的空间已用完，复制 {name} 时停止；未登记任何文件，请腾出空间后再次运行",
                path=str(root),
                name=shown(str(stopped_at.source)),
            )
        else:
            refusal = PartlyDone(
                "space.ran_out",
                "存储 {path} 的空间已用完，复制 {name} 时停止：已入库并登记 {done} 个，余下 {left} 个未采集；"
                "腾出空间后再次运行同一命令即可完成",
                path=str(root),
                name=shown(str(stopped_at.source)),
                done=len(done),
                left=len(result.not_collected),
            )
        refusal.result = result  # what was and was not collected, for the CLI to list
        return refusal

    def _target_dir(self, root: Path, planned: PlannedFile) -> Path:
        tz = self.ctx.profile().tz
        when = planned.start_at or self.ctx.clock()
        day = to_local(when, tz).strftime("%Y-%m-%d")
        if planned.activity_id is None:
            folder = UNASSIGNED_DIR
        else:
            activity = Activity.get_by_id(planned.activity_id)
            folder = safe_name(f"{activity.id}-{activity.case_no or activity.title}")
        return root / day / folder

    def _copy_one(
        self,
        root: Path,
        planned: PlannedFile,
        src,
        on_bytes: Callable[[int], None],
        cancel: CancelToken | None,
        hasher: DigestThread,
        writer: Worker,
        buffers: Buffers,
    ) -> _Copied | Duplicate:
        """Copy to a temporary name in the archive, hashing (beside the copying) as it is read once, written
        past the page cache where the file system allows (so that the read-back is from the disk, and the
        copy leaves no dirty pages to write back); flushed to disk. :class:`SourceChanged` when the file's
        size or time changed since the scan or during the copy (still being written): it is then not kept,
        and a later run collects it whole."""
        before = os.fstat(src.fileno())
        if before.st_size != planned.size:
            raise SourceChanged(planned.source)
        # probably seen before (a re-run): hash without writing, and skip it if it is registered
        if Clip.select().where((Clip.original_name == planned.name) & (Clip.size == planned.size)).exists():
            sha = hash_file(src.fileno())
            existing = _registered(sha)
            if existing is not None:
                return Duplicate(shown(str(planned.source)), sha, existing)
        target_dir = self._target_dir(root, planned)
        make_dirs(target_dir, PRIVATE_DIR)
        temp = temp_path(target_dir)
        digest = hashlib.sha256()
        copied = 0
        done = False
        fd = src.fileno()
        alone = before.st_size <= COPY_CHUNK  # a small file (a photo, a short clip): read, hashed and written here
        if hasattr(os, "posix_fadvise"):
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_SEQUENTIAL)  # the kernel reads ahead further
        try:
            with DirectWriter(temp, PRIVATE_FILE) as dst:
                try:
                    while True:
                        buffer = buffers.take(COPY_CHUNK)
                        try:
                            n = os.preadv(fd, [buffer], copied)
                        except OSError as exc:  # the card's fault, not the archive's: this file is left
                            buffers.lend(buffer, 1)()
                            raise SourceUnreadable(planned.source) from exc
                        if not n:
                            buffers.lend(buffer, 1)()
                            break
                        chunk = memoryview(buffer)[:n]
                        if alone:  # one chunk: handing it to the threads would cost more than it saves
                            digest.update(chunk)
                            dst.write_at(chunk, copied)
                            buffers.lend(buffer, 1)()
                        else:  # hashed by one thread while another writes the same bytes, and the next is read
                            done_with = buffers.lend(buffer, 2)
                            hasher.update(digest, chunk, done_with)
                            writer.call(dst.write_at, chunk, copied, done=done_with)
                        copied += n
                        on_bytes(copied)
                        check_cancel(cancel)
                        writer.check()  # a full disk stops the copy now, not at its end
                    hasher.wait()
                    writer.wait()
                except BaseException:
                    hasher.settle()  # nothing is left writing into the file (or hashing) when it is closed
                    writer.settle()
                    raise
                dst.fsync()
            if hasattr(os, "posix_fadvise"):
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)  # the card's pages are not kept cached
            after = os.fstat(fd)  # after the flush: a writer has had all the copy's time to show
            if copied != before.st_size or (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
                raise SourceChanged(planned.source)
            sha = digest.hexdigest()
            existing = _registered(sha)
            if existing is not None:
                return Duplicate(shown(str(planned.source)), sha, existing)
            done = True
            return _Copied(planned, temp, target_dir, sha, copied)
        finally:
            if not done:
                temp.unlink(missing_ok=True)

    def _finish_batch(self, root: Path, batch: list[_Copied]) -> list[ArchivedClip | Duplicate]:
        """Confirm the read-backs from disk, then rename and register the files in one transaction, in
        order (a file whose read-back differs is refused, the files before it registered). Each rename
        happens inside the transaction, so a failed one registers nothing, and the folders are flushed
        before the commit, so a registered clip is never missing after a power cut; a file renamed but not
        registered (a kill before the commit) is taken up again by the next run (:meth:`_final_name`)."""
        outcomes: list[ArchivedClip | Duplicate] = []
        try:
            good = list(itertools.takewhile(lambda c: c.readback.result() == c.sha, batch))
            renamed: list[Path] = []  # under their final names: removed again if the commit fails (a full disk)
            if good:
                with _unless_committed(renamed), self.ctx.change():
                    folders = set()
                    for c in good:
                        planned = c.planned
                        existing = _registered(c.sha)  # the same content twice on one card
                        if existing is not None:
                            outcomes.append(Duplicate(shown(str(planned.source)), c.sha, existing))
                            continue
                        os.chmod(c.temp, ARCHIVED_FILE)  # an original is never edited (F08), nor read by others
                        final = self._final_name(root, c.target_dir, planned.name, c.sha, c.size)
                        relative = final.relative_to(root).as_posix()
                        clip = self._register(planned, relative, c.sha, c.size)
                        os.replace(c.temp, final)
                        renamed.append(final)
                        folders.add(final.parent)
                        outcomes.append(
                            ArchivedClip(
                                clip.id,
                                shown(str(planned.source)),
                                relative,
                                c.sha,
                                planned.flags,
                                clip.late,
                                clip.activity_id,
                            )
                        )
                    for folder in folders:  # one flush per folder for the batch's renames, before the commit
                        fsync_dir(folder)
            if len(good) < len(batch):
                raise UserError(
                    "write.readback_mismatch",
                    "{name} 写入存储后回读校验不一致，已放弃（原文件未改动）",
                    name=shown(str(batch[len(good)].planned.source)),
                )
        finally:
            for c in batch:
                c.temp.unlink(missing_ok=True)
        return outcomes

    @staticmethod
    def _final_name(root: Path, target_dir: Path, name: str, sha: str, size: int) -> Path:
        """The original name; ``name (2).ext`` ... when another file already holds it; each shortened (its
        extension kept) to what the file system holds (NAME_MAX bytes of UTF-8), so two long names that
        begin alike still get two names.

        A file of that name that is not registered but has the same content was
        renamed by a run killed before it could register it: it is reused.
        """
        stem, suffix = os.path.splitext(name)
        if len(suffix.encode("utf-8")) > MAX_SUFFIX:
            stem, suffix = name, ""
        limit = name_max(target_dir)
        candidate, n = target_dir / fit_name(stem, suffix, limit), 1
        while candidate.exists():
            registered = Clip.select().where(Clip.archive_path == candidate.relative_to(root).as_posix()).exists()
            if not registered and candidate.stat().st_size == size and hash_file(candidate) == sha:
                return candidate
            n += 1
            candidate = target_dir / fit_name(stem, f" ({n}){suffix}", limit)
        return candidate

    def _register(self, planned: PlannedFile, relative: str, sha: str, size: int) -> Clip:
        now = self.ctx.clock()
        activity = Activity.get_by_id(planned.activity_id) if planned.activity_id else None
        deadline = self.deadline(planned.device_id, activity, planned.start_at, planned.info.duration_s)
        info = planned.info
        clip = Clip.create(
            activity=activity,
            device=planned.device_id,
            holder=planned.holder_id,
            original_name=planned.name,
            source_path=shown(str(planned.source)),  # the card's own bytes, when its name is not UTF-8
            archive_path=relative,
            size=size,
            sha256=sha,
            kind=planned.kind,
            duration_s=info.duration_s,
            start_at=planned.start_at,
            time_source=planned.time_source,
            width=info.width,
            height=info.height,
            codecs=",".join(info.codecs),
            bitrate=info.bitrate,
            tags=json.dumps(info.tags, ensure_ascii=False, sort_keys=True),
            flags=",".join(planned.flags),
            ingested_at=now,
            deadline_at=deadline,
            late=bool(deadline and now > deadline),
            late_reason=None,
        )
        self.ctx.log("ingest", clip, summary=f"{planned.name} → {relative}")
        if clip.device_id and clip.activity_id:
            gaps_around(self.ctx, clip)
        return clip

    def deadline(
        self, device_id: int | None, activity: Activity | None, start: dt.datetime | None, duration_s: float | None
    ) -> dt.datetime | None:
        """When the footage had to be in the archive: the profile says from what, plus its hours."""
        profile = self.ctx.profile()
        recorded_end = start + dt.timedelta(seconds=duration_s or 0) if start else None

        def returned() -> dt.datetime | None:
            if device_id is None or start is None:
                return None
            loan = (
                Loan.select(Loan.end_at)
                .where((Loan.device == device_id) & (Loan.end_at >= start) & (Loan.end_kind == "return"))
                .order_by(Loan.end_at)
                .first()
            )
            return loan.end_at if loan else None

        activity_end = activity.end_at if activity else None
        order = {
            "return": (returned, lambda: activity_end, lambda: recorded_end),
            "activity_end": (lambda: activity_end, returned, lambda: recorded_end),
            "recording_end": (lambda: recorded_end,),
        }[profile.get("ingest.deadline_from")]
        for source in order:
            base = source()
            if base is not None:
                return base + dt.timedelta(hours=profile.get("ingest.deadline_hours"))
        return None


def refresh_gaps(ctx: Context, device_id: int, activity_id: int) -> None:
    """Record the interruptions between consecutive clips of one device in one activity.

    Call inside a change. A gap no longer between consecutive clips is removed only when it waits for its
    reason and a clip of the activity now fills it, or a gap found now spans it (a clip between was found,
    or moved away); an explained one is never removed, and an unexplained one whose clip was assigned
    elsewhere stays open (F09: an interruption must carry its reason whatever activity its clips end in).
    A gap wanted here that is registered with another activity (both its clips were assigned here) comes
    here with its reason, if it has one.
    """
    limit = dt.timedelta(minutes=ctx.profile().get("ingest.max_gap_minutes"))
    clips = list(
        Clip.select()
        .where(
            (Clip.device == device_id)
            & (Clip.activity == activity_id)
            & Clip.start_at.is_null(False)
            & (Clip.kind != "photo")
        )
        .order_by(Clip.start_at, Clip.id)
    )
    wanted: dict[tuple[int, int], tuple[dt.datetime, dt.datetime]] = {}
    for before, after in zip(clips, clips[1:]):
        stop = before.start_at + dt.timedelta(seconds=before.duration_s or 0)
        if after.start_at - stop > limit:
            wanted[(before.id, after.id)] = (stop, after.start_at)
    existing = {
        (g.after_clip_id, g.before_clip_id): g
        for g in Gap.select().where((Gap.device == device_id) & (Gap.activity == activity_id))
    }
    for key, gap in existing.items():
        if key not in wanted and gap.reason is None and _superseded(gap, clips, wanted.values()):
            before = snapshot(gap)
            gap.delete_instance()
            ctx.log("delete", entity="gap", entity_id=gap.id, before=before, summary=f"{gap.id}")
    for key, (start, end) in wanted.items():
        if key in existing:
            continue
        elsewhere = Gap.get_or_none(
            (Gap.device == device_id) & (Gap.after_clip == key[0]) & (Gap.before_clip == key[1])
        )
        if elsewhere is not None:  # its clips were assigned here: it comes along, explained or not
            before = snapshot(elsewhere)
            elsewhere.activity = activity_id
            elsewhere.save()
            ctx.log("update", elsewhere, before=before, summary=f"{elsewhere.id} → {activity_id}")
            continue
        minutes = round((end - start).total_seconds() / 60)
        gap = Gap.create(
            device=device_id,
            activity=activity_id,
            after_clip=key[0],
            before_clip=key[1],
            start_at=start,
            end_at=end,
            minutes=minutes,
        )
        ctx.log("gap", gap, summary=f"{minutes} min")


def _superseded(gap: Gap, clips: list[Clip], spans) -> bool:
    """An unexplained gap no longer between consecutive clips is gone for good when a clip of its activity and
    device now falls inside it, or a gap found now spans it."""
    for clip in clips:
        stop = clip.start_at + dt.timedelta(seconds=clip.duration_s or 0)
        if clip.start_at < gap.end_at and stop > gap.start_at:
            return True
    return any(start <= gap.start_at and gap.end_at <= end for start, end in spans)


def gaps_around(ctx: Context, clip: Clip) -> None:
    """:func:`refresh_gaps` for one clip just registered, looking only at its neighbours.

    Among the clips of its device in its activity, ordered by (start, id), the new clip (the highest id)
    comes between the last one begun at or before it and the first one begun after it: the pair they
    made is no longer consecutive (its gap, unexplained, goes), and each of them makes a new pair with
    the new clip. Every other pair stays as it was, so the result is what :func:`refresh_gaps` would
    find, from two indexed lookups (``clip_activity_device``) however many clips the activity holds.
    Call inside a change.
    """
    if clip.start_at is None or clip.kind == "photo":
        return
    same = (
        (Clip.activity == clip.activity_id)
        & (Clip.device == clip.device_id)
        & Clip.start_at.is_null(False)
        & (Clip.kind != "photo")
        & (Clip.id != clip.id)
    )
    before = (
        Clip.select()
        .where(same & (Clip.start_at <= clip.start_at))
        .order_by(Clip.start_at.desc(), Clip.id.desc())
        .first()
    )
    after = Clip.select().where(same & (Clip.start_at > clip.start_at)).order_by(Clip.start_at, Clip.id).first()
    if before is not None and after is not None:
        old = Gap.get_or_none((Gap.after_clip == before.id) & (Gap.before_clip == after.id))
        if old is not None and old.reason is None:
            snap = snapshot(old)
            old.delete_instance()
            ctx.log("delete", entity="gap", entity_id=old.id, before=snap, summary=f"{old.id}")
    limit = dt.timedelta(minutes=ctx.profile().get("ingest.max_gap_minutes"))
    for first, second in ((before, clip), (clip, after)):
        if first is None or second is None:
            continue
        stop = first.start_at + dt.timedelta(seconds=first.duration_s or 0)
        if (
            second.start_at - stop > limit
            and not Gap.select().where((Gap.after_clip == first.id) & (Gap.before_clip == second.id)).exists()
        ):
            minutes = round((second.start_at - stop).total_seconds() / 60)
            gap = Gap.create(
                device=clip.device_id,
                activity=clip.activity_id,
                after_clip=first.id,
                before_clip=second.id,
                start_at=stop,
                end_at=second.start_at,
                minutes=minutes,
            )
            ctx.log("gap", gap, summary=f"{minutes} min")
