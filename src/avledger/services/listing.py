"""Registers listed straight from SQL: a page at a time for the screens, every row streamed for the CLI.

A listing is one SQL ``FROM`` with its conditions (:class:`Select`) and the columns of its rows
(:class:`Rows`): each column's SQL, its kind, and the field of the row's dataclass it fills. From
them:

- :func:`page`: the rows after a :class:`Cursor` (the sort key of the last row shown: keyset
  pagination, so that page 500 costs what page 1 does), at most ``limit`` of them;
- :func:`count`: ``count(*)`` of the same conditions;
- :func:`rows`: every row, streamed from the cursor a batch at a time;
- :func:`write_json`: every row as the JSON the CLI prints, byte for byte what
  ``json.dumps([to_json(row) ...], ensure_ascii=False, indent=2)`` gives, written by SQLite itself
  (``printf`` and ``json_quote``) so that no Python object is made per row; floats are the one value
  Python writes (``float.__repr__``: SQLite's own float formatting is not Python's).

A filtered page of a large register is found in two steps (:func:`page`). First the next rows in the
listing's order are read from its ordering index, a window of ``Select.probe`` rows (``PROBE`` by
default), and filtered: when the filter matches often, the page fills at once. When it does not fill,
the filter is rare, and the rest of the page is asked of SQLite without the ordering hint, so that it
can start from the filter's own indexes (the full-text indexes of :mod:`avledger.services.search`) and
sort the few rows that match. A condition may therefore be given twice: as checked on a row in hand
(``row``), and as the index would find it (``indexed``). A quick page (``quick=True``) stops after the
first step, short of ``limit`` rows, with a cursor after the last row read: a screen shows those at
once and asks for the rest beside it (a word of one or two characters has no index to start from, and
on the audit log of a tenth year the second step reads the whole log).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, BinaryIO, Generic, TypeVar

from peewee import SqliteDatabase

T = TypeVar("T")

ROWID = "rowid"  # a Select's index when its order is its table's own (the rowid)
PROBE = 20_000  # rows of the listing's order read in the first step of a filtered page
BATCH = 2_000  # rows fetched at a time when streaming

# column kinds
INT = "int"
TEXT = "text"
FLOAT = "float"
BOOL = "bool"
DATETIME = "datetime"  # stored as peewee writes it, 'YYYY-MM-DD HH:MM:SS[.ffffff]'; JSON: ISO with a T
DATE = "date"
WORDS = "words"  # text of comma-separated ids -> tuple[str, ...]
INTS = "ints"  # text of comma-separated integers -> tuple[int, ...]
ITEMS = "items"  # texts joined with ITEM_SEP (group_concat) -> tuple[str, ...]; its JSON is given (json_list)

ITEM_SEP = "\x1f"  # between the items of an ITEMS column


@dataclass(frozen=True)
class Column:
    """One field of a listing's rows: the SQL that gives it (``?`` placeholders take ``params``)."""

    key: str
    sql: str
    kind: str = TEXT
    params: tuple = ()
    json: str | None = None  # SQL giving the value's JSON text itself (a list from a subquery, say)
    decode: Callable[[Any], Any] | None = None  # the value in Python, when its kind's is not the one


@dataclass(frozen=True)
class Cursor:
    """Where a page ended: the sort key of its last row. The next page starts after it."""

    key: tuple


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: tuple[T, ...]
    after: Cursor | None  # where the next page starts; None: nothing after these


@dataclass(frozen=True)
class SortKey:
    sql: str
    desc: bool = False
    nullable: bool = False  # only the first key may be (SQLite sorts NULL first, so last when descending)


@dataclass(frozen=True)
class Condition:
    """A condition on a listing's rows: as checked on a row in hand, and as an index would find it."""

    row: str
    params: tuple = ()
    indexed: str | None = None  # the same condition written for the index; None: as ``row``
    indexed_params: tuple | None = None

    def sql(self, indexed: bool) -> tuple[str, tuple]:
        if indexed and self.indexed is not None:
            return self.indexed, self.indexed_params if self.indexed_params is not None else self.params
        return self.row, self.params


NEVER = Condition("0")  # a condition no row meets (a word that names no label, say)


