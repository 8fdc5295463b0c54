"""What the commands print: tables and key/value lists lined up in terminal cells, JSON, progress.

Widths are measured in cells (a CJK character is two), never with ``len()``. JSON is the same in every
language: ids, numbers and naive-UTC ISO times, never a translated word.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import json
import shutil
import signal
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, BinaryIO

import click
from rich.cells import cell_len, set_cell_size

from avledger.i18n import _
from avledger.plaintext import UNSAFE, visible
from avledger.present import progress_text
from avledger.progress import CancelToken, Progress, Throttle


def emit_json(data: Any) -> None:
    click.echo(json_text(data, indent=2))


def emit_json_with_list(head: dict, key: str, items: Iterable[Any]) -> None:
    """Print ``head`` with ``key`` holding ``items`` as :func:`emit_json` would, the items written a block at a
    time as they are read (a plan of six hundred thousand files is never held)."""
    text = json_text(head, indent=2)
    click.echo((text[:-2] + ",\n" if head else "{\n") + f"  {json.dumps(key)}: [", nl=False)
    items = iter(items)
    written = 0
    while block := list(itertools.islice(items, TABLE_BLOCK)):
        chunk = ",".join("\n    " + json_text(item) for item in block)
        click.echo(("," if written else "") + chunk, nl=False)
        written += len(block)
    click.echo("\n  ]\n}" if written else "]\n}")


def json_text(data: Any, *, indent: int | None = None) -> str:
    """JSON for scripts: text as it is (Chinese stays Chinese), but a control or bidirectional character a
    register holds is written as its ``\\uXXXX`` escape (json escapes C0 itself; C1 and the bidirectional
    controls would reach a terminal raw). The same data for a JSON reader."""
    text = json.dumps(data, ensure_ascii=False, indent=indent, default=str)
    # a line break here is the layout's (json escapes those inside strings)
    return UNSAFE.sub(lambda m: m.group() if m.group() == "\n" else f"\\u{ord(m.group()):04x}", text)


def safe(value: Any) -> str:
    """A value as a line of terminal text: a control or bidirectional character shown as its escape
    (:func:`avledger.plaintext.visible`), so that stored text is shown, never obeyed."""
    return visible("" if value is None else str(value))


def notice(code: str, message: str, *, as_json: bool = False) -> None:
    """Something the person should know that is neither the result nor a refusal, on stderr: a line of
    text, or with ``--json`` a JSON line ``{"notice": {"code", "message"}}`` beside the progress lines."""
    if as_json:
        click.echo(json_text({"notice": {"code": code, "message": message}}), err=True)
    else:
        click.echo(message, err=True)


class _TextOut:
    """A binary stream over a text stream that has none (stdout captured in a test)."""

    def __init__(self, stream) -> None:
        self.stream = stream

    def write(self, data: bytes) -> int:
        self.stream.write(data.decode("utf-8"))
        return len(data)


def json_out() -> BinaryIO:
    """Standard output for JSON a service streams as UTF-8 (:func:`avledger.services.listing.write_json`): the
    same text :func:`emit_json` prints, without holding it."""
    stream = sys.stdout
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        return _TextOut(stream)  # type: ignore[return-value]
    stream.flush()
    return buffer


def _pad(text: str, width: int) -> str:
    return text + " " * (width - cell_len(text))


TABLE_BLOCK = 1000  # rows read before their column widths are known (see table)


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Print a table whose columns line up in terminal cells; ``（无）`` under the header when empty.

    The rows are read a block at a time (a listing of a million clips is never held): the widths come from
    the header and the first block, and only grow after it, so a column may move right at a block's start
    when a later row is wider (scripts read ``--json``)."""
    widths = [cell_len(h) for h in headers]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(_pad(v, w) for v, w in zip(cells, widths)).rstrip()

    rows = iter(rows)
    printed = 0
    while block := [[safe(v) for v in row] for row in itertools.islice(rows, TABLE_BLOCK)]:
        for row in block:
            widths = [max(w, cell_len(v)) for w, v in zip(widths, row)]
        if not printed:
            click.echo(line(headers))
            click.echo("  ".join("-" * w for w in widths))
        for row in block:
            click.echo(line(row))
        printed += len(block)
    if not printed:
        click.echo(line(headers))
        click.echo("  ".join("-" * w for w in widths))
        click.echo(_("（无）"))


def key_values(pairs: Sequence[tuple[str, Any]]) -> None:
    """Print one ``key  value`` line per pair, the values lined up after the widest key."""
    width = max((cell_len(key) for key, _value in pairs), default=0)
    for key, value in pairs:
        click.echo(f"{_pad(key, width)}  {safe(value)}")


class ProgressLine:
    """A long job's progress on stderr: one line redrawn on a terminal (cut to its width in cells), or,
    with ``--json``, one JSON object per line (``{"progress": {...}}``) for scripts; nothing when stderr is
    neither. A few updates a second at most (:class:`avledger.progress.Throttle`)."""

    def __init__(self, *, as_json: bool = False) -> None:
        self.as_json = as_json
        self.enabled = as_json or sys.stderr.isatty()
        self.started = time.monotonic()
        self.throttle = Throttle(self._show)

    def __call__(self, event: Progress) -> None:
        if self.enabled:
            self.throttle(event)

    def _show(self, event: Progress) -> None:
        if self.as_json:
            click.echo(json_text({"progress": dataclasses.asdict(event)}), err=True)
            return
        width = shutil.get_terminal_size((100, 24)).columns - 1
        text = safe(progress_text(event, elapsed=time.monotonic() - self.started))  # a card's file name
        click.echo("\r" + set_cell_size(text, width), err=True, nl=event.finished)


@contextlib.contextmanager
def cancellable() -> Iterator[CancelToken]:
    """A token that the first Ctrl+C sets, so that the job stops cleanly (the step in hand undone, nothing
    of it registered); a second Ctrl+C interrupts at once."""
    token = CancelToken()

    def on_interrupt(signum, frame) -> None:
        if token.cancelled:
            raise KeyboardInterrupt
        token.cancel()
        click.echo("\n" + _("正在停止…（再按一次 Ctrl+C 立即中断）"), err=True)

    try:
        previous = signal.signal(signal.SIGINT, on_interrupt)
    except ValueError:  # not the main thread: Ctrl+C interrupts as usual
        yield token
        return
    try:
        yield token
    finally:
        signal.signal(signal.SIGINT, previous)
