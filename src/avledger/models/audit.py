"""The tamper-evident audit log.

Every change to the register appends one :class:`AuditEvent` in the same
transaction as the change. Each entry's hash covers its own fields and the
previous entry's hash, so editing, deleting or reordering entries breaks the
chain. :func:`verify` also compares every audited row with the state the log
last recorded for it, so a register row edited, inserted or deleted by hand
(for example with ``sqlite3``) is found as well, and checks the log against the
witnesses of its head kept outside the register (:mod:`avledger.witness`), so
that a cut end, an older register copied back, a recomputed chain and an
emptied register are found too.

:func:`verify` runs in constant memory whatever the size of the log: the chain
is streamed in id order from the raw cursor, and each table's rows are compared
with their last logged state by SQLite itself through the partial index of
migration 6, in a second thread. :func:`append` stays one indexed read and one
insert.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

from peewee import BooleanField, Field, Model, SqliteDatabase

from avledger.models.db import database
from avledger.models.schema import AUDITED, COVERED, AuditEvent, Covered
from avledger.witness import EMPTY, GENESIS, Head, Source, Witness

__all__ = ["EMPTY", "GENESIS", "Head", "Source", "Witness"]  # re-exported: the head and its witnesses


def jsonable(value: Any) -> Any:
    """A value as the log records it: datetimes as "YYYY-MM-DD HH:MM:SS[.ffffff]", dates as "YYYY-MM-DD"
    (the text SQLite holds for them), anything else as it is."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def snapshot_of(model: type[Model], data: Mapping[str, Any]) -> dict[str, Any]:
    """The log's record of a row of ``model`` whose values (by field name, foreign keys as ids) are ``data``,
    in the model's field order."""
    return {name: jsonable(data.get(name)) for name in model._meta.sorted_field_names}


def snapshot(instance: Model) -> dict[str, Any]:
    """The row's stored values, as the log records them."""
    return snapshot_of(type(instance), instance.__data__)


_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def canonical(value: Any) -> str:
    """``value`` as JSON the one way the log writes it (what json.dumps gives with these options; the encoder is
    made once)."""
    return _CANONICAL.encode(value)


