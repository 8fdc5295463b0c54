"""The SHA-256 of a file read back from disk, and the read buffers kept per thread (issue 14)."""

from __future__ import annotations

import hashlib
import mmap
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from avledger import digests
from avledger.digests import hash_file

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="page cache residency is read on Linux")


def written(path: Path, size: int) -> str:
    data = os.urandom(size)
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


@linux
def test_a_read_back_starts_with_none_of_the_file_in_the_page_cache_and_leaves_none(tmp_path):
    path = tmp_path / "clip.mp4"
    sha = written(path, 3 * 1024 * 1024 + 17)  # just written: in the page cache
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        assert digests._cached_pages(fd, path.stat().st_size) > 0
        probe = tmp_path / "probe"
        written(probe, 8192)
        with open(probe, "rb") as fh:
            os.fsync(fh.fileno())
            os.posix_fadvise(fh.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
            if digests._cached_pages(fh.fileno(), 8192):
                pytest.skip("this file system keeps its files in memory (tmpfs)")
        seen = []
        real = digests._hash_fd

        def hashed(fd_, *args, **kwargs):
            seen.append(digests._cached_pages(fd_, path.stat().st_size))  # when the reading starts
            return real(fd_, *args, **kwargs)

        digests._hash_fd = hashed
        try:
            assert hash_file(path, drop_cache=True) == sha
        finally:
            digests._hash_fd = real
        assert seen == [0]
        assert digests._cached_pages(fd, path.stat().st_size) == 0  # read back, not kept
    finally:
        os.close(fd)


@linux
def test_a_file_whose_pages_cannot_be_dropped_is_read_past_the_cache(tmp_path):
    """Pages another process maps stay in the cache: the read-back does not trust them, it reads past the
    cache (O_DIRECT) or says so."""
    path = tmp_path / "clip.mp4"
    sha = written(path, 256 * 1024)
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        assert mapped[:4096]  # a page in use
        assert digests._hash_evicted(path, None, None) is None
        assert hash_file(path, drop_cache=True) == sha
    assert hash_file(path, 1000, drop_cache=True) == hashlib.sha256(path.read_bytes()[:1000]).hexdigest()
    with pytest.raises(EOFError):
        hash_file(path, 300 * 1024, drop_cache=True)


def test_each_thread_keeps_one_read_buffer(tmp_path):
    """hash_file allocates its 4 MiB buffer once per thread: a pool hashing many files uses as many buffers
    as it has threads."""
    paths = [tmp_path / f"{n}.jpg" for n in range(40)]
    sums = [written(p, 1000 + n) for n, p in enumerate(paths)]
    buffers: dict[int, set[int]] = {}

    def one(path: Path) -> str:
        digest = hash_file(path)
        buffers.setdefault(threading.get_ident(), set()).add(id(digests._read_buffer()))
        return digest

    with ThreadPoolExecutor(max_workers=2) as pool:
        assert list(pool.map(one, paths)) == sums
    assert 1 <= len(buffers) <= 2 and all(len(ids) == 1 for ids in buffers.values())


def page_cached_files(folder: Path) -> bool:
    """The file system of ``folder`` keeps its files in memory (tmpfs): nothing is "on the disk"."""
    probe = folder / "probe"
    written(probe, 8192)
    with open(probe, "rb") as fh:
        os.fsync(fh.fileno())
        os.posix_fadvise(fh.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
        return bool(digests._cached_pages(fh.fileno(), 8192))


@pytest.mark.parametrize("aligned", [True, False], ids=["page-aligned buffers", "any buffer"])
def test_a_direct_writer_writes_exactly_whatever_the_offsets_and_buffers(tmp_path, aligned):
    """Chunks in any order, of any length (a short read's remainder, a file's unaligned end): the file is the
    bytes given. An unaligned buffer (a bytearray) is refused past the cache and written through it."""
    data = os.urandom(3 * 1024 * 1024 + 4096 * 3 + 17)
    buffers = digests.Buffers(1024 * 1024, aligned=aligned)
    target = tmp_path / "target"
    cuts = [(2 * 1024 * 1024, 1024 * 1024), (0, 1024 * 1024 - 100), (1024 * 1024 - 100, 1024 * 1024 + 100)]
    cuts.append((3 * 1024 * 1024, len(data) - 3 * 1024 * 1024))
    with digests.DirectWriter(target, 0o600) as writer:
        for offset, length in cuts:
            buffer = buffers.take(length)
            buffer[:length] = data[offset : offset + length]
            writer.write_at(memoryview(buffer)[:length], offset)
        writer.fsync()
        if not aligned:
            assert writer.direct is None  # refused once, then through the page cache
    assert target.read_bytes() == data
    assert os.stat(target).st_mode & 0o777 == 0o600
    with pytest.raises(FileExistsError):  # a new file only
        digests.DirectWriter(target, 0o600)


@linux
def test_a_direct_writer_leaves_nothing_of_the_file_in_the_page_cache_but_its_end(tmp_path):
    """Written past the page cache: once flushed, at most the last page (the unaligned end, written through
    the cache) is cached, so the read-back is from the disk; and the kernel has no dirty pages to write back."""
    if page_cached_files(tmp_path):
        pytest.skip("this file system keeps its files in memory (tmpfs)")
    data = os.urandom(8 * 1024 * 1024 + 17)
    buffers = digests.Buffers(4 * 1024 * 1024, aligned=True)
    target = tmp_path / "target"
    with digests.DirectWriter(target, 0o600) as writer:
        assert writer.direct is not None
        for offset in range(0, len(data), 4 * 1024 * 1024):
            chunk = data[offset : offset + 4 * 1024 * 1024]
            buffer = buffers.take(len(chunk))
            buffer[: len(chunk)] = chunk
            writer.write_at(memoryview(buffer)[: len(chunk)], offset)
        writer.fsync()
    fd = os.open(target, os.O_RDONLY)
    try:
        assert digests._cached_pages(fd, len(data)) <= 1
    finally:
        os.close(fd)
    assert hash_file(target, drop_cache=True) == hashlib.sha256(data).hexdigest()


def test_a_worker_keeps_the_first_error_and_still_hands_every_buffer_back():
    """A write that fails (a full disk) is raised to the caller; the calls queued after it are skipped, and
    each one's ``done`` is still called, so no buffer is lost and nobody waits for ever."""
    worker = digests.Worker()
    done, ran = [], []

    def fail() -> None:
        raise OSError(28, "No space left on device")

    try:
        worker.call(ran.append, 1, done=lambda: done.append(1))
        worker.call(fail, done=lambda: done.append(2))
        worker.call(ran.append, 3, done=lambda: done.append(3))
        with pytest.raises(OSError) as info:
            worker.wait()
        assert info.value.errno == 28 and ran == [1] and done == [1, 2, 3]
        worker.settle()  # given up: forgotten, the worker serves the next job
        worker.call(ran.append, 4)
        worker.wait()
        assert ran == [1, 4]
    finally:
        worker.close()


def test_a_second_ctrl_c_while_settling_waits_for_the_calls_handed_over():
    """Ingest settles its writer on the first Ctrl+C and then closes the files it writes into: a second Ctrl+C
    in that wait is held until the queued writes are done, then raised (none is left writing into a closed
    descriptor's number)."""
    import signal
    import threading
    import time

    from avledger.digests import Worker

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    worker = Worker()
    finished: list[int] = []
    try:
        worker.call(lambda: (time.sleep(0.4), finished.append(1)))
        main = threading.main_thread().ident
        threading.Timer(0.1, signal.pthread_kill, (main, signal.SIGINT)).start()
        with pytest.raises(KeyboardInterrupt):
            worker.settle()
        assert finished == [1]
    finally:
        signal.signal(signal.SIGINT, previous)
        worker.close()
