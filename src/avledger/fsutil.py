"""Small file-system helpers for writing that survives a crash.

Every file avledger writes whole (a setting, a printed register, an export, an
explanation sheet, a disc image, an extracted clip, an archived original) is
first written under a temporary name in its own folder (``.avledger-part-…``),
flushed to disk, then renamed over its final name, and the folder flushed:
after a crash, a kill or a full disk there is either the whole new file or
the old one, never half a file. What a killed run leaves is only temporary
files, which :func:`clean_leftovers` removes (and nothing else).

Private by default: the modes below are the one place that says who may read
what avledger writes. Every file is created with its mode (never opened wider
and narrowed after), and every folder avledger creates is private; a folder it
did not create keeps its mode. The CLI and the TUI also tighten the process's
umask (:func:`restrict_umask`), so that what other libraries write (a
screenshot, a log) is not readable by other accounts either.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from avledger.errors import UserError

OWN_PREFIX = ".avledger-"  # avledger's own files beside the data (never footage, never the user's)
TEMP_PREFIX = OWN_PREFIX + "part-"  # a file being written: removed by clean_leftovers when a run was killed

# --- who may read what (issue 13) -------------------------------------------------------------------
PRIVATE_DIR = 0o700  # the data folder and every folder avledger creates (archive, logs, prints, outputs)
PRIVATE_FILE = 0o600  # the register (avledger.db, -wal, -shm), config.toml, logs, disc images, extractions
ARCHIVED_FILE = 0o400  # an archived original: read-only, its owner only (F08)
SHARED_FILE = 0o640  # a printed register or an export: for the office's group, not for every account
UMASK = 0o027  # at least this umask for the whole process (CLI and TUI): nothing new is world-readable
OTHERS = 0o077  # the group's and the others' permission bits


def restrict_umask() -> int:
    """Tighten the process's umask to at least :data:`UMASK` (a stricter one is kept); returns the new one."""
    old = os.umask(UMASK)
    os.umask(old | UMASK)
    return old | UMASK


def make_dirs(path: Path, mode: int = PRIVATE_DIR) -> Path | None:
    """Create ``path`` and its missing parents, each with ``mode`` whatever the umask; folders that exist
    keep their mode. Returns the topmost folder created (None when ``path`` existed), for a caller that
    removes what it created when it fails."""
    path = Path(path)
    missing: list[Path] = []
    probe = path
    while not probe.is_dir():
        if probe.exists() or probe.is_symlink():  # a file (or a dangling link) where a folder should be
            raise FileExistsError(errno.EEXIST, "not a folder", str(probe))
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, mode)
        except FileExistsError:
            if not folder.is_dir():
                raise
            continue  # made meanwhile by another run: not ours to change
        os.chmod(folder, mode)  # exactly ``mode``: the umask may have taken more
    return missing[-1] if missing else None


def create_new(path: Path, mode: int = PRIVATE_FILE) -> bool:
    """Create ``path`` empty with ``mode`` (less the umask) unless it exists; True when it was created."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode))
    except FileExistsError:
        return False
    return True


def opener(mode: int):
    """An ``opener`` for :func:`open` that creates a new file with ``mode`` (less the umask)."""
    return lambda path, flags: os.open(path, flags, mode)


def tighten(path: Path) -> bool:
    """Take the group's and the others' permissions off a file or folder avledger owns (a register written by
    an older version); True when its mode changed. Never adds a permission, never touches the owner's, never
    follows a symbolic link; a file it may not change is left as it is."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    if stat.S_ISLNK(st.st_mode) or not st.st_mode & OTHERS:
        return False
    try:
        os.chmod(path, stat.S_IMODE(st.st_mode) & ~OTHERS)
    except OSError:
        return False
    return True


