#!/usr/bin/env python3
"""Benchmark: planning a disposal (清除处理, issue 15) on a register of an office's tenth year, whole.

Usage: .venv/bin/python bench/dispose.py HOME [--reuse] [--clips N] [--loans N] [--activities N] [--seed S]

Without ``--reuse``, HOME must be missing or empty, and ``bench/synth.py`` builds the register there (by
default 1,000,000 clips, 100,000 loans, 10,000 activities; this takes a while). With ``--reuse``, HOME already
holds a register ``bench/synth.py`` built; opening it through avledger upgrades its schema in place (the
retention tables), so give it a copy of a register you want to keep as it is.

Then, through ``Services`` on that register (its "now" is the real now; the synthetic office keeps the
``wanzhou`` rules, W14: two years):

1. ``DisposalService.plan()``, what ``avledger dispose plan`` does, committed: every clip whose keep-until date
   has passed and that nothing holds (open cases, open requests, evidence, long-term reasons, interruptions
   and late clips waiting for their reason, disc sets not burned and verified, manual holds) found and
   registered as the plan's files, with the plan's audit entry and the digest of its files; the target is
   under 2 s;
2. the reference, in the same run on the same file: plain sqlite3 (no avledger) copying the same clips' rows
   (the columns a plan records, by the ids the plan holds) into a new table and committing: the cost of
   writing the plan alone, without finding what is due;
3. for information: ``due()`` alone (finding, no writing), the digest ``dispose run`` and ``audit verify``
   derive again (``check_items``), and the cancel that frees the clips again, so that ``--reuse`` can be run
   on the same register again.
"""

from __future__ import annotations

import sqlite3
import sys
import time

from tenthyear import tenth_year

TARGET_S = 2.0


def main() -> int:
    home = tenth_year(__doc__.split("\n")[0])
    from avledger.home import Home
    from avledger.identity import Identity
    from avledger.services import Services

    services = Services(Home(home), Identity.of_process())
    disposal = services.disposal
    clips = services.db.execute_sql("SELECT count(*) FROM clip").fetchone()[0]
    disposal.due_count(cap=1)  # opens the register, warms the page cache a little
    started = time.perf_counter()
    due = disposal.due()
    finding = time.perf_counter() - started
    started = time.perf_counter()
    plan = disposal.plan()
    planning = time.perf_counter() - started
    if plan is None:
        print("nothing is due: no plan to time")
        services.close()
        return 1
    started = time.perf_counter()
    disposal.check_items(disposal.get(plan.id))
    checking = time.perf_counter() - started
    db_path = Home(home).db_path
    services.close()

    con = sqlite3.connect(db_path, isolation_level=None)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = NORMAL")
    con.execute("DROP TABLE IF EXISTS bench_reference")
    started = time.perf_counter()
    con.execute("BEGIN IMMEDIATE")
    con.execute(
        "CREATE TABLE bench_reference AS SELECT c.id, c.original_name, c.archive_path, c.sha256, c.size, c.start_at,"
        " c.ingested_at, c.activity_id FROM disposal d JOIN clip c ON c.id = d.clip_id WHERE d.plan_id = ?"
        " ORDER BY c.id",
        (plan.id,),
    )
    con.execute("COMMIT")
    reference = time.perf_counter() - started
    con.execute("DROP TABLE bench_reference")
    con.close()

    services = Services(Home(home), Identity.of_process())
    started = time.perf_counter()
    services.disposal.cancel(plan.id, reason="benchmark")
    cancelling = time.perf_counter() - started
    services.close()
    print(f"register: {clips:,} clips")
    print(
        f"dispose plan (find + register {plan.files:,} files, {plan.files:,} records, 1 audit entry, commit):"
        f" {planning:.2f} s (target < {TARGET_S} s)"
    )
    print(f"reference, sqlite3 copying those {plan.files:,} clips' rows into a new table: {reference:.2f} s")
    print(f"for information: finding alone (due(), {len(due):,} clips) {finding:.2f} s;", end=" ")
    print(f"the digest derived again (dispose run, audit verify) {checking:.2f} s; the cancel {cancelling:.2f} s")
    ok = planning < TARGET_S and len(due) == plan.files
    print("target met" if ok else "target NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
