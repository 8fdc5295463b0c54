"""Issue 15: a plan's records are narrow while planned (plan, clip, keep-until, state); what a file is
comes from its clip's audited row, and is copied into the file's record, kept for ever, when a run deletes it.
A cancel is one statement whatever the plan's size. W14: two years."""

from __future__ import annotations

import sqlite3

from avledger.models.schema import AuditEvent
from test_retention import _at, _office

DETAILS = "original_name, archive_path, sha256, size, recorded_at, ingested_at, activity_id"


def _records(home) -> list[tuple]:
    with sqlite3.connect(home.db_path) as con:
        return con.execute(f"SELECT clip_id, state, {DETAILS} FROM disposal ORDER BY id").fetchall()


def _clips(home) -> dict[int, tuple]:
    with sqlite3.connect(home.db_path) as con:
        rows = con.execute(
            "SELECT id, original_name, archive_path, sha256, size, start_at, ingested_at, activity_id FROM clip"
        ).fetchall()
    return {r[0]: r[1:] for r in rows}


def test_planned_records_are_narrow_and_a_deleted_files_record_is_copied_from_its_clip(home, tmp_path, cli):
    svc, daily, case = _office(home, tmp_path, "wanzhou")
    _at(svc, "2028-02-01 12:00:00")
    plan = svc.disposal.plan()
    svc.disposal.approve(plan.id, "3001", paper_form="QC-1")
    assert _records(home) == [(1, "planned", *[None] * 7), (2, "planned", *[None] * 7)]
    clips = _clips(home)
    listed = cli("dispose", "list", "--plan", str(plan.id), "--json").json()["items"]
    assert [(i["clip"], i["sha256"]) for i in listed] == [(1, clips[1][2]), (2, clips[2][2])]  # from the clips
    assert svc.disposal.run(plan.id).deleted == 2  # the clock of the services: 2028
    svc.close()
    assert cli("audit", "verify").code == 0
    records = _records(home)
    assert [r[:2] for r in records] == [(1, "done"), (2, "done")]
    for clip_id, _state, *details in records:
        assert tuple(details) == clips[clip_id]  # the record holds what the file was
    # a deleted file is shown from its own record, whatever its clip's row says later
    with sqlite3.connect(home.db_path) as con:
        con.execute("UPDATE clip SET original_name = 'renamed.mp4' WHERE id = 1")
    listed = cli("dispose", "list", "--plan", str(plan.id), "--json").json()["items"]
    assert listed[0]["name"] == clips[1][0] != "renamed.mp4"


def test_cancelling_a_plan_is_one_entry_and_leaves_its_records_as_planned(home, tmp_path, cli):
    svc, daily, case = _office(home, tmp_path, "wanzhou")
    _at(svc, "2028-02-01 12:00:00")
    plan = svc.disposal.plan()
    before = _records(home)
    events = AuditEvent.select().count()
    svc.disposal.cancel(plan.id, reason="投诉未结")
    assert AuditEvent.select().count() == events + 1
    assert _records(home) == before  # the plan's status says its files were not disposed of
    assert {(i.state, i.skip_reason) for i in svc.disposal.items(plan)} == {("skipped", "cancelled")}
    assert [c for c, _k in svc.disposal.due()] == [1, 2]  # free for a later plan
    svc.close()
    assert cli("audit", "verify").code == 0


def test_a_clip_changed_behind_the_log_is_not_deleted_nor_copied(home, tmp_path, cli):
    svc, daily, case = _office(home, tmp_path, "wanzhou")
    root = svc.ingest.archive_root()
    _at(svc, "2028-02-01 12:00:00")
    plan = svc.disposal.plan()
    svc.disposal.approve(plan.id, "3001", paper_form="QC-1")
    clips = _clips(home)
    with sqlite3.connect(home.db_path) as con:  # the file is as it was; its clip's row is not
        con.execute("UPDATE clip SET original_name = 'other.mp4' WHERE id = 1")
    ran = svc.disposal.run(plan.id)
    svc.close()
    assert ran.skipped == [(1, "changed")] and ran.deleted == 1
    assert (root / clips[1][1]).is_file() and not (root / clips[2][1]).exists()
    assert [r[:3] for r in _records(home)] == [(1, "skipped", None), (2, "done", clips[2][0])]
