"""Running out of space, and a folder that cannot be written (issue 17): a clear message naming the place,
the honest exit status, nothing half-registered, and ``verify`` and ``audit verify`` clean afterwards.

The disks that fill are small tmpfs mounts (root only, as CI runs ./test): full of bytes, or out of inodes
(``nr_inodes``), which the kernel reports as the same ENOSPC at a file chosen by the test. The checks made
before a job starts, and a read-only folder, need no root.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from avledger.errors import EXIT_PARTLY, EXIT_REFUSED, PartlyDone, UserError
from avledger.fsutil import OWN_PREFIX
from avledger.home import Home
from avledger.identity import Identity
from avledger.models.schema import Clip, DiscSet, Extraction
from avledger.services import Services
from conftest import cli_env, write_video

ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False
NEEDS_ROOT = "mounting a small file system needs root (CI runs ./test as root)"


# --- small disks ---------------------------------------------------------------------------------
@pytest.fixture
def small_disk(tmp_path: Path):
    """``mount(name, size="8m", inodes=None)``: a fresh tmpfs under this test's folder, unmounted at the end."""
    if not ROOT:
        pytest.skip(NEEDS_ROOT)
    mounted: list[Path] = []

    def mount(name: str, size: str = "8m", inodes: int | None = None, *, read_only: bool = False) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        options = f"size={size}" + (f",nr_inodes={inodes}" if inodes else "") + (",ro" if read_only else "")
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True)
        if proc.returncode:
            pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.decode(errors='replace').strip()}")
        mounted.append(folder)
        return folder

    yield mount
    for folder in reversed(mounted):
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def fill(folder: Path, *, leave: int = 0) -> Path:
    """Fill the file system of ``folder`` with one file until ``leave`` bytes are free (or none is)."""
    filler = folder / "filler.bin"
    block = b"\0" * 65536
    with open(filler, "ab", buffering=0) as fh:
        with contextlib.suppress(OSError):
            while True:
                st = os.statvfs(folder)
                free = st.f_bavail * st.f_frsize
                if free <= leave:
                    break
                fh.write(block[: max(st.f_frsize, min(len(block), free - leave))])
    return filler


def use_inodes(folder: Path, *, leave: int) -> list[Path]:
    """Create empty files until only ``leave`` new files (or folders) can be made on ``folder``'s file system."""
    made = []
    while os.statvfs(folder).f_favail > leave:
        made.append(folder / f"inode-{len(made)}")
        made[-1].touch()
    return made


def clean(cli) -> None:
    """The archive as registered, no temporary file left, and the audit chain whole."""
    checked = cli("verify", "--json")
    assert checked.code == 0, checked.out + checked.err
    assert json.loads(checked.out)["leftovers"] == []
    chain = cli("audit", "verify")
    assert chain.code == 0, chain.out + chain.err


def no_traceback(result) -> None:
    assert "Traceback" not in result.err and "意外错误" not in result.err, result.err


def card_of(folder: Path, count: int, seconds: float = 1.0) -> Path:
    for i in range(count):
        write_video(folder / f"VID_{i:04d}.MP4", seconds, creation_time=f"2026-01-10T01:{10 + i}:00.000000Z")
    return folder


def archived(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(OWN_PREFIX))


# --- checked before starting: no root needed ------------------------------------------------------
def test_ingest_refuses_a_card_larger_than_the_free_space(services, cli, tmp_path):
    """A sparse file takes no room on the card but says it holds more than the archive's disk has free."""
    card = card_of(tmp_path / "card", 2)
    big = write_video(tmp_path / "card" / "BIG_0001.MP4", 1)
    st = os.statvfs(services.ingest.archive_root().parent)
    try:
        with open(big, "r+b") as fh:
            fh.truncate(st.f_bavail * st.f_frsize + 2**40)  # a terabyte more than is free
    except OSError as exc:
        pytest.skip(f"no sparse file this large here: {exc}")
    result = cli("ingest", str(card))
    assert result.code == EXIT_REFUSED, result.out + result.err
    assert "存储空间不足" in result.err and "需要" in result.err and "只有" in result.err and "可用" in result.err
    assert "TB" in result.err  # in human units
    no_traceback(result)
    as_json = cli("ingest", str(card), "--json")
    assert as_json.code == EXIT_REFUSED and json.loads(as_json.out)["error"]["code"] == "space.not_enough"
    english = cli("ingest", str(card), lang="en")
    assert "Archive: not enough space" in english.err
    assert Clip.select().count() == 0
    assert archived(services.ingest.archive_root()) == []
    clean(cli)


