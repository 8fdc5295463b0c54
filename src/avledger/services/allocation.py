"""The allocation report (F02): per department, who is short of devices."""

from __future__ import annotations

from math import ceil

from peewee import fn

from avledger.models.schema import Device
from avledger.services.base import Context
from avledger.services.register import DepartmentService
from avledger.services.views import AllocationRow
from avledger.vocab import WORKING_STATUSES


class AllocationService:
    def __init__(self, ctx: Context, departments: DepartmentService):
        self.ctx = ctx
        self.departments = departments

    def report(self) -> list[AllocationRow]:
        profile = self.ctx.profile()
        working = dict(
            Device.select(Device.department, fn.COUNT(Device.id))
            .where(Device.status.in_(WORKING_STATUSES) & Device.kind.in_(profile.counted_kinds))
            .group_by(Device.department)
            .tuples()
        )
        rows = []
        for dept in self.departments.list():
            per = profile.officers_per_device(dept.alloc_class)
            required = None if per is None else ceil(dept.officer_count / per)
            have = working.get(dept.id, 0)
            shortfall = max(0, required - have) if required is not None else 0
            rows.append(AllocationRow(dept.name, dept.alloc_class, dept.officer_count, have, required, shortfall))
        return rows
