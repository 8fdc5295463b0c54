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
from avledger.identity import Identity, admit
from avledger.models.db import open_database
from avledger.services.access import AccessService
from avledger.services.activities import ActivityService, NoRecordService
from avledger.services.allocation import AllocationService
from avledger.services.auditlog import AuditService
from avledger.services.base import Context
from avledger.services.checklist import ChecklistService
from avledger.services.devicecare import DeviceCareService
from avledger.services.discs import DiscService
from avledger.services.footage import FootageService, GapService
from avledger.services.identity import IdentityService
from avledger.services.ingest import IngestService
from avledger.services.keys import KeyService
from avledger.services.lending import LendingService
from avledger.services.office import OfficeService
from avledger.services.printing import PrintService
from avledger.services.register import DepartmentService, DeviceService, StaffService
from avledger.services.reminders import ReminderService
from avledger.services.retention import DisposalService, RetentionService
from avledger.services.stats import StatsService
from avledger.services.supervision import SpotCheckService, ViolationService
from avledger.services.typeset import Typesetter
from avledger.timeutil import utcnow


class Services:
    def __init__(self, home: Home, identity: Identity, *, clock: Callable[[], dt.datetime] = utcnow):
        """The services of ``home``'s register, acting as ``identity`` (the front end establishes it once
        per run from the operating system: :meth:`Identity.of_process`, or over SSH the key's). An
        account that does not own the data folder is refused before the register is opened."""
        admit(home, identity)
        # what an older version left readable by others, tightened (the front end says so once)
        self.tightened: list[str] = home.ensure()
        self.home = home
        create_new(home.db_path, PRIVATE_FILE)  # SQLite gives the -wal and -shm files the register's mode
        self.db = open_database(home.db_path)
        ctx = self.ctx = Context(self.db, identity, clock=clock, home=home)
        self.office = OfficeService(ctx)
        self.audit = AuditService(ctx)
        self.departments = DepartmentService(ctx)
        self.keys = KeyService(ctx, home)
        self.staff = StaffService(ctx, self.departments, self.keys)
        self.who = IdentityService(ctx)
        self.devices = DeviceService(ctx, self.departments, self.staff)
        self.allocation = AllocationService(ctx, self.departments)
        self.lending = LendingService(ctx, self.devices, self.staff)
        self.devicecare = DeviceCareService(ctx, self.devices, self.staff)
        self.activities = ActivityService(ctx, self.staff)
        self.norecords = NoRecordService(ctx, self.activities, self.staff)
        self.ingest = IngestService(ctx, home, self.devices, self.activities)
        self.footage = FootageService(ctx, self.activities, self.ingest)
        self.gaps = GapService(ctx, self.activities)
        self.checklist = ChecklistService(ctx, self.activities)
        self.stats = StatsService(ctx, self.departments)
        self.typesetter = Typesetter(ctx, home.path / "templates", home.path)
        self.access = AccessService(ctx, self.staff, self.activities, self.footage, self.ingest, self.typesetter)
        self.discs = DiscService(ctx, self.activities, self.ingest, self.typesetter)
        self.spotchecks = SpotCheckService(ctx, self.staff, self.departments)
        self.violations = ViolationService(ctx, self.staff, self.spotchecks)
        self.retention = RetentionService(ctx, self.activities, self.staff)
        self.disposal = DisposalService(ctx, self.retention, self.ingest, self.staff)
        self.activities.edit_watchers += [self.footage.watch_edit, self.retention.watch_edit]
        self.activities.close_watchers.append(self.retention.watch_edit)
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
            disposal=self.disposal,
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
