"""Schema migrations: an older register upgrades to the current schema."""

from __future__ import annotations

import sqlite3

import pytest
from peewee import SqliteDatabase

from avledger.models.db import MIGRATIONS, SCHEMA_VERSION, migrate, schema_version
from avledger.models.schema import ALL_MODELS


def columns(db: SqliteDatabase, table: str) -> set[str]:
    return {row[1] for row in db.execute_sql(f"PRAGMA table_info({table})").fetchall()}


@pytest.mark.parametrize("start", range(0, SCHEMA_VERSION + 1))
def test_upgrade_from_every_version(tmp_path, start):
    path = tmp_path / "old.db"
    db = SqliteDatabase(str(path))
    db.connect()
    migrate(db, target=start)
    assert schema_version(db) == start
    db.close()
    # a later program opens it
    db = SqliteDatabase(str(path))
    db.connect()
    migrate(db)
    assert schema_version(db) == SCHEMA_VERSION
    for model in ALL_MODELS:
        table = model._meta.table_name
        assert {f.column_name for f in model._meta.sorted_fields} <= columns(db, table), table
    db.close()


def test_data_survives_upgrade(tmp_path):
    """Rows written at version 1 are still there after upgrading."""
    path = tmp_path / "v1.db"
    db = SqliteDatabase(str(path))
    db.connect()
    migrate(db, target=1)
    db.execute_sql("INSERT INTO department (name, alloc_class) VALUES ('一队', 'A')")
    db.close()
    db = SqliteDatabase(str(path))
    db.connect()
    migrate(db)
    assert db.execute_sql("SELECT name FROM department").fetchall() == [("一队",)]
    db.close()


def test_newer_register_refused(tmp_path):
    from avledger.errors import UserError

    path = tmp_path / "future.db"
    with sqlite3.connect(path) as con:
        con.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    db = SqliteDatabase(str(path))
    db.connect()
    with pytest.raises(UserError) as info:
        migrate(db)
    assert info.value.code == "database.too_new"
    db.close()


def test_an_older_register_gets_the_index_audit_verify_uses(tmp_path):
    """Migration 6 indexes, on a register of version 5 with its log, the entries that set a row's state."""
    path = tmp_path / "v5.db"
    db = SqliteDatabase(str(path))
    db.connect()
    migrate(db, target=5)
    for n, (action, after) in enumerate([("create", "{}"), ("view", None), ("delete", None)], start=1):
        db.execute_sql(
            "INSERT INTO audit_event (at, actor, action, entity, entity_id, after, prev_hash, hash)"
            " VALUES ('2026-01-01 00:00:00', 'x', ?, 'device', 1, ?, '', ?)",
            (action, after, str(n)),
        )
    migrate(db)
    [(sql,)] = db.execute_sql("SELECT sql FROM sqlite_master WHERE name = 'audit_event_state'").fetchall()
    assert "WHERE entity_id IS NOT NULL AND (after IS NOT NULL OR action = 'delete')" in sql
    indexed = db.execute_sql(
        "SELECT id FROM audit_event INDEXED BY audit_event_state WHERE entity = 'device'"
        " AND entity_id = 1 AND (after IS NOT NULL OR action = 'delete') ORDER BY id"
    )
    assert [row[0] for row in indexed] == [1, 3]  # a view sets no state
    db.close()


def test_an_older_register_gets_the_checklist_table(tmp_path):
    """Migration 11: a register of version 10 gets the record checklist's ticks, one per activity and item."""
    path = tmp_path / "v10.db"
    db = SqliteDatabase(str(path))
    db.connect()
    migrate(db, target=10)
    assert "checklist_tick" not in {r[0] for r in db.execute_sql("SELECT name FROM sqlite_master").fetchall()}
    migrate(db, target=11)
    assert {"activity_id", "item", "content", "ticked_by_id", "ticked_at", "note"} <= columns(db, "checklist_tick")
    db.execute_sql("INSERT INTO checklist_tick (activity_id, item, content, ticked_at) VALUES (1, 'a', 'x', 'now')")
    with pytest.raises(Exception, match="UNIQUE"):
        db.execute_sql("INSERT INTO checklist_tick (activity_id, item, content, ticked_at) VALUES (1, 'a', 'y', 'now')")
    db.close()


