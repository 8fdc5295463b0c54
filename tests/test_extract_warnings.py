"""Evidence extraction from the CLI (issue 18): damaged clips are named on stderr (not a refusal), and a
password typed at the terminal is asked twice."""

from __future__ import annotations

import subprocess
import sys

import py7zr
import pytest

from avledger.models.schema import Clip
from conftest import cli_env


@pytest.fixture
def approved(demo):
    """A copy request approved on paper, one of its clips flagged as damaged as ingest flags an unreadable file."""
    activity = next(c.activity_id for c in demo.footage.list() if c.activity_id)
    request = demo.access.request("1001", "诉讼证据", reason_kind="court_evidence", kind="copy", activity=activity)
    demo.access.approve(request.id, "1002", paper_form="审-016")
    damaged = request.clip_ids[0]
    Clip.update(flags="corrupt").where(Clip.id == damaged).execute()
    name = Clip.get_by_id(damaged).original_name
    demo.close()
    return request.id, name


def run(home, *args: str, typed: str = ""):
    """The CLI with no controlling terminal, so the password prompt reads what is typed on stdin."""
    return subprocess.run(
        [sys.executable, "-m", "avledger", *args],
        input=typed,
        capture_output=True,
        text=True,
        env=cli_env(home),
        timeout=60,
        start_new_session=True,
    )


def test_damaged_clips_are_named_on_stderr_and_the_password_is_asked_twice(home, approved, tmp_path):
    request_id, name = approved
    out = tmp_path / "evidence"
    args = ("evidence", "extract", str(request_id), "--extractor", "1001", "--out", str(out), "--ask-password")

    differ = run(home, *args, typed="s3cret\ns3cre\n")
    assert differ.returncode == 2 and "两次输入的密码不一致" in differ.stderr
    assert not out.exists()

    done = run(home, *args, typed="s3cret\ns3cret\n")
    assert done.returncode == 0, done.stderr
    assert "标记为损坏" in done.stderr and name in done.stderr and "无法读取或已损坏" in done.stderr
    assert "标记为损坏" not in done.stdout
    [package] = out.glob("*.7z")
    with py7zr.SevenZipFile(package, password="s3cret") as archive:
        assert any(n.endswith(name) for n in archive.getnames())
