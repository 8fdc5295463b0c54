"""设备台账 (F01): the device list, filtered as you type; add and edit."""

from __future__ import annotations

from collections.abc import Iterable

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.widgets import Input, Static

from avledger.i18n import _
from avledger.services.printing import Filters
from avledger.services.register import DeviceQuery
from avledger.tui.actions.devices import DeviceEditing, form_of
from avledger.tui.screens.base import FilteredRegisterScreen
from avledger.tui.screens.device_detail import DeviceDetailScreen
from avledger.tui.text import device_status
from avledger.tui.widgets import Listing, RegisterTable
from avledger.vocab import DEVICE_KINDS, label


class DevicesScreen(DeviceEditing, FilteredRegisterScreen):
    SECTION = "devices"
    FILTER_HINT = _("筛选：资产编号、型号、科室、保管人、类型、状态、功能")
    TABLE_ID = "devices"
    COLUMNS = (
        ("asset", _("资产编号")),
        ("status", _("状态")),
        ("kind", _("类型")),
        ("model", _("型号")),
        ("dept", _("科室")),
        ("custodian", _("保管人")),
    )
    BINDINGS = [
        Binding("a", "add", _("登记"), tooltip=_("登记一台新设备")),
        Binding("e", "edit", _("修改"), tooltip=_("修改所选设备的登记信息")),
        Binding("slash", "focus_filter", _("筛选"), key_display="/"),
    ]

    EMPTY = _("还没有登记设备。按 a 登记第一台设备。")
    NO_MATCH = _("没有符合筛选条件的设备。")

    def compose_body(self) -> ComposeResult:
        yield from self.compose_filter_bar()
        yield Static("", id="empty", classes="empty")

    def listing(self) -> Listing:
        devices = self.services.devices
        query = DeviceQuery(text=self.filter_text)
        return Listing(
            lambda after, n: devices.page(query, after, n),
            lambda: devices.count(query),
            lambda d: d.asset_no,
            lambda d: (
                d.asset_no,
                device_status(d.status),
                label(DEVICE_KINDS, d.kind),
                d.model,
                d.department,
                d.custodian,
            ),
        )

    @on(RegisterTable.RowSelected)
    def _open(self, event: RegisterTable.RowSelected) -> None:
        self.open_detail(event.row_key.value)

    def open_detail(self, asset_no: str | None) -> None:
        if asset_no:
            self.app.push_screen(DeviceDetailScreen(self.services, asset_no))

    def action_add(self) -> None:
        self.open_device_form()

    def action_edit(self) -> None:
        asset_no = self.query_one(RegisterTable).current_key
        if asset_no:
            self.open_device_form(form_of(self.services.devices.view(asset_no)), editing=True)

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "edit" and self.is_mounted:
            return None if self.query_one(RegisterTable).current_key is None else True
        return super().check_action(action, parameters)

    def device_saved(self, asset_no: str, editing: bool) -> None:
        super().device_saved(asset_no, editing)
        if not editing:
            # A new device must show even when the filter would hide it.
            self.query_one("#filter", Input).value = ""
        self.show_rows(keep=asset_no)
        self.table.focus()

    def print_targets(self):
        return [("devices", Filters())]

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand(_("登记设备"), _("登记一台新设备"), self.action_add)
        if self.query_one(RegisterTable).current_key:
            yield SystemCommand(_("修改所选设备"), _("修改所选设备的登记信息"), self.action_edit)
            yield SystemCommand(
                _("查看所选设备"),
                _("设备的全部信息和变更记录"),
                lambda: self.open_detail(self.query_one(RegisterTable).current_key),
            )
        yield SystemCommand(_("筛选设备"), _("在设备列表中筛选"), self.action_focus_filter)