@pytest.fixture
def closed_folder(tmp_path: Path, request) -> Path:
    """A folder that cannot be written: read-only by its mode (not as root, who ignores modes), else a
    read-only tmpfs (as root)."""
    if not ROOT:
        folder = tmp_path / "closed"
        folder.mkdir()
        folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
        yield folder
        folder.chmod(0o700)
        return
    mount = request.getfixturevalue("small_disk")
    yield mount("closed", read_only=True)


def test_an_output_folder_that_cannot_be_written_is_refused_plainly(demo, cli, closed_folder):
    from test_access import act_as, approved

    req = approved(demo, kind="copy")
    act_as(demo, "2002")
    before = Extraction.select().count()
    for args in (
        ("evidence", "extract", str(req.id), "--extractor", "2002", "--out", str(closed_folder / "evidence")),
        ("evidence", "extract", str(req.id), "--extractor", "2002", "--out", str(closed_folder)),
        ("print", "devices", "-o", str(closed_folder / "devices.pdf")),
        ("export", "devices", "-o", str(closed_folder / "devices.csv")),
    ):
        result = cli(*args)
        assert result.code == EXIT_REFUSED, (args, result.out, result.err)
        assert "无法写入输出位置" in result.err and str(closed_folder) in result.err, result.err
        no_traceback(result)
    assert Extraction.select().count() == before
    assert list(closed_folder.iterdir()) == []
    clean(cli)


def test_a_disc_build_into_a_folder_that_cannot_be_written_registers_nothing(services, case, cli, closed_folder):
    result = cli("disc", "build", "--activity", str(case.id), "--media", "cd", "--out", str(closed_folder / "iso"))
    assert result.code == EXIT_REFUSED and "无法写入输出位置" in result.err, result.err
    no_traceback(result)
    assert DiscSet.select().count() == 0
    clean(cli)


def test_a_register_that_cannot_be_written_is_a_refusal(services, cli, home):
    """The register's file read-only (as a full or read-only disk makes it): SQLite's error is a refusal that
    names the data folder, and nothing changed."""
    if ROOT:
        pytest.skip("root writes a read-only file all the same: the full disk below covers it as root")
    services.close()
    db = home.db_path
    for path in [db, *db.parent.glob(db.name + "-*")]:
        path.chmod(0o400)
    try:
        result = cli("dept", "add", "执法二队", "--class", "B")
    finally:
        for path in [db, *db.parent.glob(db.name + "-*")]:
            path.chmod(0o600)
    assert result.code == EXIT_REFUSED, result.out + result.err
    assert "无法写入数据目录" in result.err and str(home.path) in result.err
    no_traceback(result)
    assert "执法二队" not in cli("dept", "list").out


# --- filled during the work: root, on a small tmpfs ----------------------------------------------
def archive_on(services, cli, folder: Path) -> None:
    result = cli("profile", "set", "ingest.archive_dir", str(folder))
    assert result.code == 0, result.err
    services.ctx.forget_profile()


def test_ingest_out_of_room_keeps_what_it_registered_and_a_rerun_finishes(services, cli, small_disk, tmp_path):
    disk = small_disk("archive", inodes=64)
    archive_on(services, cli, disk)
    card = card_of(tmp_path / "card", 4)
    # the lock file, the day's folder, the 未分配 folder and two clips: the third cannot be created
    fillers = use_inodes(disk, leave=5)
    result = cli("ingest", str(card), "--json")
    assert result.code == EXIT_PARTLY, result.out + result.err
    no_traceback(result)
    answer = json.loads(result.out)
    assert len(answer["archived"]) == 2 and answer["error"]["code"] == "space.ran_out"
    assert sorted(Path(p).name for p in answer["not_collected"]) == ["VID_0002.MP4", "VID_0003.MP4"]
    assert "已入库并登记 2 个，余下 2 个未采集" in result.err and str(disk) in result.err
    assert Clip.select().count() == 2 and len(archived(disk)) - len(fillers) == 2
    for filler in fillers:
        filler.unlink()
    clean(cli)
    again = cli("ingest", str(card))
    assert again.code == 0, again.out + again.err
    assert Clip.select().count() == 4 and len(archived(disk)) == 4  # nothing doubled
    clean(cli)


