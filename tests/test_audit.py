"""The audit chain detects hand edits made with the sqlite3 command."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess

import pytest

from avledger.identity import Identity
from avledger.models.schema import AuditEvent
from conftest import recompute_chain

SQLITE3 = shutil.which("sqlite3")


def hand_edit(services, sql: str) -> None:
    """Edit the register behind the program's back, as a person with sqlite3 would."""
    services.close()
    if SQLITE3:
        subprocess.run([SQLITE3, str(services.home.db_path), sql], check=True)
    else:  # pragma: no cover - ./test installs sqlite3
        with sqlite3.connect(services.home.db_path) as con:
            con.executescript(sql)


def reopen(services):
    from avledger.services import Services

    return Services(services.home, Identity.console("tester"))


@pytest.fixture
def register(services):
    services.devices.add("JL-001", "bodycam", "执法一队", "2001")
    services.devices.add("JL-002", "bodycam", "执法一队", "2001")
    services.devices.update("JL-002", notes="电池老化")
    assert services.audit.verify().ok
    return services


def test_clean_register_verifies(register):
    result = register.audit.verify()
    assert result.ok and result.events == AuditEvent.select().count() and result.rows > 0


def test_edited_register_row_detected(register):
    hand_edit(register, "UPDATE device SET status='lost' WHERE asset_no='JL-001';")
    svc = reopen(register)
    result = svc.audit.verify()
    assert not result.ok
    [problem] = result.problems
    assert problem.kind == "row_changed" and problem.entity == "device" and problem.fields == ("status",)
    svc.close()


def test_deleted_register_row_detected(register):
    hand_edit(register, "DELETE FROM device WHERE asset_no='JL-002';")
    svc = reopen(register)
    assert [p.kind for p in svc.audit.verify().problems] == ["row_deleted"]
    svc.close()


def test_inserted_register_row_detected(register):
    hand_edit(
        register,
        "INSERT INTO device (asset_no, kind, department_id, custodian_id, status) "
        "VALUES ('FAKE', 'bodycam', 1, 1, 'in_store');",
    )
    svc = reopen(register)
    assert [p.kind for p in svc.audit.verify().problems] == ["row_unaudited"]
    svc.close()


def test_edited_log_entry_named(register):
    target = AuditEvent.select().order_by(AuditEvent.id).offset(3).first().id
    hand_edit(register, f"UPDATE audit_event SET actor='someone else' WHERE id={target};")
    svc = reopen(register)
    result = svc.audit.verify(full=True)
    assert result.first_bad_event == target
    assert result.problems[0].kind == "chain_edited"
    assert result.full and result.checked == result.events == AuditEvent.select().count()
    # by default the hashes are computed again from the newest witness that still matches, here the last entry
    quick = svc.audit.verify()
    assert not quick.full and quick.start.n == quick.head.n == quick.events and quick.checked == 1
    svc.close()


def test_deleted_log_entry_named(register):
    target = AuditEvent.select().order_by(AuditEvent.id).offset(2).first().id
    hand_edit(register, f"DELETE FROM audit_event WHERE id={target};")
    svc = reopen(register)
    result = svc.audit.verify()
    assert result.problems[0].kind == "chain_broken"
    assert result.first_bad_event > target
    svc.close()


def test_deleting_last_entry_is_found_through_the_row_and_the_witness(register):
    last = AuditEvent.select().order_by(AuditEvent.id.desc()).first().id
    hand_edit(register, f"DELETE FROM audit_event WHERE id={last};")
    svc = reopen(register)
    kinds = [p.kind for p in svc.audit.verify().problems]
    assert kinds == ["witness_ahead", "row_changed"]  # the device now differs from what the log last says
    svc.close()


def test_deleting_an_entry_and_recomputing_the_rest_leaves_a_gap(register):
    """No witness needed: entries are numbered without gaps, so a deletion shows even when the chain after it
    was recomputed; the quick check sees the count disagree with the last number and walks the whole chain."""
    target = AuditEvent.select().order_by(AuditEvent.id).offset(2).first().id
    register.home.witness_path.unlink()
    hand_edit(register, f"DELETE FROM audit_event WHERE id={target};")
    recompute_chain(register.home.db_path, target + 1)
    svc = reopen(register)
    result = svc.audit.verify()
    assert result.full and result.first_bad_event == target + 1 and result.problems[0].kind == "chain_broken"
    svc.close()


