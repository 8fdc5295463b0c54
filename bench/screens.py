#!/usr/bin/env python3
"""Benchmark: the TUI's start and every section's first paint on a register of an office's tenth year,
against the same on the demo office (issue 14).

Usage: .venv/bin/python bench/screens.py [--big DATA_FOLDER] [--work DIR] [--runs N] [--only SECTION...]

The big register is a copy of ``/tmp/bigreg`` (1,000,000 clips, 100,000 loans, 1.27 M audit entries;
see ``bench/registers.py``; the original is never written); the demo office is built afresh. Each
measure runs in a fresh Python process driving the real app headless with Textual's ``App.run_test()``
(the same app, screens and services as ``avledger``, a 120 x 40 terminal, no terminal I/O):

- ``start``: from just before the process is started (the parent's clock; Linux's monotonic clock is
  the same in both processes) to the home screen shown with its reminders loaded and a refresh done;
- a section's first paint: from the section's number key pressed on the home screen to the section's
  data loaded (its screen's reload has run: the first page of each of its tables from SQL, its counts)
  and the next refresh of the screen done.

- then, with no target, what a key or a filter does once a section is shown (``t`` for the whole
  ledger, Enter on an activity, ``a`` for the assign form, a word put in a filter as an input method
  commits it): from the key or the word to the next refresh, with, for a filter, the time its count
  takes apart (the screen counts in a worker thread once the typing pauses).

Each child reports its peak resident memory. The measures run ``--runs`` times (default 3), the demo
office and the big register in turns, and the medians are compared: the targets are the big register
within 1.5x of the demo office, and under 200 MB. The big register's copy must be left as it was: the
TUI writes nothing when it opens and shows (checked after the runs, from the file's size and time).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from registers import DEFAULT_BIG, env, fingerprint, make_demo, median, prepare_big

TARGET_RATIO = 1.5
TARGET_MB = 200
SIZE = (120, 40)

CHILD = """
import asyncio, json, resource, sys, time
from pathlib import Path

from avledger.i18n import set_language

set_language("zh")  # before the TUI's modules are imported (their key bindings are built in the language)
from avledger.home import Home
from avledger.tui.app import make_app
from avledger.tui.sections import section

HOME, SECTION, WIDTH, HEIGHT = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
ACTION = sys.argv[5] if len(sys.argv) > 5 else ""


def loaded(app, name):
    screen = app.screen
    return type(screen).__name__ == name and getattr(screen, "_resumed", False)


async def until(check):
    while not check():
        await asyncio.sleep(0.001)


async def main():
    app = make_app(Home(HOME))
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        await until(lambda: loaded(app, "HomeScreen"))
        await pilot.pause()
        home = time.monotonic()
        paint = None
        if SECTION != "home":
            pressed = time.monotonic()
            await pilot.press(section(SECTION).key)
            await until(lambda: type(app.screen).__name__ != "HomeScreen" and getattr(app.screen, "_resumed", False))
            await pilot.pause()
            paint = time.monotonic() - pressed
            counted = None
            if ACTION:
                screen = app.screen
                began = time.monotonic()
                if ACTION == "enter":  # open the row under the cursor: a page pushed on the section
                    await pilot.press("enter")
                    await until(lambda: app.screen is not screen and getattr(app.screen, "_resumed", False))
                elif ACTION.startswith("filter="):  # a word typed (or committed by an input method) in the filter
                    await pilot.press("slash")
                    began = time.monotonic()
                    screen.query_one("#filter").value = ACTION.removeprefix("filter=")
                    await until(lambda: screen.table.listing is not None and screen.table.total is None)
                else:  # a key of the section
                    await pilot.press(ACTION)
                await pilot.pause()
                paint = time.monotonic() - began
                if ACTION.startswith("filter="):
                    started = time.monotonic()
                    screen.table.listing.count()
                    counted = time.monotonic() - started
            tables = [t.row_count for t in app.screen.query("DataTable")]
        else:
            tables = []
            counted = None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"home_at": home, "paint": paint, "counted": counted, "rows": tables, "peak_mb": peak}))


