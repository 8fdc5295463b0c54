"""Files written whole or not at all, and the one cleaner of what a killed run leaves."""

from __future__ import annotations

import pytest

from avledger.fsutil import TEMP_PREFIX, clean_leftovers, safe_write, temporary, write_whole


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "config.toml"
    write_whole(target, "old = 1\n")
    with pytest.raises(RuntimeError), safe_write(target) as fh:
        fh.write(b"new = ")
        raise RuntimeError("the disk filled up")
    assert target.read_text() == "old = 1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]
    write_whole(target, "新 = 2\n")
    assert target.read_text("utf-8") == "新 = 2\n"


def test_a_new_file_gets_the_mode_asked_for(tmp_path):
    write_whole(tmp_path / "register.pdf", b"%PDF", mode=0o600)
    assert (tmp_path / "register.pdf").stat().st_mode & 0o777 == 0o600


def test_temporary_removes_what_was_not_published(tmp_path):
    with temporary(tmp_path, ".7z") as temp:
        temp.write_bytes(b"half a package")
    assert list(tmp_path.iterdir()) == []


def test_clean_leftovers_removes_only_temporary_files(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / f"{TEMP_PREFIX}1").write_bytes(b"x")
    (tmp_path / "a" / f"{TEMP_PREFIX}2.iso").write_bytes(b"x")
    (tmp_path / "a" / "VID_0001.MP4").write_bytes(b"footage")
    (tmp_path / ".avledger-ingest.lock").write_bytes(b"")
    assert clean_leftovers(tmp_path) == 1
    assert clean_leftovers(tmp_path, recursive=True) == 1
    assert sorted(p.name for p in tmp_path.rglob("*")) == [".avledger-ingest.lock", "VID_0001.MP4", "a"]
