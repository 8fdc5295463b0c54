"""Small still pictures of a clip, read with PyAV, for a terminal that shows no images.

A thumbnail is a grid of RGB pixels; the TUI draws two pixel rows per
character cell with the upper-half block. Nothing is written: the archived
file is only read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Thumbnail:
    at_s: float  # seconds into the clip
    width: int
    height: int
    pixels: bytes  # rgb24, row after row, no padding

    def pixel(self, x: int, y: int) -> tuple[int, int, int]:
        i = (y * self.width + x) * 3
        return self.pixels[i], self.pixels[i + 1], self.pixels[i + 2]


def _rgb(frame, width: int) -> tuple[int, int, bytes]:
    """The frame scaled to ``width`` pixels (height even, aspect kept), as tight rgb24 rows."""
    height = max(2, round(frame.height * width / max(1, frame.width) / 2) * 2)
    small = frame.reformat(width=width, height=height, format="rgb24")
    plane = small.planes[0]
    raw = bytes(plane)
    row = width * 3
    if plane.line_size == row:
        return width, height, raw[: row * height]
    return width, height, b"".join(raw[y * plane.line_size : y * plane.line_size + row] for y in range(height))


def thumbnails(path: Path, *, count: int = 3, width: int = 24) -> list[Thumbnail]:
    """Up to ``count`` pictures spread over the clip (a photo gives one). Unreadable media gives none."""
    import av

    pictures: list[Thumbnail] = []
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.video:
                return []
            stream = container.streams.video[0]
            duration = (container.duration / av.time_base) if container.duration else 0.0
            targets = [duration * (i + 0.5) / count for i in range(count)] if duration > 0 else [0.0]
            for target in targets:
                if duration > 0 and stream.time_base:
                    container.seek(int(target / stream.time_base), stream=stream, backward=True)
                for frame in container.decode(stream):
                    w, h, pixels = _rgb(frame, width)
                    pictures.append(Thumbnail(round(target, 1), w, h, pixels))
                    break
    except (av.FFmpegError, OSError, ValueError):
        return pictures
    return pictures
