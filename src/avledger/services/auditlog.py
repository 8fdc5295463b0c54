"""Reading and checking the audit log."""

from __future__ import annotations

from avledger.models import audit
from avledger.models.schema import AuditEvent
from avledger.services.base import Context
from avledger.services.views import AuditView

# The entries of these records are never confidential: a device's page shows its history to everyone.
OPEN_ENTITIES = frozenset({"device", "department", "loan", "fault", "liability"})


class AuditService:
    def __init__(self, ctx: Context):
        self.ctx = ctx

    def list(
        self,
        *,
        entity: str | None = None,
        entity_id: int | None = None,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> list[AuditView]:
        if entity not in OPEN_ENTITIES:  # the log holds every record, confidential ones too
            self.ctx.require("audit.read", entity=entity or "")
        query = AuditEvent.select()
        if entity:
            query = query.where(AuditEvent.entity == entity)
        if entity_id is not None:
            query = query.where(AuditEvent.entity_id == entity_id)
        query = query.order_by(AuditEvent.id.desc() if newest_first else AuditEvent.id)
        if limit:
            query = query.limit(limit)
        return [
            AuditView(e.id, e.at, e.actor, e.action, e.entity, e.entity_id, e.summary, e.before, e.after) for e in query
        ]

    def verify(self) -> audit.VerifyResult:
        self.ctx.require("audit.read")
        return audit.verify()

    def last_change_at(self):
        """When the register last changed (the home screen's glance; no entry is shown)."""
        last = AuditEvent.select(AuditEvent.at).order_by(AuditEvent.id.desc()).first()
        return last.at if last else None


def describe_problem(problem: audit.Problem) -> str:
    """One line, in the user's language, naming what does not match."""
    from avledger.i18n import _

    where = f"{problem.entity}#{problem.entity_id}"
    if problem.kind == "chain_edited":
        return _("第 {id} 条日志与其哈希不符（日志被改动）：{where}").format(id=problem.event_id, where=where)
    if problem.kind == "chain_broken":
        return _("第 {id} 条日志与前一条不衔接（之前的日志被删除或插入）").format(id=problem.event_id)
    if problem.kind == "row_changed":
        return _("{where} 与审计日志最后记录的内容不符，字段：{fields}").format(
            where=where, fields=", ".join(problem.fields)
        )
    if problem.kind == "row_deleted":
        return _("{where} 在日志中存在，但登记记录已被删除").format(where=where)
    if problem.kind == "row_unaudited":
        return _("{where} 没有对应的审计日志（未经程序写入）").format(where=where)
    return f"{problem.kind}: {where}"
