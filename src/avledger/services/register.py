"""Departments, staff and devices (F01, F02)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

from peewee import JOIN, fn

from avledger.errors import UserError
from avledger.models.audit import snapshot
from avledger.models.schema import Department, Device, Staff
from avledger.services import listing, search
from avledger.services.base import (
    Context,
    check_text,
    check_texts,
    optional_text,
    require_choice,
    require_choices,
    require_text,
)
from avledger.services.keys import KeyService
from avledger.services.listing import (
    BOOL,
    DATE,
    INT,
    WORDS,
    Column,
    Condition,
    Cursor,
    Page,
    Rows,
    Select,
    SortKey,
    any_of,
)
from avledger.services.permissions import allowed, requires
from avledger.services.views import DepartmentView, DeviceView, StaffView
from avledger.timeutil import local_today, parse_date
from avledger.vocab import ABILITIES, ALLOCATION_CLASSES, DEVICE_KINDS, DEVICE_STATUSES, MEDIA_TIME, ROLES

MAX_FEN = 2**63 - 1  # SQLite's INTEGER
# the labels (message ids) of the device fields DeviceService.update takes, for its refusals
DEVICE_FIELD_LABELS = {
    "kind": "设备类型",
    "dept": "科室",
    "custodian": "保管人",
    "purchased": "购置日期",
    "price": "价格",
    "abilities": "功能",
    "media_time": "媒体时间",
    "model": "型号",
    "serial": "序列号",
    "fixed_asset_no": "固定资产编号",
    "notes": "备注",
}


def yuan_to_fen(text: str | None, *, field: str) -> int | None:
    """An amount in yuan (up to two decimals) as fen; None when not given."""
    if text is None or str(text).strip() == "":
        return None
    try:
        amount = Decimal(str(text).strip())
        # NaN and Infinity are not amounts, nor more fen than the register can hold.
        ok = amount.is_finite() and 0 <= amount * 100 <= MAX_FEN and amount == amount.quantize(Decimal("0.01"))
    except InvalidOperation:
        ok = False
    if not ok:
        raise UserError("input.bad_amount", "金额格式不对：{value}", field=field, value=text)
    return int(amount * 100)


def fen_to_yuan(fen: int | None) -> str | None:
    return None if fen is None else f"{Decimal(fen) / 100:.2f}"


STAFF_ROWS = Rows(
    StaffView,
    [
        Column("id", "s.id", INT),
        Column("name", "s.name"),
        Column("number", "s.number"),
        Column("department", "dp.name"),
        Column("cert_no", "s.cert_no"),
        Column("roles", "s.roles", WORDS),
        Column("active", "s.active", BOOL),
        Column("os_user", "s.os_user"),
    ],
)

DEVICE_ROWS = Rows(
    DeviceView,
    [
        Column("id", "v.id", INT),
        Column("asset_no", "v.asset_no"),
        Column("kind", "v.kind"),
        Column("model", "v.model"),
        Column("serial", "v.serial"),
        Column("fixed_asset_no", "v.fixed_asset_no"),
        Column("purchased", "v.purchased", DATE),
        # fen as yuan with two decimals, exactly (fen_to_yuan)
        Column(
            "price_yuan",
            "CASE WHEN v.price_fen IS NOT NULL THEN printf('%d.%02d', v.price_fen / 100, v.price_fen % 100) END",
        ),
        Column("department", "dp.name"),
        Column("custodian", "c.name"),
        Column("custodian_number", "c.number"),
        Column("status", "v.status"),
        Column("abilities", "v.abilities", WORDS),
        Column("media_time", "v.media_time"),
        Column("notes", "v.notes"),
        Column("holder", "h.name"),
        Column("holder_number", "h.number"),
    ],
)
DEVICE_JOINS = (
    "JOIN department dp ON dp.id = v.department_id JOIN staff c ON c.id = v.custodian_id"
    " LEFT JOIN loan o ON o.device_id = v.id AND o.end_at IS NULL LEFT JOIN staff h ON h.id = o.holder_id"
)


@dataclass(frozen=True)
class StaffQuery:
    include_left: bool = True
    text: str = ""  # what is typed in the filter (avledger.services.search)


@dataclass(frozen=True)
class DeviceQuery:
    status: str | None = None
    dept: str | None = None
    kind: str | None = None
    text: str = ""  # what is typed in the filter (avledger.services.search)


class DepartmentService:
    def __init__(self, ctx: Context):
        self.ctx = ctx

    def get(self, name: str, *, field: str = "name") -> Department:
        """The department of that name; ``field``: the caller's parameter that named it (for the refusal)."""
        check_text(name, "科室", field=field)
        dept = Department.get_or_none(Department.name == (name or "").strip())
        if dept is None:
            raise UserError("dept.unknown", "没有这个科室：{name}", field=field, name=name)
        return dept

    @requires("departments.edit")
    def add(self, name: str, alloc_class: str) -> DepartmentView:
        name = require_text(name, "科室名称", field="name")
        require_choice(alloc_class, ALLOCATION_CLASSES, "配备类别", field="alloc_class")
        self.ctx.office()
        with self.ctx.change():
            if Department.get_or_none(Department.name == name):
                raise UserError("dept.exists", "科室已存在：{name}", field="name", name=name)
            dept = Department.create(name=name, alloc_class=alloc_class)
            self.ctx.log("create", dept, summary=name)
        return self.view(dept.id)

    @requires("departments.edit")
    def set_class(self, name: str, alloc_class: str) -> DepartmentView:
        require_choice(alloc_class, ALLOCATION_CLASSES, "配备类别", field="alloc_class")
        with self.ctx.change():
            dept = self.get(name)
            before = snapshot(dept)
            dept.alloc_class = alloc_class
            dept.save()
            self.ctx.log("update", dept, before=before, summary=dept.name)
        return self.view(dept.id)

    def list(self) -> list[DepartmentView]:
        staff_count = fn.COUNT(Staff.id)
        officers = fn.SUM(((Staff.cert_no.is_null(False)) & (Staff.cert_no != "")).cast("integer"))
        query = (
            Department.select(
                Department.id, Department.name, Department.alloc_class, staff_count.alias("n"), officers.alias("o")
            )
            .join(Staff, JOIN.LEFT_OUTER, on=((Staff.department == Department.id) & (Staff.active == True)))  # noqa: E712
            .group_by(Department.id)
            .order_by(Department.id)
        )
        return [DepartmentView(d.id, d.name, d.alloc_class, d.n or 0, d.o or 0) for d in query]

    def view(self, dept_id: int) -> DepartmentView:
        return next(d for d in self.list() if d.id == dept_id)


