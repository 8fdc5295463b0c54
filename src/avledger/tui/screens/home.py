"""首页: the office at a glance, as the reminder service sees it."""

from __future__ import annotations

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalGroup, VerticalGroup, VerticalScroll
from textual.widgets import Static

from avledger.i18n import _
from avledger.services.reminders import Glance, Register, Reminder, Todo, left_out_text, reminder_text
from avledger.timeutil import fmt_local
from avledger.tui.screens.base import InfoDialog, SectionScreen
from avledger.tui.sections import section
from avledger.tui.text import device_status
from avledger.vocab import DEVICE_STATUSES, label

# The section where a reminder is acted on.
HINT_SECTIONS = {
    "no_departments": "departments",
    "no_staff": "staff",
    "disc_recheck": "discs",
    "open_gaps": "activities",
    "late_clips": "footage",
    "disposal_due": "footage",
    "hold_review": "activities",
    "disc_due": "discs",
}


def reminder_style(r: Reminder) -> str:
    if r.kind == "collection":
        return "yellow" if r.hours_left >= 0 else "bold red"
    return "yellow" if r.kind in ("open_gaps", "late_clips") else ""


class RemindersDialog(InfoDialog):
    """待办提醒, all of them: the home panel shows what fits its lines."""

    title_text = _("待办提醒")

    def __init__(self, lines: Text):
        super().__init__()
        self.lines = lines

    def compose_content(self) -> ComposeResult:
        with VerticalScroll(id="reminders-all"):
            yield Static(self.lines)


