#!/usr/bin/env python3
"""Benchmark: ``audit verify --full`` on a register of an office's tenth year (issue 14).

Usage: .venv/bin/python bench/audit.py HOME [--reuse] [--clips N] [--loans N] [--activities N] [--seed S]

Without ``--reuse``, HOME must be missing or empty, and ``bench/synth.py``
builds the register there (by default the size of issue 14: 1,000,000 clips,
100,000 loans, 10,000 activities, about 1.27 million audit entries; this takes
a while). With ``--reuse``, HOME already holds a register ``bench/synth.py``
built; opening it through avledger upgrades its schema in place (migration 6
adds the index verify uses), so give it a copy of a register you want to keep
as it is.

Then, one after the other on the same register (the first run warms the page
cache for the others):

1. the reference, reading and hashing the same log outside avledger:
   ``sqlite3 avledger.db 'SELECT * FROM audit_event ORDER BY id' | sha256sum``,
   and a bare Python loop over the same rows hashing each with SHA-256;
2. ``AuditService.verify(full=True)`` through ``Services``, in a child process
   (the time of the call; its peak RSS from ``wait4``), which hashes every
   entry again, checks every link and every witness, and compares every
   audited row with the state the log last gives it;
3. the default ``verify()`` (the chain from the newest witness still matching),
   for information.

It prints entries per second and peak memory beside the reference, and whether
the targets are met: at least 100,000 entries per second and under 100 MB.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

TARGET_RATE = 100_000  # entries per second
TARGET_MB = 100
ROOT = Path(__file__).resolve().parent.parent
SIZES = {"clips": 1_000_000, "loans": 100_000, "activities": 10_000}


def child(home: str, full: bool) -> int:
    """Run one verify through the services and print what it found as JSON (the parent measures memory)."""
    from avledger.home import Home
    from avledger.identity import Identity
    from avledger.services import Services

    started = time.perf_counter()
    services = Services(Home(Path(home)), Identity.of_process())
    opened = time.perf_counter()
    result = services.audit.verify(full=full)
    done = time.perf_counter()
    services.close()
    print(
        json.dumps(
            {
                "open_s": opened - started,
                "verify_s": done - opened,
                "events": result.events,
                "checked": result.checked,
                "rows": result.rows,
                "full": result.full,
                "problems": [p.kind for p in result.problems],
            }
        )
    )
    return 0


def run_child(home: Path, full: bool) -> tuple[dict, float, float]:
    """The child's report, its peak RSS in MB, and its wall time in seconds."""
    started = time.perf_counter()
    args = [sys.executable, __file__, "--child", "full" if full else "default", str(home)]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, env=_env())
    out = proc.stdout.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"verify failed (exit {proc.returncode})")
    return json.loads(out), usage.ru_maxrss / 1024, wall


def reference_sqlite3(db: Path) -> float:
    started = time.perf_counter()
    dump = subprocess.Popen(["sqlite3", str(db), "SELECT * FROM audit_event ORDER BY id"], stdout=subprocess.PIPE)
    digest = subprocess.run(["sha256sum"], stdin=dump.stdout, capture_output=True, check=True)
    dump.stdout.close()
    if dump.wait() != 0 or not digest.stdout:
        raise SystemExit("sqlite3 | sha256sum failed")
    return time.perf_counter() - started


def reference_python(db: Path) -> tuple[float, int]:
    started = time.perf_counter()
    con = sqlite3.connect(db)
    sha256 = hashlib.sha256
    n = 0
    for row in con.execute("SELECT * FROM audit_event ORDER BY id"):
        sha256(str(row).encode("utf-8")).hexdigest()
        n += 1
    con.close()
    return time.perf_counter() - started, n


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH", "")) if p)
    return env


def build(home: Path, sizes: dict[str, int], seed: int) -> None:
    args = [sys.executable, str(ROOT / "bench" / "synth.py"), str(home), "--seed", str(seed)]
    args += [arg for key, value in sizes.items() for arg in (f"--{key}", str(value))]
    print(f"building {home} with bench/synth.py …", flush=True)
    subprocess.run(args, check=True, env=_env())


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return child(argv[2], argv[1] == "full")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("home", type=Path, help="the data folder: missing or empty (built here), or --reuse")
    parser.add_argument("--reuse", action="store_true", help="HOME holds a register bench/synth.py built")
    for key, value in SIZES.items():
        parser.add_argument(f"--{key}", type=int, default=value)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    home: Path = args.home
    db = home / "avledger.db"
    if args.reuse:
        if not db.is_file():
            raise SystemExit(f"{db} does not exist: build it first (without --reuse)")
    else:
        build(home, {key: getattr(args, key) for key in SIZES}, args.seed)

    load_before = os.getloadavg()[0]
    ref_sqlite = reference_sqlite3(db)
    ref_python, entries = reference_python(db)
    full, full_mb, full_wall = run_child(home, full=True)
    quick, quick_mb, _quick_wall = run_child(home, full=False)
    if full["events"] != entries:
        raise SystemExit(f"the log changed between the runs: {entries} then {full['events']} entries")

    rate = entries / full["verify_s"]
    size_mb = sum(p.stat().st_size for p in home.glob("avledger.db*")) / 2**20
    print(f"register:                       {db} ({size_mb:,.0f} MB)")
    print(
        f"machine:                        {os.cpu_count()} cores, load average {load_before:.1f} before the runs,"
        f" {os.getloadavg()[0]:.1f} after (other work slows every figure alike)"
    )
    print(f"audit entries:                  {entries:>12,}   audited rows: {full['rows']:,}")
    print("reference, outside avledger:")
    print(f"  sqlite3 | sha256sum           {ref_sqlite:8.2f} s  {entries / ref_sqlite:>12,.0f} entries/s")
    print(f"  Python loop, SHA-256 per row  {ref_python:8.2f} s  {entries / ref_python:>12,.0f} entries/s")
    print("avledger (AuditService.verify through Services, in a child process):")
    print(
        f"  verify --full                 {full['verify_s']:8.2f} s  {rate:>12,.0f} entries/s"
        f"  peak {full_mb:5.1f} MB   ({full_wall:.2f} s with start-up and opening;"
        f" {full['verify_s'] / ref_sqlite:.1f}× sqlite3 | sha256sum, {full['verify_s'] / ref_python:.1f}× the loop)"
    )
    print(
        f"  verify (default)              {quick['verify_s']:8.2f} s  hashes from entry"
        f" {entries - quick['checked'] + 1:,} on  peak {quick_mb:5.1f} MB"
    )
    problems = full["problems"] + quick["problems"]
    if problems:
        print(f"  problems found: {', '.join(problems)}")
    met_rate, met_mb = rate >= TARGET_RATE, full_mb < TARGET_MB
    print(f"target ≥ {TARGET_RATE:,} entries/s: {'met' if met_rate else 'NOT met'} ({rate:,.0f})")
    print(f"target < {TARGET_MB} MB peak:      {'met' if met_mb else 'NOT met'} ({full_mb:.1f} MB)")
    ok = met_rate and met_mb and not problems
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