class StaffService:
    def __init__(self, ctx: Context, departments: DepartmentService, keys: KeyService):
        self.ctx = ctx
        self.departments = departments
        self.keys = keys  # a change of staff rewrites their SSH keys' lines

    def get(self, number: str, *, field: str = "number") -> Staff:
        """The member of staff with that number; ``field``: the caller's parameter that named them."""
        check_text(number, "工号", field=field)
        staff = Staff.get_or_none(Staff.number == (number or "").strip())
        if staff is None:
            raise UserError("staff.unknown", "没有这个工号的人员：{number}", field=field, number=number)
        return staff

    @requires("staff.edit")
    def add(
        self,
        name: str,
        number: str,
        dept: str,
        cert_no: str | None = None,
        roles: list[str] | tuple[str, ...] = (),
        os_user: str | None = None,
    ) -> StaffView:
        name = require_text(name, "姓名", field="name")
        number = require_text(number, "工号", field="number")
        roles_s = require_choices(roles, ROLES, "角色", field="roles")
        os_user = optional_text(os_user, "系统用户名", field="os_user") or None
        cert = optional_text(cert_no, "执法证号", field="cert_no") or None
        check_text(dept, "科室", field="dept")
        self.ctx.office()
        self._require(roles=bool(roles_s), os_user=os_user is not None)
        with self.ctx.change():
            department = self.departments.get(dept, field="dept")
            if Staff.get_or_none(Staff.number == number):
                raise UserError("staff.number_taken", "工号已存在：{number}", field="number", number=number)
            if os_user and Staff.get_or_none(Staff.os_user == os_user):
                raise UserError(
                    "staff.os_user_taken", "系统用户名已被其他人员使用：{user}", field="os_user", user=os_user
                )
            staff = Staff.create(
                name=name,
                number=number,
                department=department,
                cert_no=cert,
                roles=roles_s,
                active=True,
                os_user=os_user,
            )
            self._keep_owner(staff, "os_user")
            self.ctx.log("create", staff, summary=f"{name} {number}")
        return self.view(number)

    @requires("staff.edit", "staff.roles", "staff.map")
    def update(
        self,
        number: str,
        *,
        name: str | None = None,
        dept: str | None = None,
        cert_no: str | None = None,
        roles: list[str] | None = None,
        os_user: str | None = None,
        active: bool | None = None,
    ) -> StaffView:
        current = Staff.get_or_none(Staff.number == (number or "").strip())  # what is asked to change
        self._require(
            edit=any(v is not None for v in (name, dept, cert_no, active)),
            roles=roles is not None and (current is None or set(roles) != set(current.role_list)),
            os_user=os_user is not None and (current is None or (os_user.strip() or None) != current.os_user),
        )
        check_text(number, "工号", field="number")
        for value, label, param in ((name, "姓名", "name"), (dept, "科室", "dept"), (cert_no, "执法证号", "cert_no")):
            check_text(value, label, field=param)
        check_text(os_user, "系统用户名", field="os_user")
        check_texts(roles, "角色", field="roles")
        with self.ctx.change():
            staff = self.get(number)
            before = snapshot(staff)
            if name is not None:
                staff.name = require_text(name, "姓名", field="name")
            if dept is not None:
                staff.department = self.departments.get(dept, field="dept")
            if cert_no is not None:
                staff.cert_no = cert_no.strip() or None
            if roles is not None:
                staff.roles = require_choices(roles, ROLES, "角色", field="roles")
            if os_user is not None:
                user = os_user.strip() or None
                if user and Staff.get_or_none((Staff.os_user == user) & (Staff.id != staff.id)):
                    raise UserError(
                        "staff.os_user_taken", "系统用户名已被其他人员使用：{user}", field="os_user", user=user
                    )
                staff.os_user = user
            if active is not None:
                staff.active = active
            if snapshot(staff) == before:
                return self.view(number)
            self._keep_owner(staff, "os_user" if os_user is not None else "roles")
            staff.save()
            action = "leave" if active is False and before["active"] else "update"
            self.ctx.log(action, staff, before=before, summary=f"{staff.name} {staff.number}")
            self.keys.sync(staff.id)
        return self.view(number)

    def _require(self, *, edit: bool = False, roles: bool = False, os_user: bool = False) -> None:
        """Roles and mappings are permissions of their own (checked before the change begins)."""
        for action, needed in (("staff.edit", edit), ("staff.roles", roles), ("staff.map", os_user)):
            if needed:
                self.ctx.require(action, entity="staff")

    def _keep_owner(self, staff: Staff, field: str) -> None:
        """The data folder's owner account is mapped only to someone who may change mappings: otherwise the
        console would lock itself out of its own register (unmapped, it acts as the administrator)."""
        from avledger.services.permissions import allowed

        if staff.active and staff.os_user == self.ctx.identity.account:
            if "staff.map" not in allowed(staff.role_list, self.ctx.profile()):
                raise UserError(
                    "staff.owner_lockout",
                    "账户 {account} 是数据目录的所有者，只能对应可以管理人员对应关系的人员（管理员）",
                    field=field,
                    account=staff.os_user,
                )

    def _select(self, query: StaffQuery) -> Select:
        select = Select("staff s", (SortKey("s.number"),), "JOIN department dp ON dp.id = s.department_id")
        if not query.include_left:
            select.where("s.active = 1")
        return select.search(self._word(w) for w in search.words(query.text))

    @staticmethod
    def _word(word: str) -> Condition:
        """A person whose name, number, department, certificate or roles hold ``word``, or who is (or has left)
        as the word says."""
        found = [search.contains(column, word) for column in ("s.name", "s.number", "dp.name", "s.cert_no")]
        found.append(search.has_word("s.roles", search.label_ids(ROLES, word)))
        if search.said("在职", word):
            found.append(Condition("s.active = 1"))
        if search.said("离职", word):
            found.append(Condition("s.active = 0"))
        return any_of(found)

    def page(
        self, query: StaffQuery = StaffQuery(), after: Cursor | None = None, limit: int = 200, *, quick: bool = False
    ) -> Page[StaffView]:
        return listing.page(self.ctx.db, STAFF_ROWS, self._select(query), after, limit, quick=quick)

    def count(self, query: StaffQuery = StaffQuery()) -> int:
        return listing.count(self.ctx.db, self._select(query))

    def count_active(self) -> int:
        return listing.count(self.ctx.db, self._select(StaffQuery(include_left=False)))

    def rows(self, query: StaffQuery = StaffQuery()) -> Iterator[StaffView]:
        return listing.rows(self.ctx.db, STAFF_ROWS, self._select(query))

    def write_json(self, query: StaffQuery, out: BinaryIO) -> int:
        return listing.write_json(self.ctx.db, STAFF_ROWS, self._select(query), out)

    def list(self, *, include_left: bool = True) -> list[StaffView]:
        return list(self.rows(StaffQuery(include_left)))

    def able(self, action: str) -> list[StaffView]:
        """The staff in service whose roles let them ``action`` under the office profile (the permission
        table, as the service that takes their staff number checks it): who may approve a disposal plan, say."""
        profile = self.ctx.profile()
        return [s for s in self.list(include_left=False) if action in allowed(s.roles, profile)]

    def view(self, number: str) -> StaffView:
        return self._view(self.get(number))

    @staticmethod
    def _view(s: Staff) -> StaffView:
        return StaffView(s.id, s.name, s.number, s.department.name, s.cert_no, tuple(s.role_list), s.active, s.os_user)