def test_an_older_register_gets_spot_checks_and_violations(tmp_path):
    """Migration 13 adds the spot checks, their drawn activities and the violations to a register of version 12,
    whose rows stay as they were."""
    path = tmp_path / "v12.db"
    db = SqliteDatabase(str(path))
    db.connect()
    migrate(db, target=12)
    db.execute_sql("INSERT INTO department (name, alloc_class) VALUES ('一队', 'A')")
    assert not db.table_exists("violation")
    migrate(db, target=13)
    for table in ("spot_check", "spot_check_activity", "violation"):
        assert db.table_exists(table), table
    assert {"seed", "population", "items"} <= columns(db, "spot_check")
    assert {"sanction", "suspended_from", "until", "check_id"} <= columns(db, "violation")
    assert db.execute_sql("SELECT name FROM department").fetchall() == [("一队",)]
    db.close()


def test_the_retention_migration_adds_its_tables_and_leaves_the_audited_rows_alone(home, tmp_path):
    """Migration 14 (retention, F11) adds the holds, case files and disposal tables beside a register's
    rows without changing them: audit verify of a register made before it stays clean after it."""
    from avledger.identity import Identity
    from avledger.services import Services

    services = Services(home, Identity.console("tester"))
    services.office.init("测试局", "ruzhou")
    services.departments.add("执法一队", "A")
    services.close()
    with sqlite3.connect(home.db_path) as con:  # back to version 13, as an older avledger left it
        for table in ("disposal", "disposal_plan", "case_file", "retention_hold", "device_retirement", "upkeep"):
            con.execute(f"DROP TABLE {table}")
        for column in ("acknowledged_at", "acknowledged_note", "acknowledgement_recorded_by"):  # (16)
            con.execute(f"ALTER TABLE violation DROP COLUMN {column}")
        for index in ("clip_holder_stats", "loan_holder_stats"):  # (17)
            con.execute(f"DROP INDEX {index}")
        con.execute("ALTER TABLE access_request DROP COLUMN spot_check_id")  # (18)
        con.execute("PRAGMA user_version = 13")
    services = Services(home, Identity.console("tester"))
    tables = {r[0] for r in services.db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"retention_hold", "case_file", "disposal_plan", "disposal"} <= tables
    assert services.audit.verify().ok
    services.close()


def test_migration_15_adds_retirement_and_upkeep_to_a_register_with_devices(tmp_path):
    """Issue 15: a version-14 register keeps its devices and gains the retirement and upkeep tables, empty."""
    path = tmp_path / "v14.db"
    db = SqliteDatabase(str(path))
    db.connect()
    migrate(db, target=14)
    db.execute_sql("INSERT INTO department (name, alloc_class) VALUES ('一队', 'A')")
    db.execute_sql("INSERT INTO staff (name, number, department_id, roles) VALUES ('张伟', '2001', 1, 'officer')")
    db.execute_sql(
        "INSERT INTO device (asset_no, kind, department_id, custodian_id, status)"
        " VALUES ('JL-1', 'bodycam', 1, 1, 'in_store')"
    )
    migrate(db, target=15)
    assert db.execute_sql("SELECT asset_no, status FROM device").fetchall() == [("JL-1", "in_store")]
    for table in ("device_retirement", "upkeep"):
        assert db.execute_sql(f"SELECT count(*) FROM {table}").fetchone() == (0,)
    assert {"reason", "approved_by_id", "paper_form_no"} <= columns(db, "device_retirement")
    db.close()


