"""Progress of the long jobs and how a person stops them.

Ingest, disc build, burn, disc verify and archive verify all report the same
:class:`Progress` event to a callable they are given (``progress=``), from
whatever thread does the work; the CLI turns the events into a progress line
(or JSON lines), the TUI into a progress bar (through ``call_from_thread``).
:class:`Throttle` keeps either from redrawing more than a few times a second
while never dropping the first event, a change of phase or the last one.

A job given a :class:`CancelToken` (``cancel=``) checks it between steps and
raises :class:`Cancelled` when it is set; the job has then undone what it had
not finished (temporary files removed, nothing half-registered), and what it
had finished stays registered. Jobs whose unit of work is a whole file (ingest)
stop after the file in hand and return what they did instead of raising.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

JOBS = ("ingest", "disc_build", "disc_burn", "disc_verify", "archive_verify", "disposal")


@dataclass(frozen=True)
class Progress:
    """One step of a long job.

    ``done``/``total`` measure the whole job in ``unit`` (bytes, or files where
    a job cannot know bytes ahead). ``item``/``items`` count what the job works
    through: files ingested so far of all the files, or the disc in hand of
    the discs of a set. ``current`` names what is being worked on.
    """

    job: str  # one of JOBS
    phase: str  # vocab.PROGRESS_PHASES; the last event of a job is "done"
    done: int
    total: int
    unit: str = "bytes"  # bytes | files
    item: int = 0
    items: int = 0
    current: str = ""

    @property
    def fraction(self) -> float:
        if self.total <= 0:
            return 1.0 if self.phase == "done" else 0.0
        return max(0.0, min(1.0, self.done / self.total))

    @property
    def finished(self) -> bool:
        return self.phase == "done"


ProgressSink = Callable[[Progress], None]


def emit(sink: ProgressSink | None, event: Progress) -> None:
    """Give ``event`` to ``sink`` when there is one."""
    if sink is not None:
        sink(event)


class Throttle:
    """Pass events on to ``sink`` at most once every ``interval`` seconds.

    The first event, each change of job or phase, and the last (``done``)
    always pass, so a display never misses where a job is or that it ended.
    Thread-safe: a job's threads may report at once.
    """

    def __init__(
        self, sink: ProgressSink, interval: float = 0.2, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.sink = sink
        self.interval = interval
        self.clock = clock
        self._last_at: float | None = None
        self._last_key: tuple[str, str] | None = None
        self._lock = threading.Lock()

    def __call__(self, event: Progress) -> None:
        now = self.clock()
        key = (event.job, event.phase)
        with self._lock:
            due = (
                self._last_at is None or event.finished or key != self._last_key or now - self._last_at >= self.interval
            )
            if not due:
                return
            self._last_at, self._last_key = now, key
        self.sink(event)


class Cancelled(Exception):
    """A job stopped because a person asked it to (nothing it had not finished is registered)."""


class CancelToken:
    """Set by the person (a key in the TUI, Ctrl+C in the CLI), checked by the job."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    def reset(self) -> None:
        self._event.clear()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        """Raise :class:`Cancelled` when the job was asked to stop."""
        if self._event.is_set():
            raise Cancelled


def check(cancel: CancelToken | None) -> None:
    """:meth:`CancelToken.check` for an optional token."""
    if cancel is not None:
        cancel.check()