class DeviceService:
    def __init__(self, ctx: Context, departments: DepartmentService, staff: StaffService):
        self.ctx = ctx
        self.departments = departments
        self.staff = staff

    def get(self, asset_no: str, *, field: str = "asset_no") -> Device:
        """The device with that asset number; ``field``: the caller's parameter that named it."""
        check_text(asset_no, "资产编号", field=field)
        device = Device.get_or_none(Device.asset_no == (asset_no or "").strip())
        if device is None:
            raise UserError("device.unknown", "没有这个资产编号的设备：{asset}", field=field, asset=asset_no)
        return device

    def _custodian(self, number: str) -> Staff:
        staff = self.staff.get(number, field="custodian")
        if not staff.active:
            raise UserError(
                "staff.left",
                "保管人 {name}（{number}）已离职，不能保管设备",
                field="custodian",
                name=staff.name,
                number=staff.number,
            )
        return staff

    def _purchase_date(self, text: str | dt.date | None) -> dt.date | None:
        if text is None or text == "":
            return None
        date = text if isinstance(text, dt.date) else parse_date(text, label="购置日期", field="purchased")
        if date > local_today(self.ctx.clock(), self.ctx.profile().tz):
            raise UserError("input.future", "购置日期不能晚于今天：{date}", field="purchased", date=date.isoformat())
        return date

    @requires("devices.edit")
    def add(
        self,
        asset_no: str,
        kind: str,
        dept: str,
        custodian: str,
        *,
        model: str = "",
        serial: str = "",
        fixed_asset_no: str = "",
        purchased: str | dt.date | None = None,
        price: str | None = None,
        abilities: list[str] | tuple[str, ...] = (),
        media_time: str = "utc",
        notes: str = "",
    ) -> DeviceView:
        asset_no = require_text(asset_no, "资产编号", field="asset_no")
        check_text(dept, "科室", field="dept")
        check_text(custodian, "保管人", field="custodian")
        model, serial = optional_text(model, "型号", field="model"), optional_text(serial, "序列号", field="serial")
        fixed_asset_no = optional_text(fixed_asset_no, "固定资产编号", field="fixed_asset_no")
        notes = optional_text(notes, "备注", field="notes")
        check_text(purchased if isinstance(purchased, str) else None, "购置日期", field="purchased")
        check_text(price, "价格", field="price")
        require_choice(kind, DEVICE_KINDS, "设备类型", field="kind")
        require_choice(media_time, MEDIA_TIME, "媒体时间", field="media_time")
        abilities_s = require_choices(abilities, ABILITIES, "功能", field="abilities")
        price_fen = yuan_to_fen(price, field="price")
        self.ctx.office()
        purchased_d = self._purchase_date(purchased)
        with self.ctx.change():
            if Device.get_or_none(Device.asset_no == asset_no):
                raise UserError("device.asset_taken", "资产编号已存在：{asset}", field="asset_no", asset=asset_no)
            department = self.departments.get(dept, field="dept")
            keeper = self._custodian(custodian)
            device = Device.create(
                asset_no=asset_no,
                kind=kind,
                model=model,
                serial=serial,
                fixed_asset_no=fixed_asset_no,
                purchased=purchased_d,
                price_fen=price_fen,
                department=department,
                custodian=keeper,
                status="in_store",
                abilities=abilities_s,
                media_time=media_time,
                notes=notes,
            )
            self.ctx.log("create", device, summary=asset_no)
        return self.view(asset_no)

    @requires("devices.edit")
    def update(self, asset_no: str, **changes) -> DeviceView:
        """Edit register fields (not the status, which lending and repair own)."""
        check_text(asset_no, "资产编号", field="asset_no")
        for key, value in changes.items():
            if isinstance(value, str):
                check_text(value, DEVICE_FIELD_LABELS.get(key, key), field=key)
            elif isinstance(value, (list, tuple)):
                check_texts(value, DEVICE_FIELD_LABELS.get(key, key), field=key)
        with self.ctx.change():
            device = self.get(asset_no)
            before = snapshot(device)
            for key, value in changes.items():
                if value is None:
                    continue
                if key == "kind":
                    device.kind = require_choice(value, DEVICE_KINDS, "设备类型", field="kind")
                elif key == "dept":
                    device.department = self.departments.get(value, field="dept")
                elif key == "custodian":
                    device.custodian = self._custodian(value)
                elif key == "purchased":
                    device.purchased = self._purchase_date(value)
                elif key == "price":
                    device.price_fen = yuan_to_fen(value, field="price")
                elif key == "abilities":
                    device.abilities = require_choices(value, ABILITIES, "功能", field="abilities")
                elif key == "media_time":
                    device.media_time = require_choice(value, MEDIA_TIME, "媒体时间", field="media_time")
                elif key in ("model", "serial", "fixed_asset_no", "notes"):
                    setattr(device, key, str(value).strip())
                else:
                    raise ValueError(key)
            if snapshot(device) == before:
                return self.view(asset_no)
            device.save()
            self.ctx.log("update", device, before=before, summary=device.asset_no)
        return self.view(asset_no)

    def set_status(self, device: Device, status: str, summary: str = "") -> None:
        """Change a device's status inside the caller's unit of work."""
        require_choice(status, DEVICE_STATUSES, "设备状态", field="status")
        before = snapshot(device)
        device.status = status
        device.save()
        self.ctx.log("status", device, before=before, summary=summary or f"{device.asset_no} {status}")

    def _select(self, query: DeviceQuery) -> Select:
        select = Select("device v", (SortKey("v.asset_no"),), DEVICE_JOINS)
        if query.status:
            select.where("v.status = ?", require_choice(query.status, DEVICE_STATUSES, "设备状态", field="status"))
        if query.kind:
            select.where("v.kind = ?", require_choice(query.kind, DEVICE_KINDS, "设备类型", field="kind"))
        if query.dept:
            select.where("v.department_id = ?", self.departments.get(query.dept, field="dept").id)
        return select.search(self._word(w) for w in search.words(query.text))

    @staticmethod
    def _word(word: str) -> Condition:
        """A device whose asset number, model, serial, department, custodian, kind, status, fixed-asset number
        or abilities hold ``word``."""
        columns = ("v.asset_no", "v.model", "v.serial", "dp.name", "c.name", "c.number", "v.fixed_asset_no")
        found = [search.contains(column, word) for column in columns]
        found.append(search.one_of("v.kind", search.label_ids(DEVICE_KINDS, word)))
        found.append(search.one_of("v.status", search.label_ids(DEVICE_STATUSES, word)))
        found.append(search.has_word("v.abilities", search.label_ids(ABILITIES, word)))
        return any_of(found)

    def page(
        self, query: DeviceQuery = DeviceQuery(), after: Cursor | None = None, limit: int = 200, *, quick: bool = False
    ) -> Page[DeviceView]:
        return listing.page(self.ctx.db, DEVICE_ROWS, self._select(query), after, limit, quick=quick)

    def count(self, query: DeviceQuery = DeviceQuery()) -> int:
        return listing.count(self.ctx.db, self._select(query))

    def rows(self, query: DeviceQuery = DeviceQuery()) -> Iterator[DeviceView]:
        return listing.rows(self.ctx.db, DEVICE_ROWS, self._select(query))

    def write_json(self, query: DeviceQuery, out: BinaryIO) -> int:
        return listing.write_json(self.ctx.db, DEVICE_ROWS, self._select(query), out)

    def list(self, *, status: str | None = None, dept: str | None = None, kind: str | None = None) -> list[DeviceView]:
        return list(self.rows(DeviceQuery(status, dept, kind)))

    def view(self, asset_no: str) -> DeviceView:
        device = self.get(asset_no)  # the lookup checks the text and refuses an unknown number
        select = Select("device v", (SortKey("v.asset_no"),), DEVICE_JOINS).where("v.id = ?", device.id)
        return next(listing.rows(self.ctx.db, DEVICE_ROWS, select))

    def holder_of(self, device: Device) -> tuple[str, str] | None:
        """The officer holding the device now (lending ledger); None while it is not issued."""
        from avledger.models.schema import Loan

        loan = Loan.select(Loan, Staff).join(Staff).where((Loan.device == device) & Loan.end_at.is_null()).first()
        return (loan.holder.name, loan.holder.number) if loan else None

    def status_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(DEVICE_STATUSES, 0)
        for status, n in Device.select(Device.status, fn.COUNT(Device.id)).group_by(Device.status).tuples():
            counts[status] = n
        return counts
