"""Reading and checking the audit log, and witnessing its head outside the register.

The head (entries, last hash) is witnessed in four places, none of them the
register's own file: the data folder's ``audit-witness.log`` after every change
(:meth:`avledger.services.base.Context.witness`), the footer of every printed
register, each disc's ``bag-info.txt`` (``Avledger-Audit-Head``), and the anchor
folders :meth:`AuditService.anchor` appends to (a USB stick, a folder of another
host). :meth:`AuditService.verify` reads every one it can reach, with heads typed
from paper, and finds what the chain alone cannot: a cut tail, a register copied
back, a recomputed chain, an emptied register.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from avledger import witness
from avledger.errors import UserError
from avledger.fsutil import SHARED_FILE
from avledger.i18n import N_
from avledger.models import audit
from avledger.models.schema import AuditEvent
from avledger.services import listing, search
from avledger.services.base import Context, check_text
from avledger.services.listing import DATETIME, INT, Column, Condition, Cursor, Page, Rows, Select, SortKey, any_of
from avledger.services.permissions import requires
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


# The entries of these records are never confidential: a device's page shows its history to everyone.
OPEN_ENTITIES = frozenset({"device", "department", "loan", "fault", "liability"})


@dataclass(frozen=True)
class AnchorFailure:
    place: str  # the folder as configured or given
    reason: str  # missing (no such folder: a USB stick not plugged in) | write (the file could not be written)
    error: str = ""  # the system's words for a write failure


@dataclass
class AnchorResult:
    head: audit.Head  # what was anchored
    written: list[str] = field(default_factory=list)  # the witness files appended to
    failed: list[AnchorFailure] = field(default_factory=list)


def anchor_file(place: Path) -> Path:
    """The witness file of an anchor place: ``avledger-audit-witness.log`` in the folder, or the place itself when
    it is a file. One folder anchors one register."""
    return place if place.is_file() else place / witness.ANCHOR_FILE


class AuditService:
    def __init__(self, ctx: Context):
        self.ctx = ctx

    def _select(self, query: AuditQuery) -> Select:
        """The entries of ``query``; the whole log is for those who may read it (it holds every record,
        confidential ones too), a device's or a department's history for everyone."""
        if query.entity not in OPEN_ENTITIES:
            self.ctx.require("audit.read", entity=query.entity or "")
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

    # --- the head and its witnesses ----------------------------------------------------------------
    def head(self) -> audit.Head:
        """The log's head now: entries and the last hash (``str(head)`` is ``N:HASH``, ``head.short`` as printed)."""
        return audit.head(self.ctx.db)

    def witness_path(self) -> Path | None:
        """The data folder's witness file (None without a data folder)."""
        return self.ctx.home.witness_path if self.ctx.home is not None else None

    def anchor_places(self) -> list[Path]:
        """The anchor folders set for this data folder (config.toml, ``[audit] anchors``)."""
        if self.ctx.home is None:
            return []
        return [Path(p) for p in self.ctx.home.audit_anchors()]

    @requires("audit.anchor")
    def set_anchor_places(self, places: Sequence[str | Path]) -> list[Path]:
        """Set the anchor folders (absolute paths; they need not be reachable now: a USB stick comes and goes).
        The setting lives in config.toml, outside the register, and its change is logged."""
        if self.ctx.home is None:
            raise UserError("audit.no_home", "没有数据目录，无法设置审计锚点位置")
        resolved: list[Path] = []
        for place in places:
            text = str(place).strip()
            check_text(text, N_("锚点位置"), field="places")
            path = Path(text).expanduser()
            if not text or not path.is_absolute():
                raise UserError(
                    "audit.anchor_relative", "审计锚点位置应为绝对路径：{place}", field="places", place=text
                )
            if path not in resolved:
                resolved.append(path)
        before = self.ctx.home.audit_anchors()
        try:
            self.ctx.home.set_audit_anchors([str(p) for p in resolved])
        except OSError as exc:
            raise UserError(
                "audit.config_unwritable",
                "无法写入 {path}：{err}",
                path=str(self.ctx.home.config_path),
                err=exc.strerror or str(exc),
            ) from None
        with self.ctx.change():
            self.ctx.log(
                "audit_anchor_places",
                entity="audit",
                before={"anchors": before},
                after={"anchors": [str(p) for p in resolved]},
                summary="; ".join(str(p) for p in resolved),
            )
        return resolved

    @requires("audit.anchor")
    def anchor(self, to: str | Path | None = None, *, remember: bool = False) -> AnchorResult:
        """Append the head to ``to`` (a folder, or a witness file), else to every anchor folder set, written with
        one append and flushed to disk; then log that it was anchored. Refused when nothing could be written,
        and when the log contradicts the data folder's witness file (an anchor must not vouch for a tampered log).
        ``remember``: ``to`` becomes one of the anchor folders set, written to by default from then on.
        """
        given = to is not None and str(to).strip()
        check_text(str(to) if given else None, N_("锚点位置"), field="to")
        places = [Path(str(to).strip()).expanduser()] if given else self.anchor_places()
        if remember and given:
            self.set_anchor_places([*self.anchor_places(), places[0]])
        if not places or (remember and not given):
            raise UserError(
                "audit.no_anchor",
                "没有设置审计锚点位置：请用 --to 指定一个文件夹（U 盘或另一台电脑共享的文件夹）",
                field="to",
            )
        head = self.head()
        if head.n == 0:
            raise UserError("audit.nothing_to_anchor", "审计日志还是空的，没有可锚定的审计头")
        self._refuse_if_contradicted(head)
        result = AnchorResult(head)
        for place in places:
            if not (place.is_dir() or place.is_file()):
                result.failed.append(AnchorFailure(str(place), "missing"))
                continue
            target = anchor_file(place)
            try:
                witness.append(target, head, self.ctx.clock(), mode=SHARED_FILE)
            except OSError as exc:
                result.failed.append(AnchorFailure(str(place), "write", exc.strerror or str(exc)))
                continue
            result.written.append(str(target))
        if not result.written:
            first = result.failed[0]
            raise UserError(
                "audit.anchor_failed",
                "无法写入审计锚点 {place}：{error}",
                field="to",
                place=first.place,
                error=first.error or N_("找不到这个文件夹"),
            )
        with self.ctx.change():
            self.ctx.log("audit_anchor", entity="audit", summary=f"{head} → {'; '.join(result.written)}")
        return result

    def _refuse_if_contradicted(self, head: audit.Head) -> None:
        path = self.witness_path()
        if path is None or not path.is_file():
            return
        newest = next(witness.Source("data", path).backward(), None)
        if newest is None:
            return
        row = AuditEvent.select(AuditEvent.hash).where(AuditEvent.id == newest.n).first()
        if newest.n > head.n or row is None or not newest.matches(row.hash):
            raise UserError(
                "audit.anchor_contradicted",
                "审计日志与数据目录的见证文件不符（见证过第 {n} 条，日志现有 {entries} 条），未写入锚点；"
                "请先运行 avledger audit verify --full 查明原因",
                n=newest.n,
                entries=head.n,
            )

    def sources(self, heads: Sequence[tuple[int, str]] = ()) -> list[witness.Source]:
        """Where :meth:`verify` looks for witnesses: the data folder's file, each anchor folder, the typed heads."""
        found: list[witness.Source] = []
        path = self.witness_path()
        if path is not None:
            found.append(witness.Source("data", path))
        for place in self.anchor_places():
            target = anchor_file(place)
            if all(s.path != target for s in found):
                found.append(witness.Source("anchor", target))
        if heads:
            typed = []
            for n, digest in heads:
                n, digest = witness.parse_head(f"{n}:{digest}")
                typed.append(witness.Witness(n, digest))
            found.append(witness.Source("typed", typed=tuple(typed)))
        return found

    def verify(self, full: bool = False, heads: Sequence[tuple[int, str]] = ()) -> audit.VerifyResult:
        """Check the chain (from the newest witness whose entry still matches; ``full``: from the first entry),
        every witness reachable (the data folder's file, the anchor folders, ``heads`` typed from paper as
        ``(N, HASH)``, the hash whole or its first 12 or more digits), and every audited row."""
        self.ctx.require("audit.read")
        return audit.verify(full=full, sources=self.sources(heads), db=self.ctx.db)

    def record_names(self, problems: Sequence[audit.Problem]) -> dict[tuple[str, int], str]:
        """The records the problems concern, in words (设备 JL-2024-003), from what the log last says of each
        (a row deleted since is still named)."""
        import json

        from avledger.auditfields import record_name

        self.ctx.require("audit.read")
        names: dict[tuple[str, int], str] = {}
        for p in problems:
            if p.entity is None or p.entity_id is None or (p.entity, p.entity_id) in names:
                continue
            last = (
                AuditEvent.select(AuditEvent.before, AuditEvent.after)
                .where((AuditEvent.entity == p.entity) & (AuditEvent.entity_id == p.entity_id))
                .order_by(AuditEvent.id.desc())
                .first()
            )
            snap = None
            if last is not None:
                try:
                    snap = json.loads(last.after or last.before or "null")
                except ValueError:
                    snap = None
            names[(p.entity, p.entity_id)] = record_name(
                p.entity, p.entity_id, snap if isinstance(snap, dict) else None
            )
        return names

    def last_change_at(self):
        """When the register last changed (the home screen's glance; no entry is shown)."""
        last = AuditEvent.select(AuditEvent.at).order_by(AuditEvent.id.desc()).first()
        return last.at if last else None


