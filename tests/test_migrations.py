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


def test_migration_11_adds_retirement_and_upkeep_to_a_register_with_devices(tmp_path):
    """Issue 15: a version-10 register keeps its devices and gains the retirement and upkeep tables, empty."""
    path = tmp_path / "v10.db"
    db = SqliteDatabase(str(path))
    db.connect()
    migrate(db, target=10)
    db.execute_sql("INSERT INTO department (name, alloc_class) VALUES ('一队', 'A')")
    db.execute_sql("INSERT INTO staff (name, number, department_id, roles) VALUES ('张伟', '2001', 1, 'officer')")
    db.execute_sql(
        "INSERT INTO device (asset_no, kind, department_id, custodian_id, status)"
        " VALUES ('JL-1', 'bodycam', 1, 1, 'in_store')"
    )
    migrate(db, target=11)
    assert db.execute_sql("SELECT asset_no, status FROM device").fetchall() == [("JL-1", "in_store")]
    for table in ("device_retirement", "upkeep"):
        assert db.execute_sql(f"SELECT count(*) FROM {table}").fetchone() == (0,)
    assert {"reason", "approved_by_id", "paper_form_no"} <= columns(db, "device_retirement")
    db.close()
