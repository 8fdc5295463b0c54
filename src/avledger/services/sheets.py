"""What a printable register is, for the modules that declare them (``printforms*``) and for
:mod:`avledger.services.printing`, which prints and exports them.

A register is a data function, decorated with :func:`register`, that turns a
:class:`Scope` (the validated filters, and the services to read from) into a
:class:`Sheet` of plain rows (read once, as they are printed); its columns (:class:`Column`), shared by the PDF
and the export; and a typst template ``templates/NAME.typ``.

This module imports no service: the data functions reach the services through
``scope.services``, so that printing can import them without a cycle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from avledger.i18n import N_, _
from avledger.timeutil import from_local

if TYPE_CHECKING:
    from avledger.models.schema import Activity, Department, Device, Staff
    from avledger.services.access import AccessService
    from avledger.services.activities import ActivityService, NoRecordService
    from avledger.services.allocation import AllocationService
    from avledger.services.auditlog import AuditService
    from avledger.services.base import Context
    from avledger.services.checklist import ChecklistService
    from avledger.services.discs import DiscService
    from avledger.services.footage import FootageService, GapService
    from avledger.services.lending import LendingService
    from avledger.services.register import DepartmentService, DeviceService, StaffService
    from avledger.services.stats import StatsService
    from avledger.services.supervision import SpotCheckService, ViolationService

# Filter name -> the CLI option that sets it (for messages).
FILTER_OPTIONS = {
    "date_from": "--from",
    "date_to": "--to",
    "dept": "--dept",
    "device": "--device",
    "staff": "--staff",
    "activity": "--activity",
    "disc": "--disc",
}


@dataclass(frozen=True)
class Column:
    key: str
    title: str  # message id, translated when printed
    width: float | str = 1  # share of the table's width (typst fr), or "auto"
    align: str = "left"  # left | center | right
    xlsx_width: float = 12  # spreadsheet column width, in characters
    blank: bool = False  # left empty for a handwritten entry (a signature); not exported
    # what a spreadsheet cell holds: text | number | date | datetime | duration (see export); hash: text,
    # printed in one piece (a fingerprint: monospace, wrapping every 16 characters without a space)
    kind: str = "text"
    fit: bool = False  # printed with each word of its cells whole (labels, numbers), as wide as the widest
    narrow_title: bool = False  # its printed title may break after every second Chinese character (many columns)


SEQ = Column("seq", N_("序号"), "auto", "center", 6)  # the running number most registers start with


@dataclass
class Table:
    """A small table a register adds to its spreadsheet as a sheet of its own (the statistics' months): its
    sheet's name, the title over it, the header and the rows (cells as written)."""

    name: str
    title: str
    header: list[str]
    rows: list[list[Any]]


@dataclass
class Sheet:
    """What a data function returns: rows keyed by column key, and extras for its template.

    ``rows`` is read once, as it is printed or exported: a long register gives a generator reading its
    query as it goes (``.iterator()``), so that no list of every row is ever held. ``extra`` is read for
    the template's first page before the first row, and for its last page after the last row: a
    generator may complete it as it goes (a summary of the rows). A row's ``_record`` (not a column) is
    its own form's fields, for the registers printed one form per record (``extra.records``). ``also``: small
    tables exported as sheets of their own after the rows' (an .xlsx; their template prints them from
    ``extra``)."""

    rows: Iterable[dict[str, Any]]
    extra: dict[str, Any] = field(default_factory=dict)
    also: list[Table] = field(default_factory=list)  # more sheets in a workbook (a CSV holds the rows alone)


class RegisterSources(Protocol):
    """The services the registers read (:class:`avledger.services.Services` is one)."""

    departments: DepartmentService
    staff: StaffService
    devices: DeviceService
    allocation: AllocationService
    audit: AuditService
    lending: LendingService
    activities: ActivityService
    norecords: NoRecordService
    footage: FootageService
    gaps: GapService
    access: AccessService
    discs: DiscService
    checklist: ChecklistService
    stats: StatsService
    spotchecks: SpotCheckService
    violations: ViolationService


@dataclass(frozen=True)
class Scope:
    """Validated filters, with the database rows they name, handed to a data function with the services."""

    ctx: Context
    services: RegisterSources
    date_from: dt.date | None = None
    date_to: dt.date | None = None  # inclusive
    dept: Department | None = None
    device: Device | None = None
    staff: Staff | None = None
    activity: Activity | None = None
    disc: str | None = None  # a registered disc's volume id

    @property
    def tz(self):
        return self.ctx.profile().tz

    @property
    def start_utc(self) -> dt.datetime | None:
        """The first moment of the period, as naive UTC (None: from the beginning)."""
        return from_local(dt.datetime.combine(self.date_from, dt.time()), self.tz) if self.date_from else None

    @property
    def end_utc(self) -> dt.datetime | None:
        """The first moment after the period, as naive UTC (None: up to now)."""
        if self.date_to is None:
            return None
        return from_local(dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time()), self.tz)

    def in_period(self, query, column):
        """``query`` narrowed to rows whose ``column`` (naive UTC) lies in the period."""
        if self.start_utc is not None:
            query = query.where(column >= self.start_utc)
        if self.end_utc is not None:
            query = query.where(column < self.end_utc)
        return query

    def describe(self) -> str:
        """One line naming the period and the filters, in the user's language."""
        parts = []
        if self.date_from or self.date_to:
            parts.append(
                _("期间：{start} 至 {end}").format(
                    start=self.date_from.isoformat() if self.date_from else _("最早"),
                    end=self.date_to.isoformat() if self.date_to else _("今天"),
                )
            )
        if self.dept is not None:
            parts.append(_("科室：{name}").format(name=self.dept.name))
        if self.device is not None:
            parts.append(_("设备：{asset}").format(asset=self.device.asset_no))
        if self.staff is not None:
            parts.append(_("人员：{name}（{number}）").format(name=self.staff.name, number=self.staff.number))
        if self.disc is not None:
            parts.append(_("光盘：{volume}").format(volume=self.disc))
        if self.activity is not None:
            parts.append(
                _("执法活动：{id} {name}").format(
                    id=self.activity.id, name=self.activity.case_name or self.activity.title
                )
            )
        return _("；").join(parts) if parts else _("范围：全部")


@dataclass(frozen=True)
class Register:
    name: str
    title: str  # message id
    columns: tuple[Column, ...]
    filters: frozenset[str]
    landscape: bool
    signatures: tuple[str, ...]  # message ids, e.g. "经办人："
    data: Callable[[Scope], Sheet]


# Filled by the @register decorators of the printforms modules, in the order they are imported
# (avledger.services.printing imports them all).
REGISTERS: dict[str, Register] = {}


def register(
    name: str,
    title: str,
    *,
    columns: list[Column],
    filters: set[str] | frozenset[str] = frozenset(),
    landscape: bool = False,
    signatures: tuple[str, ...] = (),
):
    """Declare a printable register; decorate its data function ``(scope) -> Sheet``."""
    unknown = set(filters) - set(FILTER_OPTIONS)
    if unknown:
        raise ValueError(unknown)

    def decorate(func: Callable[[Scope], Sheet]) -> Callable[[Scope], Sheet]:
        REGISTERS[name] = Register(name, title, tuple(columns), frozenset(filters), landscape, tuple(signatures), func)
        return func

    return decorate
