"""A device's page: every register field and its history from the audit log."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.widgets import Static

from avledger.i18n import _
from avledger.services.views import AuditView, DeviceView
from avledger.timeutil import fmt_local
from avledger.tui.auditfmt import action_label, changes
from avledger.tui.screens.audit import AuditEntryScreen, load_names
from avledger.tui.screens.base import SubScreen
from avledger.tui.screens.devices import DeviceEditing, form_of, status_text
from avledger.tui.widgets import RegisterTable
from avledger.vocab import ABILITIES, DEVICE_KINDS, MEDIA_TIME, label, labels


def device_pairs(d: DeviceView) -> list[tuple[str, str | Text]]:
    return [
        (_("资产编号"), d.asset_no),
        (_("类型"), label(DEVICE_KINDS, d.kind)),
        (_("型号"), d.model or "—"),
        (_("序列号"), d.serial or "—"),
        (_("固定资产编号"), d.fixed_asset_no or "—"),
        (_("购置日期"), d.purchased.isoformat() if d.purchased else "—"),
        (_("原价（元）"), d.price_yuan or "—"),
        (_("科室"), d.department),
        (_("保管人"), f"{d.custodian}（{d.custodian_number}）"),
        (_("当前使用人"), f"{d.holder}（{d.holder_number}）" if d.holder else "—"),
        (_("状态"), status_text(d.status)),
        (_("功能"), labels(ABILITIES, d.abilities) or "—"),
        (_("媒体时间"), label(MEDIA_TIME, d.media_time)),
        (_("备注"), d.notes or "—"),
    ]


def pairs_table(pairs: list[tuple[str, str | Text]], columns: int) -> Table:
    """Key/value pairs laid out in ``columns`` pairs per line (Rich measures CJK widths)."""
    table = Table.grid(padding=(0, 1), expand=True)
    for _i in range(columns):
        table.add_column(style="bold", no_wrap=True)
        table.add_column(ratio=1, overflow="fold")
    per_column = -(-len(pairs) // columns)
    for row in range(per_column):
        cells: list[str | Text] = []
        for col in range(columns):
            index = col * per_column + row
            if index < len(pairs):
                cells.extend(pairs[index])
            else:
                cells.extend(["", ""])
        table.add_row(*cells)
    return table


class DeviceDetailScreen(DeviceEditing, SubScreen):
    SECTION = "devices"
    BINDINGS = [Binding("e", "edit", _("修改"), tooltip=_("修改本设备的登记信息"))]

    def __init__(self, services, asset_no: str) -> None:
        super().__init__(services)
        self.asset_no = asset_no
        self.device: DeviceView | None = None
        self.history: list[AuditView] = []

    def compose_body(self) -> ComposeResult:
        yield Static("", id="title", classes="title")
        yield Static("", id="fields")
        yield Static(_("变更记录（按 Enter 查看前后对比）"), classes="subtitle")
        yield RegisterTable(id="history")

    def on_mount(self) -> None:
        table = self.query_one(RegisterTable)
        table.add_column(_("时间"), key="at")
        table.add_column(_("操作人"), key="actor")
        table.add_column(_("操作"), key="action")
        table.add_column(_("变更"), key="what")

    def on_resize(self) -> None:
        self.show_fields()

    def reload(self) -> None:
        self.device = self.services.devices.view(self.asset_no)
        self.history = self.services.audit.list(entity="device", entity_id=self.device.id, newest_first=True)
        self.names = load_names(self.services)
        self.show_fields()
        tz = self.tz
        table = self.query_one(RegisterTable)
        table.clear()
        for entry in self.history:
            fields = _("、").join(c.field for c in changes(entry, self.names)) if entry.before else _("登记")
            table.add_row(fmt_local(entry.at, tz), entry.actor, action_label(entry.action), fields,
                          key=str(entry.id))

    def show_fields(self) -> None:
        if self.device is None:
            return
        self.query_one("#title", Static).update(
            Text.assemble((_("设备"), "bold"), " ", (self.device.asset_no, "bold"), "  ", status_text(self.device.status)))
        columns = 2 if self.size.width >= 70 else 1
        self.query_one("#fields", Static).update(pairs_table(device_pairs(self.device), columns))

    @on(RegisterTable.RowSelected, "#history")
    def _open_entry(self, event: RegisterTable.RowSelected) -> None:
        entry = next((e for e in self.history if str(e.id) == event.row_key.value), None)
        if entry is not None:
            self.app.push_screen(AuditEntryScreen(entry, self.names, self.tz))

    def action_edit(self) -> None:
        if self.device is not None:
            self.open_device_form(form_of(self.device), editing=True)

    def device_saved(self, asset_no: str, editing: bool) -> None:
        super().device_saved(asset_no, editing)
        self.reload()

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand(_("修改本设备"), _("修改本设备的登记信息"), self.action_edit)
        yield SystemCommand(_("返回设备台账"), _("回到设备列表"), self.action_back)
