"""Small file-system helpers for writing that survives a crash.

Every file avledger writes whole (a setting, a printed register, an export, an
explanation sheet, a disc image, an extracted clip, an archived original) is
first written under a temporary name in its own folder (``.avledger-part-…``),
flushed to disk, then renamed over its final name, and the folder flushed:
after a crash, a kill or a full disk there is either the whole new file or
the old one, never half a file. What a killed run leaves is only temporary
files, which :func:`clean_leftovers` removes (and nothing else).
"""

from __future__ import annotations

import contextlib
import errno
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

OWN_PREFIX = ".avledger-"  # avledger's own files beside the data (never footage, never the user's)
TEMP_PREFIX = OWN_PREFIX + "part-"  # a file being written: removed by clean_leftovers when a run was killed


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
def safe_write(path: Path, *, mode: int = 0o666) -> Iterator[BinaryIO]:
    """Write ``path`` whole or not at all: yields a binary file; when the block ends without an error the
    file is flushed, fsync'd and renamed over ``path``, and the folder fsync'd. ``mode`` is that of a new
    file (less the umask)."""
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


def write_whole(path: Path, data: bytes | str, *, mode: int = 0o666) -> None:
    """:func:`safe_write` of bytes, or of text as UTF-8."""
    with safe_write(path, mode=mode) as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)


def clean_leftovers(folder: Path, *, recursive: bool = False) -> int:
    """Remove the temporary files a killed or failed run left in ``folder`` (and below it, with
    ``recursive``); returns how many. Only avledger's own temporary files are touched."""
    folder = Path(folder)
    if not folder.is_dir():
        return 0
    removed = 0
    for leftover in folder.rglob(TEMP_PREFIX + "*") if recursive else folder.glob(TEMP_PREFIX + "*"):
        if leftover.is_file() or leftover.is_symlink():
            leftover.unlink(missing_ok=True)
            removed += 1
    return removed


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


class RangeCopier:
    """Copies a stretch of one file into the same place of another inside the kernel (copy_file_range,
    else sendfile, which also crosses file systems): on this kind of machine about twice as fast as
    writing it from Python. Where neither works, the bytes already read are written instead.

    The caller has just read the stretch (to hash it), so the kernel copies from the page cache; the
    new file is checked later by reading it back from disk.
    """

    _UNSUPPORTED = {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EBADF}

    def __init__(self, src: int, dst: int):
        self.src, self.dst = src, dst
        self.ways = [way for way in ("copy_file_range", "sendfile") if hasattr(os, way)]

    def copy(self, offset: int, data: memoryview) -> None:
        """Put ``len(data)`` bytes of the source at ``offset`` into the target at ``offset`` (``data``
        holds those bytes as read)."""
        done = 0
        while done < len(data):
            at, left = offset + done, len(data) - done
            way = self.ways[0] if self.ways else "write"
            try:
                if way == "copy_file_range":
                    n = os.copy_file_range(self.src, self.dst, left, at, at)
                elif way == "sendfile":
                    os.lseek(self.dst, at, os.SEEK_SET)
                    n = os.sendfile(self.dst, self.src, at, left)
                else:
                    n = os.pwrite(self.dst, data[done:], at)
            except OSError as exc:
                if way == "write" or exc.errno not in self._UNSUPPORTED:
                    raise
                self.ways.pop(0)  # this kernel or file system will not: the next way, for good
                continue
            if n == 0:  # the source ends sooner than what was read: write what was read
                n = os.pwrite(self.dst, data[done:], at)
            done += n
