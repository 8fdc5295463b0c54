"""The audit chain detects hand edits made with the sqlite3 command."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess

import pytest

from avledger.identity import Identity
from avledger.models.schema import AuditEvent

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
    result = svc.audit.verify()
    assert result.first_bad_event == target
    assert result.problems[0].kind == "chain_edited"
    svc.close()


def test_deleted_log_entry_named(register):
    target = AuditEvent.select().order_by(AuditEvent.id).offset(2).first().id
    hand_edit(register, f"DELETE FROM audit_event WHERE id={target};")
    svc = reopen(register)
    result = svc.audit.verify()
    assert result.problems[0].kind == "chain_broken"
    assert result.first_bad_event > target
    svc.close()


def test_deleting_last_entry_is_found_through_the_row(register):
    last = AuditEvent.select().order_by(AuditEvent.id.desc()).first().id
    hand_edit(register, f"DELETE FROM audit_event WHERE id={last};")
    svc = reopen(register)
    kinds = [p.kind for p in svc.audit.verify().problems]
    assert kinds == ["row_changed"]  # the device now differs from what the log last says
    svc.close()


def test_cli_verify_exit_codes(register, cli):
    register.close()
    ok = cli("audit", "verify")
    assert ok.code == 0, ok.err
    hand_edit(register, "UPDATE staff SET name='改名' WHERE number='2001';")
    bad = cli("audit", "verify")
    assert bad.code == 1
    assert "staff#" in bad.out and "name" in bad.out
    data = cli("audit", "verify", "--json").json()
    assert data["ok"] is False and data["problems"][0]["kind"] == "row_changed"
