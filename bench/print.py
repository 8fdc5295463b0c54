#!/usr/bin/env python3
"""Benchmark: printing the lending ledger (issues 6 and 14).

``bench/print.py [LOANS]``: builds a register in a temporary folder with enough
closed loans for at least 50 A4 landscape pages, then times
``PrintService.render_pdf`` (query, typst in its own process, atomic write),
a first time and three more. Target: under 2 s.

``bench/print.py --big HOME``: on a register ``bench/synth.py`` built (a copy:
opening it upgrades its schema), prints the ledger for a quarter (the 92 days
up to the newest loan), for the days holding the newest 6,500 loans (the
issue's quarter), for a year, and for the same year's twelve months one by one,
each print in a child process, and prints its time, its CPU time and its peak
memory (the process and its largest typst run, added up) beside the issue's
figures from before the work: a quarter 16 s and 1.5 GB, a year 186 s and
5.6 GB, twelve months one by one 44.5 s. Targets: a quarter under 5 s and
300 MB; a year within 1.25 x its twelve months printed one by one (printing
grows linearly with the rows).
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from avledger.home import Home
from avledger.identity import Identity
from avledger.models.schema import Device, Loan, Staff
from avledger.services import Services
from avledger.services.printing import Filters

TARGET_S = 2.0
QUARTER_S, QUARTER_MB = 5.0, 300
LINEAR = 1.25  # a year / its months one by one


def child(home: str, date_from: str, date_to: str) -> int:
    """One print in this process; its figures as JSON."""
    import json
    import resource

    svc = Services(Home(Path(home)), Identity.of_process())
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "loans.pdf"
        start = time.perf_counter()
        svc.printing.render_pdf("loans", Filters(date_from=date_from, date_to=date_to), out)
        took = time.perf_counter() - start
        me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    svc.close()
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    print(json.dumps({"s": took, "cpu": cpu, "mb": (me.ru_maxrss + kids.ru_maxrss) / 1024, "pages": pages}))
    return 0


def printed(home: Path, date_from: dt.date, date_to: dt.date) -> dict:
    import json
    import os

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent / "src")}
    args = [sys.executable, __file__, "--child", str(home), date_from.isoformat(), date_to.isoformat()]
    return json.loads(subprocess.run(args, capture_output=True, text=True, check=True, env=env).stdout)


def big(home: Path) -> int:
    import sqlite3

    with sqlite3.connect(f"file:{home / 'avledger.db'}?mode=ro", uri=True) as con:
        last = dt.datetime.fromisoformat(con.execute("SELECT max(start_at) FROM loan").fetchone()[0]).date()
        first_of_6500 = con.execute("SELECT start_at FROM loan ORDER BY start_at DESC LIMIT 1 OFFSET 6499")
        first_of_6500 = dt.datetime.fromisoformat(first_of_6500.fetchone()[0]).date()
    year_end = dt.date(last.year - 1, 12, 31)  # the last whole year: twelve whole months
    months = [(dt.date(year_end.year, m, 1), dt.date(year_end.year + (m == 12), m % 12 + 1, 1)) for m in range(1, 13)]
    months = [(a, b - dt.timedelta(days=1)) for a, b in months]
    runs = {
        "a quarter": (printed(home, last - dt.timedelta(days=91), last), "16 s, 1.5 GB"),
        "the newest 6,500 loans": (printed(home, first_of_6500, last), "16 s, 1.5 GB (the issue's quarter)"),
        f"the year {year_end.year}": (printed(home, dt.date(year_end.year, 1, 1), year_end), "186 s, 5.6 GB"),
    }
    one_by_one = [printed(home, a, b) for a, b in months]
    for name, (r, before) in runs.items():
        print(
            f"{name:24} {r['s']:7.2f} s  CPU {r['cpu']:6.2f} s  peak {r['mb']:5.0f} MB  {r['pages']:5} pages"
            f"   (before: {before})"
        )
    months_s = sum(r["s"] for r in one_by_one)
    print(
        f"{'its months one by one':24} {months_s:7.2f} s  CPU {sum(r['cpu'] for r in one_by_one):6.2f} s  "
        f"peak {max(r['mb'] for r in one_by_one):5.0f} MB  {sum(r['pages'] for r in one_by_one):5} pages"
        "   (before: 44.5 s for the issue's year)"
    )
    quarter, year = runs["a quarter"][0], runs[f"the year {year_end.year}"][0]
    checks = {
        f"a quarter under {QUARTER_S:g} s": quarter["s"] < QUARTER_S,
        f"a quarter under {QUARTER_MB} MB": quarter["mb"] < QUARTER_MB,
        f"a year within {LINEAR:g} x its months one by one": year["s"] <= LINEAR * months_s,
    }
    for text, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {text}")
    return 0 if all(checks.values()) else 1


def main() -> int:
    if sys.argv[1:2] == ["--child"]:
        return child(*sys.argv[2:5])
    if sys.argv[1:2] == ["--big"]:
        return big(Path(sys.argv[2]))
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 760  # at least 50 pages (15 rows a page)
    with tempfile.TemporaryDirectory() as tmp:
        now = dt.datetime(2026, 6, 1, 12, 0)
        svc = Services(Home(Path(tmp) / "data"), Identity.console("bench"), clock=lambda: now)
        svc.office.init("基准测试市市场监督管理局", "dalian")
        svc.departments.add("执法一队", "A")
        for n in range(30):
            svc.staff.add(f"队员{n}", f"S{n:03d}", "执法一队", cert_no=f"C{n}")
        for n in range(20):
            svc.devices.add(f"JL-{n:04d}", "bodycam", "执法一队", "S000")
        devices = [d.id for d in Device.select(Device.id)]
        staff = [s.id for s in Staff.select(Staff.id)]
        start = now - dt.timedelta(hours=8 * total // len(devices) + 100)
        rows = []
        for i in range(total):
            begin = start + dt.timedelta(hours=8 * (i // len(devices)))
            rows.append(
                dict(
                    device=devices[i % len(devices)],
                    holder=staff[i % len(staff)],
                    start_at=begin,
                    start_kind="issue",
                    purpose="日常检查",
                    battery_pct=90,
                    free_gb=20.0,
                    clock_offset_s=1,
                    notice_given=True,
                    end_at=begin + dt.timedelta(hours=6),
                    end_kind="return",
                    content=f"检查餐饮单位 {i % 7 + 1} 家，拍摄 {i % 5 + 1} 段",
                    condition="ok",
                )
            )
        with svc.db.atomic():
            Loan.insert_many(rows).execute()
        out = Path(tmp) / "loans.pdf"
        start_s = time.perf_counter()
        svc.printing.render_pdf("loans", Filters(), out)
        first = time.perf_counter() - start_s
        samples = []
        for _ in range(3):
            start_s = time.perf_counter()
            svc.printing.render_pdf("loans", Filters(), out)
            samples.append(time.perf_counter() - start_s)
        later = "later prints (median of 3)"
        info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
        match = re.search(r"^Pages:\s+(\d+)", info, re.M)
        pages = int(match.group(1)) if match else -1
        svc.close()
    took = statistics.median(samples)
    print(f"loans in the ledger:   {total:>7,}")
    print(f"pages:                 {pages:>7}")
    print(f"first print:           {first:7.2f} s")
    print(f"{later}: {took:7.2f} s  (target < {TARGET_S:.0f} s for >= 50 pages)")
    ok = took < TARGET_S and first < TARGET_S and pages >= 50
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
