"""A device's page: every register field and its history from the audit log."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.widgets import Static, TabbedContent, TabPane

from avledger.errors import UserError
from avledger.i18n import A_, _
from avledger.services.lending import HistoryEntry
from avledger.services.printing import Filters
from avledger.services.views import AuditView, DeviceView
from avledger.timeutil import fmt_local
from avledger.tui.actions.counter import CounterActions
from avledger.tui.actions.devices import DeviceEditing, form_of
from avledger.tui.auditfmt import action_label, changes
from avledger.tui.forms.base import staff_options
from avledger.tui.forms.devicecare import RetireForm, RetireFormScreen, UpkeepForm, UpkeepFormScreen
from avledger.tui.screens.audit import AuditEntryScreen, load_names
from avledger.tui.screens.base import SubScreen
from avledger.tui.text import device_status, pairs_table
from avledger.tui.widgets import RegisterTable
from avledger.vocab import ABILITIES, DEVICE_KINDS, HISTORY_KINDS, MEDIA_TIME, ROLES, label, labels


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
        (_("状态"), device_status(d.status)),
        (_("功能"), labels(ABILITIES, d.abilities) or "—"),
        (_("媒体时间"), label(MEDIA_TIME, d.media_time)),
        (_("备注"), d.notes or "—"),
    ]


HISTORY_STYLES = {"fault": "yellow", "liability": "red", "lost": "red", "repair_back": "green", "retire": "red"}


class DeviceDetailScreen(CounterActions, DeviceEditing, SubScreen):
    """The device, its use and repair history (lending ledger), and its change log (audit)."""

    SECTION = "devices"
    BINDINGS = [
        Binding("e", "edit", _("修改"), tooltip=_("修改本设备的登记信息")),
        Binding("o", "issue", A_("领用"), tooltip=_("把本设备领给执法人员（含使用前检查）")),
        Binding("r", "give_back", _("归还"), tooltip=_("本设备归还入库")),
        Binding("h", "handover", _("交接"), tooltip=_("本设备直接交给另一名执法人员")),
        Binding("f", "fault", A_("故障"), tooltip=_("登记故障，设备转入维修")),
        Binding("s", "repair('sent')", A_("送修"), tooltip=_("登记送厂维修")),
        Binding("b", "repair('back')", A_("修复"), tooltip=_("登记修复返回入库")),
        Binding("x", "liability", A_("损坏/丢失"), tooltip=_("登记损坏或丢失及责任人、赔偿金额")),
        Binding("u", "upkeep", A_("保养"), tooltip=_("登记设备保养（日期、保养人、保养内容）")),
        Binding("d", "retire", A_("报废"), tooltip=_("登记设备报废（须经批准；台账和历史保留）")),
    ]

    def __init__(self, services, asset_no: str) -> None:
        super().__init__(services)
        self.asset_no = asset_no
        self.device: DeviceView | None = None
        self.history: list[AuditView] = []
        self.uses: list[HistoryEntry] = []
        self.open_fault_sent = False

    def compose_body(self) -> ComposeResult:
        yield Static("", id="title", classes="title")
        yield Static("", id="fields")
        with TabbedContent(id="tabs"):
            with TabPane(_("使用与维修记录"), id="tab-uses"):
                yield RegisterTable(id="uses", cursor_type="row")
            with TabPane(_("变更记录"), id="tab-audit"):
                yield RegisterTable(id="history")

    def on_mount(self) -> None:
        uses = self.query_one("#uses", RegisterTable)
        uses.add_column(_("时间"), key="at")
        uses.add_column(_("事项"), key="kind")
        uses.add_column(_("内容"), key="text")
        table = self.query_one("#history", RegisterTable)
        table.add_column(_("时间"), key="at")
        table.add_column(_("操作人"), key="actor")
        table.add_column(_("操作"), key="action")
        table.add_column(_("变更"), key="what")

    def on_resize(self) -> None:
        self.show_fields()

    def reload(self) -> None:
        self.device = self.services.devices.view(self.asset_no)
        self.history = self.services.audit.list(entity="device", entity_id=self.device.id, newest_first=True)
        self.uses = self.services.lending.history(self.asset_no)
        faults = self.services.lending.faults(self.asset_no)
        self.open_fault_sent = bool(faults) and faults[0].back_at is None and faults[0].sent_at is not None
        self.names = load_names(self.services)
        self.show_fields()
        tz = self.tz
        uses = self.query_one("#uses", RegisterTable)
        uses.clear()
        for index, entry in enumerate(reversed(self.uses)):
            uses.add_row(
                fmt_local(entry.at, tz),
                Text(label(HISTORY_KINDS, entry.kind), style=HISTORY_STYLES.get(entry.kind, "")),
                entry.text,
                key=str(index),
            )
        table = self.query_one("#history", RegisterTable)
        table.clear()
        for entry in self.history:
            fields = _("、").join(c.field for c in changes(entry, self.names)) if entry.before else _("登记")
            table.add_row(fmt_local(entry.at, tz), entry.actor, action_label(entry.action), fields, key=str(entry.id))
        self.refresh_bindings()

    def show_fields(self) -> None:
        if self.device is None:
            return
        self.query_one("#title", Static).update(
            Text.assemble(
                (_("设备"), "bold"), " ", (self.device.asset_no, "bold"), "  ", device_status(self.device.status)
            )
        )
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

    # --- the counter's steps for this device ---------------------------------
    def check_action(self, action: str, parameters) -> bool | None:
        status = self.device.status if self.device else None
        allowed = {
            "issue": status == "in_store",
            "give_back": status == "issued",
            "handover": status == "issued",
            "fault": status == "in_store",
            "repair": status == "in_repair" and (parameters == ("back",) or not self.open_fault_sent),
            "liability": status in ("in_store", "issued", "in_repair"),
            "upkeep": status is not None and status != "retired",
            "retire": status is not None and status not in ("retired", "issued"),
        }
        if action in allowed:
            return allowed[action]  # a step the device cannot take now is not offered at all
        return super().check_action(action, parameters)

    def action_issue(self) -> None:
        self.open_issue(self.asset_no)

    def action_give_back(self) -> None:
        self.open_return(self.asset_no)

    def action_handover(self) -> None:
        self.open_handover(self.asset_no)

    def action_fault(self) -> None:
        self.open_fault(self.asset_no)

    def action_repair(self, step: str) -> None:
        self.open_repair(self.asset_no, step)

    def action_liability(self) -> None:
        self.open_liability(self.asset_no)

    def action_upkeep(self, initial: UpkeepForm | None = None, error: str | None = None, field=None) -> None:
        def done(form: UpkeepForm | None) -> None:
            if form is None:
                return
            try:
                self.services.devicecare.upkeep(self.asset_no, form.what, at=form.at or None)
            except UserError as exc:
                self.action_upkeep(form, exc.render(), exc.field)
                return
            self.app.notify(_("已登记保养：{asset} {what}").format(asset=self.asset_no, what=form.what))
            self.reload()

        choices = self.counter_choices("upkeep")
        screen = UpkeepFormScreen(self.asset_no, choices, initial=initial, error=error, error_field=field)
        self.app.push_screen(screen, done)

    def action_retire(self, initial: RetireForm | None = None, error: str | None = None, field=None) -> None:
        role = self.services.office.profile().get("devices.retire_role")
        approvers = staff_options(self.services.staff.able("devices.retire"))
        if not approvers:
            self.app.notify(
                _("还没有在职的{role}批准报废：请先在“人员”中设定角色").format(role=label(ROLES, role)),
                severity="error",
            )
            return

        def done(form: RetireForm | None) -> None:
            if form is None:
                return
            try:
                self.services.devicecare.retire(self.asset_no, form.reason, form.by, paper_form=form.paper_form)
            except UserError as exc:
                self.action_retire(form, exc.render(), exc.field)
                return
            self.app.notify(_("已报废：{asset}").format(asset=self.asset_no))
            self.reload()

        screen = RetireFormScreen(self.asset_no, approvers, initial=initial, error=error, error_field=field)
        self.app.push_screen(screen, done)

    def lending_changed(self, asset_no: str) -> None:
        self.reload()

    def print_targets(self):
        scope = Filters(device=self.asset_no)
        return [("loans", scope), ("devices", scope), ("repairs", scope), ("compensation", scope)]

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand(_("修改本设备"), _("修改本设备的登记信息"), self.action_edit)
        for action, title, help_text in (
            ("issue", _("领用"), _("把本设备领给执法人员（含使用前检查）")),
            ("give_back", _("归还"), _("本设备归还入库")),
            ("handover", _("交接"), _("本设备直接交给另一名执法人员")),
            ("fault", _("故障登记"), _("登记故障，设备转入维修")),
            ("liability", _("损坏/丢失"), _("登记损坏或丢失及责任人、赔偿金额")),
            ("upkeep", _("保养"), _("登记设备保养（日期、保养人、保养内容）")),
            ("retire", _("报废"), _("登记设备报废（须经批准；台账和历史保留）")),
        ):
            if self.check_action(action, ()):
                yield SystemCommand(title, help_text, getattr(self, f"action_{action}"))
        if self.check_action("repair", ("sent",)):
            yield SystemCommand(_("送修"), _("登记送厂维修"), lambda: self.action_repair("sent"))
        if self.check_action("repair", ("back",)):
            yield SystemCommand(_("修复"), _("登记修复返回入库"), lambda: self.action_repair("back"))
        yield SystemCommand(_("返回设备台账"), _("回到设备列表"), self.action_back)