def entry_hash(
    prev_hash: str,
    at: str,
    actor: str,
    actor_staff_id: int | None,
    action: str,
    entity: str,
    entity_id: int | None,
    summary: str,
    before: str | None,
    after: str | None,
) -> str:
    payload = canonical([at, actor, actor_staff_id, action, entity, entity_id, summary, before, after])
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a staff member mapped from the OS user, else the OS user."""

    name: str
    staff_id: int | None = None


def append(
    actor: Actor,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    before: dict | None,
    after: dict | None,
    at: dt.datetime,
    summary: str = "",
) -> AuditEvent:
    """Append one entry. Call inside the transaction that makes the change."""
    last = AuditEvent.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).first()
    prev_hash = last.hash if last else GENESIS
    return AuditEvent.create(
        **entry(prev_hash, actor, action, entity, entity_id, before=before, after=after, at=at, summary=summary)
    )


def entry(
    prev_hash: str,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    before: dict | None,
    after: dict | None,
    at: dt.datetime,
    summary: str = "",
) -> dict[str, Any]:
    """The columns of the entry that follows the one hashed ``prev_hash`` (its own hash included), by field name."""
    before_s = canonical(before) if before is not None else None
    after_s = canonical(after) if after is not None else None
    digest = entry_hash(
        prev_hash, jsonable(at), actor.name, actor.staff_id, action, entity, entity_id, summary, before_s, after_s
    )
    return {
        "at": at,
        "actor": actor.name,
        "actor_staff_id": actor.staff_id,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "summary": summary,
        "before": before_s,
        "after": after_s,
        "prev_hash": prev_hash,
        "hash": digest,
    }


# --- the head -------------------------------------------------------------------------------------
def head(db: SqliteDatabase = database) -> Head:
    """The log's head: its last entry's number (the count: entries are numbered from 1 without gaps) and hash."""
    row = db.execute_sql("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1").fetchone()
    return Head(row[0], row[1]) if row else EMPTY


# --- checking -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    # chain_edited, chain_broken: an entry's hash or its link to the one before is wrong
    # row_changed, row_deleted, row_unaudited: a register row differs from what the log last says of it
    # rows_changed: the rows registered in bulk under this row's entry (fields: their entity) are not the ones
    # its logged digest vouches for
    # witness_ahead: a witness saw entries the log no longer has (its end was cut, or an older register copied back)
    # witness_differs: entry N is not what a witness saw (the chain was recomputed or replaced)
    # log_empty: the log has no entries, but a witness saw some (the register was emptied or replaced)
    kind: str
    event_id: int | None
    entity: str | None
    entity_id: int | None
    fields: tuple[str, ...] = ()
    witness: Witness | None = None  # the witness the log fails (witness_ahead, witness_differs, log_empty)
    last_entry: int | None = None  # the log's last entry (witness_ahead, log_empty)


@dataclass(frozen=True)
class SourceReport:
    """One place witnesses were looked for, and what was found there."""

    place: str  # data | anchor | typed
    path: str  # the witness file ("" for heads typed from paper)
    reachable: bool  # the file exists (an anchor on a USB stick that is not plugged in does not)
    checked: int  # witnesses compared with the log
    newest: Witness | None  # the newest of them
    unreadable: int  # lines that are not witness lines (a line torn by a crash)


@dataclass
class VerifyResult:
    events: int = 0  # entries in the log
    rows: int = 0  # register rows compared with the log
    problems: list[Problem] = field(default_factory=list)
    full: bool = True  # the chain was checked from its first entry
    checked: int = 0  # entries whose hash was computed again
    start: Witness | None = None  # the witness the chain check started from (None: from the first entry)
    head: Head = EMPTY
    sources: list[SourceReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_bad_event(self) -> int | None:
        return next((p.event_id for p in self.problems if p.kind.startswith("chain")), None)


def verify(*, full: bool = True, sources: Sequence[Source] = (), db: SqliteDatabase = database) -> VerifyResult:
    """Check the chain, the witnesses of ``sources`` and every audited row, in constant memory.

    ``full``: the hashes from the first entry; else from the newest witness whose entry still matches (from the
    first entry when there is none, or when the log's count and its last number disagree), the entries before it
    walked for their numbers and hashes only. Every witness is checked either way, as the walk passes its entry.
    The rows are checked at the same time in a second thread on a connection of its own, where the database is
    a file.
    """
    result = VerifyResult(full=full)
    tally = _Tally(sources)
    rows = _RowsCheck(db, alone=db.in_transaction())
    rows.start()
    try:
        with db.atomic():  # the head, the chain and the witnesses in one snapshot
            conn = db.connection()
            result.head = head(db)
            result.events = conn.execute("SELECT count(*) FROM audit_event").fetchone()[0]
            trusting = not full and result.events == result.head.n
            start = _newest_match(conn, sources, result.head.n) if trusting else None
            result.full, result.start = start is None, start
            chain = _Chain(conn, tally, result.head.n)
            chain.walk(start, _merged(sources, tally, chain.hash_of, result.head.n))
            result.checked = chain.checked
    finally:
        rows.join()
    if rows.error is not None:
        raise rows.error
    tally.forgive_growth(db)  # a witness ahead of our snapshot may only show a change made while we read
    result.rows = rows.rows
    result.problems = chain.problems + tally.problems(result.head.n) + rows.problems
    result.sources = tally.reports()
    return result


Line = tuple[int, str, str, int]  # a witness on its way through the walk: n, hash, at, the index of its source


class _Tally:
    """What each source's witnesses showed: the newest ahead of the log and the oldest that differs from it.

    Witnesses go through as plain tuples (:data:`Line`); a :class:`Witness` is made only for what is reported."""

    def __init__(self, sources: Sequence[Source]):
        self.sources = list(sources)
        count = len(self.sources)
        self.checked = [0] * count
        self.newest: list[Line | None] = [None] * count
        self.ahead: list[Line | None] = [None] * count
        self.differs: list[Line | None] = [None] * count

    def judge(self, line: Line, digest: str | None, last: int) -> bool:
        """Record ``line`` against the log, whose entry ``n`` has the hash ``digest`` (None: no such entry) and
        whose last entry is ``last``; True when it matches."""
        n, key = line[0], line[3]
        self.checked[key] += 1
        newest = self.newest[key]
        if newest is None or n > newest[0]:
            self.newest[key] = line
        if n > last:
            ahead = self.ahead[key]
            if ahead is None or n > ahead[0]:
                self.ahead[key] = line
            return False
        if digest is None or not digest.startswith(line[1]):
            differs = self.differs[key]
            if differs is None or n < differs[0]:
                self.differs[key] = line
            return False
        return True

    def witness(self, line: Line | None) -> Witness | None:
        return None if line is None else self.sources[line[3]].witness(line[0], line[1], line[2])

    def forgive_growth(self, db: SqliteDatabase) -> None:
        """Drop the witnesses ahead that the log, read again now, holds: a change committed while we read."""
        for key, line in enumerate(self.ahead):
            if line is None:
                continue
            row = db.execute_sql("SELECT hash FROM audit_event WHERE id = ?", (line[0],)).fetchone()
            if row is not None and row[0].startswith(line[1]):
                self.ahead[key] = None

    def problems(self, last: int) -> list[Problem]:
        found = []
        for key in range(len(self.sources)):
            if self.differs[key] is not None:
                w = self.witness(self.differs[key])
                found.append(Problem("witness_differs", w.n, None, None, witness=w))
            if self.ahead[key] is not None:
                kind = "log_empty" if last == 0 else "witness_ahead"
                found.append(Problem(kind, None, None, None, witness=self.witness(self.ahead[key]), last_entry=last))
        return found

    def reports(self) -> list[SourceReport]:
        return [
            SourceReport(
                s.place,
                s.name,
                s.reachable(),
                self.checked[key],
                self.witness(self.newest[key]),
                s.unreadable,
            )
            for key, s in enumerate(self.sources)
        ]


LOOK_BACK = 1000  # witness lines read from the end of a source for a start to trust


def _newest_match(conn, sources: Sequence[Source], last: int) -> Witness | None:
    """The newest witness whose entry still has the hash it saw: where the hashes are computed again from.

    Each source is read from its end for at most LOOK_BACK lines (a log rewritten long ago has none that
    match: then the whole chain is hashed). Nothing is judged here: the walk checks every witness."""
    start = None
    lookup = conn.cursor()
    for source in sources:
        if not source.reachable():
            continue
        for read, w in enumerate(source.backward()):
            if read >= LOOK_BACK:
                break
            if w.n > last or (start is not None and w.n <= start.n):
                continue
            row = lookup.execute("SELECT hash FROM audit_event WHERE id = ?", (w.n,)).fetchone()
            if row is not None and w.matches(row[0]):
                start = w
                break
    return start


def _merged(
    sources: Sequence[Source], tally: _Tally, hash_of: Callable[[int], str | None], last: int
) -> Iterator[Line]:
    """Every witness of ``sources`` in one stream by number, for the walk to check as it passes their entries.

    A file's lines are in the order written, which is by number but for a line written late (two programs
    committing at once): such a line is checked on its own, by looking its entry up."""

    def ordered(key: int, source: Source) -> Iterator[Line]:
        if not source.reachable():
            return
        lines = sorted(source.lines()) if source.path is None else source.lines()
        newest = 0
        for n, digest, at in lines:
            line = (n, digest, at, key)
            if n < newest:
                tally.judge(line, hash_of(n) if n <= last else None, last)
                continue
            newest = n
            yield line

    streams = [ordered(key, source) for key, source in enumerate(sources)]
    return streams[0] if len(streams) == 1 else heapq.merge(*streams, key=itemgetter(0))


class _Chain:
    """The walk along the chain: each entry's hash computed again and its link to the entry before checked.

    The fast path lets SQLite write each entry's canonical JSON (``json_array`` gives what :func:`canonical`
    gives for these values) and hashes it here; an entry that fails the fast check is examined again the
    exact way (:func:`entry_hash` over the values as peewee reads them) before anything is reported, so the
    fast path can only save time, never decide. A value ``json_array`` refuses (a BLOB put in by hand) sends
    the rest of the walk the exact way."""

    FAST = (
        "SELECT id, CAST(prev_hash || json_array(at, actor, actor_staff_id, action, entity, entity_id, summary,"
        " before, after) AS BLOB), hash FROM audit_event WHERE id >= ? ORDER BY id"
    )
    COLUMNS = [f.column_name for f in AuditEvent._meta.sorted_fields]
    EXACT = f"SELECT {', '.join(COLUMNS)} FROM audit_event WHERE id >= ? ORDER BY id"
    ONE = f"SELECT {', '.join(COLUMNS)} FROM audit_event WHERE id = ?"

    def __init__(self, conn, tally: _Tally, last: int):
        self.conn = conn
        self.tally = tally
        self.last = last
        self.problems: list[Problem] = []
        self.checked = 0
        self.prev = GENESIS  # the hash the next entry must link to
        self.expect = 1  # the next entry's number
        self.witnesses: Iterator[Line] = iter(())
        self.next_witness: Line | None = None

    def hash_of(self, n: int) -> str | None:
        row = self.conn.execute("SELECT hash FROM audit_event WHERE id = ?", (n,)).fetchone()
        return row[0] if row else None

    def walk(self, start: Witness | None, witnesses: Iterator[Line]) -> None:
        self.witnesses = witnesses
        self.next_witness = next(witnesses, None)
        if start is not None:  # trusted: the entries before it are not hashed, nor its link; those after it are
            self._light(start.n)
            self.expect = start.n
            self.prev = self.conn.execute("SELECT prev_hash FROM audit_event WHERE id = ?", (start.n,)).fetchone()[0]
        try:
            self._fast(self.expect)
        except sqlite3.Error:
            self._exact(self.expect)
        while self.next_witness is not None:  # witnesses past the log's end
            self.tally.judge(self.next_witness, None, self.last)
            self.next_witness = next(self.witnesses, None)

    def _light(self, until: int) -> None:
        """The entries before ``until``, trusted: only their numbers (no gap) and the witnesses of them."""
        expect = 1
        witnessed = self.next_witness[0] if self.next_witness is not None else _NEVER
        for number, digest in self.conn.execute("SELECT id, hash FROM audit_event WHERE id < ? ORDER BY id", (until,)):
            if number != expect and not self.problems:
                self.problems.append(Problem("chain_broken", number, None, None))
            if number >= witnessed:
                witnessed = self._witnesses_to(number, digest)
            expect = number + 1

    def _fast(self, first: int) -> None:
        sha256 = hashlib.sha256
        prev = (self.prev or "").encode("ascii", "replace")
        expect = self.expect
        until = self.next_witness[0] if self.next_witness is not None else _NEVER
        cursor = self.conn.execute(self.FAST, (first,))
        try:
            for number, blob, digest in cursor:
                if number != expect or blob is None or not blob.startswith(prev) or sha256(blob).hexdigest() != digest:
                    self.expect, self.prev = expect, prev.decode("ascii", "replace")
                    self._examine(self._one(number))
                if number >= until:
                    until = self._witnesses_to(number, digest)
                prev = digest.encode("ascii", "replace") if isinstance(digest, str) else b"?"
                expect = number + 1
                self.checked += 1
        finally:
            self.expect, self.prev = expect, prev.decode("ascii", "replace")
            cursor.close()

    def _exact(self, first: int) -> None:
        until = self.next_witness[0] if self.next_witness is not None else _NEVER
        for raw in self.conn.execute(self.EXACT, (first,)):
            ev = dict(zip(self.COLUMNS, raw))
            self._examine(ev)
            if ev["id"] >= until:
                until = self._witnesses_to(ev["id"], ev["hash"])
            self.prev, self.expect = ev["hash"], ev["id"] + 1
            self.checked += 1

    def _one(self, number: int) -> dict[str, Any]:
        return dict(zip(self.COLUMNS, self.conn.execute(self.ONE, (number,)).fetchone()))

    def _examine(self, ev: dict[str, Any]) -> None:
        """The exact check of one entry; the first wrong link or hash of the walk is reported."""
        if any(p.kind.startswith("chain") for p in self.problems):
            return
        if exact_hash(ev) != ev["hash"]:
            self.problems.append(Problem("chain_edited", ev["id"], ev["entity"], ev["entity_id"]))
        elif ev["prev_hash"] != self.prev or ev["id"] != self.expect:
            self.problems.append(Problem("chain_broken", ev["id"], ev["entity"], ev["entity_id"]))

    def _witnesses_to(self, number: int, digest: str) -> int:
        """Check the witnesses up to entry ``number`` (those before it name entries that are not in the log);
        the number of the next witness."""
        line = self.next_witness
        while line is not None and line[0] <= number:
            self.tally.judge(line, digest if line[0] == number else None, self.last)
            line = next(self.witnesses, None)
        self.next_witness = line
        return line[0] if line is not None else _NEVER


_NEVER = 1 << 63


def exact_hash(ev: Mapping[str, Any]) -> str | None:
    """The hash of the entry whose stored values are ``ev`` (by column), as :func:`entry` made it; None when a
    value cannot be one the program wrote."""
    try:
        values = {f.column_name: f.python_value(ev[f.column_name]) for f in AuditEvent._meta.sorted_fields}
        at = values["at"]
        return entry_hash(
            values["prev_hash"],
            at if isinstance(at, str) else jsonable(at),
            values["actor"],
            values["actor_staff_id"],
            values["action"],
            values["entity"],
            values["entity_id"],
            values["summary"],
            values["before"],
            values["after"],
        )
    except (TypeError, ValueError):
        return None


# --- the rows -------------------------------------------------------------------------------------
_LAST = (
    "SELECT max(b.id) FROM audit_event b WHERE b.entity = ?1 AND b.entity_id = {id}"
    " AND (b.after IS NOT NULL OR b.action = 'delete')"
)
# The state the log last gives each row of an entity: found through the partial index audit_event_state (migration 6).
_LAST_STATE = f"SELECT a.after FROM audit_event a WHERE a.id = ({_LAST.format(id='?2')})"
_GONE = (
    "SELECT g.entity_id FROM (SELECT entity_id, max(id) AS last FROM audit_event WHERE entity = ?1"
    " AND entity_id IS NOT NULL AND (after IS NOT NULL OR action = 'delete') GROUP BY entity_id) g"
    ' WHERE NOT EXISTS (SELECT 1 FROM "{table}" t WHERE t.id = g.entity_id)'
    " AND (SELECT a.after FROM audit_event a WHERE a.id = g.last) IS NOT NULL ORDER BY g.entity_id"
)


def _json_value(f: Field) -> str:
    column = f'"{f.column_name}"'
    if isinstance(f, BooleanField):  # stored 0/1, logged true/false
        return f"CASE {column} WHEN 1 THEN json('true') WHEN 0 THEN json('false') END"
    return column


def differing_rows_sql(model: type[Model], cover: Covered | None = None) -> str:
    """The ids of ``model``'s rows whose canonical JSON, written by SQLite, is not the state the log last gives
    them (or that the log does not give at all), in id order. SQLite's ``json_object`` gives what
    :func:`canonical` gives for what the program stores (keys in sorted order); a row it words differently (a
    float that needs 17 digits) is only compared again in Python. ``cover``: the rows without an entry of their
    own that their parent's entry covers (:class:`~avledger.models.schema.Covered`) are left out; their digest
    is checked on its own (:func:`covered_digest`)."""
    table = model._meta.table_name
    pairs = ", ".join(f"'{f.name}', {_json_value(f)}" for f in sorted(model._meta.sorted_fields, key=lambda f: f.name))
    covered = ""
    if cover is not None:
        parent = AUDITED[cover.parent]._meta.table_name
        covered = (
            f' AND NOT (({_LAST.format(id="t.id")}) IS NULL AND EXISTS (SELECT 1 FROM "{parent}" p'
            f' WHERE p.id = t."{cover.key}" AND p."{cover.digest}" IS NOT NULL AND {cover.initial}))'
        )
    return (
        f'SELECT t.id FROM "{table}" t WHERE json_object({pairs}) IS NOT'
        f" (SELECT a.after FROM audit_event a WHERE a.id = ({_LAST.format(id='t.id')})){covered} ORDER BY t.id"
    )


def covered_digest(conn, entity: str, parent_id: int) -> tuple[int, str]:
    """The number of ``entity``'s rows under the parent ``parent_id`` and the SHA-256 over their records, as
    :class:`~avledger.models.schema.Covered` defines it (``conn``: a sqlite3 connection). The rows are streamed
    from SQLite in id order: constant memory whatever their number."""
    cover = COVERED[entity]
    table = AUDITED[entity]._meta.table_name
    columns = ", ".join(f't."{c}"' for c in cover.columns)
    # the rows' ids first (the ends, through the parent's index), then the rows in that range by id: read in the
    # table's order, never sorted
    first, last = conn.execute(
        f'SELECT min(id), max(id) FROM "{table}" WHERE "{cover.key}" = ?', (parent_id,)
    ).fetchone()
    cursor = conn.execute(
        f'SELECT json_array({columns}) FROM "{table}" t WHERE t.id BETWEEN ? AND ? AND +t."{cover.key}" = ?'
        " ORDER BY t.id",
        (first, last, parent_id),
    )
    digest = hashlib.sha256()
    count = 0
    try:
        while rows := cursor.fetchmany(4096):
            count += len(rows)
            digest.update("".join(f"{line}\n" for (line,) in rows).encode("utf-8", "surrogatepass"))
    finally:
        cursor.close()
    return count, digest.hexdigest()


def covered_unvouched(conn, entity: str, parent_id: int) -> int:
    """How many of ``entity``'s rows under the parent ``parent_id`` have neither an entry of their own nor the
    columns the parent's entries and their copies vouch for (``Covered.initial``): changed behind the log."""
    cover = COVERED[entity]
    table = AUDITED[entity]._meta.table_name
    parent = AUDITED[cover.parent]._meta.table_name
    sql = (
        f'SELECT count(*) FROM "{table}" t JOIN "{parent}" p ON p.id = t."{cover.key}" WHERE t."{cover.key}" = ?2'
        f" AND ({_LAST.format(id='t.id')}) IS NULL AND NOT ({cover.initial})"
    )
    return conn.execute(sql, (entity, parent_id)).fetchone()[0]


