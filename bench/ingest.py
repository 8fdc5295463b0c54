#!/usr/bin/env python3
"""Benchmark: footage ingest and archive verification (issue 4).

Builds a card in a temporary folder (by default 3 files of 1 GiB and 200 small
real clips made with PyAV) and measures, in the same run:

- ingest (copy, hash, fsync, read back from disk, register) against
  ``cp -r`` of the same card followed by ``sync``: target at most 1.6 x;
- metadata: the median time to read one small clip's metadata: target 15 ms;
- peak memory (RSS) of this process: target under 150 MB;
- ``verify`` over the archive against ``sha256sum -c`` of the registered
  hashes of the same files, each from a cold page cache: target at most 0.6 x
  (the archive is hashed by a thread per core).

The copy and its reference take turns over ROUNDS rounds (the machine's disk
is shared and its speed varies from minute to minute); their medians are
compared.

Usage: .venv/bin/python bench/ingest.py [BIG_FILES] [BIG_MIB] [SMALL_CLIPS] [ROUNDS]
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from avledger.home import Home
from avledger.identity import Identity
from avledger.services import Services
from avledger.services.media import probe

COPY_FACTOR = 1.6
VERIFY_FACTOR = 0.6
METADATA_MS = 15
MEMORY_MB = 150


def write_big(path: Path, mib: int) -> None:
    block = os.urandom(1024 * 1024)
    with open(path, "wb") as fh:
        for i in range(mib):
            fh.write(i.to_bytes(8, "little") + block[8:])


def write_clip(path: Path, index: int) -> None:
    import av

    with av.open(str(path), "w") as out:
        out.metadata["creation_time"] = f"2026-01-10T01:{index // 60 % 60:02d}:{index % 60:02d}.000000Z"
        stream = out.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(10):
            frame = av.VideoFrame(64, 48, "yuv420p")
            for plane in frame.planes:
                plane.update(bytes([(i * 7 + index) % 256]) * plane.buffer_size)
            frame.pts = i
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def drop_caches() -> None:
    """Best effort: start each timed step with a cold page cache (needs root)."""
    subprocess.run(["sync"], check=False)
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        pass


def main() -> int:
    big_files = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    big_mib = int(sys.argv[2]) if len(sys.argv) > 2 else 1024
    small = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        root = Path(tmp)
        card = root / "card" / "DCIM" / "100MEDIA"
        card.mkdir(parents=True)
        for i in range(big_files):
            write_big(card / f"BIG_{i:04d}.MP4", big_mib)
        for i in range(small):
            write_clip(card / f"VID_{i:04d}.MP4", i)
        total = sum(p.stat().st_size for p in card.iterdir())
        print(f"card: {big_files} x {big_mib} MiB + {small} small clips, {total / 2**20:.0f} MiB")

        # metadata, per small clip
        samples = []
        for path in sorted(card.glob("VID_*.MP4"))[:100]:
            t0 = time.perf_counter()
            probe(path, "video")
            samples.append(time.perf_counter() - t0)
        metadata_ms = statistics.median(samples) * 1000 if samples else 0.0

        # the two sides take turns, each from a cold page cache; medians are compared
        references, ingests = [], []
        for round_no in range(rounds):
            drop_caches()
            start = time.perf_counter()
            subprocess.run(["cp", "-r", str(root / "card"), str(root / "copy")], check=True)
            subprocess.run(["sync"], check=True)
            references.append(time.perf_counter() - start)
            shutil.rmtree(root / "copy")

            home = Home(root / f"data{round_no}")
            with Services(home, Identity.console("bench")) as svc:
                svc.office.init("基准测试单位", "wanzhou")
                drop_caches()
                start = time.perf_counter()
                plan = svc.ingest.scan(root / "card")
                result = svc.ingest.apply(plan)
                ingests.append(time.perf_counter() - start)
                assert len(result.archived) == big_files + small, result
                if round_no < rounds - 1:
                    shutil.rmtree(home.path)
                    continue

                archive = svc.ingest.archive_root()
                sums = root / "SHA256SUMS"  # what the register holds, checked by sha256sum -c
                sums.write_text("".join(f"{c.sha256}  {archive / c.archive_path}\n" for c in svc.footage.list()))
                drop_caches()
                start = time.perf_counter()
                subprocess.run(["sha256sum", "-c", "--quiet", str(sums)], check=True, stdout=subprocess.DEVNULL)
                sha_s = time.perf_counter() - start
                drop_caches()
                start = time.perf_counter()
                check = svc.footage.verify()
                verify_s = time.perf_counter() - start
                assert check.ok
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        reference, ingest_s = statistics.median(references), statistics.median(ingests)
        print(
            f"runs: ingest {', '.join(f'{t:.2f}' for t in ingests)} s; "
            f"cp -r + sync {', '.join(f'{t:.2f}' for t in references)} s"
        )

    ok = True

    def line(name: str, value: str, passed: bool) -> None:
        nonlocal ok
        ok &= passed
        print(f"{'PASS' if passed else 'FAIL'}  {name}: {value}")

    line(
        "ingest vs cp -r + sync (medians)",
        f"{ingest_s:.2f} s vs {reference:.2f} s = {ingest_s / reference:.2f} x (target <= {COPY_FACTOR} x)",
        ingest_s <= COPY_FACTOR * reference,
    )
    line("metadata per clip (median)", f"{metadata_ms:.1f} ms (target < {METADATA_MS} ms)", metadata_ms < METADATA_MS)
    line("peak memory", f"{peak_mb:.0f} MB (target < {MEMORY_MB} MB)", peak_mb < MEMORY_MB)
    line(
        "verify vs sha256sum -c",
        f"{verify_s:.2f} s vs {sha_s:.2f} s = {verify_s / sha_s:.2f} x (target <= {VERIFY_FACTOR} x: two cores)",
        verify_s <= VERIFY_FACTOR * sha_s,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
