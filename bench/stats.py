#!/usr/bin/env python3
"""Benchmark: the statistics (统计, issue 16) of an office's tenth year, against the same counts made directly.

Usage: .venv/bin/python bench/stats.py HOME [--reuse] [--clips N] [--loans N] [--activities N] [--seed S]

Without ``--reuse``, HOME must be missing or empty, and ``bench/synth.py`` builds the register there (by
default 1,000,000 clips, 100,000 loans, 10,000 activities; this takes a while). With ``--reuse``, HOME already
holds a register ``bench/synth.py`` built (opening it through avledger upgrades its schema in place).

Then, for the whole ten years and for the last year, per department and per officer:

1. ``StatsService.report(..., trend=True)``, what ``avledger stats --json`` runs (every figure of every
   department or officer, the totals, the allocation standard and the trend month by month); target under 1 s;
2. the reference, in the same run on the same file: the five plain counts of the period (activities, clips,
   interruptions, loans, not-recorded records) with Python's sqlite3, no avledger, as a floor of what
   any statistics must read.
"""

from __future__ import annotations

import sqlite3
import sys
import time

from tenthyear import tenth_year

TARGET_S = 1.0
REFERENCE = [
    "SELECT count(*) FROM activity WHERE start_at >= ? AND start_at < ?",
    "SELECT count(*) FROM clip WHERE start_at >= ? AND start_at < ?",
    "SELECT count(*) FROM gap WHERE start_at >= ? AND start_at < ?",
    "SELECT count(*) FROM loan WHERE start_at >= ? AND start_at < ?",
    "SELECT count(*) FROM norecord WHERE at >= ? AND at < ?",
]


def main() -> int:
    home = tenth_year(__doc__.split("\n")[0])
    import datetime as dt

    from avledger.home import Home
    from avledger.identity import Identity
    from avledger.services import Services
    from avledger.timeutil import from_local, to_local

    services = Services(Home(home), Identity.of_process())
    db = services.db
    tz = services.ctx.profile().tz
    counts = {t: db.execute_sql(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("clip", "loan", "activity")}
    first, last = (db.execute_sql(f"SELECT {f}(start_at) FROM clip").fetchone()[0] for f in ("min", "max"))
    first, last = (to_local(dt.datetime.fromisoformat(v), tz).date() for v in (first, last))
    periods = {"ten years": (first, last), "the last year": (last - dt.timedelta(days=364), last)}
    services.stats.report(last, last)  # opens the register, warms the page cache a little
    reference = sqlite3.connect(home / "avledger.db")
    print(f"register: {counts['clip']:,} clips, {counts['loan']:,} loans, {counts['activity']:,} activities")
    ok = True
    for name, (start, end) in periods.items():
        bounds = [
            from_local(dt.datetime.combine(day, dt.time()), tz).isoformat(" ")
            for day in (start, end + dt.timedelta(days=1))
        ]
        started = time.perf_counter()
        for sql in REFERENCE:
            reference.execute(sql, bounds).fetchone()
        floor = time.perf_counter() - started
        for by in ("dept", "officer"):
            started = time.perf_counter()
            report = services.stats.report(start, end, by=by, trend=True)
            took = time.perf_counter() - started
            ok = ok and took < TARGET_S
            print(
                f"stats {name} ({start} to {end}) by {by}: {took:.3f} s for {len(report.rows)} rows,"
                f" {len(report.trend.months)} months (target < {TARGET_S} s);"
                f" reference, five plain counts with sqlite3: {floor:.3f} s"
            )
    services.close()
    reference.close()
    print("target met" if ok else "target NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