def tighten_tree(root: Path, *, include_root: bool = True) -> int:
    """:func:`tighten` everything under ``root`` (and ``root`` itself with ``include_root``), deepest first;
    returns how many changed. A folder is tightened after everything in it: a private folder means a
    finished walk below it, so a walk cut short is taken up again the next time (see ``needs_tightening``)."""
    root = Path(root)
    changed = 0
    for folder, _dirs, files in os.walk(root, topdown=False):
        for name in files:  # symbolic links among them are passed over by tighten
            changed += tighten(Path(folder, name))
        if include_root or Path(folder) != root:
            changed += tighten(Path(folder))
    return changed


def needs_tightening(path: Path) -> bool:
    """``path`` exists, is not a symbolic link, and the group or the others have a permission on it."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return not stat.S_ISLNK(st.st_mode) and bool(st.st_mode & OTHERS)


def temp_path(folder: Path, suffix: str = "") -> Path:
    """A new temporary name in ``folder`` (the final file's folder, so that the rename is atomic)."""
    return Path(folder) / f"{TEMP_PREFIX}{uuid.uuid4().hex}{suffix}"


def publish(temp: Path, final: Path) -> None:
    """Rename a finished, flushed temporary file over ``final`` and make the rename durable."""
    os.replace(temp, final)
    fsync_dir(Path(final).parent)


@contextlib.contextmanager
def temporary(folder: Path, suffix: str = "") -> Iterator[Path]:
    """A temporary name in ``folder`` for a file something else writes (py7zr, pycdlib); whatever is left
    under it when the block ends (it failed, or the file was not published) is removed."""
    temp = temp_path(folder, suffix)
    try:
        yield temp
    finally:
        temp.unlink(missing_ok=True)


@contextlib.contextmanager
def safe_write(path: Path, *, mode: int = PRIVATE_FILE) -> Iterator[BinaryIO]:
    """Write ``path`` whole or not at all: yields a binary file; when the block ends without an error the
    file is flushed, fsync'd and renamed over ``path``, and the folder fsync'd. ``mode`` is that of the new
    file (less the umask): private unless asked otherwise."""
    path = Path(path)
    temp = temp_path(path.parent)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        publish(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def write_whole(path: Path, data: bytes | str, *, mode: int = PRIVATE_FILE) -> None:
    """:func:`safe_write` of bytes, or of text as UTF-8."""
    with safe_write(path, mode=mode) as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)


def windows_text(text: str) -> bytes:
    """A text file for the office's Windows PCs, as their Notepad reads it: UTF-8 with a byte-order mark,
    lines ended by CR LF (an older Notepad shows a file without the mark as GBK mojibake, and bare LF line
    ends as one long line)."""
    return ("\ufeff" + text.replace("\r\n", "\n").replace("\n", "\r\n")).encode("utf-8")


def _temp_name(suffix: str | None) -> re.Pattern[str]:
    """The exact names :func:`temp_path` gives with ``suffix`` (any suffix with None)."""
    tail = r"(\..*)?" if suffix is None else re.escape(suffix)
    return re.compile(re.escape(TEMP_PREFIX) + r"[0-9a-f]{32}" + tail)


def find_leftovers(folder: Path, *, suffix: str | None = None, recursive: bool = False) -> list[tuple[Path, int]]:
    """The temporary files a killed run left in ``folder`` (and below it, with ``recursive``), each with its
    size: with ``suffix``, only the names :func:`temp_path` gives with that suffix (one writer's own pattern),
    else every name of avledger's temporary files. Symbolic links are never followed."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    exact = _temp_name(suffix) if suffix is not None else None
    found = []
    for leftover in folder.rglob(TEMP_PREFIX + "*") if recursive else folder.glob(TEMP_PREFIX + "*"):
        if exact is not None and not exact.fullmatch(leftover.name):
            continue
        try:
            st = os.lstat(leftover)
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode):
            found.append((leftover, st.st_size if stat.S_ISREG(st.st_mode) else 0))
    return sorted(found)


def clean_leftovers(folder: Path, *, recursive: bool = False, suffix: str | None = None) -> int:
    """Remove the temporary files a killed or failed run left in ``folder`` (and below it, with
    ``recursive``); returns how many. Only avledger's own temporary files are touched; with ``suffix``, only
    those of the writer that names its files so (see :func:`find_leftovers`)."""
    removed = 0
    for leftover, _size in find_leftovers(folder, suffix=suffix, recursive=recursive):
        leftover.unlink(missing_ok=True)
        removed += 1
    return removed


# --- room on the disk and a folder that can be written (issue 17) -----------------------------------
SPACE_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT})  # the disk, or the account's quota, is full
SPACE_MARGIN = 1024 * 1024  # kept free beyond what a job needs (a file system's own records, a log line)


def is_space_error(exc: BaseException) -> bool:
    """``exc`` says the disk (or the account's quota) is full."""
    return isinstance(exc, OSError) and exc.errno in SPACE_ERRORS


def _existing(path: Path) -> Path:
    """``path``, or its nearest ancestor that exists (what a folder still to be created will be part of)."""
    probe = Path(path).absolute()
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    return probe


def free_space(path: Path) -> tuple[int, int] | None:
    """The bytes free to this account on the file system that holds (or will hold) ``path``, and its block
    size; None where it cannot be known."""
    try:
        st = os.statvfs(_existing(path))
    except (OSError, AttributeError):  # no statvfs (Windows) or nothing to ask
        return None
    return st.f_bavail * st.f_frsize, st.f_frsize or 4096


def require_space(path: Path, needed: int, what: str, *, files: int = 0, field: str | None = None) -> None:
    """Refuse (``space.not_enough``, nothing done yet) when the file system of ``path`` has less room than
    ``needed`` bytes in ``files`` new files (each may take up to a block more) and a margin. ``what`` names
    the place for a person (a message id: "存储", "镜像输出目录"). Where the free space cannot be known, the
    job goes ahead (and a disk that fills meanwhile is reported when it happens)."""
    known = free_space(path)
    if known is None:
        return
    free, block = known
    wanted = needed + files * block + SPACE_MARGIN
    if wanted > free:
        from avledger.present import size_text

        raise UserError(
            "space.not_enough",
            "{what}空间不足：{path} 需要 {needed}，只有 {free} 可用；请腾出空间或换一个位置后再试",
            field=field,
            what=what,
            path=str(path),
            needed=size_text(wanted),
            free=size_text(free),
        )


def require_writable_folder(folder: Path, *, field: str | None = None) -> None:
    """Refuse (``output.unwritable``) an output folder that cannot be written: the folder, or the nearest
    folder above it that exists (where it will be created), is read-only for this account, on a read-only
    file system, or not a folder."""
    probe = _existing(folder)
    reason = None
    if not probe.is_dir():
        reason = os.strerror(errno.ENOTDIR)
    else:
        try:
            read_only = bool(os.statvfs(probe).f_flag & os.ST_RDONLY)
        except (OSError, AttributeError):
            read_only = False
        if read_only:
            reason = os.strerror(errno.EROFS)
        elif not os.access(probe, os.W_OK | os.X_OK):
            reason = os.strerror(errno.EACCES)
    if reason is not None:
        raise UserError("output.unwritable", "无法写入输出位置 {path}：{err}", field=field, path=str(probe), err=reason)


class JobLock:
    """An advisory lock (flock) on a file of avledger's own, held while a job runs: the kernel lets it go when
    the process ends however it ends (kill -9 too), so a job's record left saying "running" is told from a job
    that runs (:meth:`held`). Without fcntl (Windows) no lock is taken and every job counts as gone."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.handle: BinaryIO | None = None

    def acquire(self) -> bool:
        """Take the lock; False when another process (or another job of this one) holds it."""
        try:
            import fcntl
        except ImportError:
            return True
        handle = open(self.path, "ab", opener=opener(PRIVATE_FILE))
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self.handle = handle
        return True

    def release(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None

    @staticmethod
    def held(path: Path) -> bool:
        """Whether a running job holds the lock of ``path`` (a missing file: none)."""
        try:
            import fcntl
        except ImportError:
            return False
        try:
            handle = open(path, "rb")
        except OSError:
            return False
        with handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
            except OSError:
                return True
            return False


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in ``path`` durable (where the file system allows it)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
