#!/usr/bin/env python3
"""Benchmark: `avledger --version` of the offline bundle must answer in under 0.5 s (issue 19).

Prints the median of several runs of the frozen program, beside the reference measured in the same run:
a bare `python -c pass` start-up. Also prints the tarball's size (the limit is 200 MB).
Usage: .venv/bin/python bench/bundle.py [TARBALL] [RUNS]
(default: the newest dist/avledger-*-linux-*.tar.gz; build it first with scripts/bundle)
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 0.5
MAX_MB = 200
ROOT = Path(__file__).resolve().parent.parent


def timed(argv: list[str], runs: int) -> float:
    subprocess.run(argv, check=True, capture_output=True)  # once to warm the page cache, as a used PC has it
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> int:
    found = sorted((ROOT / "dist").glob("avledger-*-linux-*.tar.gz"), key=lambda p: p.stat().st_mtime)
    tarball = Path(sys.argv[1]) if len(sys.argv) > 1 else (found[-1] if found else None)
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    if tarball is None or not tarball.is_file():
        print("no bundle: build it with scripts/bundle (or name the tarball)", file=sys.stderr)
        return 2
    size_mb = tarball.stat().st_size / 2**20
    with tempfile.TemporaryDirectory(prefix="avledger-bench-") as tmp:
        subprocess.run(["tar", "-xzf", str(tarball), "-C", tmp], check=True)
        program = next(Path(tmp).glob("*/avledger/avledger"))
        reference = timed([sys.executable, "-c", "pass"], runs)
        version = timed([str(program), "--version"], runs)
        answer = subprocess.run([str(program), "--version"], capture_output=True, text=True).stdout.strip()
    print(f"bundle:                     {tarball.name}, {size_mb:.0f} MB (limit {MAX_MB} MB)")
    print(f"                            {answer}")
    print(f"python -c pass (reference): {reference * 1000:7.1f} ms")
    print(f"avledger --version:         {version * 1000:7.1f} ms  (target < {TARGET_S * 1000:.0f} ms)")
    ok = version < TARGET_S and size_mb < MAX_MB
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
