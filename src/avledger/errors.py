"""Errors a user can act on.

A :class:`UserError` carries a Chinese message id and its arguments; the
front end renders it in the user's language. The CLI exits 2 on it, and the
service that raised it has changed nothing (it raises before, or inside, the
transaction that would have made the change).
"""

from __future__ import annotations

from typing import Any


class UserError(Exception):
    """Refused input: a clear reason, nothing changed."""

    def __init__(self, message: str, /, **params: Any):
        super().__init__(message)
        self.message = message
        self.params = params

    def render(self) -> str:
        from avledger.i18n import _

        # Arguments that are message ids themselves (field labels) are translated too;
        # user data (names, numbers) is not in the catalog and stays as typed.
        params = {k: _(v) if isinstance(v, str) else v for k, v in self.params.items()}
        return _(self.message).format(**params)

    def __str__(self) -> str:  # pragma: no cover - debugging aid
        return self.render()
