"""Private by default (issue 13): who may read what avledger writes, the data folders it refuses, an older
data folder tightened, and evidence never staged in plain text.

The commands run as real subprocesses under the loosest umask (000), so that every mode checked here is
avledger's own doing: the data folder and every folder it creates 0700, the register 0600, archived
originals 0400, disc images and extractions 0600, prints and exports 0640, logs and config.toml 0600.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from avledger.fsutil import OWN_PREFIX, TEMP_PREFIX
from avledger.home import Home
from avledger.identity import Identity
from avledger.services import Services
from conftest import cli_env


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def loosest_umask() -> None:
    os.umask(0)


def run(home: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """``python -m avledger ARGS`` on ``home`` with umask 000."""
    return subprocess.run(
        [sys.executable, "-m", "avledger", *args],
        capture_output=True,
        text=True,
        env=cli_env(home),
        timeout=timeout,
        preexec_fn=loosest_umask,
    )


def ok(home: Path, *args: str) -> subprocess.CompletedProcess:
    proc = run(home, *args)
    assert proc.returncode == 0, proc.stderr
    return proc


def modes_under(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): mode(p) for p in [root, *root.rglob("*")]}


def expected_in_data_folder(relative: str, path: Path) -> int:
    """The mode everything avledger keeps in its data folder must have."""
    if path.is_dir():
        return 0o700
    if relative.startswith("archive/") and not path.name.startswith(OWN_PREFIX):
        return 0o400  # an archived original
    return 0o600  # the register, its lock and journal files, config, logs, the sample card


def assert_data_folder_private(data: Path) -> None:
    wrong = {
        rel: f"{m:04o}"
        for rel, m in modes_under(data).items()
        if m != expected_in_data_folder(rel if rel != "." else "", data / rel)
    }
    assert wrong == {}


@pytest.fixture
def office(tmp_path: Path) -> Path:
    """The sample office, built by ``avledger demo`` in a data folder that did not exist (nor its parent)."""
    data = tmp_path / "new" / "data"
    ok(data, "demo")
    return data


def test_every_mode_after_demo_ingest_disc_build_extract_print_export(office, tmp_path):
    data = office
    assert mode(data) == mode(data.parent) == 0o700  # created by avledger, parents too
    assert mode(data / "avledger.db") == 0o600
    assert list((data / "archive").rglob("*.MP4"))
    assert_data_folder_private(data)

    # a card collected into the investigation (a case that goes to disc)
    ok(data, "ingest", str(data / "示例存储卡"), "--activity", "2", "--json")
    assert len(list((data / "archive").rglob("*.MP4"))) >= 5
    assert_data_folder_private(data)

    # disc images: 0600, in a folder avledger creates 0700 (and its parent)
    built = ok(data, "disc", "build", "--activity", "2", "--out", str(tmp_path / "discs" / "set"), "--json")
    images = [Path(d["path"]) for d in json.loads(built.stdout)["images"]]
    assert images and all(mode(i) == 0o600 for i in images)
    assert mode(tmp_path / "discs") == mode(tmp_path / "discs" / "set") == 0o700

    # an extraction, plain and packed: 0600 files in 0700 folders
    made = ok(data, "access", "request", "--activity", "2", "--requester", "2002", "--reason", "复核", "--kind",
              "copy", "--json")  # fmt: skip
    req = str(json.loads(made.stdout)["id"])
    ok(data, "access", "approve", req, "--by", "1002", "--paper-form", "审-1")
    plain = tmp_path / "evidence" / "plain"
    ok(data, "evidence", "extract", req, "--extractor", "1001", "--out", str(plain))
    assert mode(plain.parent) == mode(plain) == 0o700
    extracted = sorted(plain.iterdir())
    assert len(extracted) >= 6 and all(mode(p) == 0o600 for p in extracted), {p.name: mode(p) for p in extracted}
    password = tmp_path / "pw"
    password.write_text("s3cret\n")
    packed = tmp_path / "evidence" / "packed"
    ok(data, "evidence", "extract", req, "--extractor", "1001", "--out", str(packed), "--password-file",
       str(password))  # fmt: skip
    assert [(p.suffix, mode(p)) for p in packed.iterdir()] == [(".7z", 0o600)] and mode(packed) == 0o700

    # prints and exports: 0640, also into a folder the person chose (which keeps its own mode)
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    ok(data, "print", "audit", "-o", str(shared / "audit.pdf"))
    ok(data, "export", "devices", "-o", str(shared / "devices.xlsx"))
    ok(data, "export", "loans", "-o", str(shared / "loans.csv"))
    assert modes_under(shared) == {".": 0o755, "audit.pdf": 0o640, "devices.xlsx": 0o640, "loans.csv": 0o640}

    # this PC's settings
    ok(data, "language", "en")
    assert mode(data / "config.toml") == 0o600
    assert_data_folder_private(data)


def test_the_register_journal_files_are_private_while_open(tmp_path):
    old = os.umask(0)
    try:
        with Services(Home(tmp_path / "data"), Identity.console("tester")) as svc:
            svc.office.init("测试局", "wanzhou")
            db = svc.home.db_path
            names = {p.name: mode(p) for p in db.parent.iterdir() if p.name.startswith("avledger.db")}
            assert names == {"avledger.db": 0o600, "avledger.db-wal": 0o600, "avledger.db-shm": 0o600}
    finally:
        os.umask(old)


def test_logs_are_private(tmp_path):
    from avledger.cli.failures import write_log

    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        path = write_log(exc, [tmp_path / "data" / "logs"])
    assert path == tmp_path / "data" / "logs" / "avledger.log"
    assert mode(path) == 0o600 and mode(path.parent) == mode(path.parent.parent) == 0o700
    assert "boom" in path.read_text("utf-8")


# --- data folders that are refused ------------------------------------------------------------------


def assert_refused(folder: Path, code: str) -> None:
    before = modes_under(folder) if folder.is_dir() else None
    for args in (("demo",), ("init", "--unit", "某局", "--profile", "wanzhou"), ("language", "en")):
        proc = run(folder, *args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert str(folder) in proc.stderr
    proc = run(folder, "staff", "list", "--json")
    assert proc.returncode == 2 and json.loads(proc.stdout)["error"]["code"] in (code, "office.not_initialised")
    if before is not None:
        assert modes_under(folder) == before  # nothing written, no mode changed


def test_a_folder_holding_other_files_is_refused(tmp_path):
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "工作计划.docx").write_bytes(b"PK")
    assert_refused(folder, "home.not_ours")
    proc = run(folder, "demo")
    assert "工作计划.docx" in proc.stderr


def test_a_folder_like_home_is_refused(tmp_path):
    """``AVLEDGER_HOME=/home avledger demo`` wrote the register and the archive beside the users' folders."""
    homes = tmp_path / "home"
    homes.mkdir()
    for user in ("alice", "bob"):
        (homes / user).mkdir(mode=0o755)
        (homes / user / ".profile").write_text("# hers\n")
    homes.chmod(0o755)
    assert_refused(homes, "home.not_ours")
    assert sorted(p.name for p in homes.iterdir()) == ["alice", "bob"]


