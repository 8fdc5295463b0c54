"""Recognise a disc from its own contents and check every file against its manifest."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from avledger.burners.burn import drive_path
from avledger.errors import UserError
from avledger.progress import CancelToken, Progress, ProgressSink, emit
from avledger.progress import check as check_cancel


@dataclass(frozen=True)
class DiscProblem:
    kind: str  # missing | changed | extra | manifest | image
    path: str


@dataclass
class DiscReading:
    """What was read from a disc: its labels, and the files that did not match."""

    bag_info: dict[str, str]
    manifest: dict[str, str]  # payload path -> sha256
    manifest_sha256: str
    image_size: int  # from the primary volume descriptor
    volume_id: str
    checked: int = 0
    problems: list[DiscProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class _HashSink:
    def __init__(self, cancel: CancelToken | None = None) -> None:
        self.digest = hashlib.sha256()
        self.cancel = cancel

    def write(self, data) -> int:
        check_cancel(self.cancel)  # raised through pycdlib between chunks of a large file
        self.digest.update(data)
        return len(data)


def parse_bag_info(text: str) -> dict[str, str]:
    info: dict[str, str] = {}
    key = None
    for line in text.splitlines():
        if line[:1] in (" ", "\t") and key:
            info[key] += " " + line.strip()
        elif ":" in line:
            key, value = line.split(":", 1)
            key = key.strip()
            info[key] = value.strip()
    return info


def parse_manifest(text: str) -> dict[str, str]:
    manifest = {}
    for line in text.splitlines():
        if line.strip():
            digest, path = line.split(None, 1)
            manifest[path.strip()] = digest.lower()
    return manifest


def read_disc(drive: str, *, progress: ProgressSink | None = None, cancel: CancelToken | None = None) -> DiscReading:
    """Open the disc (device or ``stdio:`` file) with pycdlib and check every payload file by its UDF path.

    UDF rather than Rock Ridge: Rock Ridge returns only the last part of a file split over 4 GiB.
    """
    import pycdlib
    from pycdlib.pycdlibexception import PyCdlibException

    path = drive_path(drive)
    iso = pycdlib.PyCdlib()
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise UserError(
            "drive.unreadable", "无法读取光盘 {drive}：{err}", field="drive", drive=drive, err=exc.strerror or str(exc)
        ) from None
    with fh:
        try:
            iso.open_fp(fh)
        except PyCdlibException:
            raise UserError("disc.unrecognised", "{drive} 中不是可识别的光盘", field="drive", drive=drive) from None
        try:
            if not iso.has_udf():
                raise UserError(
                    "disc.foreign", "{drive} 中的光盘不是本系统刻录的（没有 bag-info.txt）", field="drive", drive=drive
                )

            def text(name: str) -> tuple[str, str]:
                sink = _HashSink()
                chunks = bytearray()

                class Both:
                    def write(self, data) -> int:
                        sink.write(data)
                        chunks.extend(data)
                        return len(data)

                try:
                    iso.get_file_from_iso_fp(Both(), udf_path="/" + name)
                except PyCdlibException:
                    raise UserError(
                        "disc.foreign",
                        "{drive} 中的光盘不是本系统刻录的（没有 bag-info.txt）",
                        field="drive",
                        drive=drive,
                    ) from None
                return chunks.decode("utf-8"), sink.digest.hexdigest()

            info_text, _ = text("bag-info.txt")
            manifest_text, manifest_sha = text("manifest-sha256.txt")
            reading = DiscReading(
                parse_bag_info(info_text),
                parse_manifest(manifest_text),
                manifest_sha,
                iso.pvd.space_size * iso.pvd.log_block_size,
                iso.pvd.volume_identifier.decode("ascii", "replace").strip(),
            )
            on_disc = set()
            for root, _dirs, files in iso.walk(udf_path="/data"):
                for name in files:
                    on_disc.add(f"{root.strip('/')}/{name}")
            total = len(reading.manifest)
            for index, (rel, expected) in enumerate(reading.manifest.items()):
                emit(progress, Progress("disc_verify", "files", index, total, "files", current=rel))
                if rel not in on_disc:
                    reading.problems.append(DiscProblem("missing", rel))
                    continue
                sink = _HashSink(cancel)
                try:
                    iso.get_file_from_iso_fp(sink, udf_path="/" + rel)
                except (PyCdlibException, OSError):
                    reading.problems.append(DiscProblem("missing", rel))
                    continue
                reading.checked += 1
                if sink.digest.hexdigest() != expected:
                    reading.problems.append(DiscProblem("changed", rel))
            for rel in sorted(on_disc - set(reading.manifest)):
                reading.problems.append(DiscProblem("extra", rel))
        finally:
            iso.close()
    emit(progress, Progress("disc_verify", "files", len(reading.manifest), len(reading.manifest), "files"))
    return reading
