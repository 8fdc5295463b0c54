"""The one place where a run that went wrong becomes a message and an exit status.

- A refusal (:class:`UserError`): ``错误：<message>`` on stderr in the user's language and its exit status
  (2, or 4 for :class:`PartlyDone`); a command run with ``--json`` also prints it on stdout as
  ``{"error": {"code", "field", "message"}}``, so that a script can read the code.
- The register's disk full, failing or read-only (SQLite's "database or disk is full", "disk I/O error",
  "attempt to write a readonly database"): a refusal naming the data folder, exit 2 (SQLite rolled back).
- Anything unexpected: one line naming the log file that holds the traceback
  (``<data folder>/logs/avledger.log``, rotated; the user's log folder when the data folder cannot be
  written), exit 3.
- Ctrl-C: one line, exit 130 (a long job asked to stop by its first Ctrl-C says what was kept).
- The reader of the output gone (``avledger footage list | head``): no message, exit 141 as a shell
  reports a command ended by SIGPIPE.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import shlex
import sys
import traceback
from pathlib import Path

import click
from platformdirs import user_log_path

from avledger import __version__
from avledger.errors import EXIT_UNEXPECTED, UserError
from avledger.fsutil import PRIVATE_DIR, PRIVATE_FILE, make_dirs, tighten
from avledger.home import Home
from avledger.i18n import _

from .groups import JSON_KEY
from .output import emit_json

EXIT_INTERRUPTED = 130
EXIT_READER_GONE = 141  # 128 + SIGPIPE
LOG_NAME = "avledger.log"
LOG_BYTES = 1_000_000
LOG_BACKUPS = 5


def refuse(ctx: click.Context, exc: UserError) -> None:
    if ctx.meta.get(JSON_KEY):
        emit_json({"error": exc.as_json()})
    click.echo(_("错误：{message}").format(message=exc.render()), err=True)
    ctx.exit(exc.exit_status)


def stopped(ctx: click.Context) -> None:
    """A long job stopped at the person's request (Ctrl+C): the step in hand undone, nothing of it registered."""
    click.echo(_("已停止：正在进行的一步已撤销，未作登记；此前完成的部分已登记。"), err=True)
    ctx.exit(EXIT_INTERRUPTED)


def interrupted(ctx: click.Context) -> None:
    click.echo(_("已中断"), err=True)
    ctx.exit(EXIT_INTERRUPTED)


def reader_gone(ctx: click.Context) -> None:
    """Standard output was a pipe whose reader stopped reading (``| head``): nothing more to say to it, and
    what is still buffered for it must not fail again when Python closes it."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    ctx.exit(EXIT_READER_GONE)


def unexpected(ctx: click.Context, exc: BaseException) -> None:
    home = ctx.find_object(Home)
    from avledger.services.base import storage_failure

    # the register's disk full, failing or read-only (outside a unit of work: opening, migrating): a refusal
    refusal = storage_failure(exc, home.path if home is not None else "")
    if refusal is not None:
        refuse(ctx, refusal)
        return
    # only into a data folder that is one (never logs/ beside the users' folders of a refused /home)
    path = write_log(exc, [home.path / "logs"] if home is not None and _initialised(home) else [])
    name = type(exc).__name__
    if path is None:  # nowhere to keep it: the traceback goes to the terminal instead
        traceback.print_exception(exc, file=sys.stderr)
        click.echo(_("意外错误（无法写入日志）：{error}").format(error=name), err=True)
    else:
        click.echo(_("意外错误（已记入 {path}）：{error}").format(path=path, error=name), err=True)
    ctx.exit(EXIT_UNEXPECTED)


class PrivateLog(logging.handlers.RotatingFileHandler):
    """The rotated log, readable by its owner only (a traceback may quote the register's data); text that
    is not UTF-8 (an argument of undecodable bytes) is written escaped rather than lost."""

    def __init__(self, filename: Path, **kwargs) -> None:
        super().__init__(filename, errors="backslashreplace", **kwargs)
        tighten(Path(self.baseFilename))  # a log written by an older version

    def _open(self):
        return open(
            os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE),
            "a",
            encoding=self.encoding,
            errors=self.errors,
        )


def write_log(exc: BaseException, folders: list[Path]) -> Path | None:
    """Append the traceback to the first log folder that can be written; return the log file's path."""
    for folder in [*folders, user_log_path("avledger", appauthor=False)]:
        path = folder / LOG_NAME
        try:
            make_dirs(folder, PRIVATE_DIR)
            handler = PrivateLog(path, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8")
        except OSError:
            continue
        logger = logging.getLogger("avledger.cli")
        logger.propagate = False
        logger.addHandler(handler)
        try:
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
            logger.error("avledger %s: avledger %s", __version__, shlex.join(sys.argv[1:]), exc_info=exc)
        finally:
            logger.removeHandler(handler)
            handler.close()
        return path
    return None


def _initialised(home: Home) -> bool:
    """Whether the data folder holds a register (False when it cannot even be looked into)."""
    try:
        return home.initialised
    except OSError:
        return False
