"""Strange cards (issue 17): every file the card's file system can hold is collected or listed with its reason.

Names that are not UTF-8, names too long once numbered or converted, a file still being written, hidden files
and folders, links, pipes and device files; after each, the archive check and the audit log's check are clean.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import threading
import time
from pathlib import Path

import pytest

from avledger.fsutil import OWN_PREFIX
from avledger.models.schema import AuditEvent, Clip
from conftest import write_video

GBK = "执法记录".encode("gbk") + b".mp4"  # what a card written by a Chinese Windows holds
NOT_TEXT = b"\xff\xfeclip.mp4"  # neither UTF-8 nor GB18030


def card_bytes(recorded: str) -> bytes:
    """The bytes of a path as the card holds it, from the text avledger recorded."""
    parts = re.split(r"\\x([0-9a-f]{2})", recorded)
    return b"".join(bytes([int(p, 16)]) if i % 2 else p.encode() for i, p in enumerate(parts))


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def video(path: Path, n: int) -> Path:
    """A small real video, different from every other ``n``."""
    return write_video(path, 1, creation_time=f"2026-01-10T01:{n:02d}:00.000000Z", size=(32 + 16 * (n % 4), 48))


def put(card: Path, raw_name: bytes, n: int) -> bytes:
    """A video under a name given as bytes (written with os.open, as a card's file system would hold it)."""
    data = video(card.parent / f"made-{n}.mp4", n).read_bytes()
    (card.parent / f"made-{n}.mp4").unlink()
    path = os.fsencode(card) + b"/" + raw_name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    return path


def archive_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(OWN_PREFIX))


def assert_clean(services) -> None:
    assert services.footage.verify().ok
    assert services.audit.verify().ok
    root = services.ingest.archive_root()
    assert not [p for p in root.rglob(OWN_PREFIX + "*") if p.name != OWN_PREFIX + "ingest.lock"]  # no temp files


def assert_cli_clean(cli) -> None:
    checked = cli("verify")
    assert checked.code == 0, checked.out + checked.err
    audited = cli("audit", "verify")
    assert audited.code == 0, audited.out + audited.err


# --- names that are not UTF-8 -------------------------------------------------------------------------------------
@pytest.fixture
def gbk_card(tmp_path: Path) -> Path:
    card = tmp_path / "card"
    video(card / "VID_0001.MP4", 1)
    put(card, GBK, 2)
    put(card, NOT_TEXT, 3)
    return card


def test_names_that_are_not_utf8_are_archived_under_a_readable_name(services, gbk_card):
    result = services.ingest.apply(services.ingest.scan(gbk_card))
    assert len(result.archived) == 3 and not result.refused and not result.faults
    clips = {c.original_name: c for c in Clip.select()}
    assert sorted(clips) == ["VID_0001.MP4", "\\xff\\xfeclip.mp4", "执法记录.mp4"]  # GBK read as such; else escaped
    root = services.ingest.archive_root()
    for name, clip in clips.items():
        assert Path(clip.archive_path).name == name
        assert sha(root / clip.archive_path) == clip.sha256
    # the card's own bytes are recorded: the source path with each byte that is not UTF-8 as \xNN
    recorded = clips["执法记录.mp4"].source_path
    assert "\\xb7\\xa8" in recorded  # 法: not UTF-8 (执 and 录's bytes happen to be)
    assert card_bytes(recorded) == os.fsencode(gbk_card) + b"/" + GBK
    assert clips["\\xff\\xfeclip.mp4"].source_path.endswith("/\\xff\\xfeclip.mp4")
    assert_clean(services)
    events = AuditEvent.select().count()
    again = services.ingest.apply(services.ingest.scan(gbk_card))  # recognised: nothing doubled
    assert not again.archived and len(again.duplicates) == 3
    assert Clip.select().count() == 3 and AuditEvent.select().count() == events
    assert len(archive_files(root)) == 3


def test_cli_ingests_a_gbk_card_and_reruns_without_doubles(services, gbk_card, cli):
    planned = cli("ingest", str(gbk_card), "--dry-run", "--json")
    assert planned.code == 0, planned.err
    assert sum(f["source"].endswith("\\xff\\xfeclip.mp4") for f in planned.json()["files"]) == 1
    first = cli("ingest", str(gbk_card), "--json")
    assert first.code == 0, first.err
    data = first.json()
    assert sorted(Path(c["archive_path"]).name for c in data["archived"]) == [
        "VID_0001.MP4",
        "\\xff\\xfeclip.mp4",
        "执法记录.mp4",
    ]
    assert not data["partly_done"]
    again = cli("ingest", str(gbk_card))
    assert again.code == 0, again.err
    assert "已入库 0 个，重复跳过 3 个" in again.out
    assert "\\xb7\\xa8\\xbc\\xc7¼.mp4：已采集（已在库）" in again.out  # each named, with its reason
    assert_cli_clean(cli)


