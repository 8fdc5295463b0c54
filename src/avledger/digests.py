"""Hashing beside the copying, and the SHA-256 of a file.

Ingest and disc building both copy large files while taking their SHA-256.
Here the digests run in a thread of their own (hashlib lets go of the GIL on
large buffers), fed chunks of read buffers that are used over again, and the
kernel is asked to start writing to disk as the copy goes, so the final fsync
is short. Ingest writes its copies past the page cache (:class:`DirectWriter`,
in a :class:`Worker` thread beside the digests' one), so that the read-back
that confirms a copy reads the disk.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import mmap
import os
import queue
import stat
import sys
import threading
from collections.abc import Callable
from pathlib import Path

CHUNK = 4 * 1024 * 1024


class Worker:
    """A thread of its own running the calls handed to it in order, fed through a short queue (memory stays
    flat): SHA-256 updates (hashlib lets go of the GIL on large buffers), positioned writes (so do os.pwrite
    and os.pwritev). What goes wrong in a call is kept and raised by :meth:`wait` (or :meth:`check`); the
    calls after it are skipped, their ``done`` still called, so nobody hangs."""

    DEPTH = 3
    NAME = "avledger-worker"

    def __init__(self) -> None:
        self._queue: queue.Queue = queue.Queue(self.DEPTH)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=self.NAME, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            call, args, done = item
            try:
                if self._error is None:
                    call(*args)
            except BaseException as exc:  # kept for the caller: the queue goes on draining, nobody hangs
                self._error = exc
            finally:
                if done is not None:
                    done()
                self._queue.task_done()
        self._queue.task_done()

    def call(self, call: Callable, *args, done: Callable[[], None] | None = None) -> None:
        """Queue ``call(*args)``, then ``done()``."""
        self._queue.put((call, args, done))

    def check(self) -> None:
        """Raise what went wrong in a call so far, if anything (without waiting for the others)."""
        if self._error is not None:
            raise self._error

    def wait(self) -> None:
        """Return once every call handed over so far is done (raising what went wrong in one)."""
        self._queue.join()
        self.check()

    def settle(self) -> None:
        """Wait for every call handed over so far and forget what went wrong (the job is given up). A second
        Ctrl+C while it waits is held until the calls are done (a few chunks): the caller closes the files
        they write into right after."""
        interrupted: BaseException | None = None
        while True:
            try:
                self._queue.join()
                break
            except KeyboardInterrupt as exc:
                interrupted = exc
        self._error = None
        if interrupted is not None:
            raise interrupted

    def close(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()


class DigestThread(Worker):
    """SHA-256 digests updated by a thread of its own."""

    NAME = "avledger-sha256"

    def update(self, digest, data, done: Callable[[], None] | None = None) -> None:
        """Queue ``digest.update(data)``, then ``done()``."""
        self.call(digest.update, data, done=done)


class Buffers:
    """Read buffers used over again: a chunk of footage is read into one, written from it and hashed from it
    twice, then the buffer comes back. This spares the kernel handing out (and zeroing) fresh memory for
    every chunk. How many are out at a time is bounded by the digests' queues; ``size`` is a buffer's."""

    KEEP = 8

    def __init__(self, size: int = CHUNK, *, aligned: bool = False) -> None:
        self.size = size
        self.aligned = aligned  # page-aligned (anonymous maps), as writing past the page cache (O_DIRECT) wants
        self._free: list[bytearray | mmap.mmap] = []
        self._lock = threading.Lock()

    def _new(self, size: int) -> bytearray | mmap.mmap:
        return mmap.mmap(-1, size) if self.aligned else bytearray(size)

    def take(self, size: int) -> bytearray | mmap.mmap:
        """A buffer of at least ``size`` bytes."""
        if size > self.size:
            return self._new(size)
        with self._lock:
            if self._free:
                return self._free.pop()
        return self._new(self.size)

    def lend(self, buffer: bytearray, users: int) -> Callable[[], None]:
        """A callable each of ``users`` calls when done with ``buffer``; the last one returns it."""
        left = [users]

        def done() -> None:
            with self._lock:
                left[0] -= 1
                if left[0] == 0 and len(buffer) == self.size and len(self._free) < self.KEEP:
                    self._free.append(buffer)

        return done


class WriteBack:
    """Asks the kernel to start writing to disk what was just written (and not to keep it cached), every
    so often, so that the disk works while the copy goes on and the final fsync is short. The bytes are
    taken to be written front to back; it is only advice either way."""

    EVERY = 64 * 1024 * 1024

    def __init__(self, fd: int):
        self.fd = fd
        self._pending = 0

    def wrote(self, end: int, count: int) -> None:
        """``count`` bytes were written, ending at offset ``end``."""
        self._pending += count
        if self._pending < self.EVERY or not hasattr(os, "posix_fadvise"):
            return
        start = max(end - self._pending, 0)
        self._pending = 0
        try:
            os.posix_fadvise(self.fd, start, end - start, os.POSIX_FADV_DONTNEED)
        except OSError:
            pass


DIRECT_ALIGN = 4096  # what writing past the page cache asks of offsets, lengths and addresses (a page)


class DirectWriter:
    """A new file written by positioned writes, past the page cache (O_DIRECT) where the file system allows:
    the bytes go from the caller's buffer to the disk, with no copy into the page cache, no dirty pages for
    the kernel to write back later and nothing of the file left cached, so a later read is from the disk.

    An aligned stretch (offset, length and buffer address on a page boundary, see :class:`Buffers` with
    ``aligned``) goes past the cache; the rest (the end of a file, a short read's remainder) and everything on
    a file system that will not (tmpfs before Linux 6.6, some FUSE) goes through the page cache, with the
    kernel asked to write it out as it goes (:class:`WriteBack`). ``fsync`` makes the whole durable.
    """

    def __init__(self, path: str | Path, mode: int):
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        self.direct: int | None = None
        flag = getattr(os, "O_DIRECT", 0)
        if flag:
            try:
                self.direct = os.open(path, os.O_WRONLY | flag)
            except OSError as exc:
                if exc.errno not in (errno.EINVAL, errno.EOPNOTSUPP):
                    os.close(self.fd)
                    raise
        self._writeback = WriteBack(self.fd)

    def write_at(self, data, offset: int) -> None:
        """Write all of ``data`` at ``offset``."""
        view = memoryview(data).cast("B")
        if self.direct is not None and offset % DIRECT_ALIGN == 0:
            whole = len(view) - len(view) % DIRECT_ALIGN
            if whole:
                try:
                    n = os.pwritev(self.direct, [view[:whole]], offset)
                except OSError as exc:
                    if exc.errno != errno.EINVAL:
                        raise
                    self._no_direct()  # refused after all (an unaligned buffer): through the cache from now on
                    n = 0
                view, offset = view[n:], offset + n
        while len(view):
            n = os.pwrite(self.fd, view, offset)
            if n <= 0:
                raise OSError(errno.EIO, "nothing written")
            view, offset = view[n:], offset + n
            self._writeback.wrote(offset, n)

    def _no_direct(self) -> None:
        if self.direct is not None:
            os.close(self.direct)
            self.direct = None

    def fsync(self) -> None:
        os.fsync(self.fd)

    def close(self) -> None:
        self._no_direct()
        os.close(self.fd)

    def __enter__(self) -> DirectWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


_local = threading.local()


def _read_buffer() -> bytearray:
    """This thread's read buffer, allocated once (a new 4 MiB buffer per file costs more than hashing a
    small file: the kernel zeroes it)."""
    buffer = getattr(_local, "buffer", None)
    if buffer is None:
        buffer = _local.buffer = bytearray(CHUNK)
    return buffer


def hash_file(
    path: str | Path | int,
    length: int | None = None,
    *,
    drop_cache: bool = False,
    on_bytes: Callable[[int], object] | None = None,
) -> str:
    """SHA-256 of a file or a device: all of it, or its first ``length`` bytes (a drive pads what it
    writes; :class:`EOFError` if it holds fewer). With ``drop_cache``, what is on the disk itself: a
    regular file's cached pages are dropped and the read starts once none is left in the page cache
    (checked, on Linux), with the kernel reading ahead; else it is read past the page cache (O_DIRECT)
    where the file system allows, reading and hashing side by side; else the cached pages are dropped
    first, on trust. ``path`` may be an open descriptor (read from its start, left open)."""
    if drop_cache and not isinstance(path, int):
        digest = _hash_evicted(path, length, on_bytes)
        if digest is None:
            digest = _hash_direct(path, length, on_bytes)
        if digest is not None:
            return digest
    with contextlib.ExitStack() as stack:
        if isinstance(path, int):
            fd = path
        else:
            fd = os.open(path, os.O_RDONLY)
            stack.callback(os.close, fd)
        if drop_cache and hasattr(os, "posix_fadvise"):
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            except OSError:
                pass
        return _hash_fd(fd, length, on_bytes, name=path)


EVICT_EVERY = 64 * 1024 * 1024  # a file read back from disk is dropped from the page cache as it goes


def _hash_fd(fd: int, length: int | None, on_bytes, *, name, evict: bool = False) -> str:
    digest = hashlib.sha256()
    buffer = _read_buffer()
    view = memoryview(buffer)
    done = dropped = 0
    while length is None or done < length:
        n = os.preadv(fd, [buffer], done)
        if not n:
            break
        if length is not None:
            n = min(n, length - done)
        digest.update(view[:n])
        done += n
        if evict and done - dropped >= EVICT_EVERY:  # what was read back is not kept in memory
            os.posix_fadvise(fd, dropped, done - dropped, os.POSIX_FADV_DONTNEED)
            dropped = done
        if on_bytes is not None:
            on_bytes(done)
    if evict:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    if length is not None and done < length:
        raise EOFError(f"{name}: {done} of {length} bytes")
    return digest.hexdigest()


def _hash_evicted(path: str | Path, length: int | None, on_bytes) -> str | None:
    """:func:`hash_file` of a regular file whose pages were all dropped from the page cache (Linux:
    posix_fadvise, then mincore says that none is left), so that every byte is read from the disk, with
    the kernel's read-ahead (faster than O_DIRECT, one request at a time); None where that cannot be made
    sure of (not Linux, not a regular file, a page still cached: the caller reads past the cache)."""
    if not sys.platform.startswith("linux") or not hasattr(os, "posix_fadvise"):
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        if _cached_pages(fd, st.st_size) != 0:
            return None
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_SEQUENTIAL)
        return _hash_fd(fd, length, on_bytes, name=path, evict=True)
    finally:
        os.close(fd)


def _cached_pages(fd: int, size: int) -> int | None:
    """How many pages of the file are in the page cache (mincore over a mapping that is never touched);
    None when it cannot be told."""
    if size == 0:
        return 0
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.mmap.restype = ctypes.c_void_p
        libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
        libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
        libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
    except (OSError, AttributeError):
        return None
    address = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
    if address in (None, ctypes.c_void_p(-1).value):
        return None
    try:
        pages = (size + mmap.PAGESIZE - 1) // mmap.PAGESIZE
        vector = (ctypes.c_ubyte * pages)()
        if libc.mincore(ctypes.c_void_p(address), size, vector) != 0:
            return None
        return pages - bytes(vector).count(0) if any(bytes(vector)) else 0
    finally:
        libc.munmap(ctypes.c_void_p(address), size)


def _hash_direct(path: str | Path, length: int | None, on_bytes: Callable[[int], object] | None) -> str | None:
    """:func:`hash_file` read with O_DIRECT into page-aligned buffers, hashed by a thread while the next
    chunk is read; None where O_DIRECT is not to be had (the caller reads the usual way)."""
    flag = getattr(os, "O_DIRECT", 0)
    if not flag:
        return None
    try:
        fd = os.open(path, os.O_RDONLY | flag)
    except OSError as exc:
        if exc.errno == errno.EINVAL:  # a file system without O_DIRECT (tmpfs, some FUSE)
            return None
        raise
    free: queue.Queue = queue.Queue()
    for _ in range(3):
        free.put(mmap.mmap(-1, CHUNK))  # anonymous maps are page-aligned, as O_DIRECT wants
    digest, hasher, done = hashlib.sha256(), DigestThread(), 0
    try:
        while length is None or done < length:
            buffer = free.get()
            try:
                n = os.readv(fd, [buffer])
            except OSError as exc:
                if done == 0 and exc.errno == errno.EINVAL:  # refused after all: read the usual way
                    return None
                raise
            if length is not None:
                n = min(n, length - done)
            if n:
                hasher.update(digest, memoryview(buffer)[:n], lambda b=buffer: free.put(b))
                done += n
                if on_bytes is not None:
                    on_bytes(done)
            if n < CHUNK:  # only the end of a file or a device reads short
                break
        hasher.wait()
    finally:
        hasher.close()
        os.close(fd)
    if length is not None and done < length:
        raise EOFError(f"{path}: {done} of {length} bytes")
    return digest.hexdigest()