def test_ingest_out_of_room_at_the_first_file_is_a_refusal(services, cli, small_disk, tmp_path):
    disk = small_disk("archive", inodes=64)
    archive_on(services, cli, disk)
    card = card_of(tmp_path / "card", 2)
    fillers = use_inodes(disk, leave=3)  # the lock and the two folders: no clip
    result = cli("ingest", str(card))
    assert result.code == EXIT_REFUSED, result.out + result.err
    assert "空间已用完" in result.err and "未登记任何文件" in result.err
    no_traceback(result)
    assert Clip.select().count() == 0
    for filler in fillers:
        filler.unlink()
    clean(cli)


def test_ingest_when_the_bytes_run_out_midway(services, small_disk, tmp_path, cli):
    """The disk fills (another program writes) while the clips are copied: the clips copied whole before
    are registered, the one in hand leaves no temporary file."""
    disk = small_disk("archive")
    archive_on(services, cli, disk)
    card = card_of(tmp_path / "card", 4)
    plan = services.ingest.scan(card)
    filled: list[Path] = []

    def sink(event) -> None:
        if event.phase == "copy" and event.current == "VID_0001.MP4" and not filled:
            filled.append(fill(disk))

    with pytest.raises(PartlyDone) as info:
        services.ingest.apply(plan, progress=sink)
    assert info.value.code == "space.ran_out" and info.value.exit_status == EXIT_PARTLY
    kept = info.value.result
    assert [Path(c.source).name for c in kept.archived] == ["VID_0000.MP4", "VID_0001.MP4"]
    assert [Path(p).name for p in kept.not_collected] == ["VID_0002.MP4", "VID_0003.MP4"]
    assert Clip.select().count() == 2
    assert not [p for p in disk.rglob(OWN_PREFIX + "part-*")]
    filled[0].unlink()
    clean(cli)


def test_a_register_on_a_full_disk_is_a_refusal(small_disk, tmp_path):
    """The data folder's own disk full, then read-only: a refusal naming it, exit 2, nothing changed."""
    data = small_disk("data", size="16m")

    def cli(*args: str):
        return subprocess.run(
            [sys.executable, "-m", "avledger", *args], capture_output=True, text=True, env=cli_env(data), timeout=60
        )

    assert cli("init", "--unit", "测试局", "--profile", "wanzhou").returncode == 0
    assert cli("dept", "add", "执法一队", "--class", "A").returncode == 0
    filler = fill(data)
    full = cli("dept", "add", "执法二队", "--class", "B")
    assert full.returncode == EXIT_REFUSED, full.stdout + full.stderr
    assert "无法写入数据目录" in full.stderr and str(data) in full.stderr and "磁盘已满" in full.stderr
    assert "Traceback" not in full.stderr and "cannot rollback" not in full.stderr
    filler.unlink()
    assert "执法二队" not in cli("dept", "list").stdout
    subprocess.run(["mount", "-o", "remount,ro", str(data)], check=True)
    try:
        read_only = cli("dept", "add", "执法三队", "--class", "B")
        assert read_only.returncode == EXIT_REFUSED, read_only.stdout + read_only.stderr
        assert "无法写入数据目录" in read_only.stderr and "Traceback" not in read_only.stderr
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(data)], check=True)
    assert "执法三队" not in cli("dept", "list").stdout
    assert cli("audit", "verify").returncode == 0


def test_disc_build_checks_the_room_first(services, case, cli, small_disk):
    out = small_disk("iso")
    filler = fill(out, leave=2 * 1024 * 1024)  # less than the image's fixed room and the margin
    result = cli("disc", "build", "--activity", str(case.id), "--media", "cd", "--out", str(out / "set"))
    assert result.code == EXIT_REFUSED, result.out + result.err
    assert "镜像输出目录空间不足" in result.err and "MB" in result.err
    no_traceback(result)
    assert DiscSet.select().count() == 0
    filler.unlink()
    built = cli("disc", "build", "--activity", str(case.id), "--media", "cd", "--out", str(out / "set"))
    assert built.code == 0, built.out + built.err
    assert DiscSet.select().count() == 1
    clean(cli)


