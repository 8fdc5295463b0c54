"""Burn an image with xorriso (``-as cdrecord``) to a drive or a file-backed drive (``stdio:PATH``),
then read the disc back: only the image's own length, since xorriso pads what it writes."""

from __future__ import annotations

import re
import shutil
import subprocess
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


class ImageChanged(Exception):
    """The image is not the one registered when it was built (nothing was burned)."""


def burn_image(
    image: Path,
    drive: str,
    *,
    sha256: str | None = None,
    progress: ProgressSink | None = None,
    cancel: CancelToken | None = None,
) -> None:
    """Write ``image`` to ``drive`` with xorriso; a refusal carries xorriso's own last words.

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
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    tail: list[str] = []
    assert proc.stdout is not None
    try:
        emit(progress, Progress("disc_burn", "burn", 0, size))  # xorriso has started
        for line in proc.stdout:
            check_cancel(cancel)
            tail = (tail + [line.rstrip()])[-6:]
            match = _WRITTEN.search(line)
            if match:
                emit(progress, Progress("disc_burn", "burn", min(int(match.group(1)) * 1024 * 1024, size), size))
    finally:
        if proc.poll() is None and cancel is not None and cancel.cancelled:
            proc.terminate()
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
