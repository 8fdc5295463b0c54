"""An evidence extraction killed outright (kill -9) part way (issue 17): the archive and the register are as
before (nothing registered, ``verify`` and ``audit verify`` clean), and the same command run again completes the
same folder: the clips the killed run copied whole are checked and kept, the rest copied, the extraction
registered once."""

from __future__ import annotations

import hashlib
import subprocess
import sys

from avledger.fsutil import TEMP_PREFIX
from avledger.models.schema import Extraction
from conftest import cli_env
from test_access import act_as, approved
from test_faults_leftovers import run_until


def test_an_extraction_killed_midway_is_completed_by_running_it_again(demo, home, cli, tmp_path):
    req = approved(demo, kind="copy")
    act_as(demo, "2002")
    expected = {c.id: c.sha256 for c in demo.footage.list() if c.id in req.clip_ids}
    assert len(expected) >= 2
    demo.close()
    out = tmp_path / "evidence"
    argv = [sys.executable, "-m", "avledger", "evidence", "extract", str(req.id), "--extractor", "2002"]
    argv += ["--out", str(out)]
    env = cli_env(home)
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def one_copied_and_more_to_come():
        done = [p for p in out.glob("*") if not p.name.startswith(TEMP_PREFIX)] if out.is_dir() else []
        return done if 1 <= len(done) < len(expected) else None

    copied = run_until(proc, one_copied_and_more_to_come)
    assert copied, "killed after its first clip and before its last"
    assert Extraction.select().count() == 0  # nothing registered
    assert cli("verify").code == 0 and cli("audit", "verify").code == 0

    again = cli("evidence", "extract", str(req.id), "--extractor", "2002", "--out", str(out), "--json")
    assert again.code == 0, again.err
    assert Extraction.select().count() == 1
    files = again.json()["files"]
    assert {f["clip_id"] for f in files} == set(expected)
    for f in files:
        assert hashlib.sha256((out / f["name"]).read_bytes()).hexdigest() == expected[f["clip_id"]]
    assert not list(out.glob(TEMP_PREFIX + "*"))
    assert cli("verify").code == 0 and cli("audit", "verify").code == 0


def test_a_folder_holding_anything_else_is_still_refused(demo, cli, tmp_path):
    req = approved(demo, kind="copy")
    act_as(demo, "2002")
    out = tmp_path / "evidence"
    out.mkdir()
    (out / "notes.txt").write_text("someone's file", "utf-8")
    clip = demo.footage.get(req.clip_ids[0])
    (out / f"{clip.id}_{clip.original_name}").write_bytes(b"not the clip")
    demo.close()
    refused = cli("evidence", "extract", str(req.id), "--extractor", "2002", "--out", str(out))
    assert refused.code == 2 and "不是空目录" in refused.err
    (out / "notes.txt").unlink()
    refused = cli("evidence", "extract", str(req.id), "--extractor", "2002", "--out", str(out))
    assert refused.code == 2 and "不是空目录" in refused.err  # a file of a clip's name that is not the clip
    assert (out / f"{clip.id}_{clip.original_name}").read_bytes() == b"not the clip"