def any_of(conditions: Sequence[Condition]) -> Condition:
    """One condition true when any of ``conditions`` is (a word that may match one field or another). Those that
    no row meets are left out, so that SQLite can look up each of the others in its own index."""
    conditions = [c for c in conditions if c != NEVER] or [NEVER]
    if len(conditions) == 1:
        return conditions[0]
    row = "(" + " OR ".join(f"({c.row})" for c in conditions) + ")"
    indexed = "(" + " OR ".join(f"({c.sql(True)[0]})" for c in conditions) + ")"
    return Condition(
        row,
        tuple(p for c in conditions for p in c.params),
        indexed,
        tuple(p for c in conditions for p in c.sql(True)[1]),
    )


@dataclass
class Select:
    """The rows of a listing: ``FROM table joins WHERE conditions ORDER BY order``.

    ``table`` is the listing's main table with its alias (``clip c``), whose rowid is ``alias.id``;
    ``index``, the index of its order, which a filtered page reads first (None: the listing is small,
    or a condition of its own finds the rows better).
    """

    table: str
    order: tuple[SortKey, ...]
    joins: str = ""
    conditions: list[Condition] = field(default_factory=list)
    index: str | None = None
    searched: bool = False  # words typed in a filter are among the conditions (a page probes the order first)
    probe: int = PROBE  # rows of the order a filtered page reads first

    @property
    def source(self) -> str:
        return f"{self.table} {self.joins}".rstrip()

    @property
    def key(self) -> str:
        return self.table.split()[-1] + ".id"

    def counted_source(self) -> str:
        """``source`` without the LEFT JOINs that no condition uses: each joins one row at most (on a key), so
        that the rows are counted without them (SQLite 3.40 does not leave them out itself)."""
        used = " ".join(c.sql(True)[0] + " " + c.row for c in self.conditions)
        kept = []
        for join in re.split(r"(?=\bLEFT JOIN\b)|(?<!LEFT )(?=\bJOIN\b)", self.joins):
            words = join.split()
            if not words:
                continue
            if words[0] == "LEFT" and not re.search(rf"\b{re.escape(words[3])}\.", used):
                continue
            kept.append(join.strip())
        return " ".join([self.table, *kept])

    def where(self, sql: str, *params: Any) -> Select:
        self.conditions.append(Condition(sql, tuple(params)))
        return self

    def also(self, condition: Condition) -> Select:
        self.conditions.append(condition)
        return self

    def search(self, conditions: Iterable[Condition]) -> Select:
        """Conditions from the words of a filter (one each)."""
        for condition in conditions:
            self.conditions.append(condition)
            self.searched = True
        return self

    def filter_sql(self, indexed: bool, extra: Sequence[tuple[str, tuple]] = ()) -> tuple[str, list]:
        parts, params = [], []
        for c in self.conditions:
            sql, ps = c.sql(indexed)
            parts.append(f"({sql})")
            params.extend(ps)
        for sql, ps in extra:
            parts.append(f"({sql})")
            params.extend(ps)
        return (" WHERE " + " AND ".join(parts) if parts else ""), params

    def order_sql(self) -> str:
        return " ORDER BY " + ", ".join(f"{k.sql} DESC" if k.desc else k.sql for k in self.order)


def sql_value(value: Any) -> Any:
    """A Python value as the register stores it (datetimes as peewee writes them)."""
    if isinstance(value, dt.datetime):
        return value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


# --- rows ------------------------------------------------------------------------------------
def _datetime(value):
    return None if value is None else dt.datetime.fromisoformat(value)


def _date(value):
    return None if value is None else dt.date.fromisoformat(value)


def _bool(value):
    return None if value is None else bool(value)


def _words(value):
    return tuple(v for v in (value or "").split(",") if v)


def _ints(value):
    return tuple(int(v) for v in (value or "").split(",") if v)


def _items(value):
    return tuple(value.split(ITEM_SEP)) if value else ()


_DECODE: dict[str, Callable[[Any], Any] | None] = {
    INT: None,
    TEXT: None,
    FLOAT: None,
    BOOL: _bool,
    DATETIME: _datetime,
    DATE: _date,
    WORDS: _words,
    INTS: _ints,
    ITEMS: _items,
}