def test_migration_16_adds_the_acknowledgement_to_the_violations(tmp_path):
    """Issue 16: a version-15 register keeps its violations, each not yet acknowledged."""
    path = tmp_path / "v15.db"
    db = SqliteDatabase(str(path))
    db.connect()
    migrate(db, target=15)
    db.execute_sql("INSERT INTO department (name, alloc_class) VALUES ('一队', 'A')")
    db.execute_sql("INSERT INTO staff (name, number, department_id, roles) VALUES ('张伟', '2001', 1, 'officer')")
    db.execute_sql(
        "INSERT INTO violation (staff_id, article, what, recorded_at, status) VALUES (1, 'D33', 'x', 'now', 'decided')"
    )
    migrate(db, target=16)
    assert db.execute_sql(
        "SELECT what, acknowledged_at, acknowledged_note, acknowledgement_recorded_by FROM violation"
    ).fetchall() == [("x", None, "", "")]
    db.close()


def test_migration_17_indexes_each_holders_clips_and_loans_for_the_statistics(tmp_path):
    """Issue 16 (statistics in one pass): a version-16 register gains an index of each holder's clips and loans
    by time holding all the statistics count, and a holder's range of them is read from it alone."""
    path = tmp_path / "v16.db"
    db = SqliteDatabase(str(path))
    db.connect()
    migrate(db, target=16)
    migrate(db, target=17)
    counted = {"clip": "sum(duration_s), sum(late = 0)", "loan": "sum(due_at < end_at), count(DISTINCT device_id)"}
    for table, index in (("clip", "clip_holder_stats"), ("loan", "loan_holder_stats")):
        plan = db.execute_sql(
            f"EXPLAIN QUERY PLAN SELECT count(*), {counted[table]} FROM {table}"
            " WHERE holder_id = 1 AND start_at >= '2026-01-01' AND start_at < '2026-02-01'"
        ).fetchall()
        assert f"COVERING INDEX {index} (holder_id=? AND start_at>? AND start_at<?)" in plan[-1][-1]
    db.close()


def test_migration_19_gives_disposal_plans_their_digest_and_cancel_reason_null(tmp_path):
    """Issue 15: a version-18 register's plans keep their rows, the two new columns NULL (their
    files have an entry each; a NULL is what their logged states, which lack the keys, give), and their files'
    records as they were in the rebuilt table."""
    path = tmp_path / "v18.db"
    db = SqliteDatabase(str(path))
    db.connect()
    migrate(db, target=18)
    db.execute_sql(
        "INSERT INTO disposal_plan (status, planned_at, planned_by, due_on, files, bytes)"
        " VALUES ('cancelled', '2028-02-01 04:00:00', '王', '2028-02-01', 2, 10)"
    )
    old_record = (
        1, 1, 5, "VID_0001.MP4", "2026/01/10/a.mp4", "ab" * 32, 10, "2026-01-10 01:10:00", "2026-01-10 04:00:00",
        None, "2028-01-10", "skipped", "cancelled", None, "",
    )  # fmt: skip
    db.execute_sql(f"INSERT INTO disposal VALUES ({', '.join('?' * len(old_record))})", old_record)
    assert "items_digest" not in columns(db, "disposal_plan")
    migrate(db, target=19)
    assert db.execute_sql("SELECT status, files, items_digest, cancel_reason FROM disposal_plan").fetchall() == [
        ("cancelled", 2, None, None)
    ]
    # an older plan's records as they were; a plan's records may now be narrow (what the file is: NULL)
    assert db.execute_sql("SELECT * FROM disposal").fetchall() == [old_record]
    db.execute_sql("INSERT INTO disposal (plan_id, clip_id, keep_until) VALUES (1, 6, '2028-01-10')")
    assert db.execute_sql("SELECT sha256, state FROM disposal WHERE clip_id = 6").fetchall() == [(None, "planned")]
    indexes = {
        r[1]: r[4]
        for r in db.execute_sql(
            "SELECT type, name, tbl_name, rootpage, sql FROM sqlite_master"
            " WHERE tbl_name = 'disposal' AND type = 'index'"
        )
    }
    assert indexes == {
        "disposal_plan_state": "CREATE INDEX disposal_plan_state ON disposal (plan_id, state, clip_id)",
        "disposal_clip": "CREATE INDEX disposal_clip ON disposal (clip_id) WHERE state = 'done'",
    }
    db.close()