def test_a_file_instead_of_a_folder_is_refused(tmp_path):
    file = tmp_path / "data"
    file.write_text("not a folder")
    for args in (("demo",), ("language", "en")):
        proc = run(file, *args)
        assert proc.returncode == 2 and "不是文件夹" in proc.stderr
    assert file.read_text() == "not a folder"


def test_an_empty_folder_made_by_the_person_is_used_and_keeps_its_mode(tmp_path):
    folder = tmp_path / "avdata"
    folder.mkdir()
    folder.chmod(0o750)
    ok(folder, "demo")
    assert mode(folder) == 0o750  # not avledger's folder: its mode is the person's
    assert_data_folder_private_below(folder)


def assert_data_folder_private_below(folder: Path) -> None:
    wrong = {
        rel: f"{m:04o}"
        for rel, m in modes_under(folder).items()
        if rel != "." and m != expected_in_data_folder(rel, folder / rel)
    }
    assert wrong == {}


def test_the_tui_refuses_a_foreign_folder_before_its_setup(tmp_path):
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    proc = run(folder)  # no command: the TUI, which exits at once with the refusal
    assert proc.returncode == 2 and "不能用作数据目录" in proc.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]


# --- a data folder written by an older version ---------------------------------------------------------


def loosen(data: Path) -> None:
    """What avledger wrote before issue 13: every folder 0755, the register 0644, the clips 0444."""
    for path in [data, *data.rglob("*")]:
        if path.is_symlink():
            continue
        if path.is_dir():
            path.chmod(0o755)
        elif path.parent.parent.parent.name == "archive" or path.parent.parent.name == "archive":
            path.chmod(0o444)
        else:
            path.chmod(0o644)


