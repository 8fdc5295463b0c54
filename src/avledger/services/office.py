"""The office: its unit name and its profile of rules."""

from __future__ import annotations

import json

from avledger.errors import UserError
from avledger.models.audit import snapshot
from avledger.models.schema import Office
from avledger.profile import EDITABLE_FIELDS, Profile, load_preset
from avledger.services.base import Context, check_text, require_text
from avledger.services.permissions import requires


class OfficeService:
    def __init__(self, ctx: Context):
        self.ctx = ctx

    @property
    def initialised(self) -> bool:
        return Office.get_or_none(Office.id == 1) is not None

    @requires("profile.edit")
    def init(self, unit: str, preset: str) -> Office:
        unit = require_text(unit, "单位名称", field="unit")
        check_text(preset, "预设", field="preset")
        data = load_preset(preset)
        with self.ctx.change():
            if Office.get_or_none(Office.id == 1):
                raise UserError(
                    "office.already_initialised",
                    "登记库已经初始化（{unit}），不能再次初始化",
                    unit=self.ctx.office().unit,
                )
            office = Office.create(
                id=1,
                unit=unit,
                preset=preset,
                profile=json.dumps(data, ensure_ascii=False),
                created_at=self.ctx.clock(),
            )
            self.ctx.log("create", office, summary=f"{unit} / {preset}")
        self.ctx.forget_profile()
        return office

    def unit(self) -> str:
        return self.ctx.office().unit

    def profile(self) -> Profile:
        return self.ctx.profile()

    @requires("profile.edit")
    def set_unit(self, unit: str) -> None:
        unit = require_text(unit, "单位名称", field="unit")
        with self.ctx.change():
            office = self.ctx.office()
            before = snapshot(office)
            if office.unit == unit:
                return
            office.unit = unit
            office.save()
            self.ctx.log("update", office, before=before, summary=unit)

    @requires("profile.edit")
    def set_value(self, path: str, value: str) -> Profile:
        """Change one editable rule of the profile (validated, audited; never looser than the regulation)."""
        check_text(path, "配置项", field="path")
        check_text(value if isinstance(value, str) else None, "配置值", field="value")
        with self.ctx.change():
            office = self.ctx.office()
            current = Profile(json.loads(office.profile))
            updated = current.with_value(path, value)
            if updated.data == current.data:
                return current
            before = snapshot(office)
            office.profile = json.dumps(updated.data, ensure_ascii=False)
            office.save()
            self.ctx.log("update", office, before=before, summary=path)
        self.ctx.forget_profile()
        return self.ctx.profile()

    @staticmethod
    def editable_fields():
        return EDITABLE_FIELDS
