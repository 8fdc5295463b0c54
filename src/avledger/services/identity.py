"""Who is acting, and the permission table as the front ends show it (``avledger whoami``, the TUI's help)."""

from __future__ import annotations

from dataclasses import dataclass

from avledger.models.schema import Office
from avledger.services.base import Context
from avledger.services.permissions import ACTIONS, ROLE_ORDER, holders
from avledger.services.views import WhoView


@dataclass(frozen=True)
class TableRow:
    """One action of the permission table: its id, its words (a message id) and the roles that may."""

    action: str
    words: str
    roles: tuple[str, ...]


class IdentityService:
    def __init__(self, ctx: Context):
        self.ctx = ctx

    def whoami(self) -> WhoView:
        acting = self.ctx.acting()
        may = self.ctx.allowed(acting)
        return WhoView(
            acting.identity.account,
            acting.how,
            acting.identity.key_id,
            acting.staff_number or None,
            acting.staff_name or None,
            tuple(r for r in ROLE_ORDER if r in acting.roles),
            tuple(a for a in ACTIONS if a in may),
        )

    def table(self) -> list[TableRow]:
        """Every action and who may take it, under this office's profile (its approver roles)."""
        profile = self.ctx.profile() if Office.get_or_none(Office.id == 1) is not None else None
        return [TableRow(action, words, tuple(holders(action, profile))) for action, words in ACTIONS.items()]
