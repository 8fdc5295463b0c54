"""科室与配备 (F02): departments with their class, and the allocation report with shortfalls."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.widgets import Static

from avledger.errors import UserError
from avledger.i18n import N_, _
from avledger.services.printing import Filters
from avledger.services.views import AllocationRow, DepartmentView
from avledger.tui.forms.department import DepartmentForm, DepartmentFormScreen
from avledger.tui.screens.base import SectionScreen
from avledger.tui.widgets import RegisterTable
from avledger.vocab import ALLOCATION_CLASSES, DEVICE_KINDS, DEVICE_STATUSES, WORKING_STATUSES, label, labels

# Short names for the table; the form and the note under the table give the rules.
SHORT_CLASSES = {"A": N_("A类"), "B": N_("B类"), "C": N_("C类"), "FULL": N_("全员配备")}


@dataclass(frozen=True)
class DeptRow:
    dept: DepartmentView
    alloc: AllocationRow | None


class DepartmentsScreen(SectionScreen):
    SECTION = "departments"
    BINDINGS = [
        Binding("a", "add", _("新增科室")),
        Binding("c", "set_class", _("修改类别"), tooltip=_("修改所选科室的配备类别")),
    ]

    def __init__(self, services) -> None:
        super().__init__(services)
        self.rows: list[DeptRow] = []

    def compose_body(self) -> ComposeResult:
        yield Static(_("科室与配备标准执行情况"), classes="title")
        yield RegisterTable(id="departments")
        yield Static("", id="summary")
        yield Static("", id="rule", classes="note")

    def on_mount(self) -> None:
        table = self.query_one(RegisterTable)
        for key, title in (
            ("name", _("科室")),
            ("class", _("配备类别")),
            ("staff", _("在职")),
            ("officers", _("执法人员")),
            ("devices", _("在用设备")),
            ("required", _("应配")),
            ("short", _("缺额")),
        ):
            table.add_column(title, key=key)
        table.focus()

    def reload(self) -> None:
        depts = self.services.departments.list()
        report = {r.department: r for r in self.services.allocation.report()}
        self.rows = [DeptRow(d, report.get(d.name)) for d in depts]
        table = self.query_one(RegisterTable)
        keep = table.current_key
        table.clear()
        for row in self.rows:
            d, a = row.dept, row.alloc
            short = a.shortfall if a else 0
            required = "—" if a is None else (_("按需") if a.required is None else str(a.required))
            name_style = "bold red" if short else ""
            table.add_row(
                Text(d.name, style=name_style),
                label(SHORT_CLASSES, d.alloc_class),
                Text(str(d.staff_count), justify="right"),
                Text(str(d.officer_count), justify="right"),
                Text(str(a.working_devices) if a else "—", justify="right"),
                Text(required, justify="right"),
                Text(_("缺 {n} 台").format(n=short), style="bold white on red") if short else Text("—", style="dim"),
                key=d.name,
            )
        table.select_key(keep)
        total = sum(r.alloc.shortfall for r in self.rows if r.alloc)
        short_depts = [r.dept.name for r in self.rows if r.alloc and r.alloc.shortfall]
        summary = self.query_one("#summary", Static)
        if not self.rows:
            summary.update(_("还没有科室。按 a 新增。"))
        elif total:
            summary.update(
                Text(_("合计缺额 {n} 台：{depts}").format(n=total, depts=_("、").join(short_depts)), style="bold red")
            )
        else:
            summary.update(Text(_("各科室均达到配备标准。"), style="green"))
        kinds = labels(DEVICE_KINDS, self.services.office.profile().counted_kinds)
        working = labels(DEVICE_STATUSES, WORKING_STATUSES)
        classes = "  ".join(label(ALLOCATION_CLASSES, c) for c in ALLOCATION_CLASSES)
        self.query_one("#rule", Static).update(
            _("配备类别：{classes}").format(classes=classes)
            + "\n"
            + _("计入配备的设备类型：{kinds}；在用：状态为{statuses}").format(kinds=kinds, statuses=working)
            + "\n"
            + _("执法人员：在职且有执法证的人员")
        )
        self.refresh_bindings()

    def current(self) -> DeptRow | None:
        key = self.query_one(RegisterTable).current_key
        return next((r for r in self.rows if r.dept.name == key), None)

    def open_form(
        self,
        initial: DepartmentForm | None = None,
        *,
        editing: bool = False,
        error: str | None = None,
        field: str | None = None,
    ) -> None:
        def done(form: DepartmentForm | None) -> None:
            if form is None:
                return
            try:
                if editing:
                    self.services.departments.set_class(form.name, form.alloc_class)
                else:
                    self.services.departments.add(form.name, form.alloc_class)
            except UserError as exc:
                self.open_form(
                    form,
                    editing=editing,
                    error=exc.render(),
                    field=exc.field,
                )
                return
            self.app.notify(
                (_("已修改：{name} → {cls}") if editing else _("已新增科室：{name}")).format(
                    name=form.name, cls=label(ALLOCATION_CLASSES, form.alloc_class)
                )
            )
            self.reload()
            self.query_one(RegisterTable).select_key(form.name)

        taken = frozenset(d.name for d in self.services.departments.list())
        if initial is None:
            initial = DepartmentForm("", self.services.office.profile().default_allocation_class)
        self.app.push_screen(
            DepartmentFormScreen(taken=taken, initial=initial, editing=editing, error=error, error_field=field), done
        )

    @on(RegisterTable.RowSelected)
    def _open(self) -> None:
        self.action_set_class()

    def action_add(self) -> None:
        self.open_form()

    def action_set_class(self) -> None:
        row = self.current()
        if row is not None:
            self.open_form(DepartmentForm(row.dept.name, row.dept.alloc_class), editing=True)

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "set_class" and self.is_mounted and self.current() is None:
            return None
        return super().check_action(action, parameters)

    def print_targets(self):
        return [("allocation", Filters())]

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand(_("新增科室"), _("新增科室（执法队）及其配备类别"), self.action_add)
        row = self.current()
        if row is not None:
            yield SystemCommand(_("修改所选科室的配备类别"), row.dept.name, self.action_set_class)
