"""Errors a user can act on.

A :class:`UserError` carries a stable ``code`` (what went wrong, for scripts,
tests and screens: ``device.unknown``), the ``field`` it concerns (the name of
the service parameter that held the bad value: ``asset_no``, so that a form
can put the message beside that field), and a Chinese message id with its
arguments, rendered in the user's language by :meth:`UserError.render`.

Codes are dotted and lower-case, ``<area>.<what>``; one situation has one code
wherever it is raised. ``tests/test_errors.py`` lists every code with the
messages it is raised with, and fails on a call without a code or on a code
(or a message under a code) it does not list.

The service that raised it has changed nothing: it raises before, or inside,
the transaction that would have made the change. The CLI turns it into the
message on stderr and exit status 2, in one place (``avledger.cli``).

:class:`PartlyDone` is the exception to "nothing changed": a long job that
stopped part way (a disk filled up, a card was pulled out) after finishing
some of its work. Its message says what was done and what was not; the CLI
exits 4.
"""

from __future__ import annotations

import re
from typing import Any

CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")

EXIT_OK = 0
EXIT_PROBLEM = 1  # a check found a problem
EXIT_REFUSED = 2  # refused input, nothing changed
EXIT_UNEXPECTED = 3  # a bug or an unforeseen failure: one line, the traceback in the log file
EXIT_PARTLY = 4  # partly done: the message says what was and was not done


class UserError(Exception):
    """Refused input: a clear reason, nothing changed.

    ``UserError("device.unknown", "没有这个资产编号的设备：{asset}", field="asset_no", asset=asset_no)``
    """

    exit_status = EXIT_REFUSED

    def __init__(self, code: str, message: str, /, *, field: str | None = None, **params: Any):
        if not CODE.match(code):
            raise ValueError(f"not an error code: {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.params = params

    def render(self) -> str:
        from avledger.i18n import _
        from avledger.plaintext import visible

        # Arguments that are message ids themselves (field labels) are translated too;
        # user data (names, numbers) is not in the catalog and stays as typed, but for a control or
        # bidirectional character, shown as its escape: a refusal quoting what was typed never drives the terminal.
        params = {k: visible(_(v)) if isinstance(v, str) else v for k, v in self.params.items()}
        return _(self.message).format(**params)

    def as_json(self) -> dict[str, Any]:
        """The refusal for scripts: the same in every language but for ``message``."""
        return {"code": self.code, "field": self.field, "message": self.render()}

    def __str__(self) -> str:  # pragma: no cover - debugging aid
        return f"[{self.code}] {self.render()}"


class PartlyDone(UserError):
    """A job that did part of its work and stopped; the message says what was and was not done."""

    exit_status = EXIT_PARTLY
