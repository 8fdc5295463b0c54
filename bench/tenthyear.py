"""The register of an office's tenth year for a benchmark: built by ``bench/synth.py`` into HOME, or reused.

``HOME [--reuse] [--clips N] [--loans N] [--activities N] [--seed S]``: without ``--reuse`` HOME must be
missing or empty and the register is built there (by default 1,000,000 clips, 100,000 loans, 10,000
activities; this takes a while); with it, HOME holds one ``bench/synth.py`` built (opening it through avledger
upgrades its schema in place, so give it a copy of a register you want to keep as it is).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"clips": 1_000_000, "loans": 100_000, "activities": 10_000}


def tenth_year(description: str) -> Path:
    """Parse the command line (see the module), build the register unless reused; its folder. avledger's
    source is importable after it."""
    parser = argparse.ArgumentParser(description=description)
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
    return home
