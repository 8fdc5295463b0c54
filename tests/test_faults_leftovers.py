"""Stale temporary files (issue 17): each writer removes its own at start; ``avledger verify`` reports (exit 1)
what a killed ingest left in the archive and a killed disc build left in a folder it recorded, with sizes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from avledger.fsutil import TEMP_PREFIX, temp_path
from conftest import cli_env, write_video


def stopped(pid: int) -> bool | None:
    """Whether the process is stopped (None once it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[0] in ("T", "t", "Z")


def test_an_ingest_leftover_is_reported_by_verify_and_removed_by_the_next_ingest(services, case, tmp_path, cli):
    root = services.ingest.archive_root()
    day = next(p.parent for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
    partial = temp_path(day)  # what a copy killed mid-file leaves: ingest's own name, no suffix
    partial.write_bytes(b"x" * 5000)
    other = temp_path(day, ".iso")  # another writer's name: reported, but not ingest's to remove
    other.write_bytes(b"y" * 10)
    services.close()
    found = cli("verify", "--json")
    assert found.code == 1 and found.json()["problems"] == [], found.out
    assert sorted((left["path"], left["size"]) for left in found.json()["leftovers"]) == sorted(
        [(partial.relative_to(root).as_posix(), 5000), (other.relative_to(root).as_posix(), 10)]
    )
    text = cli("verify")
    assert text.code == 1 and partial.name in text.out and "临时文件 2 个" in text.out, text.out
    card = tmp_path / "card2"
    write_video(card / "VID_0100.MP4", 1, creation_time="2026-01-10T01:50:00.000000Z")
    assert cli("ingest", str(card), "--activity", str(case.id)).code == 0
    assert not partial.exists() and other.exists()
    assert cli("verify").code == 1
    other.unlink()
    assert cli("verify").code == 0


def run_until(proc: subprocess.Popen, found, timeout: float = 60):
    """Run ``proc`` in slices of a millisecond, looking between them, until ``found()`` gives something; then kill
    it (kill -9) and return what was found."""
    seen = None
    end = time.monotonic() + timeout
    while seen is None and proc.poll() is None and time.monotonic() < end:
        os.kill(proc.pid, signal.SIGCONT)
        time.sleep(0.001)
        os.kill(proc.pid, signal.SIGSTOP)
        while stopped(proc.pid) is False:
            time.sleep(0.0002)
        seen = found()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    return seen


def test_an_ingest_killed_mid_copy_leaves_a_file_verify_reports_and_the_next_ingest_removes(
    services, case, tmp_path, home, cli
):
    root = services.ingest.archive_root()
    card = tmp_path / "card2"
    for i in range(3):
        write_video(card / f"VID_010{i}.MP4", 2, creation_time=f"2026-01-10T01:5{i}:00.000000Z")
    argv = [sys.executable, "-m", "avledger", "ingest", str(card), "--activity", str(case.id)]
    proc = subprocess.Popen(argv, env=cli_env(home), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    partial = run_until(proc, lambda: next(iter(root.rglob(TEMP_PREFIX + "*")), None))
    assert partial is not None and partial.exists(), "the ingest was killed while copying"
    found = cli("verify", "--json")
    assert found.code == 1, found.out
    assert found.json()["leftovers"] == [{"path": partial.relative_to(root).as_posix(), "size": partial.stat().st_size}]
    assert cli("ingest", str(card), "--activity", str(case.id)).code == 0
    assert not partial.exists()
    assert cli("verify").code == 0
    assert cli("audit", "verify").code == 0


def test_a_disc_build_killed_then_rebuilt_elsewhere_leaves_nothing(services, case, tmp_path, home, cli):
    first = tmp_path / "first"
    argv = [sys.executable, "-m", "avledger", "disc", "build", "--activity", str(case.id), "--media", "cd"]
    proc = subprocess.Popen([*argv, "--out", str(first)], env=cli_env(home), stderr=subprocess.DEVNULL)
    partial = run_until(
        proc,
        lambda: next((p for p in first.iterdir() if p.name.startswith(TEMP_PREFIX)), None) if first.is_dir() else None,
    )
    assert partial is not None and partial.exists(), "the build was killed while writing its image"
    size = partial.stat().st_size
    found = cli("verify", "--json")
    assert found.code == 1 and {"path": str(partial), "size": size} in found.json()["leftovers"], found.out
    rebuilt = cli("disc", "build", "--activity", str(case.id), "--media", "cd", "--out", str(tmp_path / "second"))
    assert rebuilt.code == 0, rebuilt.err
    assert not partial.exists() and not any(Path(first).iterdir())
    assert cli("verify").code == 0
    assert cli("audit", "verify").code == 0


def test_the_rows_a_killed_print_left_are_reported_by_verify_and_removed_by_the_next_long_print(
    services, case, home, cli, monkeypatch, tmp_path
):
    """A long register's print keeps its rows beyond the first part in a locked file of the data folder: one
    whose print is gone is reported (exit 1) and removed by the next long print; a running print's is not."""
    import fcntl

    from avledger.services import typeset
    from avledger.services.leftovers import SPILL_SUFFIX
    from avledger.services.printing import Filters

    left = temp_path(home.path, SPILL_SUFFIX)  # what a print killed while reading its rows leaves
    left.write_bytes(b'[["1", "x"]]\n' * 100)
    running = temp_path(home.path, SPILL_SUFFIX)
    running.write_bytes(b"")
    with open(running, "rb") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)  # a print that runs holds its file's lock
        found = cli("verify", "--json")
        assert found.code == 1 and found.json()["leftovers"] == [{"path": str(left), "size": 1300}], found.out
        monkeypatch.setattr(typeset, "PART_ROWS", 3)
        services.printing.render_pdf("audit", Filters(), tmp_path / "audit.pdf")  # in parts: its rows spilled
        assert not left.exists() and running.exists()
    running.unlink()
    assert [p.name for p in home.path.iterdir() if p.name.endswith(SPILL_SUFFIX)] == []
    assert cli("verify").code == 0