# --- over-long names ----------------------------------------------------------------------------------------------
LONG = "录" * 82 + "abc.mp4"  # 253 bytes of UTF-8


def test_long_names_are_shortened_uniquely_within_name_max(services, tmp_path, cli):
    assert len(LONG.encode()) == 253
    card = tmp_path / "card"
    video(card / "a" / LONG, 1)
    video(card / "b" / LONG, 2)  # the same name in another folder: a second name is needed
    video(card / "c" / ("录" * 82 + "abd.mp4"), 3)
    (card / "d").mkdir()
    long_gbk = ("法" * 120).encode("gbk") + b".mp4"  # 244 bytes here (not UTF-8), 364 once in UTF-8
    put(card / "d", long_gbk, 4)
    run = cli("ingest", str(card), "--json")
    assert run.code == 0, run.err
    names = [Path(c["archive_path"]).name for c in run.json()["archived"]]
    assert len(names) == len(set(names)) == 4
    limit = os.pathconf(services.ingest.archive_root(), "PC_NAME_MAX")
    assert all(len(n.encode()) <= limit and n.endswith(".mp4") for n in names)
    assert LONG in names
    assert "录" * 82 + "a (2).mp4" in names  # cut on a character, its number and extension kept
    assert ("法" * 83 + ".mp4") in names  # the GBK name read, then shortened to 255 bytes
    assert {c.original_name for c in Clip.select()} >= {LONG, "法" * 120 + ".mp4"}  # the whole name recorded
    again = cli("ingest", str(card), "--json")
    assert again.code == 0 and len(again.json()["duplicates"]) == 4 and not again.json()["archived"]
    assert_cli_clean(cli)
    assert_clean(services)


# --- a file still being written -----------------------------------------------------------------------------------
def test_a_file_changing_during_the_copy_is_not_registered_and_a_rerun_takes_it_whole(services, tmp_path):
    card = tmp_path / "card"
    video(card / "VID_0001.MP4", 1)
    growing = video(card / "VID_0002.MP4", 2)
    video(card / "VID_0003.MP4", 3)
    plan = services.ingest.scan(card)
    appended = []

    def camera_still_writing(event) -> None:  # the camera writes on while the file is copied
        if event.phase == "copy" and event.current == growing.name and not appended:
            with open(growing, "ab") as out:
                out.write(b"\0" * 4096)
            appended.append(event.done)

    result = services.ingest.apply(plan, progress=camera_still_writing)
    assert appended
    assert [(s.path, s.reason) for s in result.refused] == [("VID_0002.MP4", "changing")]
    assert result.faults == result.refused
    assert sorted(Path(c.archive_path).name for c in result.archived) == ["VID_0001.MP4", "VID_0003.MP4"]
    assert not Clip.select().where(Clip.original_name == "VID_0002.MP4").exists()
    assert_clean(services)  # its temporary copy is gone, nothing of it registered
    again = services.ingest.apply(services.ingest.scan(card))
    assert [Path(c.archive_path).name for c in again.archived] == ["VID_0002.MP4"]  # whole, not "(2)"
    assert again.archived[0].sha256 == sha(growing) and len(again.duplicates) == 2 and not again.refused
    assert_clean(services)


def test_a_file_changed_since_the_scan_is_not_copied(services, tmp_path):
    card = tmp_path / "card"
    growing = video(card / "VID_0001.MP4", 1)
    plan = services.ingest.scan(card)
    with open(growing, "ab") as out:
        out.write(b"\0" * 100)
    result = services.ingest.apply(plan)
    assert not result.archived and [(s.path, s.reason) for s in result.refused] == [("VID_0001.MP4", "changing")]
    assert_clean(services)


class Writer(threading.Thread):
    """A camera writing on: appends to a file every millisecond until stopped."""

    def __init__(self, path: Path):
        super().__init__(daemon=True)
        self.path = path
        self.stop = threading.Event()
        self.writes = 0

    def run(self) -> None:
        with open(self.path, "ab", buffering=0) as out:
            while not self.stop.is_set():
                out.write(b"\0" * 4096)
                self.writes += 1
                time.sleep(0.001)


def test_cli_growing_file_is_named_and_the_ingest_is_partly_done(services, tmp_path, cli):
    card = tmp_path / "card"
    video(card / "VID_0001.MP4", 1)
    growing = video(card / "VID_0002.MP4", 2)
    writer = Writer(growing)
    writer.start()
    try:
        run = cli("ingest", str(card), "--json")
    finally:
        writer.stop.set()
        writer.join()
    assert writer.writes > 10
    assert run.code == 4, run.err  # partly done
    data = run.json()
    assert data["partly_done"] and [Path(c["archive_path"]).name for c in data["archived"]] == ["VID_0001.MP4"]
    assert data["refused"] == [{"path": "VID_0002.MP4", "reason": "changing"}]
    assert "部分完成：已入库 1 个，1 个因故未采集（VID_0002.MP4：仍在写入，请稍后重新采集）" in run.err
    assert_cli_clean(cli)
    again = cli("ingest", str(card))  # the camera has stopped: the rest is collected, whole
    assert again.code == 0, again.err
    assert "已入库 1 个，重复跳过 1 个" in again.out
    assert Clip.get(Clip.original_name == "VID_0002.MP4").sha256 == sha(growing)
    assert Clip.select().count() == 2
    assert_cli_clean(cli)


