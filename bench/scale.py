#!/usr/bin/env python3
"""Benchmark: issue 14's measures on a register of an office's tenth year, beside the same on the demo register.

Usage: .venv/bin/python bench/scale.py BIG_HOME [--only NAME ...] [--rounds N] [--list]

BIG_HOME holds a register ``bench/synth.py`` built (``/tmp/bigreg``: 1,000,000
clips, 100,000 loans, 1.27 M audit entries). It is never written to: it is
copied (``cp -a``) into a scratch folder first, and opening the copy upgrades
its schema there. The demo register (``avledger demo``) is built beside it.
Each measure then runs on the big register and on the demo register in turns,
ROUNDS times (default 3), each run in a child process of its own, so that its
peak memory (the child's peak RSS, from ``wait4``) is its own; the medians are
printed side by side with their ratio, with the issue's figure from before the
work, and whether the targets are met (exit 1 when one is not).

The measures of this module:

- ``ingest``: a card of 200 small real clips (PyAV), of the device out on loan
  longest, in an activity registered for it, collected through the ingest
  service (scan, then apply: copy, hash, flush, read back, register); ms per
  file. Target: big ÷ demo ≤ 1.2. Each run is a day later on the register's
  clock than the one before (than every earlier run's, on a register kept
  with ``--scratch``), so that the runs' activities never overlap;
- ``print-quarter``: ``print loans`` for the 92 days up to the newest loan;
  target under 5 s and 300 MB on the big register (the memory: this process
  and the largest typst run beside it, added up; the CPU time is printed too,
  the machine being shared);
- ``print-6500``: the same for the loans of the days holding the newest 6,500
  (the issue's quarter; this register's quarter has fewer), under 300 MB;
- ``print-year``: the same for a year (information: the issue's 186 s, 5.6 GB);
- ``export-xlsx``: ``export loans`` for a year to .xlsx (the issue's 6.8 s,
  207 MB; target under 150 MB, the rows being written as they are read);
- ``audit-verify``: ``audit verify --full`` through ``bench/audit.py``'s
  ``run_child`` when that module is there (the audit engineer's; its own
  child's time and peak memory), else skipped with a note.

Adding measures from another module: write ``bench/NAME.py`` with a list
``SCALE_MEASURES`` of :class:`Measure` (``from scale import Measure``). This
script imports every ``bench/*.py`` whose text defines ``SCALE_MEASURES`` and
runs their measures after its own, the same way. A measure's ``run(home,
round_no)`` runs in a child process (``bench/scale.py --child NAME HOME
ROUND``) and returns a dict with ``value`` (the figure compared, in
``unit``), optionally ``peak_mb`` (when the work ran in a process of its own
whose peak it measured) and ``note`` (a short text printed beside it). Its
targets: ``ratio`` (big ÷ demo at most), ``limit`` (the big register's value
at most), ``at_least`` (the same, at least: a rate) and ``limit_mb`` (the big
register's peak memory under). ``writes`` says that it changes the register:
all measures share one copy of each register, so what one writes the next
sees.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.modules.setdefault("scale", sys.modules[__name__])  # `from scale import Measure` gets this module


@dataclass(frozen=True)
class Measure:
    name: str
    title: str
    run: Callable[[Path, int], dict]  # (data folder, round) -> {"value": ..., "peak_mb"?, "note"?}, in a child
    unit: str = "s"
    ratio: float | None = None  # target: big / demo at most
    limit: float | None = None  # target: the big register's value at most
    at_least: float | None = None  # target: the big register's value at least (a rate)
    limit_mb: float | None = None  # target: the big register's peak memory under
    before: str = ""  # the figure, from before the work
    writes: bool = False


MEASURES: dict[str, Measure] = {}


def measure(name: str, title: str, **options) -> Callable:
    """Register the decorated ``run(home, round_no)`` as a measure of this module."""

    def decorate(run: Callable[[Path, int], dict]) -> Callable[[Path, int], dict]:
        MEASURES[name] = Measure(name, title, run, **options)
        return run

    return decorate


def load_other_measures() -> list[str]:
    """Import the bench modules that define SCALE_MEASURES; returns notes on those that failed."""
    notes = []
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    for path in sorted(BENCH.glob("*.py")):
        if path.stem == "scale" or "SCALE_MEASURES" not in path.read_text("utf-8"):
            continue
        try:
            module = importlib.import_module(path.stem)
        except Exception as exc:  # noqa: BLE001 - a broken module is reported, the others still run
            notes.append(f"bench/{path.name}: not loaded ({exc})")
            continue
        for m in getattr(module, "SCALE_MEASURES", []):
            MEASURES.setdefault(m.name, m)
    return notes


# --- the measures of the batch jobs ---------------------------------------------------------------
CARD_CLIPS = 200


def _services(home: Path, clock: Callable[[], dt.datetime] | None = None):
    from avledger.home import Home
    from avledger.identity import Identity
    from avledger.services import Services

    return (
        Services(Home(home), Identity.of_process(), clock=clock)
        if clock
        else Services(Home(home), Identity.of_process())
    )


@measure(
    "ingest",
    f"ingest a card of {CARD_CLIPS} small clips",
    unit="ms per file",
    ratio=1.2,
    before="197 ms per file at 1 M clips (37 ms at 100,000; 20 ms on the demo)",
    writes=True,
)
def run_ingest(home: Path, round_no: int) -> dict:
    import sqlite3

    from avledger.models.schema import Loan
    from avledger.services.samplecard import write_clip

    with sqlite3.connect(f"file:{home / 'avledger.db'}?mode=ro", uri=True) as con:  # runs before this one
        earlier = con.execute("SELECT count(*) FROM activity WHERE title LIKE '基准采集 %'").fetchone()[0]
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0) + dt.timedelta(days=earlier + 1)
    svc = _services(home, clock=lambda: now)
    loan = Loan.select().where(Loan.end_at.is_null()).order_by(Loan.start_at, Loan.id).first()
    asset, holder = loan.device.asset_no, loan.holder.number
    begin = now - dt.timedelta(minutes=55)
    activity = svc.activities.add("inspection", f"基准采集 {round_no}", begin, end=now, officers=[holder])
    with tempfile.TemporaryDirectory(prefix="avledger-card-") as tmp:
        card = Path(tmp) / "DCIM" / "100MEDIA"
        for i in range(CARD_CLIPS):
            when = begin + dt.timedelta(minutes=2, seconds=5 * i)
            write_clip(
                card / f"VID_{when:%Y%m%d_%H%M%S}_{i:04d}.MP4",
                0.3,
                creation_time=f"{when:%Y-%m-%dT%H:%M:%S}.000000Z",
                tags={"comment": f"{os.getpid()}-{round_no}-{i}"},
                seed=i + 1,
            )
        subprocess.run(["sync"], check=False)
        start = time.perf_counter()
        plan = svc.ingest.scan(card.parent.parent, device=asset)
        result = svc.ingest.apply(plan)
        took = time.perf_counter() - start
    svc.close()
    matched = sum(1 for c in result.archived if c.activity_id == activity.id)
    if len(result.archived) != CARD_CLIPS:
        raise SystemExit(f"ingest: {len(result.archived)} of {CARD_CLIPS} archived")
    return {"value": took / CARD_CLIPS * 1000, "note": f"{matched} in the new activity"}


def _loan_period(home: Path, days: int | None = None, rows: int | None = None) -> tuple[str, str]:
    """The ``days`` days up to the register's newest loan (or the days holding its last ``rows`` loans),
    as local dates."""
    import sqlite3

    with sqlite3.connect(f"file:{home / 'avledger.db'}?mode=ro", uri=True) as con:
        newest = con.execute("SELECT max(start_at) FROM loan").fetchone()[0]
        last = dt.datetime.fromisoformat(newest).date()
        if rows is not None:  # (a register with fewer: all of them)
            start = con.execute("SELECT start_at FROM loan ORDER BY start_at DESC LIMIT 1 OFFSET ?", (rows - 1,))
            first = start.fetchone() or con.execute("SELECT min(start_at) FROM loan").fetchone()
            return dt.datetime.fromisoformat(first[0]).date().isoformat(), last.isoformat()
    return (last - dt.timedelta(days=days - 1)).isoformat(), last.isoformat()


def _usage() -> tuple[float, float]:
    """Peak memory in MB of this process plus that of the largest of its children (the typst runs, one
    at a time beside it), and the CPU seconds of both."""
    import resource

    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    return (me.ru_maxrss + kids.ru_maxrss) / 1024, cpu


def _print_loans(home: Path, days: int | None = None, rows: int | None = None) -> dict:
    from avledger.services.printing import Filters

    date_from, date_to = _loan_period(home, days, rows)
    svc = _services(home)
    with tempfile.TemporaryDirectory(prefix="avledger-print-") as tmp:
        out = Path(tmp) / "loans.pdf"
        start = time.perf_counter()
        svc.printing.render_pdf("loans", Filters(date_from=date_from, date_to=date_to), out)
        took = time.perf_counter() - start
        pages = _pdf_pages(out)
        peak, cpu = _usage()
        count = svc.printing.export("loans", Filters(date_from=date_from, date_to=date_to), Path(tmp) / "n.csv")[1]
    svc.close()
    return {
        "value": took,
        "peak_mb": peak,
        "note": f"{date_from} to {date_to}: {count:,} rows, {pages} pages; CPU {cpu:.1f} s (with the typst runs)",
    }


def _pdf_pages(path: Path) -> int:
    import re

    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    match = re.search(r"^Pages:\s+(\d+)", info, re.M)
    return int(match.group(1)) if match else -1


@measure(
    "print-quarter",
    "print loans, a quarter (92 days)",
    limit=5.0,
    limit_mb=300,
    before="16 s, 1.5 GB",
)
def run_print_quarter(home: Path, round_no: int) -> dict:
    return _print_loans(home, 92)


@measure(
    "print-6500",
    "print loans, the issue's quarter: its last 6,500 rows",
    limit_mb=300,
    before="16 s, 1.5 GB for a quarter of about 6,500 rows",
)
def run_print_rows(home: Path, round_no: int) -> dict:
    return _print_loans(home, rows=6500)


@measure("print-year", "print loans, a year", before="186 s, 5.6 GB; twelve months one by one 44.5 s")
def run_print_year(home: Path, round_no: int) -> dict:
    return _print_loans(home, 365)


@measure("export-xlsx", "export loans, a year, to .xlsx", limit_mb=150, before="6.8 s, 207 MB")
def run_export(home: Path, round_no: int) -> dict:
    from avledger.services.printing import Filters

    date_from, date_to = _loan_period(home, 365)
    svc = _services(home)
    with tempfile.TemporaryDirectory(prefix="avledger-export-") as tmp:
        start = time.perf_counter()
        _out, rows = svc.printing.export(
            "loans", Filters(date_from=date_from, date_to=date_to), Path(tmp) / "loans.xlsx"
        )
        took = time.perf_counter() - start
    svc.close()
    return {"value": took, "note": f"{date_from} to {date_to}: {rows:,} rows; CPU {_usage()[1]:.1f} s"}


def _audit_bench():
    if not (BENCH / "audit.py").is_file():
        return None
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    module = importlib.import_module("audit")
    return module if hasattr(module, "run_child") else None


@measure(
    "audit-verify",
    "audit verify --full (bench/audit.py)",
    unit="entries/s",
    at_least=100_000,
    limit_mb=100,
    before="63 s, 1.7 GB",
)
def run_audit(home: Path, round_no: int) -> dict:
    module = _audit_bench()
    report, peak_mb, _wall = module.run_child(home, full=True)
    return {
        "value": report["events"] / report["verify_s"],
        "peak_mb": peak_mb,
        "note": f"{report['events']:,} entries in {report['verify_s']:.2f} s",
    }


def skipped(m: Measure) -> str | None:
    """Why a measure cannot run here, or None."""
    if m.name == "audit-verify" and _audit_bench() is None:
        return "bench/audit.py (the audit verify benchmark) is not in this checkout: skipped"
    return None


# --- running ------------------------------------------------------------------------------------------
def child(name: str, home: str, round_no: int) -> int:
    load_other_measures()
    result = MEASURES[name].run(Path(home), round_no)
    print(json.dumps(result))
    return 0


def run_in_child(name: str, home: Path, round_no: int) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH", "")) if p)
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--child", name, str(home), str(round_no)],
        stdout=subprocess.PIPE,
        env=env,
    )
    out = proc.stdout.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{name} on {home} failed")
    result = json.loads(out.decode().strip().splitlines()[-1])
    result.setdefault("peak_mb", usage.ru_maxrss / 1024)
    return result


def build_demo(home: Path) -> None:
    from avledger.home import Home
    from avledger.identity import Identity
    from avledger.services import Services
    from avledger.services.demo import populate

    with Services(Home(home), Identity.of_process()) as svc:
        populate(svc)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return child(argv[1], argv[2], int(argv[3]))
    notes = load_other_measures()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("big", type=Path, nargs="?", default=Path("/tmp/bigreg"), help="a register synth.py built")
    parser.add_argument("--only", nargs="*", default=None, help="the measures to run (default: all)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--list", action="store_true", help="list the measures and exit")
    parser.add_argument(
        "--scratch", type=Path, help="keep the two registers in this folder and reuse them (runs of ingest add to them)"
    )
    args = parser.parse_args(argv)
    if args.list:
        for m in MEASURES.values():
            print(f"{m.name:16} {m.title}")
        return 0
    chosen = [MEASURES[n] for n in (args.only or MEASURES)]
    if not (args.big / "avledger.db").is_file():
        raise SystemExit(f"{args.big / 'avledger.db'} does not exist: build it with bench/synth.py")
    with tempfile.TemporaryDirectory(prefix="avledger-scale-", dir=os.environ.get("BENCH_DIR")) as tmp:
        scratch = args.scratch or Path(tmp)
        big, demo = scratch / "big", scratch / "demo"
        started = time.perf_counter()
        if not big.is_dir():
            subprocess.run(["cp", "-a", str(args.big), str(big)], check=True)
        if not demo.is_dir():
            build_demo(demo)
        for home in (big, demo):  # schema upgrade and a warm page cache before anything is timed
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "import sys, pathlib; from avledger.home import Home; from avledger.identity import Identity; "
                    "from avledger.services import Services; "
                    "Services(Home(pathlib.Path(sys.argv[1])), Identity.of_process()).close()",
                    str(home),
                ],
                check=True,
                env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
            )
            subprocess.run(["cat", str(home / "avledger.db")], stdout=subprocess.DEVNULL, check=True)
        print(f"registers ready in {time.perf_counter() - started:.0f} s: {args.big} (copied), the demo")
        ok = True
        for note in notes:
            print(note)
        for m in chosen:
            why = skipped(m)
            if why:
                print(f"{m.name}: {why}")
                continue
            runs: dict[str, list[dict]] = {"big": [], "demo": []}
            for round_no in range(args.rounds):
                for label, home in (("big", big), ("demo", demo)):
                    runs[label].append(run_in_child(m.name, home, round_no))
            ok &= report(m, runs)
    return 0 if ok else 1


def report(m: Measure, runs: dict[str, list[dict]]) -> bool:
    value = {k: statistics.median(r["value"] for r in v) for k, v in runs.items()}
    peak = {k: max(r["peak_mb"] for r in v) for k, v in runs.items()}
    ratio = value["big"] / value["demo"] if value["demo"] else float("inf")
    print(f"\n{m.name}: {m.title}" + (f"   (before: {m.before})" if m.before else ""))
    for label in ("big", "demo"):
        samples = ", ".join(f"{r['value']:.2f}" for r in runs[label])
        note = runs[label][-1].get("note", "")
        print(
            f"  {label:5} {value[label]:10.2f} {m.unit:12} peak {peak[label]:6.0f} MB   runs {samples}"
            + (f"   {note}" if note else "")
        )
    print(f"  big ÷ demo {ratio:.2f}")
    checks = []
    if m.ratio is not None:
        checks.append((f"big ÷ demo ≤ {m.ratio:g}", ratio <= m.ratio))
    if m.limit is not None:
        checks.append((f"big ≤ {m.limit:g} {m.unit}", value["big"] <= m.limit))
    if m.at_least is not None:
        checks.append((f"big ≥ {m.at_least:,g} {m.unit}", value["big"] >= m.at_least))
    if m.limit_mb is not None:
        checks.append((f"big peak < {m.limit_mb:g} MB", peak["big"] < m.limit_mb))
    for text, passed in checks:
        print(f"  {'ok    ' if passed else 'MISSED'} {text}")
    return all(passed for _t, passed in checks)


if __name__ == "__main__":
    sys.exit(main())
