"""What form screens return: plain values, no I/O. The calling screen runs the service."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SetupChoice:
    """First run: create the register for a unit, or the sample office."""

    unit: str = ""
    preset: str = ""
    demo: bool = False


@dataclass(frozen=True)
class DeviceForm:
    asset_no: str
    kind: str
    dept: str
    custodian: str  # staff number
    model: str = ""
    serial: str = ""
    fixed_asset_no: str = ""
    purchased: str = ""  # YYYY-MM-DD or empty
    price: str = ""  # yuan, or empty
    abilities: tuple[str, ...] = ()
    media_time: str = "utc"
    notes: str = ""


@dataclass(frozen=True)
class StaffForm:
    name: str
    number: str
    dept: str
    cert_no: str = ""
    roles: tuple[str, ...] = ()
    os_user: str = ""


@dataclass(frozen=True)
class DepartmentForm:
    name: str
    alloc_class: str


@dataclass(frozen=True)
class Choice:
    """An option of a Select: what the user reads, and the id the service takes."""

    label: str
    value: str


@dataclass(frozen=True)
class IssueForm:
    """领用 at the counter, with the pre-use check (values as typed; the service parses them)."""

    asset_no: str
    holder: str  # staff number
    battery: str
    free_gb: str
    clock_offset: str
    notice_given: bool
    due: str = ""
    purpose: str = ""
    despite: str = ""
    at: str = ""


@dataclass(frozen=True)
class ReturnForm:
    asset_no: str
    content: str = ""
    condition: str = "ok"
    at: str = ""


@dataclass(frozen=True)
class HandoverForm:
    asset_no: str
    to: str  # staff number
    at: str = ""


@dataclass(frozen=True)
class FaultForm:
    description: str
    at: str = ""


@dataclass(frozen=True)
class RepairForm:
    at: str = ""
    outcome: str = ""


@dataclass(frozen=True)
class LiabilityForm:
    kind: str  # damaged | lost
    liable: str  # staff number
    amount: str = ""
    description: str = ""
    at: str = ""
