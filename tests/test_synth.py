"""bench/synth.py: a register of the asked size and shape, whose audit log holds every row as stored, that
``audit verify`` passes, and in which a hand edit is then found."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from avledger.home import Home
from avledger.identity import Identity
from avledger.models import audit
from avledger.models.db import SCHEMA_VERSION
from avledger.models.schema import AUDITED, AuditEvent, Clip, Device, Gap, Loan
from avledger.services import Services
from conftest import SYNTH_SMALL, cli_env, load_synth

NOW = dt.datetime(2026, 3, 2, 4, 5, 6)
newest_hash = "SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1"
SQLITE3 = shutil.which("sqlite3")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The small register, built in this process through ``synth.build`` (the fixture-friendly entry)."""
    home = tmp_path_factory.mktemp("synth-test") / "data"
    figures = load_synth().build(home, seed=7, now=NOW, user="tester", **SYNTH_SMALL)
    return home, figures


@pytest.fixture
def register(built):
    """The built register opened through the services, with the clock at the register's "now"."""
    svc = Services(Home(built[0]), Identity.console("tester"), clock=lambda: NOW)
    yield svc
    svc.close()


def query(home: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(home / "avledger.db") as con:
        return con.execute(sql).fetchall()


def avledger(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "avledger", "--home", str(home), *args],
        capture_output=True,
        text=True,
        env=cli_env(),
        timeout=120,
    )


def test_sizes_and_figures(built):
    home, figures = built
    assert figures.rows["clip"] == SYNTH_SMALL["clips"]
    assert figures.rows["loan"] == SYNTH_SMALL["loans"]
    assert figures.rows["activity"] == SYNTH_SMALL["activities"]
    assert figures.rows["office"] == 1 and figures.rows["device"] == 200
    assert 28 <= query(home, "SELECT COUNT(*) FROM staff WHERE roles LIKE '%officer%'")[0][0] <= 32
    assert figures.audit_entries == query(home, "SELECT COUNT(*) FROM audit_event")[0][0]
    assert figures.audit_entries > sum(figures.rows.values())
    assert figures.file_bytes == (home / "avledger.db").stat().st_size and figures.seconds > 0
    [witnessed] = (home / "audit-witness.log").read_text("ascii").splitlines()  # the head, as after a change
    assert witnessed.split() == [
        str(figures.audit_entries),
        query(home, newest_hash)[0][0],
        f"{NOW:%Y-%m-%dT%H:%M:%S}Z",
    ]
    assert any(line.startswith("audit entries") for line in figures.lines())


def test_the_register_is_as_avledger_leaves_it(built):
    home, _figures = built
    assert query(home, "PRAGMA user_version")[0][0] == SCHEMA_VERSION
    assert query(home, "PRAGMA journal_mode")[0][0] == "wal"
    assert query(home, "PRAGMA integrity_check")[0][0] == "ok"
    assert query(home, "PRAGMA foreign_key_check") == []
    office = query(home, "SELECT preset, profile FROM office")
    assert [row[0] for row in office] == ["wanzhou"] and json.loads(office[0][1])["office"]["preset"] == "wanzhou"


