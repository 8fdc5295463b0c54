"""A killed ``disc burn`` (issue 17): the burn is registered before xorriso starts, xorriso dies with avledger,
and ``disc verify`` completes or fails the interrupted burn. Real xorriso writes to a ``stdio:`` drive that is a
FIFO read by the test at its own pace (a drive that takes as long as the test wants), then put back as the file
of what was written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from avledger.models.schema import DiscBurn, DiscCopy
from conftest import cli_env


def burners(drive: Path) -> list[int]:
    """The live xorriso processes writing to ``drive`` (a zombie's cmdline is empty)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"xorriso" in cmdline and str(drive).encode() in cmdline:
            found.append(int(entry.name))
    return found


def wait_for(condition, what: str, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.02)


class SlowDrive:
    """A FIFO at ``path``: the test reads the first bytes xorriso writes and then holds it (xorriso blocks), or
    reads the rest (:meth:`drain`); :meth:`medium` puts what was written in the FIFO's place."""

    def __init__(self, path: Path):
        os.mkfifo(path)
        self.path = path
        self.written = path.with_name(path.name + ".written")
        self.started = threading.Event()
        self.go_on = threading.Event()
        self.drain_all = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        with open(self.path, "rb", buffering=0) as fifo, open(self.written, "wb") as out:
            out.write(fifo.read(16 * 1024))
            self.started.set()
            self.go_on.wait()
            if self.drain_all:
                while chunk := fifo.read(1024 * 1024):
                    out.write(chunk)

    def release(self, *, drain: bool) -> None:
        self.drain_all = drain
        self.go_on.set()
        self.thread.join(30)
        assert not self.thread.is_alive()

    def medium(self) -> None:
        """The FIFO's path names the file of what was written (xorriso and the reader keep the FIFO open)."""
        os.replace(self.written, self.path)


def start_burn(home, image: str, drive: Path, copy: int = 1) -> subprocess.Popen:
    argv = [sys.executable, "-m", "avledger", "disc", "burn", image, "--drive", f"stdio:{drive}", "--copy", str(copy)]
    return subprocess.Popen(
        argv, env=cli_env(home), stdout=subprocess.DEVNULL, stderr=open(drive.with_name("burn.err"), "wb")
    )


def burning(home, image: str, drive: Path) -> tuple[subprocess.Popen, SlowDrive]:
    """A ``disc burn`` whose xorriso runs, blocked on the drive."""
    slow = SlowDrive(drive)
    proc = start_burn(home, image, drive)
    wait_for(slow.started.is_set, "xorriso to write")
    assert burners(drive), "xorriso runs"
    assert proc.poll() is None
    return proc, slow


def test_a_burn_killed_while_writing_leaves_no_burner_and_verify_fails_it(services, case, tmp_path, home, cli):
    image = services.discs.build(tmp_path / "out", activity=case.id, media="cd").discs[0].image_path
    drive = tmp_path / "drive1"
    proc, slow = burning(home, image, drive)
    # registered as started before xorriso ran, with the drive
    burn = DiscBurn.get()
    assert (burn.state, burn.copy, burn.drive, burn.ended_at) == ("burning", 1, f"stdio:{drive}", None)
    assert services.discs.view_disc(burn.disc_id).unfinished[0].state == "burning"  # its burner runs
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    wait_for(lambda: not burners(drive), "xorriso to end with avledger", timeout=10)
    slow.release(drain=False)
    slow.medium()  # what xorriso wrote before it was killed: part of the disc
    assert 0 < drive.stat().st_size < Path(image).stat().st_size

    volume = services.discs.view_disc(burn.disc_id).volume_id
    assert services.discs.view_disc(burn.disc_id).unfinished[0].state == "interrupted"
    listed = cli("disc", "list")
    assert "刻录中断，待核验" in listed.out, listed.out
    kept = cli("disc", "keep", volume, "--copy", "1", "--kept-at", "档案室")
    assert kept.code == 2 and "刻录中断" in kept.err and f"--drive stdio:{drive} --copy 1" in kept.err, kept.err
    checked = cli("disc", "verify", "--drive", f"stdio:{drive}")
    assert checked.code == 1 and "中断的刻录未完成" in checked.out and "disc burn" in checked.out, checked.out
    assert (DiscBurn.get().state, DiscBurn.get().failure) == ("failed", "刻录中断，回读与镜像不一致")
    assert DiscCopy.select().count() == 0

    # a new disc burns and verifies; the register and its log are whole
    again = cli("disc", "burn", image, "--drive", f"stdio:{tmp_path / 'new.img'}", "--copy", "1", "--json")
    assert again.code == 0 and again.json()["ok"], again.err
    assert cli("disc", "verify", "--drive", f"stdio:{tmp_path / 'new.img'}").code == 0
    assert [b.state for b in DiscBurn.select().order_by(DiscBurn.id)] == ["failed", "burned"]
    assert cli("disc", "keep", volume, "--copy", "1", "--kept-at", "档案室").code == 0
    assert cli("verify").code == 0
    assert cli("audit", "verify").code == 0


def test_a_burn_killed_after_xorriso_finished_is_completed_by_verify(services, case, tmp_path, home, cli):
    image = services.discs.build(tmp_path / "out", activity=case.id, media="cd").discs[0].image_path
    drive = tmp_path / "drive1"
    proc, slow = burning(home, image, drive)
    os.kill(proc.pid, signal.SIGSTOP)  # avledger held still while xorriso writes the whole disc
    try:
        slow.release(drain=True)
        wait_for(lambda: not burners(drive), "xorriso to finish")
    finally:
        os.kill(proc.pid, signal.SIGKILL)  # killed before it registered the copy
        proc.wait(10)
    slow.medium()
    assert DiscBurn.get().state == "burning" and DiscCopy.select().count() == 0

    volume = DiscBurn.get().disc.volume_id
    checked = cli("disc", "verify", "--drive", f"stdio:{drive}", "--json")
    assert checked.code == 0 and checked.json()["interrupted_burn"] == "completed", checked.out + checked.err
    assert checked.json()["copy"] == 1
    copy = DiscCopy.get()
    assert copy.copy == 1 and copy.verified and copy.drive == f"stdio:{drive}"
    assert DiscBurn.get().state == "burned"
    assert cli("disc", "keep", volume, "--copy", "1", "--kept-at", "档案室").code == 0
    assert cli("disc", "verify", "--drive", f"stdio:{drive}").code == 0  # now an ordinary re-check
    assert cli("verify").code == 0
    assert cli("audit", "verify").code == 0


def test_a_second_burn_of_a_copy_being_burned_is_refused(services, case, tmp_path, home, cli):
    image = services.discs.build(tmp_path / "out", activity=case.id, media="cd").discs[0].image_path
    drive = tmp_path / "drive1"
    proc, slow = burning(home, image, drive)
    try:
        other = cli("disc", "burn", image, "--drive", f"stdio:{tmp_path / 'other.img'}", "--copy", "1", "--json")
        assert other.code == 2 and other.json()["error"]["code"] == "disc.burning", other.out + other.err
        busy = cli("disc", "verify", "--drive", f"stdio:{drive}", "--json")
        assert busy.code == 2 and busy.json()["error"]["code"] == "disc.burning"
    finally:
        slow.medium()  # the path names the file being written: the burn reads it back from there
        slow.release(drain=True)
        assert proc.wait(30) == 0, drive.with_name("burn.err").read_text()
    assert [b.state for b in DiscBurn.select()] == ["burned"]
    assert cli("audit", "verify").code == 0
