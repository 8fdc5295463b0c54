#!/usr/bin/env python3
"""Benchmark: disc images and burning (issue 5), each against its reference in the same run.

1. Build an image of SIZE GiB of footage (three large random files) plus 200
   small files with ``avledger.burners.iso.build_image`` as the disc service
   calls it: pycdlib, streaming, every source checked against its SHA-256, the
   image hashed and flushed to disk (fsync). Reference:
   ``xorriso -as mkisofs -iso-level 3 -J -R`` on the same tree, which neither
   hashes nor flushes. Target: no slower; peak memory of the build (a child
   process) under 64 MB.
2. Burn the image to ``stdio:`` and read it back (the disc service's
   ``burn_image``, which checks the image before it burns, + ``read_back``)
   against ``xorriso -as cdrecord fs=64m`` alone plus ``sha256sum`` of the
   result. Target: within 1.5 x.

3. Build a disc set through the disc service (``DiscService.build``, in a child
   process) of a register whose activity holds 52 files (50 small real clips
   and two large ones, SIZE GiB in all): the bag's tag files, the description
   ``说明.pdf`` (typst, in a process of its own), the image. Target: the peak
   memory of the process that builds under 64 MB (the issue's 135 MB); the
   typst run's own peak is printed beside it.
4. For information, ``build_image`` of 2,000 small files: pycdlib keeps its
   records of every file in memory (a few kB each), so the image writer's peak
   grows with the number of files on the disc.

Each is run ROUNDS times, the two sides taking turns, with ``sync`` between runs
(untimed) so that one run's write-back does not land on the next; the medians
are compared.

Usage: .venv/bin/python bench/discs.py [SIZE_GIB] [ROUNDS]   (default 3 GiB, 3 rounds)
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUILD_FACTOR = 1.0
BURN_FACTOR = 1.5
MEMORY_MB = 64

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from avledger.burners.iso import build_image
from avledger.burners.plan import SourceFile
root, out = Path(sys.argv[1]), Path(sys.argv[2])
sums = json.loads(Path(sys.argv[3][1:]).read_text() if sys.argv[3].startswith("@") else sys.argv[3])
files = [SourceFile(i, p.name, p.stat().st_size, sums[p.name], p) for i, p in enumerate(sorted(root.iterdir()))]
start = time.perf_counter()
image = build_image(out, "BENCH", files, {"bagit.txt": b"BagIt-Version: 1.0\n"})
print(json.dumps({"seconds": time.perf_counter() - start, "size": image.size, "sha256": image.sha256,
                  "streamed": image.hashed_while_writing,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


PREPARE = r"""
import json, os, sys
from pathlib import Path
from avledger.home import Home
from avledger.identity import Identity
from avledger.services import Services
from avledger.services.samplecard import write_clip
home, card, big_mib = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
with Services(Home(home), Identity.console("bench")) as svc:
    svc.office.init("基准测试单位", "wanzhou")
    svc.departments.add("执法一队", "A")
    svc.staff.add("张伟", "2001", "执法一队", cert_no="C2001", roles=["officer"])
    activity = svc.activities.add("investigation", "无证经营调查取证", "2026-01-10 09:00", end="2026-01-10 11:00",
                                  officers=["2001"], case_no="测市监立〔2026〕7号", case_name="某商行无证经营案",
                                  long_term=["objection"])
    for i in range(50):
        write_clip(card / f"现场执法记录_{i:03d}.MP4", 0.5, creation_time=f"2026-01-10T01:{10 + i % 40:02d}:{i:02d}Z",
                   tags={"comment": str(i)}, seed=i + 1)
    block = os.urandom(1 << 20)
    for n in range(2):
        with open(card / f"BIG_{n}.MP4", "wb") as fh:
            for k in range(big_mib):
                fh.write(k.to_bytes(8, "little") + n.to_bytes(1, "little") + block[9:])
    files = len(svc.ingest.apply(svc.ingest.scan(card, activity=activity.id)).archived)
print(json.dumps({"activity": activity.id, "files": files}))
"""

BUILD = r"""
import json, resource, sys, time
from pathlib import Path
from avledger.home import Home
from avledger.identity import Identity
from avledger.services import Services
home = Path(sys.argv[1])
svc = Services(Home(home), Identity.console("bench"))
start = time.perf_counter()
view = svc.discs.build(home / "discs", activity=sys.argv[2], media="bd25")
took = time.perf_counter() - start
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": took, "discs": len(view.discs), "peak_mb": me.ru_maxrss / 1024,
                  "typst_mb": kids.ru_maxrss / 1024}))
