"""Burn an image with xorriso (``-as cdrecord``) to a drive or a file-backed drive (``stdio:PATH``),
then read the disc back: only the image's own length, since xorriso pads what it writes."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from avledger.digests import hash_file
from avledger.errors import UserError
from avledger.progress import CancelToken, Progress, ProgressSink, emit
from avledger.progress import check as check_cancel

XORRISO_BUFFER = "64m"  # makes writing several times faster than the default
_WRITTEN = re.compile(r"(\d+)\s+of\s+(\d+)\s+MB written")


def drive_path(drive: str) -> str:
    """The file to read a drive back from: the device itself, or the file of ``stdio:PATH``."""
    drive = drive.strip()
    if not drive:
        raise UserError("input.empty", "{label}不能为空", field="drive", label="DRIVE")
    return drive[len("stdio:") :] if drive.startswith("stdio:") else drive


def xorriso() -> str:
    path = shutil.which("xorriso")
    if path is None:
        raise UserError("burn.xorriso_missing", "找不到 xorriso，请先安装（Debian/Ubuntu：apt install xorriso）")
    return path


_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` that has the kernel kill the child (SIGKILL) when the thread that started it ends,
    however avledger ends (kill -9 too), so that no burner outlives the command; Linux only (elsewhere the
    process group is stopped from :func:`burn_image`'s ``finally``)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)  # looked up before the fork: nothing to load in the child
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the request was made
            os.kill(os.getpid(), signal.SIGKILL)

    return preexec


def _stop(proc: subprocess.Popen) -> None:
    """Stop a burner still running, and whatever it started (its own process group): politely, then for good."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, None)):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            proc.terminate() if sig == signal.SIGTERM else proc.kill()
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


class ImageChanged(Exception):
    """The image is not the one registered when it was built (nothing was burned)."""


def burn_image(
    image: Path,
    drive: str,
    *,
    sha256: str | None = None,
    progress: ProgressSink | None = None,
    cancel: CancelToken | None = None,
    on_start: Callable[[], None] | None = None,
) -> None:
    """Write ``image`` to ``drive`` with xorriso; a refusal carries xorriso's own last words.

    ``on_start`` is called once the image is checked, just before xorriso starts (the burn is registered
    then). xorriso runs in its own process group and ends with the command: stopped when this function
    leaves early for any reason, killed by the kernel when avledger dies (see :func:`_die_with_parent`).

    With ``sha256``, the image is first checked against it, so that a write-once disc is not spent on
    an image that changed since it was built (:class:`ImageChanged`). Cancelled, xorriso is stopped and
    :class:`~avledger.progress.Cancelled` raised (a write-once disc is then spoilt).
    """
    size = image.stat().st_size
    drive_path(drive)
    program = xorriso()  # before reading a large image through
    if sha256 is not None:

        def checked(n: int) -> None:
            check_cancel(cancel)
            emit(progress, Progress("disc_burn", "check", n, size))

        try:
            same = hash_file(image, size, on_bytes=checked) == sha256
        except EOFError:  # shorter than a moment ago
            same = False
        except OSError as exc:
            raise UserError(
                "disc.image_unreadable",
                "无法读取镜像 {path}：{err}",
                field="image",
                path=str(image),
                err=exc.strerror or str(exc),
            ) from None
        if not same:
            raise ImageChanged(str(image))
    cmd = [program, "-as", "cdrecord", "-v", f"dev={drive.strip()}", f"fs={XORRISO_BUFFER}", str(image)]
    check_cancel(cancel)  # asked to stop while the image was checked: xorriso does not start
    if on_start is not None:
        on_start()
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        errors="replace",
        start_new_session=True,  # a Ctrl-C at the terminal reaches avledger, which stops it
        preexec_fn=_die_with_parent(),
    )
    tail: list[str] = []
    read_all = False
    assert proc.stdout is not None
    try:
        emit(progress, Progress("disc_burn", "burn", 0, size))  # xorriso has started
        for line in proc.stdout:
            check_cancel(cancel)
            tail = (tail + [line.rstrip()])[-6:]
            match = _WRITTEN.search(line)
            if match:
                emit(progress, Progress("disc_burn", "burn", min(int(match.group(1)) * 1024 * 1024, size), size))
        read_all = True
    finally:
        if not read_all:
            _stop(proc)  # left early (cancelled, an error): the burner does not go on alone
        proc.wait()
        proc.stdout.close()
    check_cancel(cancel)
    if proc.returncode != 0:
        raise UserError(
            "burn.failed", "刻录失败（xorriso 退出码 {code}）：{tail}", code=proc.returncode, tail=" / ".join(tail[-3:])
        )
    emit(progress, Progress("disc_burn", "burn", size, size))


def read_back(drive: str, size: int, *, progress: ProgressSink | None = None, cancel: CancelToken | None = None) -> str:
    """SHA-256 of the first ``size`` bytes of the disc in ``drive``."""
    path = drive_path(drive)

    def read(n: int) -> None:
        check_cancel(cancel)
        emit(progress, Progress("disc_burn", "readback", n, size))

    try:
        digest = hash_file(path, size, drop_cache=True, on_bytes=read)
    except EOFError:
        return ""
    except OSError as exc:
        raise UserError(
            "drive.unreadable", "无法读取光盘 {drive}：{err}", field="drive", drive=drive, err=exc.strerror or str(exc)
        ) from None
    emit(progress, Progress("disc_burn", "done", size, size))
    return digest
