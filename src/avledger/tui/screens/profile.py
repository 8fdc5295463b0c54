"""办公室配置: the unit's name and every editable rule of the office profile."""

from __future__ import annotations

from collections.abc import Iterable

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Input, Select, Static

from avledger.errors import UserError
from avledger.i18n import _
from avledger.profile import Profile
from avledger.tui.screens.base import SectionScreen
from avledger.tui.widgets import FormRow, ZhSelect
from avledger.vocab import label

UNIT = "unit"  # the row of the unit's name (not a profile path)

# The value keeps at least this many cells: a long label wraps (or, in a narrow terminal, takes less).
VALUE_CELLS = 40


def shown(value) -> str:
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return "" if value is None else str(value)


class ProfileScreen(SectionScreen):
    SECTION = "profile"
    BINDINGS = [
        Binding("ctrl+s", "save", _("保存"), tooltip=_("保存修改过的项目")),
        Binding("ctrl+r", "revert", _("撤销修改"), tooltip=_("放弃尚未保存的修改")),
    ]

    def __init__(self, services) -> None:
        super().__init__(services)
        self.fields = list(services.office.editable_fields())
        self.saved: dict[str, str] = {}
        self.rows: dict[str, FormRow] = {}
        self.profile: Profile = services.office.profile()

    # --- layout ------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        yield Static("", id="regulation")
        labels = [_("单位名称"), *(_(f.label) for f in self.fields)]
        self.label_cells = width = max(cell_len(text) for text in labels)
        with VerticalScroll(id="profile-fields"):
            yield self._row(UNIT, _("单位名称"), Input(compact=True), width)
            for f in self.fields:
                if f.choices is not None:
                    # A vocabulary's value is chosen among its words, never typed as an id.
                    options = [(label(f.choices, key), key) for key in f.choices]
                    control = ZhSelect(options, allow_blank=False, compact=True)
                else:
                    control = Input(compact=True)
                yield self._row(f.path, _(f.label), control, width)
        yield Static(_("修改后按 Ctrl+S 或 Enter 保存；每一项修改都记入审计日志。"), id="hint", classes="note")

    def _row(self, key: str, text: str, control, width: int) -> FormRow:
        control.id = "p-" + key.replace(".", "-")
        row = FormRow(text, control, label_width=width, name=key)
        self.rows[key] = row
        return row

    def on_resize(self, event) -> None:
        # Long labels must not squeeze the values: past VALUE_CELLS, the labels narrow and wrap.
        width = max(8, min(self.label_cells, event.size.width - VALUE_CELLS - 4))
        for row in self.rows.values():
            row.set_label_width(width)

    def on_mount(self) -> None:
        # Nothing focused: the number keys switch sections until the user picks a field (Tab or a click).
        self.set_focus(None)

    # --- values ------------------------------------------------------------
    def raw(self, key: str) -> str:
        control = self.rows[key].control
        if isinstance(control, Select):
            return "" if control.value is Select.NULL else str(control.value)
        return control.value.strip()

    def set_raw(self, key: str, value: str) -> None:
        control = self.rows[key].control
        if isinstance(control, Select):
            control.value = value
        else:
            control.value = value

    def dirty(self) -> list[str]:
        return [key for key in self.rows if self.raw(key) != self.saved.get(key)]

    def reload(self) -> None:
        profile = self.services.office.profile()
        self.profile = profile
        unsaved = set(self.dirty()) if self.saved else set()
        self.saved = {UNIT: self.services.office.unit()}
        for f in self.fields:
            self.saved[f.path] = shown(profile.get(f.path))
        for key, value in self.saved.items():
            if key not in unsaved:
                self.set_raw(key, value)
        regulation = profile.get("office.regulation")
        self.query_one("#regulation", Static).update(
            Text.assemble(
                (_("预设"), "bold"),
                "  ",
                profile.preset,
                "    ",
                (_("制定单位"), "bold"),
                "  ",
                profile.issuer,
                "\n",
                (_("制度"), "bold"),
                "  ",
                regulation,
            )
        )
        self.show_dirty()

    def check(self, key: str) -> str | None:
        raw = self.raw(key)
        if key == UNIT:
            return None if raw else _("{label}不能为空").format(label=_("单位名称"))
        try:
            self.profile.with_value(key, raw)
        except UserError as exc:
            return exc.render()
        return None

    def show_dirty(self) -> None:
        for key, row in self.rows.items():
            row.set_class(self.raw(key) != self.saved.get(key), "-dirty")

    @on(Input.Changed)
    @on(Select.Changed)
    def _changed(self, event) -> None:
        for key, row in self.rows.items():
            if row.control is event.control:
                row.set_error(self.check(key))
        self.show_dirty()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    # --- actions -------------------------------------------------------------
    def action_save(self) -> None:
        changed = self.dirty()
        if not changed:
            self.app.notify(_("没有需要保存的修改"))
            return
        saved = 0
        first_bad = None
        for key in changed:
            error = self.check(key)
            if error is None:
                try:
                    if key == UNIT:
                        self.services.office.set_unit(self.raw(key))
                    else:
                        self.services.office.set_value(key, self.raw(key))
                except UserError as exc:
                    error = exc.render()
            self.rows[key].set_error(error)
            if error is None:
                saved += 1
            elif first_bad is None:
                first_bad = key
        self.reload()
        if saved:
            self.app.notify(_("已保存 {n} 项修改").format(n=saved))
        if first_bad is not None:
            self.rows[first_bad].control.focus()
            self.app.notify(_("有 {n} 项未能保存，原因见各项下方").format(n=len(changed) - saved), severity="error")

    def action_revert(self) -> None:
        for key, value in self.saved.items():
            self.set_raw(key, value)
            self.rows[key].set_error(None)
        self.show_dirty()

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand(_("保存办公室配置"), _("保存修改过的项目"), self.action_save)
        yield SystemCommand(_("撤销未保存的配置修改"), _("放弃尚未保存的修改"), self.action_revert)
