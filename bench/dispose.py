#!/usr/bin/env python3
"""Benchmark: finding what a disposal plan would hold (清除处理, issue 15) on a register of an office's tenth year.

Usage: .venv/bin/python bench/dispose.py HOME [--reuse] [--clips N] [--loans N] [--activities N] [--seed S]

Without ``--reuse``, HOME must be missing or empty, and ``bench/synth.py`` builds the register there (by
default 1,000,000 clips, 100,000 loans, 10,000 activities; this takes a while). With ``--reuse``, HOME already
holds a register ``bench/synth.py`` built; opening it through avledger upgrades its schema in place (the
retention tables), so give it a copy of a register you want to keep as it is.

Then, through ``Services`` on that register (its "now" is the real now; the synthetic office keeps the
``wanzhou`` rules, W14: two years):

1. ``DisposalService.due()``: every clip whose keep-until date has passed and that nothing holds (open cases,
   open requests, evidence, long-term reasons, interruptions and late clips waiting for their reason, disc
   sets not burned and verified, manual holds), with its keep-until date; the target is under 2 s;
2. ``due_count()`` and the home screen's capped count (``due_count(cap=1000)``), for information.

It does not register the plan (``dispose plan`` writes one record and one audit entry per file).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

TARGET_S = 2.0
ROOT = Path(__file__).resolve().parent.parent
SIZES = {"clips": 1_000_000, "loans": 100_000, "activities": 10_000}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("home")
    parser.add_argument("--reuse", action="store_true")
    for name, default in SIZES.items():
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    home = Path(args.home)
    if not args.reuse:
        sizes = [a for name in SIZES for a in (f"--{name}", str(getattr(args, name)))]
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "synth.py"), str(home), *sizes, "--seed", str(args.seed)], check=True
        )
    sys.path.insert(0, str(ROOT / "src"))
    from avledger.home import Home
    from avledger.identity import Identity
    from avledger.services import Services

    services = Services(Home(home), Identity.of_process())
    clips = services.db.execute_sql("SELECT count(*) FROM clip").fetchone()[0]
    services.disposal.due_count(cap=1)  # opens the register, warms the page cache a little
    started = time.perf_counter()
    due = services.disposal.due()
    planned = time.perf_counter() - started
    started = time.perf_counter()
    counted = services.disposal.due_count()
    counting = time.perf_counter() - started
    started = time.perf_counter()
    services.disposal.due_count(cap=1000)
    capped = time.perf_counter() - started
    services.close()
    print(f"register: {clips:,} clips")
    print(f"due for disposal: {len(due):,} clips found in {planned:.2f} s (target < {TARGET_S} s)")
    print(f"counted: {counted:,} in {counting:.2f} s; the home screen's capped count in {capped * 1000:.0f} ms")
    ok = planned < TARGET_S
    print("target met" if ok else "target NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
