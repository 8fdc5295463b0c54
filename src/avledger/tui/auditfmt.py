"""How audit entries read on screen: action and object names, and what changed.

Pure functions over :class:`~avledger.services.views.AuditView`; fields by
their labels, values in words and times in local time come from
:mod:`avledger.auditfields` (shared with the CLI); names of departments,
staff and devices are looked up in plain dicts the screen loads through the
services.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from avledger.auditfields import field_label, field_order, field_value
from avledger.i18n import _
from avledger.profile import EDITABLE_FIELDS
from avledger.services.views import AuditView
from avledger.vocab import AUDIT_ACTIONS, AUDIT_ENTITIES, label

ENTITIES = AUDIT_ENTITIES


def action_label(action: str) -> str:
    return label(AUDIT_ACTIONS, action)


def entity_label(entity: str, entity_id: int | None = None) -> str:
    name = label(ENTITIES, entity)
    return name if entity_id is None else f"{name} #{entity_id}"


@dataclass
class Names:
    """Ids the log records, with the names a person reads."""

    departments: dict[int, str] = field(default_factory=dict)
    staff: dict[int, str] = field(default_factory=dict)
    devices: dict[int, str] = field(default_factory=dict)  # asset numbers
    tz: ZoneInfo | None = None  # the office's: times show in its local time


@dataclass(frozen=True)
class Change:
    field: str  # label in the user's language
    before: str
    after: str


def _value(entity: str, key: str, value: Any, names: Names) -> str:
    return field_value(
        entity,
        key,
        value,
        names.tz,
        person=names.staff.get,
        department=names.departments.get,
        device=names.devices.get,
    )


def _flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for key, value in data.items():
            out.update(_flatten(value, f"{prefix}{key}."))
        return out
    return {prefix[:-1]: data}


_PROFILE_LABELS = {f.path: f.label for f in EDITABLE_FIELDS}


def _profile_changes(before: str | None, after: str | None) -> list[Change]:
    try:
        old = _flatten(json.loads(before)) if before else {}
        new = _flatten(json.loads(after)) if after else {}
    except (TypeError, ValueError):
        return [Change(_("办公室配置"), before or "—", after or "—")]
    changes = []
    for path in sorted(set(old) | set(new)):
        if old.get(path) != new.get(path):
            name = _(_PROFILE_LABELS[path]) if path in _PROFILE_LABELS else path
            changes.append(Change(name, _plain(old.get(path)), _plain(new.get(path))))
    return changes


def _plain(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def changes(entry: AuditView, names: Names, *, all_fields: bool = False) -> list[Change]:
    """What the entry changed: every field for a creation, the changed ones otherwise."""
    try:
        before = json.loads(entry.before) if entry.before else {}
        after = json.loads(entry.after) if entry.after else {}
    except ValueError:
        return [Change(_("内容"), entry.before or "—", entry.after or "—")]
    if not isinstance(before, dict) or not isinstance(after, dict):
        return [Change(_("内容"), entry.before or "—", entry.after or "—")]
    order = field_order(entry.entity)
    keys = sorted(
        dict.fromkeys([*after.keys(), *before.keys()]), key=lambda k: (order.index(k) if k in order else len(order), k)
    )
    rows: list[Change] = []
    for key in keys:
        if key == "id":
            continue
        old, new = before.get(key), after.get(key)
        if not all_fields and entry.before is not None and old == new:
            continue
        if key == "profile":
            if old != new:
                rows.extend(_profile_changes(old if entry.before else None, new))
            continue
        rows.append(
            Change(
                field_label(entry.entity, key),
                _value(entry.entity, key, old, names) if entry.before is not None else "",
                _value(entry.entity, key, new, names) if entry.after is not None else "",
            )
        )
    return rows
