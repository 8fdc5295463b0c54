"""Reading and checking the audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from avledger.models import audit
from avledger.services import listing, search
from avledger.services.base import Context
from avledger.services.listing import DATETIME, INT, Column, Condition, Cursor, Page, Rows, Select, SortKey, any_of
from avledger.services.views import AuditView
from avledger.timeutil import from_local
from avledger.vocab import AUDIT_ACTIONS, AUDIT_ENTITIES

AUDIT_ROWS = Rows(
    AuditView,
    [
        Column("id", "e.id", INT),
        Column("at", "e.at", DATETIME),
        Column("actor", "e.actor"),
        Column("action", "e.action"),
        Column("entity", "e.entity"),
        Column("entity_id", "e.entity_id", INT),
        Column("summary", "e.summary"),
        Column("before", "e.before"),
        Column("after", "e.after"),
    ],
)


@dataclass(frozen=True)
class AuditQuery:
    """Which audit entries a listing shows."""

    entity: str | None = None  # about one kind of row
    entity_id: int | None = None  # about one row
    newest_first: bool = False
    text: str = ""  # what is typed in the filter (avledger.services.search)
    date_from: dt.date | None = None  # the office's local dates, both ends included
    date_to: dt.date | None = None


class AuditService:
    def __init__(self, ctx: Context):
        self.ctx = ctx

    def _select(self, query: AuditQuery) -> Select:
        desc = query.newest_first
        # an entry is a wide row (the states before and after): a filtered page reads fewer of them in order first
        select = Select("audit_event e", (SortKey("e.id", desc=desc),), index=listing.ROWID, probe=5_000)
        if query.entity:
            select.where("e.entity = ?", query.entity)
        if query.entity_id is not None:
            select.where("e.entity_id = ?", query.entity_id)
        tz = self.ctx.profile().tz
        if query.date_from is not None:
            select.where(
                "e.at >= ?", listing.sql_value(from_local(dt.datetime.combine(query.date_from, dt.time()), tz))
            )
        if query.date_to is not None:
            end = dt.datetime.combine(query.date_to + dt.timedelta(days=1), dt.time())
            select.where("e.at < ?", listing.sql_value(from_local(end, tz)))
        return select.search(self._word(w, tz) for w in search.words(query.text))

    @staticmethod
    def _word(word: str, tz) -> Condition:
        """An entry whose actor or summary holds ``word``, or whose number, date, action or object it names."""
        found = [
            search.audit_text("e.id", ("e.actor", "e.summary"), word),
            search.one_of("e.action", search.label_ids(AUDIT_ACTIONS, word)),
            search.one_of("e.entity", search.label_ids(AUDIT_ENTITIES, word)),
        ]
        if (n := search.number(word)) is not None:
            found.append(Condition("e.id = ?", (n,)))
        if (period := search.during("e.at", word, tz)) is not None:
            found.append(period)
        return any_of(found)

    def page(
        self, query: AuditQuery = AuditQuery(), after: Cursor | None = None, limit: int = 200, *, quick: bool = False
    ) -> Page[AuditView]:
        return listing.page(self.ctx.db, AUDIT_ROWS, self._select(query), after, limit, quick=quick)

    def count(self, query: AuditQuery = AuditQuery()) -> int:
        return listing.count(self.ctx.db, self._select(query))

    def rows(self, query: AuditQuery = AuditQuery()) -> Iterator[AuditView]:
        return listing.rows(self.ctx.db, AUDIT_ROWS, self._select(query))

    def write_json(self, query: AuditQuery, out: BinaryIO) -> int:
        """The entries of ``query`` as ``audit list --json`` prints them, streamed to ``out``."""
        return listing.write_json(self.ctx.db, AUDIT_ROWS, self._select(query), out)

    def list(
        self,
        *,
        entity: str | None = None,
        entity_id: int | None = None,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> list[AuditView]:
        query = AuditQuery(entity, entity_id, newest_first)
        if limit:
            return list(self.page(query, limit=limit).rows)
        return list(self.rows(query))

    def verify(self) -> audit.VerifyResult:
        return audit.verify()


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