def logged_state(conn, entity: str, entity_id: int) -> dict[str, Any] | None:
    """The state the log last gives the row (None: none, or the row was deleted)."""
    row = conn.execute(_LAST_STATE, (entity, entity_id)).fetchone()
    if row is None or row[0] is None:
        return None
    try:
        state = json.loads(row[0])
    except ValueError:
        return None
    return state if isinstance(state, dict) else None


def covered_problems(conn, entity: str) -> list[Problem]:
    """The parents whose covered rows are not those their logged state vouches for (rows changed, added,
    removed or moved to another parent): one ``rows_changed`` problem per parent."""
    cover = COVERED[entity]
    parent = AUDITED[cover.parent]._meta.table_name
    found = []
    query = f'SELECT id FROM "{parent}" WHERE "{cover.digest}" IS NOT NULL ORDER BY id'
    for (parent_id,) in conn.execute(query).fetchall():
        logged = logged_state(conn, cover.parent, parent_id) or {}
        if covered_digest(conn, entity, parent_id) != (logged.get(cover.count), logged.get(cover.digest)):
            found.append(Problem("rows_changed", None, cover.parent, parent_id, (entity,)))
    return found


class _RowsCheck(threading.Thread):
    """Every audited row against the state the log last gives it, table by table.

    For each table SQLite walks the rows in id order and finds each one's last state through the partial index
    (a join done in SQLite, holding one row at a time), comparing canonical JSON strings; only the rows that
    differ come back to Python, to be compared field by field and named. Then the states whose row is gone.
    It runs in its own thread on a connection of its own (SQLite works without the GIL), beside the chain walk;
    on a database that is not a file, in the caller's thread when joined."""

    def __init__(self, db: SqliteDatabase, *, alone: bool = False):
        super().__init__(name="audit-rows", daemon=True)
        self.db = db
        self.path = db.database if isinstance(db.database, str) else ""
        # alone: the caller's transaction may hold changes another connection would not see
        self.own = not alone and bool(self.path) and self.path != ":memory:" and Path(self.path).is_file()
        self.rows = 0
        self.problems: list[Problem] = []
        self.error: BaseException | None = None

    def start(self) -> None:
        if self.own:
            super().start()

    def join(self, timeout: float | None = None) -> None:
        if self.own:
            super().join(timeout)
        else:
            self.run()

    def run(self) -> None:
        try:
            if not self.own:
                with self.db.atomic():
                    self._check(self.db.connection())
                return
            conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            try:
                conn.execute("PRAGMA query_only = 1")
                conn.execute("BEGIN")  # all tables in one snapshot
                self._check(conn)
            finally:
                conn.close()
        except BaseException as exc:  # handed to the caller's thread
            self.error = exc

    def _check(self, conn) -> None:
        for entity, model in AUDITED.items():
            table = model._meta.table_name
            self.rows += conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            try:
                suspects = conn.execute(differing_rows_sql(model, COVERED.get(entity)), (entity,)).fetchall()
            except sqlite3.Error:  # a value json_object refuses (a BLOB put in by hand): every row the exact way
                suspects = conn.execute(f'SELECT id FROM "{table}" ORDER BY id').fetchall()
            for (row_id,) in suspects:
                problem = _compare_row(conn, entity, model, row_id)
                if problem is not None:
                    self.problems.append(problem)
            for (row_id,) in conn.execute(_GONE.format(table=table), (entity,)):
                self.problems.append(Problem("row_deleted", None, entity, row_id))
            if entity in COVERED:
                self.problems.extend(covered_problems(conn, entity))


