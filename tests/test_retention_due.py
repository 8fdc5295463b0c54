"""Finding what is due without a date computed per clip (issue 15, the disposal benchmark): the bounds on the
stored times that :func:`due_params` and :func:`keep_cuts_sql` give agree with SQLite's own ``date()`` on every
day, at month ends and leap days, for short and long periods and time zones east and west of UTC."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from avledger.profile import Profile, load_preset
from avledger.services.retention import _own_due, _shift, due_params, keep_cuts_sql

CASES = [(1, "Asia/Shanghai"), (3, "America/New_York"), (6, "UTC"), (24, "Asia/Shanghai"), (36, "Asia/Kolkata")]


def _profile(months: int, zone: str) -> Profile:
    data = load_preset("wanzhou")
    data["office"]["timezone"] = zone
    data["retention"]["default_months"] = months
    return Profile(data)


def _times(con: sqlite3.Connection, first: str, days: int) -> None:
    """Stored times around every local midnight of ``days`` days from ``first``: a minute either side and noon."""
    con.execute("CREATE TEMP TABLE t (at TEXT)")
    con.execute(
        "WITH RECURSIVE d(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < ?)"
        " INSERT INTO t SELECT datetime(?, '+' || n || ' days', m) FROM d,"
        " (SELECT '-13 hours' AS m UNION ALL SELECT '-1 minutes' UNION ALL SELECT '+0 minutes'"
        " UNION ALL SELECT '+1 minutes' UNION ALL SELECT '+4 hours' UNION ALL SELECT '+13 hours')",
        (days, first),
    )


@pytest.mark.parametrize("months,zone", CASES)
def test_own_period_bounds_agree_with_date_on_every_day(months, zone):
    profile = _profile(months, zone)
    con = sqlite3.connect(":memory:")
    _times(con, "2022-10-01 00:00:00", 1600)
    exact = f"date(at, {_shift(profile)}, '+{months} months') <= :today"
    day = dt.date(2026, 1, 1)
    checked = 0
    while day < dt.date(2027, 3, 31):
        params = due_params(profile, day)
        wrong = con.execute(f"SELECT count(*) FROM t WHERE ({_own_due(profile, 'at')}) != ({exact})", params)
        assert wrong.fetchone()[0] == 0, day
        checked += 1
        day += dt.timedelta(days=1)
    assert checked == 454


@pytest.mark.parametrize("months,zone", CASES)
def test_keep_cuts_give_the_date_a_clip_would_have(months, zone):
    """For every keep-until date K of two years and every recording time around it, ``K`` where the cuts say
    so is what ``max(K, date(t, shift, +N months))`` gives."""
    profile = _profile(months, zone)
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TEMP TABLE k (keep TEXT)")
    con.execute(
        "WITH RECURSIVE d(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < 760)"
        " INSERT INTO k SELECT date('2026-01-01', '+' || n || ' days') FROM d"
    )
    con.execute(f"CREATE TEMP TABLE c AS SELECT keep, {keep_cuts_sql(profile, 'keep')} FROM k")
    _times(con, "2022-10-01 00:00:00", 1650)
    own = f"date(t.at, {_shift(profile)}, '+{months} months')"
    sure = "t.at < c.cut_a OR (t.at >= c.cut_b AND t.at < c.cut_c)"
    # only the times near K's month N months back: the others are far on either side
    back = f"datetime(c.keep, '-{months} months'"
    near = f"t.at BETWEEN {back}, '-70 days') AND {back}, '+40 days')"
    sure_count, wrong = con.execute(
        f"SELECT sum({sure}), sum(CASE WHEN {sure} THEN c.keep ELSE max(c.keep, {own}) END != max(c.keep, {own}))"
        f" FROM c JOIN t ON {near}"
    ).fetchone()
    assert wrong == 0
    assert sure_count > 0  # the cuts do spare the dates of most clips