def test_disc_build_out_of_room_midway_registers_no_set(services, case, cli, small_disk):
    out = small_disk("iso")
    filled: list[Path] = []

    def sink(event) -> None:
        if event.phase == "write" and not filled:
            filled.append(fill(out))

    with pytest.raises(UserError) as info:
        services.discs.build(out / "set", activity=case.id, media="cd", progress=sink)
    assert info.value.code == "space.ran_out" and info.value.exit_status == EXIT_REFUSED
    assert str(out / "set") in info.value.render()
    assert DiscSet.select().count() == 0  # the set planned for this build went again with its image
    assert [p.name for p in (out / "set").iterdir()] == []  # no partial image
    filled[0].unlink()
    clean(cli)
    again = cli("disc", "build", "--activity", str(case.id), "--media", "cd", "--out", str(out / "set"))
    assert again.code == 0, again.out + again.err
    clean(cli)


def test_extraction_checks_the_room_first(demo, cli, small_disk):
    from test_access import act_as, approved

    req = approved(demo, kind="copy")
    act_as(demo, "2002")
    out = small_disk("evidence")
    filler = fill(out, leave=512 * 1024)
    result = cli("evidence", "extract", str(req.id), "--extractor", "2002", "--out", str(out / "pkg"))
    assert result.code == EXIT_REFUSED, result.out + result.err
    assert "调取输出目录空间不足" in result.err
    no_traceback(result)
    assert Extraction.select().count() == 0 and sorted(p.name for p in out.iterdir()) == ["filler.bin"]
    filler.unlink()
    clean(cli)


def test_extraction_out_of_room_midway_leaves_nothing(demo, cli, small_disk):
    from test_access import act_as, approved

    req = approved(demo, kind="copy")
    assert len(req.clip_ids) >= 2
    act_as(demo, "2002")
    out = small_disk("evidence", inodes=64)
    fillers = use_inodes(out, leave=2)  # the package's folder and the first clip: the second cannot be made
    result = cli("evidence", "extract", str(req.id), "--extractor", "2002", "--out", str(out / "pkg"))
    assert result.code == EXIT_REFUSED, result.out + result.err
    assert "空间已用完" in result.err and "未留下任何文件" in result.err
    no_traceback(result)
    assert Extraction.select().count() == 0 and not (out / "pkg").exists()
    for filler in fillers:
        filler.unlink()
    clean(cli)
    done = cli("evidence", "extract", str(req.id), "--extractor", "2002", "--out", str(out / "pkg"))
    assert done.code == 0, done.out + done.err
    clean(cli)


def test_ingest_when_the_registers_disk_fills_midway(small_disk, tmp_path):
    """The data folder's disk fills while the archive (elsewhere) still has room: the clips registered
    before stay (exit 4, ingest.stopped, naming what was not collected), the rest is not registered and not
    left in the archive, and a re-run finishes."""
    data = small_disk("data", size="16m")
    svc = Services(Home(data), Identity.console("tester"))
    try:
        svc.office.init("测试局", "wanzhou")
        svc.office.set_value("ingest.archive_dir", str(tmp_path / "archive"))
        card = card_of(tmp_path / "card", 4)
        earlier = tmp_path / "earlier"
        earlier.mkdir()
        (earlier / "VID_0001.MP4").write_bytes((card / "VID_0001.MP4").read_bytes())
        svc.ingest.apply(svc.ingest.scan(earlier))  # collected before: a duplicate on the card
        filled: list[Path] = []

        def sink(event) -> None:
            if event.phase == "copy" and event.current == "VID_0002.MP4" and not filled:
                filled.append(fill(data))

        with pytest.raises(PartlyDone) as info:  # the duplicate made VID_0000 registered before the disk filled
            svc.ingest.apply(svc.ingest.scan(card), progress=sink)
        assert info.value.code == "ingest.stopped" and "无法写入数据目录" in info.value.render()
        kept = info.value.result
        assert [Path(c.source).name for c in kept.archived] == ["VID_0000.MP4"]
        assert [Path(d.source).name for d in kept.duplicates] == ["VID_0001.MP4"]
        assert [Path(p).name for p in kept.not_collected] == ["VID_0002.MP4", "VID_0003.MP4"]
        assert Clip.select().count() == 2 == len(archived(tmp_path / "archive"))  # nothing unregistered left
        filled[0].unlink()
        svc.ingest.apply(svc.ingest.scan(card))
        assert Clip.select().count() == 4 == len(archived(tmp_path / "archive"))
    finally:
        svc.close()

    def cli(*args: str):
        proc = subprocess.run(
            [sys.executable, "-m", "avledger", *args], capture_output=True, text=True, env=cli_env(data), timeout=60
        )
        proc.code, proc.out, proc.err = proc.returncode, proc.stdout, proc.stderr
        return proc

    clean(cli)
