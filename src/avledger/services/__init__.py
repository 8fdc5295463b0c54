"""The services: every action of avledger, shared by the TUI and the CLI.

Front ends build one :class:`Services` for a data folder and call it; they
never open the database themselves. :class:`Services` is the one place that
builds the services, in dependency order: each receives the siblings it uses
in its constructor, and no service builds another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from avledger.fsutil import PRIVATE_FILE, create_new
from avledger.home import Home, tighten_archive
from avledger.models.db import open_database
from avledger.services.access import AccessService
from avledger.services.activities import ActivityService, NoRecordService
from avledger.services.allocation import AllocationService
from avledger.services.auditlog import AuditService
from avledger.services.base import Context, os_user
from avledger.services.discs import DiscService
from avledger.services.footage import FootageService, GapService
from avledger.services.ingest import IngestService
from avledger.services.lending import LendingService
from avledger.services.office import OfficeService
from avledger.services.printing import PrintService
from avledger.services.register import DepartmentService, DeviceService, StaffService
from avledger.services.reminders import ReminderService
from avledger.services.typeset import Typesetter
from avledger.timeutil import utcnow


class Services:
    def __init__(self, home: Home, *, clock: Callable[[], dt.datetime] = utcnow, user: str | None = None):
        # what an older version left readable by others, tightened (the front end says so once)
        self.tightened: list[str] = home.ensure()
        self.home = home
        create_new(home.db_path, PRIVATE_FILE)  # SQLite gives the -wal and -shm files the register's mode
        self.db = open_database(home.db_path)
        ctx = self.ctx = Context(self.db, clock=clock, os_user=user or os_user(), home=home)
        self.office = OfficeService(ctx)
        self.audit = AuditService(ctx)
        self.departments = DepartmentService(ctx)
        self.staff = StaffService(ctx, self.departments)
        self.devices = DeviceService(ctx, self.departments, self.staff)
        self.allocation = AllocationService(ctx, self.departments)
        self.lending = LendingService(ctx, self.devices, self.staff)
        self.activities = ActivityService(ctx, self.staff)
        self.norecords = NoRecordService(ctx, self.activities, self.staff)
        self.ingest = IngestService(ctx, home, self.devices, self.activities)
        self.footage = FootageService(ctx, self.activities, self.ingest)
        self.gaps = GapService(ctx, self.activities)
        self.typesetter = Typesetter(ctx, home.path / "templates")
        self.access = AccessService(ctx, self.staff, self.activities, self.footage, self.ingest, self.typesetter)
        self.discs = DiscService(ctx, self.activities, self.ingest, self.typesetter)
        self.printing = PrintService(ctx, self.typesetter, self)  # the registers read from all of the above
        self.reminders = ReminderService(
            ctx,
            departments=self.departments,
            devices=self.devices,
            allocation=self.allocation,
            audit=self.audit,
            lending=self.lending,
            footage=self.footage,
            discs=self.discs,
        )
        if self.office.initialised and (root := self.ingest.archive_root()) != home.archive_path:
            self.tightened += [str(root / name) for name in tighten_archive(root)]

    def close(self) -> None:
        if not self.db.is_closed():
            self.db.close()

    def __enter__(self) -> Services:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
