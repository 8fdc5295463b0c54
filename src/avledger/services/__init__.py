"""The services: every action of avledger, shared by the TUI and the CLI.

Front ends build one :class:`Services` for a data folder and call it; they
never open the database themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from avledger.home import Home
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
from avledger.timeutil import utcnow


class Services:
    def __init__(self, home: Home, *, clock: Callable[[], dt.datetime] = utcnow, user: str | None = None):
        home.ensure()
        self.home = home
        self.db = open_database(home.db_path)
        self.ctx = Context(self.db, clock=clock, os_user=user or os_user(), home=home)
        self.office = OfficeService(self.ctx)
        self.departments = DepartmentService(self.ctx)
        self.staff = StaffService(self.ctx)
        self.devices = DeviceService(self.ctx)
        self.allocation = AllocationService(self.ctx)
        self.audit = AuditService(self.ctx)
        self.lending = LendingService(self.ctx)
        self.activities = ActivityService(self.ctx)
        self.ingest = IngestService(self.ctx, home)
        self.footage = FootageService(self.ctx, self.ingest)
        self.gaps = GapService(self.ctx)
        self.norecords = NoRecordService(self.ctx)
        self.printing = PrintService(self.ctx, home.path / "templates")
        self.access = AccessService(self.ctx, self.footage, self.printing)
        self.discs = DiscService(self.ctx, self.ingest, self.printing)

    def close(self) -> None:
        if not self.db.is_closed():
            self.db.close()

    def __enter__(self) -> Services:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