asyncio.run(main())
"""

SECTIONS = ("home", "lending", "activities", "footage", "access", "discs", "devices", "staff", "departments", "audit")
# What is done once a section is shown, timed to the next refresh: (name, section, action).
ACTIONS = (
    ("whole ledger (t in 2)", "lending", "t"),
    ("an activity's page", "activities", "enter"),
    ("assign form (a in 4)", "footage", "a"),
    ("footage filter 检查", "footage", "filter=检查"),
    ("footage filter VID_2", "footage", "filter=VID_2"),
    ("activities filter 检查", "activities", "filter=检查"),
    ("audit filter 领用", "audit", "filter=领用"),
    ("audit filter Z9 (rare)", "audit", "filter=Z9"),
)


def measure(home: Path, section: str, action: str = "") -> dict:
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(home), section, str(SIZE[0]), str(SIZE[1]), action],
        env=env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{section} on {home}: {proc.stderr[-2000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["start"] = result["home_at"] - started
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--big", type=Path, default=DEFAULT_BIG, help="the register of a tenth year (copied)")
    parser.add_argument("--work", type=Path, help="where the copy is kept between runs (default: a temporary folder)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", nargs="*", choices=SECTIONS, help="only these sections")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="avl-screens-"))
    big = prepare_big(args.big, work)
    demo = make_demo(work)
    before = fingerprint(big)
    print(f"register: {args.big} (copy: {big}) against the demo office; medians of {args.runs} runs, in turns")
    header = (
        f"{'measure':22} {'demo s':>8} {'big s':>8} {'ratio':>6} {'demo MB':>8} {'big MB':>8}  {'rows (big)':16} target"
    )
    print(header)
    print("-" * len(header))
    met_all = True
    for section in args.only or SECTIONS:
        runs: dict[str, list[dict]] = {"demo": [], "big": []}
        for _run in range(args.runs):
            runs["demo"].append(measure(demo, section))
            runs["big"].append(measure(big, section))
        key = "start" if section == "home" else "paint"
        name = "start to home" if section == "home" else f"{section} first paint"
        demo_s = median([r[key] for r in runs["demo"]])
        big_s = median([r[key] for r in runs["big"]])
        demo_mb = max(r["peak_mb"] for r in runs["demo"])
        big_mb = max(r["peak_mb"] for r in runs["big"])
        ratio = big_s / demo_s
        met = ratio <= TARGET_RATIO and big_mb < TARGET_MB
        met_all &= met
        rows = ",".join(str(n) for n in runs["big"][-1]["rows"]) or "-"
        print(
            f"{name:22} {demo_s:8.3f} {big_s:8.3f} {ratio:6.2f} {demo_mb:8.0f} {big_mb:8.0f}  {rows:16}"
            f" {'met' if met else 'NOT met'} (<= {TARGET_RATIO:g}x demo, < {TARGET_MB} MB)"
        )
    if not args.only:
        print()
        print("what a key or a filter does once a section is shown (no target; a filter's rows come at once,")
        print("its count when the typing pauses: the count's own time is given apart)")
        print(f"{'measure':26} {'demo s':>8} {'big s':>8} {'ratio':>6} {'count s':>8} {'big MB':>8}  {'rows (big)':12}")
        for name, section, action in ACTIONS:
            runs = {"demo": [], "big": []}
            for _run in range(args.runs):
                runs["demo"].append(measure(demo, section, action))
                runs["big"].append(measure(big, section, action))
            demo_s = median([r["paint"] for r in runs["demo"]])
            big_s = median([r["paint"] for r in runs["big"]])
            counted = [r["counted"] for r in runs["big"] if r["counted"] is not None]
            count_s = f"{median(counted):8.3f}" if counted else f"{'-':>8}"
            big_mb = max(r["peak_mb"] for r in runs["big"])
            rows = ",".join(str(n) for n in runs["big"][-1]["rows"]) or "-"
            print(f"{name:26} {demo_s:8.3f} {big_s:8.3f} {big_s / demo_s:6.2f} {count_s} {big_mb:8.0f}  {rows:12}")
    print(f"register unchanged by the TUI: {'yes' if fingerprint(big) == before else 'NO'}")
    print("all targets met" if met_all else "some targets not met")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if met_all else 1


if __name__ == "__main__":
    sys.exit(main())