def _python_value(f: Field, value: Any) -> Any:
    """The value as peewee reads it; one it cannot read (bytes that are not UTF-8 in a text column) as its repr,
    which no logged state holds."""
    try:
        return f.python_value(value)
    except (TypeError, ValueError):
        return repr(value)


def _compare_row(conn, entity: str, model: type[Model], row_id: int) -> Problem | None:
    """The exact comparison of one row with its last logged state: the row as peewee reads it, field by field."""
    fields = model._meta.sorted_fields
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    raw = conn.execute(f'SELECT {columns} FROM "{model._meta.table_name}" WHERE id = ?', (row_id,)).fetchone()
    state = conn.execute(_LAST_STATE, (entity, row_id)).fetchone()
    if state is None or state[0] is None:
        return Problem("row_unaudited", None, entity, row_id)
    now = snapshot_of(model, {f.name: _python_value(f, value) for f, value in zip(fields, raw)})
    try:
        logged = json.loads(state[0])
    except ValueError:
        logged = {}
    # a state logged before a migration added a column lacks its key: the row holds the column's default then
    added = {k: _default(model, k) for k in set(now) - set(logged)}
    diff = tuple(sorted(k for k in set(logged) | set(now) if logged.get(k, added.get(k)) != now.get(k)))
    return Problem("row_changed", None, entity, row_id, diff) if diff else None


def _default(model: type[Model], name: str) -> Any:
    """What a migration's ``ADD COLUMN`` gave the rows already there: the field's default (None for a column
    without one, or with one worked out per row)."""
    f = model._meta.fields.get(name)
    return None if f is None or f.default is None or callable(f.default) else jsonable(f.default)
