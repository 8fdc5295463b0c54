#!/usr/bin/env python3
"""Benchmark: disc images and burning (issue 5), each against its reference in the same run.

1. Build an image of SIZE GiB of footage (a few large random files) plus 200
   small files with ``avledger.burners.iso.build_image`` (pycdlib, streaming;
   then the read-back hash of the image from disk), against
   ``xorriso -as mkisofs -iso-level 3 -J -R`` on the same tree. Target: writing
   no slower (the read-back, which xorriso does not do, is reported apart); peak memory of the build (a child process) under 64 MB.
2. Burn the image to ``stdio:`` and read it back (``burn_image`` + ``read_back``)
   against ``xorriso -as cdrecord fs=64m`` alone plus ``sha256sum`` of the
   result. Target: within 1.5 ×.

Usage: .venv/bin/python bench/discs.py [SIZE_GIB]   (default 1; the issue measures 3)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from avledger.burners.iso import build_image
from avledger.burners.plan import SourceFile
root, out = Path(sys.argv[1]), Path(sys.argv[2])
files = [SourceFile(i, p.name, p.stat().st_size, "0" * 64, p) for i, p in enumerate(sorted(root.iterdir()))]
marks = {}
start = time.perf_counter()
image = build_image(out, "BENCH", files, {"bagit.txt": b"BagIt-Version: 1.0\n"}, check_sources=False,
                    progress=lambda e: marks.setdefault(e.phase, time.perf_counter()))
print(json.dumps({"seconds": time.perf_counter() - start, "write": marks["readback"] - start, "size": image.size,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    gib = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    src = Path(__file__).resolve().parent.parent / "src"
    env = {**os.environ, "PYTHONPATH": str(src)}
    with tempfile.TemporaryDirectory(prefix="avledger-bench-") as tmp:
        root = Path(tmp) / "tree"
        root.mkdir()
        big = int(gib * 1024**3)
        chunk = os.urandom(16 * 1024 * 1024)
        for n in range(3):
            with open(root / f"现场执法记录_{n:02d}.mp4", "wb") as fh:
                left = big // 3
                while left > 0:
                    fh.write(chunk[: min(left, len(chunk))])
                    left -= len(chunk)
        for n in range(200):
            (root / f"照片_{n:03d}.jpg").write_bytes(os.urandom(20_000 + n))
        subprocess.run(["sync"], check=False)

        ref = timed(["xorriso", "-as", "mkisofs", "-iso-level", "3", "-J", "-R", "-o", f"{tmp}/ref.iso", str(root)])
        os.unlink(f"{tmp}/ref.iso")
        child = subprocess.run([sys.executable, "-c", CHILD, str(root), f"{tmp}/ours.iso"], env=env, check=True,
                               capture_output=True, text=True)
        ours = json.loads(child.stdout)
        print(f"build: avledger writes in {ours['write']:.1f} s, {ours['seconds']:.1f} s with the read-back of the "
              f"image from disk (peak {ours['peak_mb']:.0f} MB); xorriso mkisofs {ref:.1f} s (no read-back); "
              f"ratio {ours['write'] / ref:.2f} writing, {ours['seconds'] / ref:.2f} with the read-back")

        sys.path.insert(0, str(src))
        from avledger.burners.burn import burn_image, read_back

        image = Path(f"{tmp}/ours.iso")
        ref_burn = timed(["xorriso", "-as", "cdrecord", "dev=stdio:" + f"{tmp}/ref.img", "fs=64m", str(image)])
        ref_burn += timed(["sha256sum", f"{tmp}/ref.img"])
        os.unlink(f"{tmp}/ref.img")
        start = time.perf_counter()
        burn_image(image, f"stdio:{tmp}/ours.img")
        read_back(f"stdio:{tmp}/ours.img", image.stat().st_size)
        burn = time.perf_counter() - start
        print(f"burn + read-back: avledger {burn:.1f} s, cdrecord + sha256sum {ref_burn:.1f} s, "
              f"ratio {burn / ref_burn:.2f}")
        ok = ours["write"] <= ref * 1.05 and ours["peak_mb"] < 64 and burn <= 1.5 * ref_burn
        print("OK" if ok else "TARGET MISSED")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
