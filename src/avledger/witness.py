"""Witnesses of the audit head, kept outside the register.

The audit head is the number of entries in the audit log and the hash of the
last one (entries are numbered from 1 without gaps, so the last entry's number
is the count). A head written down somewhere the register's file cannot reach
lets ``audit verify`` find what the hash chain alone cannot: a log cut at its
end, an older register copied back, a chain recomputed after an edit, an
emptied register.

A witness file holds one line per head, appended, never rewritten::

    1270042 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 2026-03-02T04:05:06Z

the number, the 64 hex digits of the hash, and when (UTC). The data folder's
``audit-witness.log`` gets a line after every committed transaction that added
entries (:meth:`avledger.services.base.Context.change`); an anchor folder (a USB
stick, a folder on another host) gets ``avledger-audit-witness.log`` lines from
``audit anchor``. A line is appended with one ``write`` in append mode and
flushed to disk before the call returns. A process killed between its commit
and its append leaves the file behind the log, which is fine: the next change
appends the newer head, and a witness behind the log proves nothing missing.
A line torn by a crash is skipped when read; the next append starts a new line.

Nothing here knows the database; :mod:`avledger.models.audit` checks the log
against these witnesses.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from avledger.errors import UserError
from avledger.fsutil import PRIVATE_FILE, fsync_dir

FILE_NAME = "audit-witness.log"  # in the data folder
ANCHOR_FILE = "avledger-audit-witness.log"  # in an anchor folder
SHORT = 16  # hex digits of the hash shown on paper (a printed register's footer)
MIN_TYPED = 12  # the fewest hex digits accepted for a head typed from paper
GENESIS = "0" * 64

_HEX = b"0123456789abcdef"
_AT = re.compile(rb"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
_TYPED = re.compile(r"^\s*([0-9]+)\s*[:：]\s*([0-9a-fA-F][0-9a-fA-F ]*)$")


@dataclass(frozen=True)
class Head:
    """The audit head: how many entries the log holds, and the last one's hash."""

    n: int
    hash: str

    def __str__(self) -> str:
        return f"{self.n}:{self.hash}"

    @property
    def short(self) -> str:
        """``N:`` and the first :data:`SHORT` hex digits in groups of four, as printed on paper (and typed back:
        :func:`parse_head` takes the spaces)."""
        digits = self.hash[:SHORT]
        return f"{self.n}:" + " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))


EMPTY = Head(0, GENESIS)


@dataclass(frozen=True)
class Witness:
    """A head seen outside the register: a line of a witness file, or a head typed from paper."""

    n: int
    hash: str  # 64 hex digits; a typed head may give only the first ones (at least MIN_TYPED)
    at: str = ""  # when it was witnessed, UTC as written ("2026-03-02T04:05:06Z"); "" when typed
    place: str = "typed"  # data (the data folder's file) | anchor | typed
    source: str = ""  # the file it was read from; "" when typed

    def matches(self, digest: str) -> bool:
        return digest.startswith(self.hash)


@dataclass
class Source:
    """One place witnesses are read from: a witness file, or the heads typed from paper."""

    place: str  # data | anchor | typed
    path: Path | None = None
    typed: tuple[Witness, ...] = ()
    unreadable: int = field(default=0, compare=False)  # lines skipped while reading (torn or not a witness line)

    @property
    def name(self) -> str:
        return str(self.path) if self.path is not None else ""

    def reachable(self) -> bool:
        return self.path is None or self.path.is_file()

    def forward(self) -> Iterator[Witness]:
        """The witnesses in the order they were written."""
        for n, digest, at in self.lines():
            yield self.witness(n, digest, at)

    def lines(self) -> Iterator[tuple[int, str, str]]:
        """``(n, hash, at)`` of each witness in the order written, as plain tuples (a witness file may hold a
        line per change: millions); the lines that are not witness lines are counted in :attr:`unreadable`."""
        if self.path is None:
            for w in self.typed:
                yield w.n, w.hash, w.at
            return
        for raw in read_lines(self.path):
            parsed = parse_line(raw)
            if parsed is not None:
                yield parsed
            elif raw.strip():
                self.unreadable += 1

    def witness(self, n: int, digest: str, at: str) -> Witness:
        return Witness(n, digest, at, self.place, self.name)

    def backward(self) -> Iterator[Witness]:
        """The witnesses newest first (reading the file from its end)."""
        if self.path is None:
            yield from sorted(self.typed, key=lambda w: w.n, reverse=True)
            return
        for raw in read_lines_backward(self.path):
            parsed = parse_line(raw)
            if parsed is not None:
                yield self.witness(*parsed)


def line(head: Head, at: dt.datetime) -> bytes:
    """One witness line for ``head`` seen at ``at`` (naive UTC)."""
    return f"{head.n} {head.hash} {at:%Y-%m-%dT%H:%M:%SZ}\n".encode("ascii")


def parse_line(raw: bytes) -> tuple[int, str, str] | None:
    """``(n, hash, at)`` of a witness line; None for anything else (a line torn by a crash)."""
    parts = raw.split()
    if len(parts) != 3:
        return None
    n, digest, at = parts
    if len(digest) != 64 or digest.strip(_HEX) or not n.isdigit() or n[:1] == b"0" or not _AT.fullmatch(at):
        return None
    return int(n), digest.decode("ascii"), at.decode("ascii")


def append(path: Path, head: Head, at: dt.datetime, *, mode: int = PRIVATE_FILE) -> None:
    """Append ``head`` to the witness file ``path`` and flush it to disk (OSError when it cannot). ``mode``: that
    of a new file (the data folder's is private like the register; an anchor on a shared folder may be read)."""
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, mode)
    try:
        size = os.fstat(fd).st_size
        data = line(head, at)
        if size and _last_byte(path) != b"\n":
            data = b"\n" + data  # the last line was torn by a crash: leave it, start a new one
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    if size == 0:
        fsync_dir(path.parent)  # a new file: make its name durable too


def _last_byte(path: Path) -> bytes:
    with open(path, "rb") as fh:
        fh.seek(-1, os.SEEK_END)
        return fh.read(1)


def read_lines(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        yield from fh


def read_lines_backward(path: Path, block: int = 64 * 1024) -> Iterator[bytes]:
    """The lines of ``path`` from the last to the first, reading blocks from the end."""
    with open(path, "rb") as fh:
        position = fh.seek(0, os.SEEK_END)
        rest = b""
        while position > 0:
            step = min(block, position)
            position -= step
            fh.seek(position)
            chunk = fh.read(step) + rest
            lines = chunk.split(b"\n")
            rest = lines[0]
            yield from reversed(lines[1:])
        yield rest


def parse_head(text: str) -> tuple[int, str]:
    """A head typed from paper, ``N:HASH`` (the hash whole or its first digits, at least MIN_TYPED; spaces
    between the digits, as printed, are dropped)."""
    match = _TYPED.match((text or "").strip())
    digits = match[2].replace(" ", "") if match else ""
    if match is None or int(match[1]) < 1 or not MIN_TYPED <= len(digits) <= 64:
        raise UserError(
            "audit.head_invalid",
            "审计头 {text} 的格式应为 条数:哈希（哈希至少 {digits} 位十六进制数字），例如 1234:9f86d081884c7d65",
            field="heads",
            text=text,
            digits=MIN_TYPED,
        )
    return int(match[1]), digits.lower()
