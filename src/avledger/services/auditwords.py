"""The audit log in words, for the printed register: what an entry is about (设备 JL-2023-001, 光盘 AVL…,
音像文件 VID_0001.MP4) and its summary with the codes it was written with (``return``, ``dark_no_infrared``,
``33 min``) read as their labels.

The log's entries themselves are never changed (they are chained): only how they print. The objects are
looked up a batch of entries at a time, one query per kind of object.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from avledger.i18n import _
from avledger.models.schema import (
    Activity,
    Clip,
    Department,
    Device,
    DeviceRetirement,
    Disc,
    DiscBurn,
    DiscCheck,
    DiscCopy,
    Fault,
    Liability,
    Loan,
    Staff,
    Upkeep,
)
from avledger.vocab import (
    ACCESS_KINDS,
    ACCESS_REASONS,
    AUDIT_ACTIONS,
    AUDIT_ENTITIES,
    DEVICE_STATUSES,
    DISC_CHECK_RESULTS,
    DISC_MEDIA,
    GAP_REASONS,
    HISTORY_KINDS,
    NORECORD_REASONS,
    label,
)

# The codes a summary may hold, with their labels (the first vocabulary naming a code wins).
_VOCABULARIES = (
    HISTORY_KINDS,
    GAP_REASONS,
    NORECORD_REASONS,
    ACCESS_KINDS,
    ACCESS_REASONS,
    DEVICE_STATUSES,
    DISC_CHECK_RESULTS,
    DISC_MEDIA,
    AUDIT_ACTIONS,
)
_CODE = re.compile(r"(?<![\w./\\-])[a-z][a-z_]*[a-z](?![\w./\\-])")
_MINUTES = re.compile(r"(?<![\w.])(\d+) min\b")
_SECONDS = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)s\b")


def summary_words(summary: str) -> str:
    """``summary`` with each code a vocabulary knows as its label, and lengths of time in words."""

    def code(match: re.Match) -> str:
        for vocab in _VOCABULARIES:
            if match.group(0) in vocab:
                return label(vocab, match.group(0))
        return match.group(0)

    text = _CODE.sub(code, summary or "")
    text = _MINUTES.sub(lambda m: _("{n} 分钟").format(n=m.group(1)), text)
    return _SECONDS.sub(lambda m: _("{s} 秒").format(s=m.group(1)), text)


def _device_of(model):
    return lambda ids: dict(model.select(model.id, Device.asset_no).join(Device).where(model.id.in_(ids)).tuples())


def _disc_of(model):
    def names(ids):
        return {
            i: _("{volume} 第 {copy} 份").format(volume=volume, copy=copy) if copy else volume
            for i, volume, copy in model.select(model.id, Disc.volume_id, model.copy)
            .join(Disc, on=(model.disc == Disc.id))
            .where(model.id.in_(ids))
            .tuples()
        }

    return names


def _checked_disc(ids):
    return dict(
        DiscCheck.select(DiscCheck.id, Disc.volume_id)
        .join(Disc, on=(DiscCheck.disc == Disc.id))
        .where(DiscCheck.id.in_(ids))
        .tuples()
    )


def _activities(ids):
    return {
        i: case_no or title
        for i, case_no, title in Activity.select(Activity.id, Activity.case_no, Activity.title)
        .where(Activity.id.in_(ids))
        .tuples()
    }


_NAMES = {
    "device": lambda ids: dict(Device.select(Device.id, Device.asset_no).where(Device.id.in_(ids)).tuples()),
    "loan": _device_of(Loan),
    "fault": _device_of(Fault),
    "liability": _device_of(Liability),
    "clip": lambda ids: dict(Clip.select(Clip.id, Clip.original_name).where(Clip.id.in_(ids)).tuples()),
    "staff": lambda ids: {
        i: f"{name}（{number}）"
        for i, name, number in Staff.select(Staff.id, Staff.name, Staff.number).where(Staff.id.in_(ids)).tuples()
    },
    "department": lambda ids: dict(
        Department.select(Department.id, Department.name).where(Department.id.in_(ids)).tuples()
    ),
    "activity": _activities,
    "disc": lambda ids: dict(Disc.select(Disc.id, Disc.volume_id).where(Disc.id.in_(ids)).tuples()),
    "disc_copy": _disc_of(DiscCopy),
    "disc_burn": _disc_of(DiscBurn),
    "disc_check": _checked_disc,
    "device_retirement": _device_of(DeviceRetirement),
    "upkeep": _device_of(Upkeep),
}


def object_names(pairs: Iterable[tuple[str, int | None]]) -> dict[tuple[str, int | None], str]:
    """What each (entity, id) is, in words: its kind and its name (设备 JL-2023-001), or its number when it
    has no name here or is gone (查阅申请 第 3 号)."""
    wanted: dict[str, set[int]] = {}
    for entity, entity_id in pairs:
        if entity_id is not None:
            wanted.setdefault(entity, set()).add(entity_id)
    found: dict[str, dict[int, str]] = {
        entity: _NAMES[entity](sorted(ids)) for entity, ids in wanted.items() if entity in _NAMES
    }
    names = {}
    for entity, entity_id in pairs:
        kind = label(AUDIT_ENTITIES, entity)
        if entity_id is None or entity == "office":  # (one office)
            names[(entity, entity_id)] = kind
            continue
        name = found.get(entity, {}).get(entity_id)
        number = _("{kind} 第 {id} 号").format(kind=kind, id=entity_id)
        names[(entity, entity_id)] = f"{kind} {name}" if name else number
    return names