def test_shape_of_an_office(register):
    clips = Clip.select().count()
    late = Clip.select().where(Clip.late == True).count()  # noqa: E712
    explained = Clip.select().where(Clip.late_reason.is_null(False)).count()
    assert 0.04 <= late / clips <= 0.06
    assert 0.3 <= explained / late <= 0.7  # whole cards are late: at this size a card is 1 % of the clips
    assert len(register.lending.list(open_only=True)) == 40
    assert len(register.lending.list(overdue=True)) == 10
    assert Device.select().where(Device.status == "issued").count() == 40
    open_gaps = register.gaps.list(open_only=True)
    assert len(open_gaps) == SYNTH_SMALL["activities"] // 10
    assert len({g.activity_id for g in open_gaps}) == len(open_gaps)
    activities = register.activities.list()
    cases = [a for a in activities if a.case_no]
    assert len(cases) == SYNTH_SMALL["activities"] // 3
    assert all(re.fullmatch(r"示市监立〔20\d\d〕\d+号", a.case_no) and a.case_name and a.party for a in cases)
    assert [a for a in cases if a.confidential] and all(a.case_no for a in activities if a.confidential)
    assert [a for a in cases if a.long_term] and [a for a in cases if a.status == "closed"]
    assert {a.clips for a in activities} == {SYNTH_SMALL["clips"] // SYNTH_SMALL["activities"]}
    starts = sorted(a.start_at for a in activities)
    assert NOW - starts[-1] < dt.timedelta(days=2) and NOW - starts[0] > dt.timedelta(days=365 * 9)
    names = [c.original_name for c in Clip.select(Clip.original_name)]
    assert all(re.fullmatch(r"(VID|IMG|REC)_20\d{6}_\d{6}_\d{4}\.(MP4|JPG|WAV)", n) for n in names)
    rows = list(Clip.select(Clip.sha256, Clip.archive_path).tuples())
    assert all(re.fullmatch(r"[0-9a-f]{64}", sha) for sha, _path in rows)
    assert len({sha for sha, _ in rows}) == len({path for _, path in rows}) == clips


def test_footage_agrees_with_the_ledger(register):
    """Deadlines, lateness and holders as ingest would set them; the gaps that refresh_gaps would find."""
    ingest = register.ingest
    limit = dt.timedelta(minutes=register.ctx.profile().get("ingest.max_gap_minutes"))
    wanted = set()
    series: dict[tuple[int, int], list[Clip]] = {}
    for clip in Clip.select().order_by(Clip.start_at, Clip.id):
        assert clip.deadline_at == ingest.deadline(clip.device_id, clip.activity, clip.start_at, clip.duration_s)
        assert clip.late == (clip.ingested_at > clip.deadline_at) and clip.ingested_at <= NOW
        assert ingest._loan_at(clip.device_id, clip.start_at).holder_id == clip.holder_id
        assert clip.activity.start_at <= clip.start_at <= clip.activity.end_at
        if clip.kind != "photo":
            series.setdefault((clip.device_id, clip.activity_id), []).append(clip)
    for clips in series.values():
        for before, after in zip(clips, clips[1:]):
            if after.start_at - (before.start_at + dt.timedelta(seconds=before.duration_s or 0)) > limit:
                wanted.add((before.id, after.id))
    assert {(g.after_clip_id, g.before_clip_id) for g in Gap.select()} == wanted
    for device in Device.select():
        loans = list(Loan.select().where(Loan.device == device).order_by(Loan.start_at))
        assert all(a.end_at is not None and a.end_at <= b.start_at for a, b in zip(loans, loans[1:]))
        assert (device.status == "issued") == (bool(loans) and loans[-1].end_at is None)


def test_the_log_holds_every_row_as_stored(register):
    """Each audited row's last entry is, character for character, what audit.snapshot gives for the row as
    read back; the entries are in time order."""
    last: dict[tuple[str, int], str] = {}
    times = []
    for entity, entity_id, after, at in (
        AuditEvent.select(AuditEvent.entity, AuditEvent.entity_id, AuditEvent.after, AuditEvent.at)
        .order_by(AuditEvent.id)
        .tuples()
    ):
        times.append(at)
        if after is not None:
            last[(entity, entity_id)] = after
    assert times == sorted(times) and times[-1] <= NOW
    rows = 0
    for entity, model in AUDITED.items():
        for row in model.select():
            assert audit.canonical(audit.snapshot(row)) == last[(entity, row.id)], (entity, row.id)
            rows += 1
    assert rows == len(last)
    assert register.audit.verify().ok


def test_same_seed_same_register(built, tmp_path):
    home, _figures = built
    again = tmp_path / "again"
    load_synth().build(again, seed=7, now=NOW, user="tester", **SYNTH_SMALL)
    newest = "SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1"
    assert query(again, newest) == query(home, newest)


def test_verify_passes_then_finds_a_hand_edit(built, tmp_path):
    home = tmp_path / "data"
    shutil.copytree(built[0], home)
    proc = avledger(home, "audit", "verify")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    clip_id = query(home, "SELECT id FROM clip WHERE late = 1 AND late_reason IS NULL LIMIT 1")[0][0]
    sql = f"UPDATE clip SET late_reason = '补录' WHERE id = {clip_id};"
    if SQLITE3:
        subprocess.run([SQLITE3, str(home / "avledger.db"), sql], check=True)
    else:  # pragma: no cover - ./test installs sqlite3
        with sqlite3.connect(home / "avledger.db") as con:
            con.executescript(sql)
    proc = avledger(home, "audit", "verify", "--json")
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    assert [(p["kind"], p["entity"], p["entity_id"], p["fields"]) for p in report["problems"]] == [
        ("row_changed", "clip", clip_id, ["late_reason"])
    ]


def test_refuses_a_folder_in_use_or_too_few_loans(tmp_path):
    (tmp_path / "notes.txt").write_text("x", "utf-8")
    with pytest.raises(SystemExit, match="not empty"):
        load_synth().build(tmp_path, clips=10, loans=50, activities=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    with pytest.raises(SystemExit, match="too few loans"):
        load_synth().build(tmp_path / "new", clips=100, loans=20, activities=30)
    assert not (tmp_path / "new").exists()


def test_session_register(synth_home, synth_copy):
    """The ``synth_home`` fixture: the small register, built now for the OS user, which verifies; its copy
    for tests that write."""
    assert query(synth_home, "SELECT COUNT(*) FROM clip")[0][0] == SYNTH_SMALL["clips"]
    assert query(synth_home, "SELECT COUNT(*) FROM loan WHERE end_at IS NULL")[0][0] == 40
    proc = avledger(synth_copy, "audit", "verify")
    assert proc.returncode == 0, proc.stdout + proc.stderr
