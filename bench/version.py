#!/usr/bin/env python3
"""Benchmark: `avledger --version` must return in under 0.3 s (issue 2).

Prints the median of several runs of the installed entry point, beside the
reference measured in the same run: a bare `python -c pass` start-up.
Usage: .venv/bin/python bench/version.py [RUNS]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_S = 0.3


def timed(argv: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    entry = str(Path(sys.executable).with_name("avledger"))
    reference = timed([sys.executable, "-c", "pass"], runs)
    version = timed([entry, "--version"], runs)
    print(f"python -c pass (reference): {reference * 1000:7.1f} ms")
    print(f"avledger --version:         {version * 1000:7.1f} ms  (target < {TARGET_S * 1000:.0f} ms)")
    ok = version < TARGET_S
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