class HomeScreen(SectionScreen):
    SECTION = "home"
    BINDINGS = [
        Binding("a", "app.add_device", _("登记设备")),
        Binding("s", "app.settings", _("界面语言")),
        Binding("c", "app.section('profile')", _("办公室配置"), tooltip=_("本单位制度规定的期限、标准和审批")),
        Binding("t", "all_reminders", _("全部提醒")),
        Binding("g", "app.stats", _("统计"), tooltip=_("各科室、各执法人员的统计与图示")),
    ]
    _reminders: Text | None = None

    def compose_body(self) -> ComposeResult:
        yield Static("", id="unit", classes="title")
        yield Static("", id="regulation")
        with HorizontalGroup(id="panels"):
            with VerticalGroup(id="status-panel", classes="panel"):
                yield Static(_("设备状态"), classes="panel-title")
                yield Static("", id="status")
            with VerticalGroup(id="register-panel", classes="panel"):
                yield Static(_("登记概况"), classes="panel-title")
                yield Static("", id="register")
            with VerticalGroup(id="alerts-panel", classes="panel"):
                yield Static(_("待办提醒"), classes="panel-title")
                yield Static("", id="alerts")
        with VerticalGroup(id="allocation-panel", classes="panel"):
            yield Static(_("配备缺额"), classes="panel-title")
            yield Static("", id="allocation")

    def reload(self) -> None:
        office = self.services.office
        profile = office.profile()
        tz = profile.tz
        self.query_one("#unit", Static).update(
            Text.assemble((office.unit(), "bold"), "  ", (_("（预设：{preset}）").format(preset=profile.preset), "dim"))
        )
        self.query_one("#regulation", Static).update(profile.issuer + profile.get("office.regulation"))
        glance = self.services.reminders.glance()
        self.show_statuses(glance.devices)
        self.show_register(glance.register, tz)
        self.show_shortfalls(glance)
        self.show_reminders(glance.todo, tz)

    def show_statuses(self, counts: dict[str, int]) -> None:
        status = Table.grid(padding=(0, 1))
        status.add_column(no_wrap=True)
        status.add_column(justify="right", no_wrap=True)
        for key, n in counts.items():
            status.add_row(device_status(key), Text(str(n), style="bold" if n else "dim"))
        status.add_row(Text(_("合计"), style="bold"), Text(str(sum(counts.values())), style="bold"))
        self.query_one("#status", Static).update(status)
        self.fit_panel(
            "#status-panel",
            [(label(DEVICE_STATUSES, k), str(n)) for k, n in counts.items()]
            + [(_("合计"), str(sum(counts.values()))), (_("设备状态"), "")],
        )

    def show_register(self, register: Register, tz) -> None:
        overview = Table.grid(padding=(0, 1))
        overview.add_column(no_wrap=True)
        overview.add_column(justify="right", no_wrap=True)
        rows = [
            (_("科室"), str(register.departments)),
            (_("在职人员"), str(register.staff)),
            (_("其中执法人员"), str(register.officers)),
            (_("设备"), str(register.devices)),
        ]
        if register.last_change_at:
            rows.append((_("最近修改"), fmt_local(register.last_change_at, tz)))
        for row in rows:
            overview.add_row(*row)
        self.query_one("#register", Static).update(overview)
        self.fit_panel("#register-panel", rows + [(_("登记概况"), "")])

    def show_shortfalls(self, glance: Glance) -> None:
        allocation: Text | Table
        if not glance.register.departments:
            allocation = Text(_("还没有科室。"), style="dim")
        elif not glance.shortfalls:
            allocation = Text(_("各科室均达到配备标准。"), style="green")
        else:
            allocation = Table(box=None, pad_edge=False, header_style="bold")
            allocation.add_column(_("科室"))
            allocation.add_column(_("执法人员"), justify="right", no_wrap=True)
            allocation.add_column(_("应配"), justify="right", no_wrap=True)
            allocation.add_column(_("在用"), justify="right", no_wrap=True)
            allocation.add_column(_("缺额"), justify="right", no_wrap=True)
            for r in glance.shortfalls:
                allocation.add_row(
                    r.department,
                    str(r.officers),
                    str(r.required),
                    str(r.working_devices),
                    Text(str(r.shortfall), style="bold red"),
                )
            more = glance.todo.left_out.get("allocation_shortfall")
            if more:
                allocation.caption = left_out_text(more)
        self.query_one("#allocation", Static).update(allocation)

    def show_reminders(self, todo: Todo, tz) -> None:
        """Each reminder in the services' words, with where to act on it; the shortfalls have their own panel.
        A list cut at its limit ends with how many more there are; so does the panel when they do not all fit
        its lines (:meth:`fit_reminders`; ``t`` shows them all)."""
        lines: list[tuple[str, str]] = []
        shown = [r for r in todo.reminders if r.kind != "allocation_shortfall"]
        for i, r in enumerate(shown):
            lines.append((reminder_text(r, tz) + self.hint(r.kind), reminder_style(r)))
            last_of_kind = i + 1 == len(shown) or shown[i + 1].kind != r.kind
            if last_of_kind and todo.left_out.get(r.kind):
                lines.append((left_out_text(todo.left_out[r.kind]), "dim"))
        self._reminders = Text("\n").join(Text(line, style=style) for line, style in lines) if lines else None
        self._reminder_lines = [Text(line, style=style) for line, style in lines]
        self.fit_reminders()

    def on_resize(self) -> None:
        self.call_after_refresh(self.fit_reminders)

    def fit_reminders(self) -> None:
        """As many reminders as the panel's lines hold, whole, then ``还有 N 项（按 t 查看全部）``."""
        alerts = self.query_one("#alerts", Static)
        items = getattr(self, "_reminder_lines", [])
        if not items:
            alerts.update(Text(_("暂无提醒。"), style="dim"))
            return
        panel = self.query_one("#alerts-panel")
        width, height = alerts.size.width, panel.content_region.height - 1  # (its title's line)
        if width <= 0 or height <= 0:  # not laid out yet: everything, fitted when it is
            alerts.update(Text("\n").join(items))
            return
        console = self.app.console

        def rows(text: Text) -> int:
            return len(text.wrap(console, width))

        shown, used = [], 0
        for i, item in enumerate(items):
            need = rows(item)
            left = len(items) - i - 1
            more = Text(_("还有 {n} 项（按 t 查看全部）").format(n=len(items) - i), style="bold")
            if used + need + (rows(more) if left else 0) > height:
                shown.append(more)
                break
            shown.append(item)
            used += need
        alerts.update(Text("\n").join(shown))

    def action_all_reminders(self) -> None:
        self.app.push_screen(RemindersDialog(self._reminders or Text(_("暂无提醒。"), style="dim")))

    @staticmethod
    def hint(kind: str) -> str:
        """Where to act on a reminder: its section's key, or the key on this screen."""
        if kind == "no_devices":
            return _("（按 a 登记设备）")
        section_id = HINT_SECTIONS.get(kind)
        if section_id is None:
            return ""
        s = section(section_id)
        return _("（按 {key} 到“{name}”）").format(key=s.key, name=_(s.label))

    def fit_panel(self, selector: str, rows: list[tuple[str, str]]) -> None:
        """Size a panel to its widest line, measured in terminal cells (CJK is two cells wide)."""
        keys = max(cell_len(key) for key, value in rows if value)
        values = max(cell_len(value) for key, value in rows if value)
        titles = max(cell_len(key) for key, value in rows if not value)
        self.query_one(selector).styles.width = max(keys + 2 + values, titles) + 4  # gap; border and padding