"""


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def settle(*leftovers: Path) -> None:
    for path in leftovers:
        path.unlink(missing_ok=True)
    subprocess.run(["sync"], check=False)


def make_tree(root: Path, gib: float) -> dict[str, str]:
    root.mkdir()
    sums = {}
    chunk = os.urandom(16 * 1024 * 1024)
    for n in range(3):
        path, digest, left = root / f"现场执法记录_{n:02d}.mp4", hashlib.sha256(), int(gib * 1024**3) // 3
        with open(path, "wb") as fh:
            while left > 0:
                part = chunk[: min(left, len(chunk))]
                fh.write(part)
                digest.update(part)
                left -= len(part)
        sums[path.name] = digest.hexdigest()
    for n in range(200):
        data = os.urandom(20_000 + n)
        (root / f"照片_{n:03d}.jpg").write_bytes(data)
        sums[f"照片_{n:03d}.jpg"] = hashlib.sha256(data).hexdigest()
    return sums


def main() -> int:
    gib = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    src = Path(__file__).resolve().parent.parent / "src"
    env = {**os.environ, "PYTHONPATH": str(src)}
    sys.path.insert(0, str(src))
    from avledger.burners.burn import burn_image, read_back

    with tempfile.TemporaryDirectory(prefix="avledger-bench-") as tmp:
        root, ref_iso, ours_iso = Path(tmp) / "tree", Path(tmp) / "ref.iso", Path(tmp) / "ours.iso"
        sums = make_tree(root, gib)
        settle()

        refs, ref_syncs, builds, peaks, streamed = [], [], [], [], True
        for _ in range(rounds):
            refs.append(
                timed(["xorriso", "-as", "mkisofs", "-iso-level", "3", "-J", "-R", "-o", str(ref_iso), str(root)])
            )
            ref_syncs.append(refs[-1] + timed(["sync"]))
            settle(ref_iso, ours_iso)
            child = subprocess.run(
                [sys.executable, "-c", CHILD, str(root), str(ours_iso), json.dumps(sums)],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            ours = json.loads(child.stdout)
            builds.append(ours["seconds"])
            peaks.append(ours["peak_mb"])
            streamed = streamed and ours["streamed"]
            settle(ref_iso)
        build, ref = statistics.median(builds), statistics.median(refs)
        print(
            f"build ({gib:g} GiB + 200 files, {rounds} rounds): avledger {build:.2f} s "
            f"(runs {', '.join(f'{t:.2f}' for t in builds)}; sources checked, image hashed "
            f"{'while written' if streamed else 'by reading it back'}, fsync'd; peak {max(peaks):.0f} MB); "
            f"xorriso mkisofs {ref:.2f} s (runs {', '.join(f'{t:.2f}' for t in refs)}); ratio {build / ref:.2f}"
        )
        print(
            f"  best runs: avledger {min(builds):.2f} s, xorriso {min(refs):.2f} s "
            f"(ratio {min(builds) / min(refs):.2f}); "
            f"xorriso followed by sync, a flushed image as avledger's: median {statistics.median(ref_syncs):.2f} s"
        )

        size, image_sha = ours_iso.stat().st_size, ours["sha256"]
        ref_burns, burns = [], []
        for _ in range(rounds):
            ref_img, ours_img = Path(tmp) / "ref.img", Path(tmp) / "ours.img"
            ref_burns.append(
                timed(["xorriso", "-as", "cdrecord", f"dev=stdio:{ref_img}", "fs=64m", str(ours_iso)])
                + timed(["sha256sum", str(ref_img)])
            )
            settle(ref_img)
            start = time.perf_counter()
            burn_image(ours_iso, f"stdio:{ours_img}", sha256=image_sha)
            read_back(f"stdio:{ours_img}", size)
            burns.append(time.perf_counter() - start)
            settle(ours_img)
        burn, ref_burn = statistics.median(burns), statistics.median(ref_burns)
        print(
            f"burn + read-back: avledger {burn:.2f} s (runs {', '.join(f'{t:.2f}' for t in burns)}), "
            f"cdrecord + sha256sum {ref_burn:.2f} s (runs {', '.join(f'{t:.2f}' for t in ref_burns)}); "
            f"ratio {burn / ref_burn:.2f}"
        )

        service = []
        for n in range(rounds):
            home, card = Path(tmp) / f"home{n}", Path(tmp) / f"card{n}"
            made = subprocess.run(
                [sys.executable, "-c", PREPARE, str(home), str(card), str(max(1, int(gib * 1024) // 2))],
                env=env, check=True, capture_output=True, text=True,
            )  # fmt: skip
            made = json.loads(made.stdout)
            settle()
            child = subprocess.run(
                [sys.executable, "-c", BUILD, str(home), str(made["activity"])],
                env=env, check=True, capture_output=True, text=True,
            )  # fmt: skip
            service.append({**json.loads(child.stdout), "files": made["files"]})
            shutil.rmtree(home)
            shutil.rmtree(card)
        service_peak = max(r["peak_mb"] for r in service)
        print(
            f"disc service build ({service[0]['files']} files, {gib:g} GiB, {service[0]['discs']} disc): "
            f"{statistics.median(r['seconds'] for r in service):.2f} s, peak {service_peak:.0f} MB in the "
            f"process that builds (the issue: 135 MB); the description's typst run "
            f"{max(r['typst_mb'] for r in service):.0f} MB in its own process"
        )
        many = Path(tmp) / "many"
        many.mkdir()
        many_sums = {}
        for n in range(2000):
            data = os.urandom(2000 + n)
            (many / f"照片_{n:04d}.jpg").write_bytes(data)
            many_sums[f"照片_{n:04d}.jpg"] = hashlib.sha256(data).hexdigest()
        (Path(tmp) / "many.json").write_text(json.dumps(many_sums))
        child = subprocess.run(
            [sys.executable, "-c", CHILD, str(many), str(Path(tmp) / "many.iso"), "@" + str(Path(tmp) / "many.json")],
            env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        print(f"build_image of 2,000 small files: peak {json.loads(child.stdout)['peak_mb']:.0f} MB (information)")

        checks = {
            f"build ≤ {BUILD_FACTOR:g} × xorriso mkisofs": build <= BUILD_FACTOR * ref,
            f"disc service build peak memory < {MEMORY_MB} MB": service_peak < MEMORY_MB,
            f"build peak memory < {MEMORY_MB} MB": max(peaks) < MEMORY_MB,
            f"burn + read-back ≤ {BURN_FACTOR:g} × cdrecord + sha256sum": burn <= BURN_FACTOR * ref_burn,
        }
        for name, ok in checks.items():
            print(f"{'ok' if ok else 'MISSED'}  {name}")
        return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
