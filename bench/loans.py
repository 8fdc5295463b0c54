#!/usr/bin/env python3
"""Benchmark: with 100,000 loans in the ledger, listing the open and the
overdue ones takes under 0.2 s (issue 3).

Builds a register in a temporary folder, fills it with 100,000 closed loans
over 200 devices plus open ones (some overdue), then times the service calls
the TUI and `avledger loan list --open/--overdue` make. The reference, timed
in the same run, is a bare SQL count of open loans on the same file.
Usage: .venv/bin/python bench/loans.py [LOANS]
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

from avledger.home import Home
from avledger.identity import Identity
from avledger.models.schema import Device, Loan, Staff
from avledger.services import Services

TARGET_S = 0.2


def timed(fn, runs: int = 7) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> int:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        now = dt.datetime(2026, 6, 1, 12, 0)
        svc = Services(Home(Path(tmp)), Identity.console("bench"), clock=lambda: now)
        svc.office.init("基准测试局", "dalian")
        svc.departments.add("执法一队", "A")
        for n in range(50):
            svc.staff.add(f"队员{n}", f"S{n:03d}", "执法一队", cert_no=f"C{n}")
        for n in range(200):
            svc.devices.add(f"JL-{n:04d}", "bodycam", "执法一队", "S000")
        devices = [d.id for d in Device.select(Device.id)]
        staff = [s.id for s in Staff.select(Staff.id)]
        start = now - dt.timedelta(hours=total * 200 // len(devices) + 1000)
        rows = []
        for i in range(total):
            begin = start + dt.timedelta(hours=8 * (i // len(devices)))
            rows.append(
                dict(
                    device=devices[i % len(devices)],
                    holder=staff[i % len(staff)],
                    start_at=begin,
                    start_kind="issue",
                    battery_pct=90,
                    free_gb=20.0,
                    clock_offset_s=1,
                    notice_given=True,
                    end_at=begin + dt.timedelta(hours=6),
                    end_kind="return",
                )
            )
        for n, device in enumerate(devices[:40]):  # 40 out now, 10 of them overdue
            due = now - dt.timedelta(hours=2) if n < 10 else now + dt.timedelta(hours=6)
            rows.append(
                dict(
                    device=device,
                    holder=staff[n % len(staff)],
                    start_at=now - dt.timedelta(hours=4),
                    start_kind="issue",
                    due_at=due,
                    battery_pct=90,
                    free_gb=20.0,
                    clock_offset_s=1,
                    notice_given=True,
                )
            )
        with svc.db.atomic():
            for i in range(0, len(rows), 5000):
                Loan.insert_many(rows[i : i + 5000]).execute()
        assert len(svc.lending.list(open_only=True)) == 40
        assert len(svc.lending.list(overdue=True)) == 10
        reference = timed(lambda: svc.db.execute_sql("SELECT COUNT(*) FROM loan WHERE end_at IS NULL").fetchone())
        open_s = timed(lambda: svc.lending.list(open_only=True))
        overdue_s = timed(lambda: svc.lending.list(overdue=True))
        svc.close()
    print(f"loans in the ledger:            {total + 40:>9,}")
    print(f"reference (SQL count of open):  {reference * 1000:9.2f} ms")
    print(f"list open loans:                {open_s * 1000:9.2f} ms  (target < {TARGET_S * 1000:.0f} ms)")
    print(f"list overdue loans:             {overdue_s * 1000:9.2f} ms  (target < {TARGET_S * 1000:.0f} ms)")
    ok = max(open_s, overdue_s) < TARGET_S
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
