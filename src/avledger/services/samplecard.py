"""Real media files for the sample office and the tests: tiny MPEG-4 clips and JPEG photos written with PyAV.

A clip carries a container creation time as a camera writes it (UTC with a
``Z``), and frames with a moving gradient, so that its thumbnails look like
pictures and every clip has its own bytes. A photo carries its EXIF time as
cameras write it: the camera's local time (``DateTimeOriginal``), with the
offset from UTC only when the camera knows it (``OffsetTimeOriginal``).
"""

from __future__ import annotations

import datetime as dt
import struct
from pathlib import Path


def write_clip(
    path: Path,
    seconds: float = 1.0,
    *,
    creation_time: str | None = None,
    tags: dict[str, str] | None = None,
    fps: int = 10,
    size: tuple[int, int] = (64, 48),
    seed: int = 0,
) -> Path:
    """Write a small real video; ``creation_time`` as the camera writes it (e.g. ``2026-01-10T01:06:00Z``)."""
    import av

    path.parent.mkdir(parents=True, exist_ok=True)
    width, height = size
    seed = seed or len(path.name)
    with av.open(str(path), "w") as out:
        if creation_time:
            out.metadata["creation_time"] = creation_time
        for key, value in (tags or {}).items():
            out.metadata[key] = value
        stream = out.add_stream("mpeg4", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for i in range(max(1, int(seconds * fps))):
            frame = av.VideoFrame(width, height, "yuv420p")
            luma = frame.planes[0]
            shift = (i * 7 + seed * 31) % 256
            row = bytes((x * 255 // max(1, width - 1) + shift) % 256 for x in range(luma.line_size))
            luma.update(b"".join(bytes((b + y * 3) % 256 for b in row) for y in range(height)))
            for index, plane in enumerate(frame.planes[1:]):
                plane.update(bytes([(seed * 53 + index * 90 + i) % 256]) * plane.buffer_size)
            frame.pts = i
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def _exif(taken: dt.datetime, offset: str | None, serial: str | None) -> bytes:
    """A JPEG APP1 segment: TIFF header, IFD0 pointing to an Exif IFD with the time the photo was taken
    (and the camera's serial number, as body cameras write it)."""
    entries = [(0x9003, taken.strftime("%Y:%m:%d %H:%M:%S").encode() + b"\0")]  # DateTimeOriginal
    if offset:
        entries.append((0x9011, offset.encode() + b"\0"))  # OffsetTimeOriginal
    if serial:
        entries.append((0xA431, serial.encode() + b"\0"))  # BodySerialNumber
    exif_ifd = 8 + 2 + 12 + 4  # after the header and IFD0's one entry
    values = exif_ifd + 2 + 12 * len(entries) + 4
    tiff = b"II*\0" + struct.pack("<I", 8)
    tiff += struct.pack("<H", 1) + struct.pack("<HHII", 0x8769, 4, 1, exif_ifd) + struct.pack("<I", 0)
    tiff += struct.pack("<H", len(entries))
    data = b""
    for tag, value in entries:
        tiff += struct.pack("<HHII", tag, 2, len(value), values + len(data))  # ASCII, stored after the IFD
        data += value
    tiff += struct.pack("<I", 0) + data
    body = b"Exif\0\0" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body


def write_photo(
    path: Path,
    taken: dt.datetime | None,
    *,
    offset: str | None = None,
    serial: str | None = None,
    size: tuple[int, int] = (64, 48),
    seed: int = 0,
) -> Path:
    """Write a small real JPEG; ``taken`` in the camera's local time goes into its EXIF (None: no EXIF)."""
    from fractions import Fraction

    import av

    width, height = size
    seed = seed or len(path.name)
    codec = av.CodecContext.create("mjpeg", "w")
    codec.width, codec.height, codec.pix_fmt, codec.time_base = width, height, "yuvj420p", Fraction(1, 25)
    frame = av.VideoFrame(width, height, "yuvj420p")
    for index, plane in enumerate(frame.planes):
        plane.update(bytes((x + seed * 37 + index * 80) % 256 for x in range(plane.buffer_size)))
    jpeg = b"".join(bytes(packet) for packet in codec.encode(frame) + codec.encode(None))
    path.parent.mkdir(parents=True, exist_ok=True)
    # the EXIF segment goes right after the start-of-image marker, as cameras place it
    path.write_bytes(jpeg[:2] + (_exif(taken, offset, serial) if taken else b"") + jpeg[2:])
    return path


def camera_time(when_utc: dt.datetime) -> str:
    """A UTC time as cameras write it in the container."""
    return when_utc.strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def write_card(
    root: Path,
    serial: str,
    clips: list[tuple[str, dt.datetime, float]],
    *,
    photos: list[tuple[str, dt.datetime]] = (),
    damaged: bool = False,
) -> Path:
    """A camera's storage: ``DCIM/100MEDIA`` with the clips (name, start UTC, seconds) and the photos
    (name, the camera's local time for EXIF).

    With ``damaged``, also a clip cut short, an empty file and a note that is not media, as real cards have.
    """
    media = root / "DCIM" / "100MEDIA"
    for index, (name, start, seconds) in enumerate(clips):
        write_clip(media / name, seconds, creation_time=camera_time(start), tags={"comment": serial}, seed=index + 1)
    for index, (name, taken) in enumerate(photos):
        write_photo(media / name, taken, serial=serial, size=(320, 240), seed=index + 7)
    if damaged and clips:
        first = (media / clips[0][0]).read_bytes()
        (media / "VID_CUT.MP4").write_bytes(first[: len(first) // 2])
        (media / "EMPTY.MP4").write_bytes(b"")
        (root / "DCIM" / "说明.txt").write_text("不是音像文件", "utf-8")
    return root
