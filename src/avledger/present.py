"""How values read to a person, the same in the CLI, the TUI and print.

Plain text only (no Rich styles, no Textual): sizes, lengths of time, a
person as "name（number）", yes/no, lists in Chinese punctuation and the
wording of a few results that every front end shows. Times of day are
:func:`avledger.timeutil.fmt_local`; labels of vocabulary ids are
:func:`avledger.vocab.label`.
"""

from __future__ import annotations

from collections.abc import Iterable

from avledger.i18n import _
from avledger.progress import Progress
from avledger.vocab import PROGRESS_JOBS, PROGRESS_PHASES, label

DASH = "—"


def size_text(size: int | float | None) -> str:
    """Bytes as ``512 B``, ``1.5 KB``, ``3.2 MB``, ``4.0 GB`` or ``1.2 TB`` (powers of 1024)."""
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if abs(value) < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"


def rate_text(bytes_per_s: float) -> str:
    return size_text(int(bytes_per_s)) + "/s"


def duration_text(seconds: float | None) -> str:
    """A length of time as ``m:ss``, or ``h:mm:ss`` from an hour on; empty when unknown."""
    if seconds is None:
        return ""
    whole = int(round(seconds))
    if whole >= 3600:
        return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
    return f"{whole // 60}:{whole % 60:02d}"


def person(name: str | None, number: str | None) -> str:
    """A staff member as the registers name them: ``王建国（1001）``; empty when nobody."""
    if not name:
        return ""
    return f"{name}（{number}）" if number else name


def people(pairs: Iterable[tuple[str, str]]) -> str:
    """Several staff members, ``张伟（2001）、李娜（2002）``."""
    return joined(person(name, number) for name, number in pairs)


def joined(items: Iterable[str]) -> str:
    """Items of a list in the user's language (、 in Chinese, a comma in English)."""
    return _("、").join(item for item in items if item)


def clauses(items: Iterable[str]) -> str:
    """Clauses of a sentence (； in Chinese, a semicolon in English)."""
    return _("；").join(item for item in items if item)


def or_dash(text: str | None) -> str:
    return text if text else DASH


def yes_no(value: bool) -> str:
    return _("是") if value else _("否")


def progress_text(event: Progress, *, elapsed: float | None = None) -> str:
    """A long job's progress in one line: ``采集 3/52 · 复制 40%  1.2 GB / 3.0 GB  25.0 MB/s  剩余约 1:20  名称``.

    With ``elapsed`` (seconds since the job started), jobs measured in bytes show their rate and the time left.
    """
    job = label(PROGRESS_JOBS, event.job) + (f" {event.item}/{event.items}" if event.items else "")
    parts = [f"{job} · {label(PROGRESS_PHASES, event.phase)} {100 * event.fraction:.0f}%"]
    if event.unit == "bytes":
        parts.append(f"{size_text(event.done)} / {size_text(event.total)}")
        if elapsed and elapsed > 0 and event.done and not event.finished:
            rate = event.done / elapsed
            parts.append(rate_text(rate))
            parts.append(_("剩余约 {eta}").format(eta=duration_text((event.total - event.done) / rate)))
    else:
        parts.append(_("{done}/{total} 个文件").format(done=event.done, total=event.total))
    if event.current and not event.finished:
        parts.append(event.current)
    return "  ".join(parts)
