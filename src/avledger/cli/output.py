"""What the commands print: tables and key/value lists lined up in terminal cells, JSON, progress.

Widths are measured in cells (a CJK character is two), never with ``len()``. JSON is the same in every
language: ids, numbers and naive-UTC ISO times, never a translated word.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import click
from rich.cells import cell_len

from avledger.i18n import _


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _pad(text: str, width: int) -> str:
    return text + " " * (width - cell_len(text))


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Print a table whose columns line up in terminal cells; ``（无）`` under the header when empty."""
    text_rows = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [cell_len(h) for h in headers]
    for row in text_rows:
        widths = [max(w, cell_len(v)) for w, v in zip(widths, row)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(_pad(v, w) for v, w in zip(cells, widths)).rstrip()

    click.echo(line(headers))
    click.echo("  ".join("-" * w for w in widths))
    for row in text_rows:
        click.echo(line(row))
    if not text_rows:
        click.echo(_("（无）"))


def key_values(pairs: Sequence[tuple[str, Any]]) -> None:
    """Print one ``key  value`` line per pair, the values lined up after the widest key."""
    width = max((cell_len(key) for key, _value in pairs), default=0)
    for key, value in pairs:
        click.echo(f"{_pad(key, width)}  {'' if value is None else value}")


class ProgressLine:
    """A throttled progress line on stderr (a few updates a second), only when stderr is a terminal.

    ``describe`` words one progress event; every event has a ``phase``, the last one ``done``.
    """

    interval_s = 0.2

    def __init__(self, describe: Callable[[Any], str], *, width: int = 120) -> None:
        self.describe = describe
        self.width = width
        self.enabled = sys.stderr.isatty()
        self.last = 0.0

    def __call__(self, event: Any) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        done = event.phase == "done"
        if not done and now - self.last < self.interval_s:
            return
        self.last = now
        click.echo("\r" + self.describe(event)[: self.width].ljust(self.width), err=True, nl=done)
