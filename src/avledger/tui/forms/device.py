"""Add or edit a device (F01): the form, checked as you type."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from avledger.errors import UserError
from avledger.i18n import _
from avledger.timeutil import parse_date
from avledger.tui.forms.base import Field, FormScreen, required_text, select, text_input
from avledger.tui.widgets import CheckGroup
from avledger.vocab import ABILITIES, DEVICE_KINDS, MEDIA_TIME, label


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
class DeviceChoices:
    """What the form offers and checks against (loaded by the caller through the services)."""

    departments: list[str]
    custodians: list[tuple[str, str]]  # (label, staff number) of active staff
    taken: frozenset[str]  # asset numbers already in the register
    today: dt.date  # the office's local date


def check_price(text: str) -> str | None:
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        return _("金额格式不对：{value}").format(value=text)
    return None


def check_purchase_date(text: str, today: dt.date) -> str | None:
    if not text:
        return None
    try:
        date = parse_date(text, label=_("购置日期"))
    except UserError as exc:
        return exc.render()
    if date > today:
        return _("购置日期不能晚于今天：{date}").format(date=date.isoformat())
    return None


class DeviceFormScreen(FormScreen[DeviceForm | None]):
    """New device, or (with ``initial`` and ``editing``) the register fields of one."""

    def __init__(
        self,
        choices: DeviceChoices,
        *,
        initial: DeviceForm | None = None,
        editing: bool = False,
        error: str | None = None,
        error_field: str | None = None,
    ) -> None:
        super().__init__(error=error, error_field=error_field)
        self.choices = choices
        self.initial = initial
        self.editing = editing
        self.title_text = (
            _("修改设备：{asset}").format(asset=initial.asset_no) if editing and initial else _("登记设备")
        )

    def fields(self) -> list[Field]:
        d = self.initial or DeviceForm("", "bodycam", "", "")
        kinds = [(label(DEVICE_KINDS, k), k) for k in DEVICE_KINDS]
        media = [(label(MEDIA_TIME, k), k) for k in MEDIA_TIME]
        depts = [(name, name) for name in self.choices.departments]
        custodians = list(self.choices.custodians)
        if d.custodian and all(v != d.custodian for _l, v in custodians):
            custodians.append((d.custodian, d.custodian))  # a custodian who has left: shown, refused on save
        return [
            Field(
                "asset_no",
                _("资产编号"),
                text_input(d.asset_no, placeholder=_("例如 JL-2024-006"), disabled=self.editing),
                required=True,
            ),
            Field("kind", _("类型"), select(kinds, d.kind), required=True),
            Field("dept", _("科室"), select(depts, d.dept or None, allow_blank=True), required=True),
            Field("custodian", _("保管人"), select(custodians, d.custodian or None, allow_blank=True), required=True),
            Field("model", _("型号"), text_input(d.model)),
            Field("serial", _("序列号"), text_input(d.serial)),
            Field("fixed_asset_no", _("固定资产编号"), text_input(d.fixed_asset_no)),
            Field("purchased", _("购置日期"), text_input(d.purchased, placeholder="YYYY-MM-DD")),
            Field("price", _("原价（元）"), text_input(d.price, placeholder="0.00")),
            Field("abilities", _("功能"), CheckGroup(ABILITIES, d.abilities)),
            Field("media_time", _("媒体时间"), select(media, d.media_time)),
            Field("notes", _("备注"), text_input(d.notes)),
        ]

    def check(self, name: str) -> str | None:
        value = self.value(name)
        if name == "asset_no":
            if self.editing:
                return None
            if not value:
                return required_text(value, _("资产编号"))
            if value in self.choices.taken:
                return _("资产编号已存在：{asset}").format(asset=value)
        elif name == "dept" and not value:
            return _("请选择科室")
        elif name == "custodian" and not value:
            return _("请选择保管人")
        elif name == "purchased":
            return check_purchase_date(value, self.choices.today)
        elif name == "price":
            return check_price(value)
        return None

    def result(self) -> DeviceForm:
        return DeviceForm(
            asset_no=self.initial.asset_no if self.editing and self.initial else self.value("asset_no"),
            kind=self.value("kind"),
            dept=self.value("dept"),
            custodian=self.value("custodian"),
            model=self.value("model"),
            serial=self.value("serial"),
            fixed_asset_no=self.value("fixed_asset_no"),
            purchased=self.value("purchased"),
            price=self.value("price"),
            abilities=self.value("abilities"),
            media_time=self.value("media_time"),
            notes=self.value("notes"),
        )