def test_an_older_data_folder_is_tightened_once_and_says_so(office, tmp_path):
    data = office
    loosen(data)
    outside = tmp_path / "outside.txt"
    outside.write_text("not avledger's")
    outside.chmod(0o644)
    day = next(p for p in (data / "archive").iterdir() if p.is_dir())
    (day / "link.mp4").symlink_to(outside)  # never followed
    first = run(data, "staff", "list")
    assert first.returncode == 0, first.stderr
    assert "已收紧" in first.stderr and "avledger.db" in first.stderr and "archive" in first.stderr
    assert "chmod 700" in first.stderr  # the data folder itself is left as it is, and the person told
    (day / "link.mp4").unlink()
    assert mode(data) == 0o755
    assert_data_folder_private_below(data)
    assert mode(outside) == 0o644
    second = run(data, "staff", "list", "--json")
    assert second.returncode == 0 and second.stderr == ""  # once


def test_the_notice_is_a_json_line_with_json(office):
    loosen(office)
    proc = run(office, "staff", "list", "--json")
    assert proc.returncode == 0
    notice = json.loads(proc.stderr.splitlines()[0])["notice"]
    assert notice["code"] == "home.tightened" and "avledger.db" in notice["message"]
    json.loads(proc.stdout)  # the result itself is untouched


def test_an_archive_kept_elsewhere_has_its_day_folders_tightened_only(office, tmp_path):
    elsewhere = tmp_path / "footage"
    elsewhere.mkdir()
    elsewhere.chmod(0o755)
    (elsewhere / "office-notes").mkdir()
    (elsewhere / "office-notes").chmod(0o755)
    ok(office, "profile", "set", "ingest.archive_dir", str(elsewhere))
    ok(office, "ingest", str(office / "示例存储卡"), "--activity", "2")
    days = [p for p in elsewhere.iterdir() if p.name[:2] == "20"]
    assert days and all(mode(d) == 0o700 for d in days)
    for day in days:
        for path in day.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o444)
        day.chmod(0o755)
    proc = run(office, "staff", "list")
    assert proc.returncode == 0 and "已收紧" in proc.stderr
    assert mode(elsewhere) == 0o755 and mode(elsewhere / "office-notes") == 0o755  # the office's own
    for day in days:
        assert mode(day) == 0o700
        assert {mode(p) for p in day.rglob("*")} <= {0o700, 0o400}


# --- evidence never staged in plain text ------------------------------------------------------------------

CLIP_BYTES = 24 * 1024 * 1024  # big enough to kill the packing part way through a clip


def big_clip(path: Path) -> bytes:
    """A clip as a camera would not write it (the ingest flags it corrupt) but of a real size, random bytes."""
    data = os.urandom(CLIP_BYTES)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


