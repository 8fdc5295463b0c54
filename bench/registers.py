"""The registers the screen and listing benchmarks run on (``bench/screens.py``, ``bench/listings.py``).

- the big one: a copy of a register of an office's tenth year (``/tmp/bigreg``: 1,000,000 clips, or one
  built with ``bench/synth.py``), never the original: it is copied (``cp -a``) into the work folder once
  and brought up to this program's schema there (the listings' indexes are built by migration 6; that
  takes a while, once); a later run reuses the copy while the original has not changed;
- the demo office (``avledger demo``), built afresh in the work folder each run.

Nothing is written to the original. :func:`fingerprint` lets a benchmark check that its measures wrote
nothing to the copy either (the size and modification time of the register and its write-ahead log).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
DEFAULT_BIG = Path("/tmp/bigreg")


def env() -> dict[str, str]:
    """The environment of a child process running this checkout's avledger (no AVLEDGER_ settings)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AVLEDGER")}
    clean["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), clean.get("PYTHONPATH", "")) if p)
    return clean


def _stamp(path: Path) -> dict:
    st = (path / "avledger.db").stat()
    return {"source": str(path), "size": st.st_size, "mtime": st.st_mtime_ns}


def prepare_big(source: Path, work: Path) -> Path:
    """A copy of ``source`` (a data folder) in ``work``, at this program's schema; reused while ``source`` is
    unchanged."""
    target = work / "big"
    marker = work / "big.json"
    stamp = _stamp(source)
    if target.exists() and marker.exists() and json.loads(marker.read_text()) == stamp:
        migrate(target)
        return target
    if target.exists():
        shutil.rmtree(target)
    marker.unlink(missing_ok=True)
    print(f"copying {source} to {target} ...", file=sys.stderr, flush=True)
    work.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cp", "-a", str(source), str(target)], check=True)
    print("bringing the copy to this program's schema (migration 6 builds the listings' indexes) ...", file=sys.stderr)
    migrate(target)
    marker.write_text(json.dumps(stamp))
    return target


def migrate(home: Path) -> None:
    code = "from pathlib import Path; from avledger.models.db import open_database; open_database(Path(%r)).close()"
    subprocess.run([sys.executable, "-c", code % str(home / "avledger.db")], check=True, env=env())


def make_demo(work: Path) -> Path:
    """The demo office, built afresh in ``work``."""
    target = work / "demo"
    if target.exists():
        shutil.rmtree(target)
    subprocess.run(
        [sys.executable, "-m", "avledger", "--home", str(target), "demo"],
        check=True,
        env=env(),
        stdout=subprocess.DEVNULL,
    )
    return target


def fingerprint(home: Path) -> tuple:
    """What changes when anything is written to the register: its file's and its log's size and time."""
    found = []
    for name in ("avledger.db", "avledger.db-wal"):
        path = home / name
        if path.exists() and (name == "avledger.db" or path.stat().st_size):
            st = path.stat()
            found.append((name, st.st_size, st.st_mtime_ns))
    return tuple(found)


def median(values: list[float]) -> float:
    values = sorted(values)
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
