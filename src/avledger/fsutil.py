"""Small file-system helpers for writing that survives a crash."""

from __future__ import annotations

import errno
import os
from pathlib import Path


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
