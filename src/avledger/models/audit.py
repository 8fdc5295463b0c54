"""The tamper-evident audit log.

Every change to the register appends one :class:`AuditEvent` in the same
transaction as the change. Each entry's hash covers its own fields and the
previous entry's hash, so editing, deleting or reordering entries breaks the
chain. :func:`verify` also compares every audited row with the state the log
last recorded for it, so a register row edited, inserted or deleted by hand
(for example with ``sqlite3``) is found as well.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from peewee import Model

from avledger.models.schema import AUDITED, AuditEvent

GENESIS = "0" * 64


def jsonable(value: Any) -> Any:
    """A value as the log records it: datetimes as "YYYY-MM-DD HH:MM:SS[.ffffff]", dates as "YYYY-MM-DD"
    (the text SQLite holds for them), anything else as it is."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def snapshot_of(model: type[Model], data: Mapping[str, Any]) -> dict[str, Any]:
    """The log's record of a row of ``model`` whose values (by field name, foreign keys as ids) are ``data``,
    in the model's field order."""
    return {name: jsonable(data.get(name)) for name in model._meta.sorted_field_names}


def snapshot(instance: Model) -> dict[str, Any]:
    """The row's stored values, as the log records them."""
    return snapshot_of(type(instance), instance.__data__)


def canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def entry_hash(
    prev_hash: str,
    at: str,
    actor: str,
    actor_staff_id: int | None,
    action: str,
    entity: str,
    entity_id: int | None,
    summary: str,
    before: str | None,
    after: str | None,
) -> str:
    payload = canonical([at, actor, actor_staff_id, action, entity, entity_id, summary, before, after])
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a staff member mapped from the OS user, else the OS user."""

    name: str
    staff_id: int | None = None


def append(
    actor: Actor,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    before: dict | None,
    after: dict | None,
    at: dt.datetime,
    summary: str = "",
) -> AuditEvent:
    """Append one entry. Call inside the transaction that makes the change."""
    last = AuditEvent.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).first()
    prev_hash = last.hash if last else GENESIS
    return AuditEvent.create(
        **entry(prev_hash, actor, action, entity, entity_id, before=before, after=after, at=at, summary=summary)
    )


def entry(
    prev_hash: str,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    before: dict | None,
    after: dict | None,
    at: dt.datetime,
    summary: str = "",
) -> dict[str, Any]:
    """The columns of the entry that follows the one hashed ``prev_hash`` (its own hash included), by field name."""
    before_s = canonical(before) if before is not None else None
    after_s = canonical(after) if after is not None else None
    digest = entry_hash(
        prev_hash, jsonable(at), actor.name, actor.staff_id, action, entity, entity_id, summary, before_s, after_s
    )
    return {
        "at": at,
        "actor": actor.name,
        "actor_staff_id": actor.staff_id,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "summary": summary,
        "before": before_s,
        "after": after_s,
        "prev_hash": prev_hash,
        "hash": digest,
    }


@dataclass(frozen=True)
class Problem:
    kind: str  # chain_edited, chain_broken, row_changed, row_deleted, row_unaudited
    event_id: int | None
    entity: str | None
    entity_id: int | None
    fields: tuple[str, ...] = ()


@dataclass
class VerifyResult:
    events: int = 0
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_bad_event(self) -> int | None:
        return next((p.event_id for p in self.problems if p.kind.startswith("chain")), None)


def verify() -> VerifyResult:
    """Walk the chain and compare every audited row with its last logged state."""
    result = VerifyResult()
    prev_hash = GENESIS
    last_state: dict[tuple[str, int], str | None] = {}
    query = AuditEvent.select().order_by(AuditEvent.id).tuples().iterator()
    columns = [f.name for f in AuditEvent._meta.sorted_fields]
    chain_reported = False
    for row in query:
        ev = dict(zip(columns, row))
        result.events += 1
        at_s = jsonable(ev["at"]) if not isinstance(ev["at"], str) else ev["at"]
        expected = entry_hash(
            ev["prev_hash"],
            at_s,
            ev["actor"],
            ev["actor_staff_id"],
            ev["action"],
            ev["entity"],
            ev["entity_id"],
            ev["summary"],
            ev["before"],
            ev["after"],
        )
        if not chain_reported:
            if expected != ev["hash"]:
                result.problems.append(Problem("chain_edited", ev["id"], ev["entity"], ev["entity_id"]))
                chain_reported = True
            elif ev["prev_hash"] != prev_hash:
                result.problems.append(Problem("chain_broken", ev["id"], ev["entity"], ev["entity_id"]))
                chain_reported = True
        prev_hash = ev["hash"]
        # A view or preview touches a row without changing it (no after-state): the state stays.
        if (
            ev["entity"] in AUDITED
            and ev["entity_id"] is not None
            and (ev["after"] is not None or ev["action"] == "delete")
        ):
            last_state[(ev["entity"], ev["entity_id"])] = ev["after"]
    for entity, model in AUDITED.items():
        seen: set[int] = set()
        for instance in model.select().order_by(model.id).iterator():
            result.rows += 1
            seen.add(instance.id)
            key = (entity, instance.id)
            if key not in last_state or last_state[key] is None:
                result.problems.append(Problem("row_unaudited", None, entity, instance.id))
                continue
            logged = json.loads(last_state[key])
            now = snapshot(instance)
            diff = tuple(sorted(k for k in set(logged) | set(now) if logged.get(k) != now.get(k)))
            if diff:
                result.problems.append(Problem("row_changed", None, entity, instance.id, diff))
        for (ent, ent_id), after in last_state.items():
            if ent == entity and after is not None and ent_id not in seen:
                result.problems.append(Problem("row_deleted", None, entity, ent_id))
    return result