_NL = "char(10)"


def _json_value(column: Column) -> str:
    """SQL giving the JSON text of a column's value as ``json.dumps(indent=2)`` writes it in an object that is
    an item of the top-level list. The value's SQL is evaluated once, but for lists of ids (plain columns)."""
    sql, kind = column.sql, column.kind
    if column.json is not None:
        return column.json
    if kind in (INT, TEXT, DATE):
        return f"json_quote({sql})"  # NULL gives null
    if kind == BOOL:  # peewee reads any non-zero number as True
        return f"CASE coalesce({sql}, 'null') WHEN 'null' THEN 'null' WHEN 0 THEN 'false' ELSE 'true' END"
    if kind == DATETIME:
        return f"coalesce('\"' || replace({sql}, ' ', 'T') || '\"', 'null')"
    if kind in (WORDS, INTS):
        if column.params:
            raise ValueError(f"a list column takes no parameters: {column.key}")
        # the ids without empty items, one a line: "a,b" -> [\n      "a",\n      "b"\n    ]
        clean = f"trim(replace(replace(coalesce({sql}, ''), ',,', ','), ',,', ','), ',')"
        if kind == WORDS:
            items = f"replace(json_quote({clean}), ',', '\",' || {_NL} || '      \"')"
        else:
            items = f"replace({clean}, ',', ',' || {_NL} || '      ')"
        empty = f"coalesce({sql}, '') = '' OR {clean} = ''"  # the first test spares the rest, mostly
        return f"CASE WHEN {empty} THEN '[]' ELSE '[' || {_NL} || '      ' || {items} || {_NL} || '    ]' END"
    raise ValueError(kind)


def json_list(items_sql: str, kind: str = TEXT) -> str:
    """SQL giving a JSON list (as a value of a row's object) from a subquery ``SELECT value FROM ...`` whose
    rows are the items in order: for a column's ``json``."""
    item = "json_quote(item)" if kind == TEXT else "item"
    return (
        f"(SELECT CASE WHEN count(*) = 0 THEN '[]' ELSE '[' || {_NL} || '      ' || "
        f"group_concat({item}, ',' || {_NL} || '      ') || {_NL} || '    ]' END FROM ({items_sql}))"
    )


class Rows(Generic[T]):
    """The columns of a listing's rows and the dataclass each row becomes (its fields in column order).

    ``json_extra`` are further keys the JSON has after the dataclass's fields (a property, say).
    """

    def __init__(self, view: Callable[..., T], columns: Sequence[Column], *, json_extra: Sequence[Column] = ()):
        names = [f.name for f in fields(view)]  # type: ignore[arg-type]
        if [c.key for c in columns] != names:
            raise ValueError(f"the columns of {view} must be its fields in order: {names}")
        self.view = view
        self.columns = tuple(columns)
        self.json_columns = tuple(columns) + tuple(json_extra)
        self.decoders = [
            (i, c.decode or _DECODE[c.kind]) for i, c in enumerate(columns) if (c.decode or _DECODE[c.kind]) is not None
        ]
        for c in self.json_columns:
            if c.kind == ITEMS and c.json is None:
                raise ValueError(f"an ITEMS column gives its JSON (json_list): {c.key}")

    def select(self) -> tuple[str, list]:
        return ", ".join(c.sql for c in self.columns), [p for c in self.columns for p in c.params]

    def decode(self, values: Sequence) -> T:
        values = list(values[: len(self.columns)])
        for i, decode in self.decoders:
            values[i] = decode(values[i])
        return self.view(*values)

    def json_select(self) -> tuple[str, list, int]:
        """SQL giving each row's JSON as text pieces with the floats between them: (piece, float, piece, ...)
        as BLOBs and numbers, the number of result columns, and their parameters."""
        exprs: list[str] = []
        params: list = []
        fmt: list[str] = []
        args: list[str] = []
        arg_params: list = []

        def piece() -> None:
            text = "".join(fmt).replace("'", "''")
            exprs.append("CAST(printf('" + text + "'" + "".join(", " + a for a in args) + ") AS BLOB)")
            params.extend(arg_params)
            fmt.clear()
            args.clear()
            arg_params.clear()

        for i, column in enumerate(self.json_columns):
            fmt.append(("  {\n" if i == 0 else ",\n") + f'    "{column.key}": ')
            if column.kind == FLOAT:
                piece()
                exprs.append(column.sql)
                params.extend(column.params)
            else:
                fmt.append("%s")
                args.append(_json_value(column))
                arg_params.extend(column.params)
        fmt.append("\n  }")
        piece()
        return ", ".join(exprs), params, len(exprs)


