"""First run: create the register (unit name and preset), or the sample office."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, HorizontalGroup, Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Select, Static

from avledger.i18n import _
from avledger.profile import PRESETS, load_preset
from avledger.tui.keys import EssentialKeysFirst, keys_footer
from avledger.tui.widgets import FormRow, ZhSelect


@dataclass(frozen=True)
class SetupChoice:
    """First run: create the register for a unit, or the sample office."""

    unit: str = ""
    preset: str = ""
    demo: bool = False


def preset_info(preset: str) -> tuple[str, str]:
    """(issuer, regulation) of a preset."""
    office = load_preset(preset)["office"]
    return office["issuer"], office["regulation"]


class SetupScreen(EssentialKeysFirst, Screen[SetupChoice]):
    """Shown while the data folder holds no register. Dismisses with what the user chose."""

    BINDINGS = [Binding("ctrl+s", "create", _("建立登记库"))]

    def __init__(self, data_path: Path, *, error: str | None = None, initial: SetupChoice | None = None) -> None:
        super().__init__()
        self.data_path = data_path
        self.error = error
        self.initial = initial or SetupChoice()
        self.presets = {p: preset_info(p) for p in PRESETS}

    def compose(self) -> ComposeResult:
        from rich.cells import cell_len

        labels = [_("单位名称"), _("制度预设")]
        width = max(cell_len(t) for t in labels)
        options = [(f"{p} — {issuer}", p) for p, (issuer, _reg) in self.presets.items()]
        with Center():
            with Vertical(id="setup"):
                yield Static(_("欢迎使用 avledger 执法音像记录管理"), id="setup-title")
                yield Static(_("这个数据目录中还没有登记库。请填写本单位名称并选择适用的制度预设。"), classes="note")
                yield Static(Text.assemble((_("数据目录"), "bold"), "  ", str(self.data_path)), id="data-path")
                yield FormRow(
                    _("单位名称"),
                    Input(self.initial.unit, placeholder=_("例如 某某县市场监督管理局"), id="unit", compact=True),
                    label_width=width,
                    name="unit",
                    required=True,
                    id="row-unit",
                )
                yield FormRow(
                    _("制度预设"),
                    ZhSelect(
                        options,
                        allow_blank=True,
                        compact=True,
                        id="preset",
                        **({"value": self.initial.preset} if self.initial.preset in self.presets else {}),
                    ),
                    label_width=width,
                    name="preset",
                    required=True,
                    id="row-preset",
                )
                yield Static("", id="preset-info")
                yield Static(self.error or "", id="setup-error", markup=False)
                with HorizontalGroup(id="setup-buttons"):
                    yield Button(_("建立登记库"), variant="primary", id="create", compact=True)
                    yield Button(_("建立示例办公室"), id="demo", compact=True)
                yield Static(_("示例办公室用于试用：一个虚构的单位，带有科室、人员和设备。"), classes="note")
        yield keys_footer()

    def on_mount(self) -> None:
        self.query_one("#unit", Input).focus()
        self.show_preset()
        self.query_one("#setup-error").display = bool(self.error)

    def show_preset(self) -> None:
        preset = self.query_one("#preset", ZhSelect).chosen
        info = self.query_one("#preset-info", Static)
        if preset is None:
            info.update(
                Text(
                    _(
                        "预设按本单位的制度文件设置保存期限、采集时限、配备标准和审批规则，建立后可在“办公室配置”中修改。"
                    ),
                    style="dim",
                )
            )
        else:
            issuer, regulation = self.presets[preset]
            info.update(
                Text.assemble((_("制定单位"), "bold"), "  ", issuer, "\n", (_("制度"), "bold"), "  ", regulation)
            )

    @on(Select.Changed, "#preset")
    def _preset_changed(self) -> None:
        self.show_preset()
        self.query_one("#row-preset", FormRow).set_error(None)

    @on(Input.Changed, "#unit")
    def _unit_changed(self, event: Input.Changed) -> None:
        self.query_one("#row-unit", FormRow).set_error(
            None if event.value.strip() else _("{label}不能为空").format(label=_("单位名称"))
        )

    @on(Input.Submitted, "#unit")
    def _unit_submitted(self) -> None:
        self.query_one("#preset", ZhSelect).focus()

    @on(Button.Pressed, "#create")
    def action_create(self) -> None:
        unit = self.query_one("#unit", Input).value.strip()
        preset = self.query_one("#preset", ZhSelect).chosen
        if not unit:
            self.query_one("#row-unit", FormRow).set_error(_("{label}不能为空").format(label=_("单位名称")))
        if preset is None:
            self.query_one("#row-preset", FormRow).set_error(_("请选择制度预设"))
        if not unit:
            self.query_one("#unit", Input).focus()
            return
        if preset is None:
            self.query_one("#preset", ZhSelect).focus()
            return
        self.dismiss(SetupChoice(unit=unit, preset=preset))

    @on(Button.Pressed, "#demo")
    def _demo(self) -> None:
        self.dismiss(SetupChoice(demo=True))