def test_the_last_states_come_from_the_partial_index_without_a_sort(register):
    """audit verify's row check is one pass over each table with index lookups (migration 6), with no temporary
    B-tree whose size would grow with the register (the rows found deleted are sorted: only those)."""
    from avledger.models.audit import _GONE, differing_rows_sql
    from avledger.models.schema import Device

    def plan(sql: str) -> list[str]:
        return [row[3] for row in register.db.execute_sql("EXPLAIN QUERY PLAN " + sql, ("device",))]

    differing = plan(differing_rows_sql(Device))
    assert differing[0] == "SCAN t" and not any("TEMP" in step for step in differing), differing
    assert any("USING INDEX audit_event_state (entity=? AND entity_id=?)" in step for step in differing), differing
    gone = plan(_GONE.format(table="device"))
    assert any("USING INDEX audit_event_state" in step for step in gone), gone
    assert not any(step.startswith("SCAN audit_event") for step in gone), gone


def test_what_sqlite_words_differently_is_compared_again_exactly(register):
    """The fast paths let SQLite write the JSON; where it words a value otherwise than Python (a float that needs
    17 digits), the exact comparison decides, and finds nothing wrong."""
    from avledger.models.audit import differing_rows_sql
    from avledger.models.schema import Loan
    from avledger.services.lending import PreCheck

    register.lending.issue("JL-001", "2001", PreCheck(80, 10.1 + 20.2, 2, True), purpose="日常检查")
    suspects = register.db.execute_sql(differing_rows_sql(Loan), ("loan",)).fetchall()
    assert suspects == [(1,)]  # SQLite wrote 30.3 where Python writes 30.299999999999997
    result = register.audit.verify(full=True)
    assert result.ok, result.problems


def test_a_blob_put_in_by_hand_is_found_the_exact_way(register):
    hand_edit(register, "UPDATE device SET notes = X'00FF' WHERE asset_no = 'JL-001';")
    svc = reopen(register)
    assert [(p.kind, p.fields) for p in svc.audit.verify().problems] == [("row_changed", ("notes",))]
    svc.close()
    target = AuditEvent.select().order_by(AuditEvent.id).offset(1).first().id
    hand_edit(
        register,
        f"UPDATE device SET notes = '' WHERE asset_no = 'JL-001';"
        f" UPDATE audit_event SET summary = X'01' WHERE id = {target};",
    )
    svc = reopen(register)
    result = svc.audit.verify(full=True)
    assert [(p.kind, p.event_id) for p in result.problems] == [("chain_edited", target)]
    assert result.checked == result.events
    svc.close()


def test_cli_verify_exit_codes(register, cli):
    register.close()
    ok = cli("audit", "verify")
    assert ok.code == 0, ok.err
    hand_edit(register, "UPDATE staff SET name='改名' WHERE number='2001';")
    bad = cli("audit", "verify")
    assert bad.code == 1
    assert "人员 张伟（2001）" in bad.out and "字段：姓名" in bad.out  # the record and field in words
    data = cli("audit", "verify", "--json").json()
    assert data["ok"] is False and data["problems"][0]["kind"] == "row_changed"


def test_a_state_logged_before_a_column_was_added_reads_as_the_columns_default(register):
    """Migration 16 added a violation's 签收说明 and 代为登记签收人 (NOT NULL DEFAULT ''): a violation logged before
    has no such keys in its state, and is not a changed row; a value put in by hand still is."""
    violation = register.violations.add("2001", "W17", "未按规定移交")
    first = AuditEvent.select().where(AuditEvent.entity == "violation").order_by(AuditEvent.id).first().id
    hand_edit(
        register,
        "UPDATE audit_event SET after = json_remove(after, '$.acknowledged_note', '$.acknowledgement_recorded_by')"
        " WHERE entity = 'violation';",
    )
    recompute_chain(register.home.db_path, first)  # the log as version 15 wrote it
    svc = reopen(register)
    assert [p for p in svc.audit.verify(full=True).problems if p.entity == "violation"] == []
    svc.close()
    hand_edit(register, f"UPDATE violation SET acknowledged_note = '已阅' WHERE id = {violation.id};")
    svc = reopen(register)
    problems = [(p.kind, p.fields) for p in svc.audit.verify(full=True).problems if p.entity == "violation"]
    assert problems == [("row_changed", ("acknowledged_note",))]
    svc.close()