# --- reading ---------------------------------------------------------------------------------
def _keyset(order: Sequence[SortKey], key: tuple) -> list[tuple[str, tuple]]:
    """The conditions of the rows after ``key``, in order: one, or two (run one after the other) when the
    first key is NULL-able (the rows with a NULL first key are a block of their own)."""
    first, rest = order[0], order[1:]
    same_way = all(k.desc == first.desc for k in order)
    if first.nullable and key[0] is None:
        tail = _after(rest, key[1:], same_way)
        phases = [(f"{first.sql} IS NULL AND {tail[0]}", tail[1])]
        if not first.desc:  # NULLs come first: the rest of the rows after them
            phases.append((f"{first.sql} IS NOT NULL", ()))
        return phases
    phases = [_after(order, key, same_way)]
    if first.nullable and first.desc:  # NULLs come last
        phases.append((f"{first.sql} IS NULL", ()))
    return phases


def _after(order: Sequence[SortKey], key: tuple, same_way: bool) -> tuple[str, tuple]:
    values = tuple(sql_value(v) for v in key)
    if same_way:  # a row value: SQLite seeks it in the ordering index
        op = "<" if order[0].desc else ">"
        if len(order) == 1:
            return f"{order[0].sql} {op} ?", values
        return f"({', '.join(k.sql for k in order)}) {op} ({', '.join('?' * len(order))})", values
    terms, params = [], []
    for i, k in enumerate(order):
        equal = [f"{o.sql} = ?" for o in order[:i]]
        terms.append(" AND ".join([*equal, f"{k.sql} {'<' if k.desc else '>'} ?"]))
        params.extend([*values[:i], values[i]])
    return "(" + " OR ".join(f"({t})" for t in terms) + ")", tuple(params)


def _fetch(db: SqliteDatabase, sql: str, params: Sequence) -> list[tuple]:
    return db.execute_sql(sql, list(params)).fetchall()


def page(
    db: SqliteDatabase,
    rows: Rows[T],
    select: Select,
    after: Cursor | None = None,
    limit: int = 200,
    *,
    probe: int | None = None,
    quick: bool = False,
) -> Page[T]:
    """The rows after ``after`` (from the first when None), at most ``limit``.

    A filtered page reads ``probe`` rows in order first (the Select's own by default). ``quick``: stop there
    when they do not fill the page, and return the rows found, fewer than ``limit``, with a cursor after the
    last row read: the next page goes on from there (a screen shows what it found while it looks further)."""
    probe = probe or select.probe
    columns, column_params = rows.select()
    keys = ", ".join(k.sql for k in select.order)
    head = f"SELECT {columns}, {keys} FROM "
    probing = select.searched and select.index is not None
    phases = [(*c, probing) for c in (_keyset(select.order, after.key) if after is not None else [("1", ())])]
    found: list[tuple] = []
    n = len(rows.columns)
    while phases and len(found) <= limit:
        *condition, in_order = phases.pop(0)
        want = limit + 1 - len(found)
        if in_order:
            got, rest, last = _probe(db, select, head, column_params, condition, want, probe)
            found.extend(got)
            if quick and rest:  # the rows read so far did not fill the page: go on from the last one read
                return Page(tuple(rows.decode(r) for r in found), Cursor(last))
            phases[:0] = [(*c, False) for c in rest]  # past the window: asked for without the order's index
            continue
        where, params = select.filter_sql(True, [condition])
        query = head + select.source + where + select.order_sql() + f" LIMIT {want}"
        found.extend(_fetch(db, query, column_params + params))
    more = len(found) > limit
    found = found[:limit]
    return Page(tuple(rows.decode(r) for r in found), Cursor(tuple(found[-1][n:])) if more else None)


