"""Plain rows handed to the front ends (no ORM objects reach a widget)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class DepartmentView:
    id: int
    name: str
    alloc_class: str
    staff_count: int
    officer_count: int


@dataclass(frozen=True)
class StaffView:
    id: int
    name: str
    number: str
    department: str
    cert_no: str | None
    roles: tuple[str, ...]
    active: bool
    os_user: str | None

    @property
    def is_enforcement(self) -> bool:
        return bool(self.cert_no) and self.active


@dataclass(frozen=True)
class DeviceView:
    id: int
    asset_no: str
    kind: str
    model: str
    serial: str
    fixed_asset_no: str
    purchased: dt.date | None
    price_yuan: str | None
    department: str
    custodian: str
    custodian_number: str
    status: str
    abilities: tuple[str, ...]
    media_time: str
    notes: str
    holder: str | None = None
    holder_number: str | None = None


@dataclass(frozen=True)
class AllocationRow:
    department: str
    alloc_class: str
    officers: int
    working_devices: int
    required: int | None  # None: class C, by need
    shortfall: int


@dataclass(frozen=True)
class AuditView:
    id: int
    at: dt.datetime
    actor: str
    action: str
    entity: str
    entity_id: int | None
    summary: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class KeyView:
    """A registered SSH key (``avledger ssh list``)."""

    id: int
    staff_number: str
    staff_name: str
    kind: str
    fingerprint: str
    comment: str
    added_at: dt.datetime
    removed_at: dt.datetime | None
    state: str  # active | removed | left (its member of staff has left: it opens nothing)


@dataclass(frozen=True)
class WhoView:
    """Who is acting (``avledger whoami``): the account, how, the member of staff, roles, what they may do."""

    account: str
    how: str  # staff | administrator | ssh | nobody
    key_id: int | None
    staff_number: str | None
    staff_name: str | None
    roles: tuple[str, ...]
    actions: tuple[str, ...]  # the permission table's actions, in its order


def to_json(view) -> dict:
    """A view as JSON-ready data (dates as ISO text)."""
    data = asdict(view)
    for key, value in data.items():
        if isinstance(value, (dt.date, dt.datetime)):
            data[key] = value.isoformat()
        elif isinstance(value, tuple):
            data[key] = list(value)
    return data