def test_cli_partly_done_in_english(services, tmp_path, cli):
    card = tmp_path / "card"
    growing = video(card / "VID_0001.MP4", 1)
    writer = Writer(growing)
    writer.start()
    try:
        run = cli("ingest", str(card), lang="en")
    finally:
        writer.stop.set()
        writer.join()
    assert run.code == 4
    assert "VID_0001.MP4：still being written; collect it again later" in run.out
    assert "Partly done: 0 files collected, 1 not collected because of a fault" in run.err


# --- every file not collected, with its reason -----------------------------------------------------------------------
@pytest.fixture
def odd_card(tmp_path: Path) -> Path:
    card = tmp_path / "card"
    video(card / "DCIM" / "VID_0001.MP4", 1)
    video(card / "DCIM" / ".VID_0002.MP4", 2)  # hidden (macOS's ._ files, a camera's own)
    video(card / ".Trashes" / "501" / "VID_0003.MP4", 3)  # a hidden folder: not entered
    (card / "DCIM" / "link.mp4").symlink_to("/etc/passwd")
    os.mkfifo(card / "DCIM" / "pipe.mp4")
    (card / "DCIM" / "说明.txt").write_text("不是音像文件", "utf-8")
    (card / "DCIM" / "EMPTY.MP4").write_bytes(b"")
    if os.geteuid() == 0:
        os.mknod(card / "DCIM" / "null.mp4", stat.S_IFCHR | 0o600, os.makedev(1, 3))
        os.mknod(card / "DCIM" / "loop.mp4", stat.S_IFBLK | 0o600, os.makedev(7, 0))
    return card


EXPECTED = {
    "DCIM/.VID_0002.MP4": "hidden",
    ".Trashes": "hidden",
    "DCIM/link.mp4": "symlink",
    "DCIM/pipe.mp4": "fifo",
    "DCIM/说明.txt": "not_media",
    "DCIM/EMPTY.MP4": "empty",
}
DEVICES = {"DCIM/null.mp4": "device", "DCIM/loop.mp4": "device"}


def expected() -> dict[str, str]:
    return {**EXPECTED, **(DEVICES if os.geteuid() == 0 else {})}


def test_every_file_not_collected_is_listed_with_its_reason(services, odd_card, cli):
    run = cli("ingest", str(odd_card), "--json")
    assert run.code == 0, run.err  # skipped by design: not a partial ingest
    data = run.json()
    assert {r["path"]: r["reason"] for r in data["refused"]} == expected()
    assert [Path(c["archive_path"]).name for c in data["archived"]] == ["VID_0001.MP4"]
    assert not data["partly_done"]
    planned = cli("ingest", str(odd_card), "--dry-run")
    assert planned.code == 0 and "  - DCIM/pipe.mp4：命名管道（不读取）" in planned.out  # listed before collecting too
    again = cli("ingest", str(odd_card))
    assert again.code == 0, again.err
    labels = {
        "hidden": "隐藏文件或文件夹（不进入）",
        "symlink": "符号链接（不跟随）",
        "fifo": "命名管道（不读取）",
        "device": "设备文件（不读取）",
        "not_media": "不是音像文件",
        "empty": "空文件",
    }
    for path, reason in expected().items():
        assert f"  - {path}：{labels[reason]}" in again.out
    assert f"  = {odd_card / 'DCIM' / 'VID_0001.MP4'}：已采集（已在库）" in again.out
    english = cli("ingest", str(odd_card), lang="en")
    assert english.code == 0
    for line in ("DCIM/pipe.mp4：named pipe (not read)", ".Trashes：hidden file or folder (not entered)"):
        assert line in english.out
    assert "already collected (in the archive)" in english.out
    assert_cli_clean(cli)
    assert_clean(services)


@pytest.mark.skipif(os.geteuid() != 0, reason="device files can only be made (os.mknod) as root")
def test_device_files_are_never_read(services, odd_card):
    result = services.ingest.apply(services.ingest.scan(odd_card))
    assert {s.path: s.reason for s in result.refused if s.reason == "device"} == DEVICES


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_an_unreadable_file_makes_the_ingest_partly_done(services, tmp_path, cli):
    card = tmp_path / "card"
    video(card / "VID_0001.MP4", 1)
    locked = video(card / "VID_0002.MP4", 2)
    locked.chmod(0)
    run = cli("ingest", str(card), "--json")
    assert run.code == 4
    assert run.json()["refused"] == [{"path": "VID_0002.MP4", "reason": "unreadable"}]
    locked.chmod(0o600)
    assert cli("ingest", str(card)).code == 0
    assert_cli_clean(cli)
