"""Finding rows by what is typed in a list's filter: every word must appear in some field of the row.

The words are matched as substrings, in any script, as the lists always did. Text that a register
holds in bulk is indexed with SQLite FTS5 (migration 6): clip names (``clip_text``), an activity's
title, case name and number, party, place and its officers' names and numbers (``activity_text``),
and the audit log's actor and summary (``audit_text``).

Why the trigram tokenizer. FTS5's default tokenizer (unicode61) makes a run of Han characters one
token, so 张伟 would not be found in 张伟强 nor 检查 in 日常检查; splitting Han text one character a
token needs our own code in front of every write, which the triggers that keep the index in step
(and a hand edit with ``sqlite3``) cannot run, and it still would not find 2025 inside
``示市监立〔2025〕123号`` nor ``0101`` inside ``VID_20250101``. The trigram tokenizer indexes every
three characters of any text, so any substring of three characters or more is found through the
index, whatever the script. A word of one or two characters (a surname, 检查 or 张伟) cannot be:
it is matched with ``LIKE`` on the indexed text, which costs a scan of that text. Measured on the
register of a tenth year (1,000,000 clips, 10,000 activities, 1.27 M audit entries, this 2-core
machine, warm cache): the activities' text is scanned in about 3 ms, the clip names (a table of
their own, 40 bytes a row) in 0.17 s; a word of three characters or more is found in under 5 ms
(0.04 s when it is in 9 names of 10, as ``VID``). Building the indexes for such a register took
28 s in all (clip names 8.6 s, the audit log 11 s) and 330 MB with the listings' other indexes.

The audit log's index holds neither the text nor the positions of the trigrams (``content=''``,
``detail=none``: 95 MB where a full one took 555 MB and 39 s): a word is looked up as all its
trigrams, and each entry found is checked with ``LIKE``. Staff and devices are a few hundred rows:
their names and numbers are matched with ``LIKE`` directly, and a word that names someone or a
device finds their rows through the ids.

Besides text, a word may be a row's number, a date (``2025``, ``2025-03``, ``2025-03-12``: that day
in the office's time zone) or part of a label the list shows (a status, a kind), as
:func:`label_ids` finds in the user's language.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from avledger.services.listing import NEVER, Condition
from avledger.timeutil import from_local

ESCAPE = "\\"
MIN_INDEXED = 3  # a trigram index finds words of this many characters or more


def words(text: str | None) -> list[str]:
    """The words of a filter (split on white space), without repeats."""
    return list(dict.fromkeys((text or "").split()))


def like(word: str) -> str:
    """A LIKE pattern for ``word`` anywhere in the text (``ESCAPE '\\'``)."""
    escaped = word.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{escaped}%"


def contains(column: str, word: str) -> Condition:
    """``column`` holds ``word`` (a scan: for small tables, or rows already in hand)."""
    return Condition(f"{column} LIKE ? ESCAPE '\\'", (like(word),))


def in_ids(column: str, ids: Iterable[int]) -> Condition:
    ids = sorted(set(ids))
    if not ids:
        return NEVER
    return Condition(f"{column} IN ({', '.join(str(int(i)) for i in ids)})")


def phrase(word: str) -> str:
    """An FTS5 query for the word as a substring (its trigrams one after another)."""
    return '"' + word.replace('"', '""') + '"'


def trigrams(word: str) -> str:
    """An FTS5 query for every trigram of the word (for an index without positions: check each row found)."""
    grams = dict.fromkeys(word[i : i + 3] for i in range(len(word) - 2))
    return " AND ".join(phrase(g) for g in grams)


@dataclass(frozen=True)
class FullText:
    """A trigram FTS5 table of migration 6 that holds its own copy of the text."""

    table: str
    columns: tuple[str, ...]

    def rowids(self, word: str) -> tuple[str, tuple]:
        """``SELECT rowid`` of the rows whose text holds ``word``."""
        if len(word) >= MIN_INDEXED:
            return f"SELECT rowid FROM {self.table} WHERE {self.table} MATCH ?", (phrase(word),)
        pattern = like(word)
        where = " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in self.columns)
        return f"SELECT rowid FROM {self.table} WHERE {where}", (pattern,) * len(self.columns)

    def matches(self, key: str, word: str) -> Condition:
        """``key`` (a column holding the indexed rows' ids) is one of a row whose text holds ``word``."""
        sql, params = self.rowids(word)
        return Condition(f"{key} IN ({sql})", params)


CLIP_TEXT = FullText("clip_text", ("name",))
ACTIVITY_TEXT = FullText("activity_text", ("title", "case_name", "case_no", "party", "place", "officers"))


def audit_text(key: str, columns: Iterable[str], word: str) -> Condition:
    """An audit entry whose actor or summary holds ``word``: through the index for words of three characters
    or more (each entry found checked, the index having no positions), by a scan otherwise."""
    scan = " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in columns)
    params = (like(word),) * scan.count("?")
    if len(word) < MIN_INDEXED:
        return Condition(f"({scan})", params)
    found = f"{key} IN (SELECT rowid FROM audit_text WHERE audit_text MATCH ?)"
    return Condition(f"({scan})", params, f"{found} AND ({scan})", (trigrams(word), *params))


def number(word: str) -> int | None:
    """The word as a row's number (``12`` or ``#12``), or None."""
    text = word.removeprefix("#")
    return int(text) if text.isdigit() and len(text) < 19 else None


_DATE = re.compile(r"^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?$")


def day_range(word: str, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime] | None:
    """The year, month or day a word names (``2025``, ``2025-03``, ``2025-03-12``), as naive-UTC bounds
    [start, end) of that period in the office's time zone; None when the word is not a date."""
    m = _DATE.match(word)
    if not m:
        return None
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    try:
        if day is not None:
            start = dt.datetime(year, int(month), int(day))
            end = start + dt.timedelta(days=1)
        elif month is not None:
            start = dt.datetime(year, int(month), 1)
            end = dt.datetime(year + (start.month == 12), start.month % 12 + 1, 1)
        else:
            if not 1900 <= year <= 2999:
                return None
            start, end = dt.datetime(year, 1, 1), dt.datetime(year + 1, 1, 1)
    except ValueError:
        return None
    return from_local(start, tz), from_local(end, tz)


def during(column: str, word: str, tz: ZoneInfo) -> Condition | None:
    """``column`` (naive UTC) falls in the period the word names, or None when it names none."""
    period = day_range(word, tz)
    if period is None:
        return None
    start, end = (p.isoformat(" ") for p in period)
    return Condition(f"{column} >= ? AND {column} < ?", (start, end))


def label_ids(vocab: Mapping[str, str], word: str) -> list[str]:
    """The ids of a vocabulary whose label, in the user's language, holds the word."""
    from avledger.vocab import label

    folded = word.casefold()
    return [key for key in vocab if folded in label(vocab, key).casefold()]


def said(text: str, word: str) -> bool:
    """The word is part of a phrase the list shows (in the user's language), such as a status."""
    from avledger.i18n import _

    return word.casefold() in _(text).casefold()


def one_of(column: str, values: Iterable[str]) -> Condition:
    values = list(values)
    if not values:
        return NEVER
    return Condition(f"{column} IN ({', '.join('?' * len(values))})", tuple(values))


def has_word(column: str, values: Iterable[str]) -> Condition:
    """A comma-separated column holds one of ``values``."""
    values = list(values)
    if not values:
        return NEVER
    return Condition(
        "(" + " OR ".join(f"(',' || {column} || ',') LIKE ? ESCAPE '\\'" for _v in values) + ")",
        tuple(like("," + v + ",") for v in values),
    )
