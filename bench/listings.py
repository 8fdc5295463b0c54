#!/usr/bin/env python3
"""Benchmark: every ``--json`` listing of the CLI against ``sqlite3 -json`` of the same rows (issue 14).

Usage: .venv/bin/python bench/listings.py [--big DATA_FOLDER] [--work DIR] [--runs N] [--only NAME...]

On a register of an office's tenth year (by default a copy of ``/tmp/bigreg``: 1,000,000 clips, 100,000
loans, 1.27 M audit entries; see ``bench/registers.py``; the original is never written), each listing
(``footage list --json``, ``activity list --json``, ...) is timed against the ``sqlite3`` command line
tool printing the same rows as JSON (``sqlite3 -json``: the same tables, joins, conditions and order,
the same fields, each list of a row (officers, clips) as the tool's own ``group_concat``). Output goes
to /dev/null. Each measure runs ``--runs`` times (default 3), avledger and sqlite3 in turns, and the
median is kept.

Two figures for avledger, both printed:

- ``command``: the whole ``avledger ... --json`` process, as a script would run it (Python's start and
  avledger's imports included: about 0.2 s on this machine whatever the listing);
- ``listing``: the same command run in a fresh Python process that has imported avledger's CLI, its
  command modules and its services first, timed from the call of its ``main()`` to its return (opening
  the register, the query, the JSON, the writing), with that process's peak memory. This is the figure
  the target is about (the listing within 3x of ``sqlite3 -json``): a Python program's start-up alone
  is some 50 times sqlite3's, so that no listing of a few rows could be within 3x of it whole.

The reference is the sqlite3 process's wall time, start-up included (a few milliseconds).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from registers import DEFAULT_BIG, env, fingerprint, median, prepare_big

TARGET_RATIO = 3.0
TARGET_MB = 200

# The same rows as avledger lists them, as plain SQL (the listings' columns and order; lists as group_concat).
_OFFICERS = (
    "(SELECT group_concat({f}) FROM (SELECT s.{f} FROM activity_officer ao JOIN staff s ON s.id = ao.staff_id"
    " WHERE ao.activity_id = a.id ORDER BY ao.id)) AS {key}"
)
CLIPS = (
    "SELECT c.id, c.original_name, c.archive_path, c.kind, c.size, c.sha256, c.start_at, c.time_source,"
    " c.duration_s, c.width, c.height, c.codecs, c.activity_id,"
    " CASE WHEN a.case_no != '' THEN a.case_no ELSE a.title END AS activity, d.asset_no, s.name AS holder,"
    " s.number AS holder_number, c.ingested_at, c.deadline_at, c.late, c.late_reason, c.flags"
    " FROM clip c LEFT JOIN activity a ON a.id = c.activity_id LEFT JOIN device d ON d.id = c.device_id"
    " LEFT JOIN staff s ON s.id = c.holder_id {where} ORDER BY c.start_at, c.id"
)
ACTIVITIES = (
    "SELECT a.id, a.kind, a.title, a.case_name, a.case_no, a.party, a.place, dp.name AS department, "
    + _OFFICERS.format(f="number", key="officers")
    + ", "
    + _OFFICERS.format(f="name", key="officer_names")
    + ", a.start_at, a.end_at, a.full_record, a.circumstances, a.confidential, a.long_term, a.status, a.closed_at,"
    " (SELECT count(*) FROM clip WHERE clip.activity_id = a.id) AS clips,"
    " (SELECT count(*) FROM norecord WHERE norecord.activity_id = a.id) AS norecords,"
    " (SELECT count(*) FROM gap WHERE gap.activity_id = a.id AND gap.reason IS NULL) AS open_gaps,"
    " (a.full_record AND NOT EXISTS (SELECT 1 FROM clip WHERE clip.activity_id = a.id)"
    " AND NOT EXISTS (SELECT 1 FROM norecord WHERE norecord.activity_id = a.id)) AS missing_record"
    " FROM activity a LEFT JOIN department dp ON dp.id = a.department_id {where}"
    " ORDER BY a.start_at DESC, a.id DESC"
)
LOANS = (
    "SELECT l.id, d.asset_no, d.kind AS device_kind, h.name AS holder, h.number AS holder_number, l.start_at,"
    " l.start_kind, g.name AS from_holder, l.due_at, l.purpose, l.battery_pct, l.free_gb, l.clock_offset_s,"
    " l.notice_given, l.check_failures, l.despite, l.end_at, l.end_kind, l.content, l.condition,"
    " (l.end_at IS NULL AND l.due_at IS NOT NULL AND l.due_at < datetime('now')) AS overdue"
    " FROM loan l JOIN device d ON d.id = l.device_id JOIN staff h ON h.id = l.holder_id"
    " LEFT JOIN loan p ON p.id = l.from_loan_id LEFT JOIN staff g ON g.id = p.holder_id {where}"
    " ORDER BY l.start_at DESC, l.id DESC"
)
STAFF = (
    "SELECT s.id, s.name, s.number, dp.name AS department, s.cert_no, s.roles, s.active, s.os_user"
    " FROM staff s JOIN department dp ON dp.id = s.department_id ORDER BY s.number"
)
DEVICES = (
    "SELECT v.id, v.asset_no, v.kind, v.model, v.serial, v.fixed_asset_no, v.purchased,"
    " printf('%d.%02d', v.price_fen / 100, v.price_fen % 100) AS price_yuan, dp.name AS department,"
    " c.name AS custodian, c.number AS custodian_number, v.status, v.abilities, v.media_time, v.notes,"
    " h.name AS holder, h.number AS holder_number FROM device v JOIN department dp ON dp.id = v.department_id"
    " JOIN staff c ON c.id = v.custodian_id LEFT JOIN loan o ON o.device_id = v.id AND o.end_at IS NULL"
    " LEFT JOIN staff h ON h.id = o.holder_id ORDER BY v.asset_no"
)
GAPS = (
    "SELECT g.id, g.activity_id, CASE WHEN a.case_no != '' THEN a.case_no ELSE a.title END AS activity,"
    " d.asset_no, g.after_clip_id, g.before_clip_id, g.start_at, g.end_at, g.minutes, g.reason, g.note, g.reported"
    " FROM gap g JOIN activity a ON a.id = g.activity_id JOIN device d ON d.id = g.device_id {where}"
    " ORDER BY g.start_at, g.id"
)
AUDIT = (
    "SELECT e.id, e.at, e.actor, e.action, e.entity, e.entity_id, e.summary, e.before, e.after"
    " FROM audit_event e ORDER BY e.id"
)
REQUESTS = (
    "SELECT r.*, q.name AS requester, q.number AS requester_number, b.name AS decided_by,"
    " b.number AS decided_by_number,"
    " (SELECT group_concat(clip_id) FROM (SELECT clip_id FROM access_clip WHERE request_id = r.id ORDER BY id))"
    " AS clip_ids,"
    " (SELECT count(*) FROM viewing WHERE request_id = r.id) AS viewings,"
    " (SELECT count(*) FROM extraction WHERE request_id = r.id) AS extractions"
    " FROM access_request r JOIN staff q ON q.id = r.requester_id LEFT JOIN staff b ON b.id = r.decided_by_id"
    " ORDER BY r.requested_at DESC, r.id DESC"
)
VIEWINGS = (
    "SELECT v.id, v.request_id, s.name AS viewer, s.number AS viewer_number, v.at, v.duration_s, v.clip_ids, v.how"
    " FROM viewing v JOIN staff s ON s.id = v.staff_id ORDER BY v.at, v.id"
)

LISTINGS: list[tuple[str, list[str], str]] = [
    ("footage list", ["footage", "list"], CLIPS.format(where="")),
    ("footage list --late", ["footage", "list", "--late"], CLIPS.format(where="WHERE c.late = 1")),
    (
        "footage list --unassigned",
        ["footage", "list", "--unassigned"],
        CLIPS.format(where="WHERE c.activity_id IS NULL"),
    ),
    (
        "footage list --activity 5000",
        ["footage", "list", "--activity", "5000"],
        CLIPS.format(where="WHERE c.activity_id = 5000"),
    ),
    ("activity list", ["activity", "list"], ACTIVITIES.format(where="")),
    ("activity list --open", ["activity", "list", "--open"], ACTIVITIES.format(where="WHERE a.status = 'open'")),
    ("loan list", ["loan", "list"], LOANS.format(where="")),
    ("loan list --open", ["loan", "list", "--open"], LOANS.format(where="WHERE l.end_at IS NULL")),
    (
        "loan list --overdue",
        ["loan", "list", "--overdue"],
        LOANS.format(where="WHERE l.end_at IS NULL AND l.due_at IS NOT NULL AND l.due_at < datetime('now')"),
    ),
    ("staff list", ["staff", "list"], STAFF),
    ("device list", ["device", "list"], DEVICES),
    ("gaps", ["gaps"], GAPS.format(where="")),
    ("gaps --open", ["gaps", "--open"], GAPS.format(where="WHERE g.reason IS NULL")),
    ("access list", ["access", "list"], REQUESTS),
    ("access viewings", ["access", "viewings"], VIEWINGS),
    ("audit list", ["audit", "list"], AUDIT),
]

CHILD = """
import importlib, os, resource, sys, time
from avledger.cli import COMMANDS, main
import avledger.services
for where in set(COMMANDS.values()):  # the command's module, imported before the clock starts
    importlib.import_module("avledger.cli." + where.split(":")[0].split(".")[0])
