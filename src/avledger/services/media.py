"""What a media file says about itself, read with PyAV (imported only here, and lazily).

Times are returned as the device wrote them (naive, not yet corrected): the
ingest service decides how to read them (the device's ``media_time``) and
corrects them with the clock offset recorded at issue.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

VIDEO_EXTENSIONS = frozenset(
    {
        ".mp4",
        ".mov",
        ".m4v",
        ".avi",
        ".mkv",
        ".ts",
        ".mts",
        ".m2ts",
        ".3gp",
        ".flv",
        ".wmv",
        ".asf",
        ".mpg",
        ".mpeg",
        ".webm",
    }
)
AUDIO_EXTENSIONS = frozenset({".wav", ".mp3", ".aac", ".m4a", ".amr", ".flac", ".ogg", ".oga", ".opus", ".wma"})
PHOTO_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".heic", ".heif"})

# 20251103_142501, 2025-11-03 14-25-01, 20251103142501, VID20251103T142501 ...
_NAME_TIME = re.compile(r"(?<!\d)(20\d\d)[-_.]?(\d\d)[-_.]?(\d\d)[-_. T]?(\d\d)[-_.:]?(\d\d)[-_.:]?(\d\d)(?!\d)")

# Tags that may hold a creation time, in order of preference.
_TIME_TAGS = (
    "creation_time",
    "date",
    "com.apple.quicktime.creationdate",
    "DateTimeOriginal",
    "DateTimeDigitized",
    "DateTime",
)
# EXIF's offset from UTC of DateTimeOriginal (EXIF 2.31); FFmpeg names it by number
_EXIF_OFFSET_TAGS = ("OffsetTimeOriginal", "0x9011")


def media_kind(path: Path) -> str | None:
    ext = path.suffix.lower()
    if ext in VIDEO_EXTENSIONS:
        return "video"
    if ext in AUDIO_EXTENSIONS:
        return "audio"
    if ext in PHOTO_EXTENSIONS:
        return "photo"
    return None


@dataclass
class MediaInfo:
    duration_s: float | None = None
    tag_time: dt.datetime | None = None  # from the container; naive; see tag_time_utc
    tag_time_utc: bool = True  # the tag carried a UTC marker (Z) or an offset from UTC
    tag_time_offset: bool = False  # the tag carried its offset from UTC (converted): to be trusted as it is
    width: int | None = None
    height: int | None = None
    codecs: tuple[str, ...] = ()
    bitrate: int | None = None
    tags: dict[str, str] = field(default_factory=dict)
    error: str | None = None  # set when the file cannot be read as media

    @property
    def corrupt(self) -> bool:
        return self.error is not None


def parse_tag_time(text: str) -> tuple[dt.datetime, bool, bool] | None:
    """A container time like ``2025-11-03T06:25:01.000000Z`` -> (naive time, was it UTC-marked, did it carry
    an offset). A time with an offset (``+08:00``) comes back in UTC."""
    raw = (text or "").strip()
    if not raw:
        return None
    raw = raw.replace("/", "-")
    if len(raw) >= 19 and raw[4] == ":" and raw[7] == ":":  # EXIF style 2025:11:03 14:25:01
        raw = raw[:4] + "-" + raw[5:7] + "-" + raw[8:]
    utc_marked = raw.endswith("Z")
    try:
        value = dt.datetime.fromisoformat(raw[:-1] if utc_marked else raw)
    except ValueError:
        return None
    has_offset = value.tzinfo is not None
    if has_offset:
        offset = value.utcoffset()
        value = (value - offset).replace(tzinfo=None)
        utc_marked = True
    if value.year < 2000:  # cameras with a reset clock write 1904 or 1970
        return None
    return value.replace(microsecond=0), utc_marked, has_offset


def name_time(name: str) -> dt.datetime | None:
    """A time written in the file name (the device's local time)."""
    match = _NAME_TIME.search(name)
    if not match:
        return None
    try:
        return dt.datetime(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def file_time(path: Path) -> dt.datetime:
    """The file's modification time, as naive UTC."""
    stamp = os.stat(path).st_mtime
    return dt.datetime.fromtimestamp(int(stamp), dt.UTC).replace(tzinfo=None)


def require_av() -> None:
    """Refuse clearly when PyAV is missing (it is a dependency; a hand-made venv may lack it)."""
    import importlib.util

    from avledger.errors import UserError

    if importlib.util.find_spec("av") is None:
        raise UserError(
            "ingest.av_missing", "未安装 PyAV（av），无法读取音像文件信息；请重新运行 ./avledger 以安装依赖"
        )


def probe(path: Path, kind: str) -> MediaInfo:
    """Read duration, time, resolution, codecs, bitrate and tags. Never raises for bad media."""
    import av

    info = MediaInfo()
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            tags: dict[str, str] = {str(k): str(v) for k, v in (container.metadata or {}).items()}
            codecs: list[str] = []
            for stream in container.streams:
                for key, value in (stream.metadata or {}).items():
                    tags.setdefault(str(key), str(value))
                name = stream.codec_context.name if stream.codec_context else None
                if name and name not in codecs:
                    codecs.append(name)
                if stream.type == "video" and info.width is None:
                    info.width = stream.codec_context.width or None
                    info.height = stream.codec_context.height or None
            info.codecs = tuple(codecs)
            info.tags = tags
            if kind == "photo" and container.streams.video:
                # decoding the picture both proves it readable and gives its EXIF (FFmpeg reads it there)
                for frame in container.decode(container.streams.video[0]):
                    for key, value in (frame.metadata or {}).items():
                        tags.setdefault(str(key).rsplit("/", 1)[-1], str(value))
                    break
                offset = next((tags[k] for k in _EXIF_OFFSET_TAGS if k in tags), "")
                if offset and "DateTimeOriginal" in tags:
                    tags["DateTimeOriginal"] = tags["DateTimeOriginal"].strip() + offset.strip()
            if kind != "photo":
                if container.duration:
                    info.duration_s = round(container.duration / av.time_base, 3)
                info.bitrate = container.bit_rate or None
                if not container.streams:
                    raise ValueError("no streams")
                # a damaged file may open but not decode: try the first packets
                for index, packet in enumerate(container.demux()):
                    if packet.size:
                        packet.decode()
                        break
                    if index > 16:
                        break
            for key in _TIME_TAGS:
                if key in tags:
                    parsed = parse_tag_time(tags[key])
                    if parsed:
                        info.tag_time, info.tag_time_utc, info.tag_time_offset = parsed
                        break
    except (av.FFmpegError, OSError, ValueError, UnicodeDecodeError) as exc:
        info.error = str(exc) or type(exc).__name__
    return info
