"""How audit entries read on screen: action and object names, and what changed.

Pure functions over :class:`~avledger.services.views.AuditView`; names of
departments and staff are looked up in plain dicts the screen loads through
the services.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from avledger.i18n import N_, _
from avledger.profile import EDITABLE_FIELDS
from avledger.services.views import AuditView
from avledger.vocab import (
    ABILITIES,
    ALLOCATION_CLASSES,
    AUDIT_ACTIONS,
    AUDIT_ENTITIES,
    DEVICE_KINDS,
    DEVICE_STATUSES,
    MEDIA_TIME,
    ROLES,
    label,
    labels,
)

ENTITIES = AUDIT_ENTITIES

FIELDS: dict[str, str] = {
    "unit": N_("单位名称"),
    "preset": N_("预设"),
    "profile": N_("办公室配置"),
    "created_at": N_("建立时间"),
    "name": N_("名称"),
    "alloc_class": N_("配备类别"),
    "number": N_("工号"),
    "department": N_("科室"),
    "cert_no": N_("执法证号"),
    "roles": N_("角色"),
    "active": N_("在职"),
    "os_user": N_("系统用户名"),
    "asset_no": N_("资产编号"),
    "kind": N_("类型"),
    "model": N_("型号"),
    "serial": N_("序列号"),
    "fixed_asset_no": N_("固定资产编号"),
    "purchased": N_("购置日期"),
    "price_fen": N_("原价（元）"),
    "custodian": N_("保管人"),
    "status": N_("状态"),
    "abilities": N_("功能"),
    "media_time": N_("媒体时间"),
    "notes": N_("备注"),
    "title": N_("标题"),
    "case_name": N_("案件名称"),
    "case_no": N_("案号"),
    "party": N_("当事人"),
    "place": N_("地点"),
    "start_at": N_("开始时间"),
    "end_at": N_("结束时间"),
    "full_record": N_("全程记录"),
    "circumstances": N_("情形"),
    "confidential": N_("涉密"),
    "long_term": N_("长期保存"),
    "closed_at": N_("结案日期"),
    "original_name": N_("文件名"),
    "archive_path": N_("存储位置"),
    "late_reason": N_("逾期原因"),
    "reason": N_("原因"),
    "note": N_("补充说明"),
    "reported": N_("书面报告"),
    "basis": N_("情况说明"),
    "staff": N_("人员"),
    "fingerprint": N_("指纹"),
    "comment": N_("备注"),
    "added_at": N_("添加时间"),
    "removed_at": N_("撤销时间"),
}


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


@dataclass(frozen=True)
class Change:
    field: str  # label in the user's language
    before: str
    after: str


def _value(key: str, value: Any, names: Names) -> str:
    if value is None or value == "":
        return "—"
    if key == "kind":
        return label(DEVICE_KINDS, value)
    if key == "status":
        return label(DEVICE_STATUSES, value)
    if key == "alloc_class":
        return label(ALLOCATION_CLASSES, value)
    if key == "media_time":
        return label(MEDIA_TIME, value)
    if key == "roles":
        return labels(ROLES, [v for v in str(value).split(",") if v]) or "—"
    if key == "abilities":
        return labels(ABILITIES, [v for v in str(value).split(",") if v]) or "—"
    if key == "active":
        return _("在职") if value else _("离职")
    if key == "price_fen" and isinstance(value, int):
        return f"{value / 100:.2f}"
    if key == "department" and isinstance(value, int):
        return names.departments.get(value, f"#{value}")
    if key in ("custodian", "holder", "staff") and isinstance(value, int):
        return names.staff.get(value, f"#{value}")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return str(value)


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
    order = list(FIELDS)
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
        name = _(FIELDS[key]) if key in FIELDS else key
        rows.append(
            Change(
                name,
                _value(key, old, names) if entry.before is not None else "",
                _value(key, new, names) if entry.after is not None else "",
            )
        )
    return rows
