"""Reading and checking the audit log, and witnessing its head outside the register.

The head (entries, last hash) is witnessed outside the register's own file: in
the data folder's ``audit-witness.log`` after every change
(:meth:`avledger.services.base.Context.witness`). :meth:`AuditService.verify`
reads every witness it can reach, with heads typed from paper, and finds what
the chain alone cannot: a cut tail, a register copied back, a recomputed chain,
an emptied register.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from avledger import witness
from avledger.models import audit
from avledger.models.schema import AuditEvent
from avledger.services.base import Context
from avledger.services.views import AuditView


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

    # --- the head and its witnesses ----------------------------------------------------------------
    def head(self) -> audit.Head:
        """The log's head now: entries and the last hash (``str(head)`` is ``N:HASH``, ``head.short`` as printed)."""
        return audit.head(self.ctx.db)

    def witness_path(self) -> Path | None:
        """The data folder's witness file (None without a data folder)."""
        return self.ctx.home.witness_path if self.ctx.home is not None else None

    def sources(self, heads: Sequence[tuple[int, str]] = ()) -> list[witness.Source]:
        """Where :meth:`verify` looks for witnesses: the data folder's file, the typed heads."""
        found: list[witness.Source] = []
        path = self.witness_path()
        if path is not None:
            found.append(witness.Source("data", path))
        if heads:
            typed = []
            for n, digest in heads:
                n, digest = witness.parse_head(f"{n}:{digest}")
                typed.append(witness.Witness(n, digest))
            found.append(witness.Source("typed", typed=tuple(typed)))
        return found

    def verify(self, full: bool = False, heads: Sequence[tuple[int, str]] = ()) -> audit.VerifyResult:
        """Check the chain (from the newest witness whose entry still matches; ``full``: from the first entry),
        every witness reachable (the data folder's file, ``heads`` typed from paper as
        ``(N, HASH)``, the hash whole or its first 12 or more digits), and every audited row."""
        return audit.verify(full=full, sources=self.sources(heads), db=self.ctx.db)


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
    if problem.witness is not None:
        seen = describe_witness(problem.witness)
        if problem.kind == "witness_ahead":
            return _(
                "日志只到第 {last} 条，但{seen}见证过第 {n} 条：第 {first} 至 {n} 条日志不见了"
                "（末尾被截去，或换回了较旧的登记库）"
            ).format(last=problem.last_entry, n=problem.witness.n, first=(problem.last_entry or 0) + 1, seen=seen)
        if problem.kind == "log_empty":
            return _("审计日志是空的，但{seen}见证过 {n} 条日志（登记库被清空或替换）").format(
                n=problem.witness.n, seen=seen
            )
        if problem.kind == "witness_differs":
            return _("第 {n} 条日志与{seen}见证的不同或已不存在（日志被重算或替换）").format(
                n=problem.witness.n, seen=seen
            )
    return f"{problem.kind}: {where}"


def describe_witness(w: audit.Witness) -> str:
    """Where and when a head was witnessed, in the user's language (for a sentence: "…{seen}见证过…")."""
    from avledger.i18n import _

    when = w.at.replace("T", " ").replace("Z", " UTC") if w.at else ""
    if w.place == "data":
        return _("数据目录的见证文件 {path}（{at}）").format(path=w.source, at=when)
    if w.place == "anchor":
        return _("锚点 {path}（{at}）").format(path=w.source, at=when)
    return _("手工输入的审计头 {head}").format(head=f"{w.n}:{w.hash}")