def test_a_killed_encrypted_extraction_leaves_no_clip_in_plain_text(office, tmp_path):
    card = tmp_path / "card"
    clips = [big_clip(card / f"VID_{n:04d}.MP4") for n in range(3)]
    ok(office, "ingest", str(card), "--activity", "1")
    made = ok(office, "access", "request", "--activity", "1", "--requester", "2002", "--reason", "复核", "--kind",
              "copy", "--json")  # fmt: skip
    req = str(json.loads(made.stdout)["id"])
    ok(office, "access", "approve", req, "--by", "1002", "--paper-form", "审-2")
    password = tmp_path / "pw"
    password.write_text("s3cret\n")
    out = tmp_path / "evidence"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "avledger",
            "evidence",
            "extract",
            req,
            "--extractor",
            "1001",
            "--out",
            str(out),
            "--password-file",
            str(password),
        ],  # fmt: skip
        env=cli_env(office),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=loosest_umask,
    )
    # kill it once the package holds more than one clip: in the middle of the second
    killed_at = None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        sizes = [p.stat().st_size for p in out.rglob("*") if p.is_file()] if out.is_dir() else []
        if sum(sizes) > CLIP_BYTES * 1.5:
            proc.send_signal(signal.SIGKILL)
            killed_at = sum(sizes)
            break
        time.sleep(0.002)
    assert proc.wait(timeout=60) == -signal.SIGKILL, (killed_at, proc.stderr.read())
    left = [p for p in out.rglob("*") if p.is_file()]
    assert left and all(p.name.startswith(TEMP_PREFIX) for p in left)  # only the unpublished package
    assert all(mode(p) == 0o600 for p in left)
    samples = [clip[offset : offset + 4096] for clip in clips for offset in (0, CLIP_BYTES // 2, CLIP_BYTES - 4096)]
    for path in left:
        written = path.read_bytes()
        assert not any(sample in written for sample in samples), path  # nothing of a clip in plain text

    # the next extraction into the same folder removes what the killed one left, and finishes
    ok(office, "evidence", "extract", req, "--extractor", "1001", "--out", str(out), "--password-file",
       str(password))  # fmt: skip
    (package,) = list(out.iterdir())
    assert package.suffix == ".7z" and mode(package) == 0o600
    checked = ok(office, "evidence", "check", str(package), "--password-file", str(password))
    assert all(f"_VID_{n:04d}.MP4" in checked.stdout for n in range(3))
    written = package.read_bytes()
    assert not any(sample in written for sample in samples)  # encrypted


def test_a_clip_changed_in_the_archive_stops_the_package_and_leaves_nothing(demo, tmp_path):
    from avledger.errors import UserError

    services = demo
    clip = services.footage.list()[0]
    req = services.access.request("2002", "复核", clips=[clip.id], kind="copy")
    services.access.approve(req.id, "1002", paper_form="审-3")
    path = services.ingest.archive_root() / clip.archive_path
    path.chmod(0o600)
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 1
    path.write_bytes(bytes(raw))
    out = tmp_path / "out"
    with pytest.raises(UserError) as info:
        services.access.extract(req.id, "1001", out, password="pw")
    assert info.value.code == "archive.file_changed"
    assert not out.exists()  # the folder it created is gone with the unfinished package


def test_a_register_an_older_version_wrote_into_a_shared_folder_is_tightened_not_the_others(tmp_path):
    """``AVLEDGER_HOME=/home avledger demo`` of an older version: the register sits beside the users' folders.
    Its own files are tightened; the users' folders and the shared folder are left as they are, and the
    person is told to move the register rather than to close the shared folder."""
    homes = tmp_path / "home"
    ok(homes, "demo")
    for user in ("alice", "bob"):
        (homes / user).mkdir()
        (homes / user).chmod(0o755)
    loosen(homes)
    proc = run(homes, "staff", "list")
    assert proc.returncode == 0 and "已收紧" in proc.stderr
    assert "alice" in proc.stderr and "chmod 700" not in proc.stderr
    assert mode(homes) == mode(homes / "alice") == mode(homes / "bob") == 0o755
    assert mode(homes / "avledger.db") == 0o600
