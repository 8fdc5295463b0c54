"""The progress of a long job (ingest, disc build, burn, verify): a bar and one line of words.

A screen gives :meth:`JobProgress.sink` to the service as ``progress=`` from its
worker thread; events reach the widget through ``call_from_thread``, about ten
a second at most (:class:`avledger.progress.Throttle`). The widget also holds
the job's :class:`~avledger.progress.CancelToken`: :meth:`cancel` asks the job
to stop and says so on the line.
"""

from __future__ import annotations

import time

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import ProgressBar, Static

from avledger.i18n import _
from avledger.present import progress_text
from avledger.progress import CancelToken, Progress, ProgressSink, Throttle


class JobProgress(Vertical):
    DEFAULT_CSS = """
    JobProgress {
        height: auto;
    }
    JobProgress > ProgressBar {
        display: none;
    }
    JobProgress.-running > ProgressBar, JobProgress.-finished > ProgressBar {
        display: block;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.token = CancelToken()
        self.started = 0.0
        self.running = False

    def compose(self) -> ComposeResult:
        yield ProgressBar(total=100, show_eta=False)
        yield Static("", classes="job-line")

    # --- from the screen (the UI thread) ------------------------------------------------
    def start(self) -> CancelToken:
        """A new job begins: an empty bar, a fresh token (returned, for the service's ``cancel=``)."""
        self.token = CancelToken()
        self.started = time.monotonic()
        self.running = True
        self.set_class(True, "-running")
        self.set_class(False, "-finished")
        self.query_one(ProgressBar).update(total=100, progress=0)
        self.query_one(".job-line", Static).update("")
        return self.token

    def cancel(self) -> bool:
        """Ask the job to stop; False when none is running."""
        if not self.running:
            return False
        self.token.cancel()
        self.query_one(".job-line", Static).update(Text(_("正在停止…"), style="yellow"))
        return True

    def finish(self, message: str | Text, ok: bool = True) -> None:
        """The job ended (or stopped, or was refused): the outcome in words."""
        self.running = False
        self.set_class(False, "-running")
        self.set_class(True, "-finished")
        if ok:
            self.query_one(ProgressBar).update(total=100, progress=100)
        line = message if isinstance(message, Text) else Text(message, style="green" if ok else "bold red")
        self.query_one(".job-line", Static).update(line)

    def note(self, message: str | Text = "") -> None:
        """Words without a job (a plan, a refusal before starting): the bar is hidden."""
        if self.running:
            return
        self.set_class(False, "-finished")
        self.query_one(".job-line", Static).update(message)

    def show(self, event: Progress) -> None:
        if not self.running:
            return
        self.query_one(ProgressBar).update(total=100, progress=100 * event.fraction)
        text = progress_text(event, elapsed=time.monotonic() - self.started)
        if self.token.cancelled:
            text += "  " + _("（正在停止…）")
        self.query_one(".job-line", Static).update(Text(text))

    # --- for the worker thread ---------------------------------------------------------------
    def sink(self) -> ProgressSink:
        """The ``progress=`` callable for a service running in a worker thread."""
        return Throttle(lambda event: self.app.call_from_thread(self.show, event), interval=0.1)