sys.argv = ["avledger", "--home", sys.argv[1], *sys.argv[2:], "--json"]
out = os.open(os.devnull, os.O_WRONLY)
saved = os.dup(1)
os.dup2(out, 1)
start = time.perf_counter()
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
sys.stdout.flush()
took = time.perf_counter() - start
os.dup2(saved, 1)
print(took, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, code or 0)
"""


def run_command(home: Path, args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "avledger", "--home", str(home), *args, "--json"],
        env=env(),
        stdout=subprocess.DEVNULL,
        check=True,
    )
    return time.perf_counter() - start


def run_listing(home: Path, args: list[str]) -> tuple[float, float]:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(home), *args], env=env(), capture_output=True, text=True, check=True
    )
    took, peak, code = proc.stdout.split()
    if code != "0":
        raise SystemExit(f"avledger {' '.join(args)} --json: exit {code}: {proc.stderr}")
    return float(took), float(peak)


def run_sqlite(db: Path, sql: str) -> float:
    start = time.perf_counter()
    subprocess.run(["sqlite3", "-json", str(db), sql], stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--big", type=Path, default=DEFAULT_BIG, help="the register of a tenth year (copied)")
    parser.add_argument("--work", type=Path, help="where the copy is kept between runs (default: a temporary folder)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", nargs="*", help="only the listings whose name starts with one of these")
    args = parser.parse_args()
    if shutil.which("sqlite3") is None:
        print("needs the sqlite3 command line tool (Debian: sqlite3)", file=sys.stderr)
        return 2
    work = args.work or Path(tempfile.mkdtemp(prefix="avl-listings-"))
    home = prepare_big(args.big, work)
    db = home / "avledger.db"
    before = fingerprint(home)
    print(f"register: {args.big} (copy: {home}); medians of {args.runs} runs, in turns")
    header = f"{'listing':30} {'command s':>10} {'listing s':>10} {'sqlite3 s':>10} {'ratio':>6} {'peak MB':>8}  target"
    print(header)
    print("-" * len(header))
    met_all = True
    for name, command, sql in LISTINGS:
        if args.only and not any(name.startswith(o) for o in args.only):
            continue
        whole, listed, peaks, reference = [], [], [], []
        for _run in range(args.runs):
            reference.append(run_sqlite(db, sql))
            took, peak = run_listing(home, command)
            listed.append(took)
            peaks.append(peak)
            whole.append(run_command(home, command))
        ratio = median(listed) / median(reference)
        met = ratio <= TARGET_RATIO and max(peaks) < TARGET_MB
        met_all &= met
        verdict = "met" if met else "NOT met"
        print(
            f"{name:30} {median(whole):10.3f} {median(listed):10.3f} {median(reference):10.3f} {ratio:6.2f}"
            f" {max(peaks):8.0f}  {verdict} (listing <= {TARGET_RATIO:g}x sqlite3, < {TARGET_MB} MB)"
        )
    print(f"register unchanged by the listings: {'yes' if fingerprint(home) == before else 'NO'}")
    print("all targets met" if met_all else "some targets not met")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if met_all else 1


if __name__ == "__main__":
    sys.exit(main())