def _probe(db, select: Select, head: str, column_params, condition, want: int, probe: int):
    """The first step of a filtered page: the matching rows among the next ``probe`` rows of ``condition`` in
    order; the conditions of the rows past the window (none when it held every row left, or enough); and the
    sort key of the window's last row (None then)."""
    sql, params = condition
    ordered = f"{select.table} " + ("NOT INDEXED" if select.index == ROWID else f"INDEXED BY {select.index}")
    window = f"SELECT {select.key} FROM {ordered} WHERE {sql}{select.order_sql()} LIMIT {probe}"
    source = f"({window}) AS probe_window JOIN {select.table} ON {select.key} = probe_window.id {select.joins}"
    where, filter_params = select.filter_sql(False)
    query = head + source + where + select.order_sql() + f" LIMIT {want}"
    got = _fetch(db, query, column_params + list(params) + filter_params)
    if len(got) >= want:
        return got, [], None
    keys = ", ".join(k.sql for k in select.order)
    last = _fetch(
        db, f"SELECT {keys} FROM {ordered} WHERE {sql}{select.order_sql()} LIMIT 1 OFFSET {probe - 1}", params
    )
    if not last:  # the window held every row left
        return got, [], None
    rest = []
    for after_sql, after_params in _keyset(select.order, tuple(last[0])):
        rest.append((f"({sql}) AND ({after_sql})", tuple(params) + tuple(after_params)))
    return got, rest, tuple(last[0])


def count(db: SqliteDatabase, select: Select) -> int:
    where, params = select.filter_sql(True)
    return db.execute_sql(f"SELECT count(*) FROM {select.counted_source()}{where}", params).fetchone()[0]


def rows(db: SqliteDatabase, rows: Rows[T], select: Select) -> Iterator[T]:
    """Every row, in order, fetched a batch at a time."""
    columns, column_params = rows.select()
    where, params = select.filter_sql(True)
    cursor = db.execute_sql(f"SELECT {columns} FROM {select.source}{where}{select.order_sql()}", column_params + params)
    decode = rows.decode
    while batch := cursor.fetchmany(BATCH):
        yield from (decode(r) for r in batch)


def _number(value: float | None) -> bytes:
    return b"null" if value is None else float.__repr__(value).encode()


def _joiner(n: int) -> Callable[[tuple], bytes]:
    """One row's JSON from its pieces: text (bytes) and the floats between them, as Python writes floats."""
    if n == 1:
        return lambda r: r[0]
    if n == 3:
        return lambda r: r[0] + _number(r[1]) + r[2]
    if n == 5:
        return lambda r: r[0] + _number(r[1]) + r[2] + _number(r[3]) + r[4]
    return lambda r: b"".join(p if i % 2 == 0 else _number(p) for i, p in enumerate(r))


# Characters JSON may hold raw but a terminal must not receive (DEL, C1 controls, bidirectional controls;
# avledger.plaintext.UNSAFE less what SQLite's JSON escapes already), as their UTF-8 bytes.
_JSON_UNSAFE = re.compile(rb"\x7f|\xc2[\x80-\x9f]|\xd8\x9c|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]")


def _escaped(match: re.Match) -> bytes:
    return b"\\u%04x" % ord(match.group().decode("utf-8"))


def write_json(db: SqliteDatabase, rows: Rows, select: Select, out: BinaryIO) -> int:
    """Write every row as the JSON list the CLI prints (and a newline); the number of rows. Text an older
    register holds with terminal controls is written with JSON escapes (``\\u202e``): the same data for a
    script, nothing a terminal would act on."""
    columns, column_params, n = rows.json_select()
    where, params = select.filter_sql(True)
    cursor = db.execute_sql(f"SELECT {columns} FROM {select.source}{where}{select.order_sql()}", column_params + params)
    written = 0
    out.write(b"[")
    join = _joiner(n)
    while batch := cursor.fetchmany(BATCH):
        out.write(_JSON_UNSAFE.sub(_escaped, (b",\n" if written else b"\n") + b",\n".join(map(join, batch))))
        written += len(batch)
    out.write(b"\n]\n" if written else b"]\n")
    return written
