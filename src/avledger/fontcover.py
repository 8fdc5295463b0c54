"""Which characters a font can draw: a small reader of OpenType ``cmap`` tables.

typst draws a character missing from every font as an empty box and says
nothing, so the print service checks the text against the font first.
Reads ``.ttf``/``.otf`` files and ``.ttc`` collections (the first face: the
faces of Noto Sans CJK share one character map).
"""

from __future__ import annotations

import mmap
import struct
from bisect import bisect_right
from functools import cache
from pathlib import Path


class Coverage:
    def __init__(self, ranges: list[tuple[int, int]]):
        self.ranges = sorted(ranges)
        self.starts = [start for start, _end in self.ranges]

    def __contains__(self, char: str) -> bool:
        code = ord(char)
        i = bisect_right(self.starts, code) - 1
        return i >= 0 and self.ranges[i][0] <= code <= self.ranges[i][1]

    def missing(self, text: str) -> list[str]:
        """The characters of ``text`` the font lacks, in order of first use (spaces and controls ignored)."""
        return [c for c in dict.fromkeys(text) if not c.isspace() and ord(c) >= 0x20 and c not in self]


@cache
def coverage(path: Path) -> Coverage:
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:  # (20 MB: not read)
        return _coverage(path, data)


def _coverage(path: Path, data) -> Coverage:
    offset = 0
    if data[:4] == b"ttcf":
        offset = struct.unpack_from(">I", data, 12)[0]
    num_tables = struct.unpack_from(">H", data, offset + 4)[0]
    cmap = None
    for i in range(num_tables):
        tag, _checksum, table_offset, _length = struct.unpack_from(">4sIII", data, offset + 12 + 16 * i)
        if tag == b"cmap":
            cmap = table_offset
    if cmap is None:
        raise ValueError(f"{path}: no cmap table")
    subtables = {}
    for i in range(struct.unpack_from(">H", data, cmap + 2)[0]):
        platform, encoding, sub_offset = struct.unpack_from(">HHI", data, cmap + 4 + 8 * i)
        subtables[(platform, encoding)] = cmap + sub_offset
    for key in ((3, 10), (0, 4), (0, 6), (3, 1), (0, 3)):
        if key in subtables:
            return Coverage(_ranges(data, subtables[key]))
    raise ValueError(f"{path}: no Unicode cmap")


def _ranges(data: bytes, at: int) -> list[tuple[int, int]]:
    fmt = struct.unpack_from(">H", data, at)[0]
    if fmt == 12:
        count = struct.unpack_from(">I", data, at + 12)[0]
        return [struct.unpack_from(">II", data, at + 16 + 12 * i)[:2] for i in range(count)]
    if fmt == 4:
        segs = struct.unpack_from(">H", data, at + 6)[0] // 2
        ends = struct.unpack_from(f">{segs}H", data, at + 14)
        starts = struct.unpack_from(f">{segs}H", data, at + 16 + 2 * segs)
        # Approximation: a segment counts as covered (glyph 0 entries inside a segment are rare).
        return [(s, e) for s, e in zip(starts, ends) if s != 0xFFFF]
    raise ValueError(f"unsupported cmap format {fmt}")