def describe_problem(problem: audit.Problem, names: Mapping[tuple[str, int], str] | None = None) -> str:
    """One line, in the user's language, naming what does not match: the record in words (``names``, from
    :meth:`AuditService.record_names`, else its kind and number) and its fields by their labels."""
    from avledger.auditfields import field_label, record_name
    from avledger.i18n import _

    key = (problem.entity or "", problem.entity_id or 0)
    where = (names or {}).get(key) or record_name(problem.entity, problem.entity_id)
    if problem.kind == "chain_edited":
        return _("第 {id} 条日志与其哈希不符（日志被改动）：{where}").format(id=problem.event_id, where=where)
    if problem.kind == "chain_broken":
        return _("第 {id} 条日志与前一条不衔接（之前的日志被删除或插入）").format(id=problem.event_id)
    if problem.kind == "row_changed":
        return _("{where} 与审计日志最后记录的内容不符，字段：{fields}").format(
            where=where, fields=_("、").join(field_label(problem.entity, f) for f in problem.fields)
        )
    if problem.kind == "row_deleted":
        return _("{where} 在日志中存在，但登记记录已被删除").format(where=where)
    if problem.kind == "row_unaudited":
        return _("{where} 没有对应的审计日志（未经程序写入）").format(where=where)
    if problem.kind == "rows_changed":
        return _("{where} 登记的文件清单与审计日志记录的摘要不符（清单中的记录被改动、增加或删除）").format(where=where)
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
