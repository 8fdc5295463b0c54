"""首页: the office at a glance."""

from __future__ import annotations

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalGroup, VerticalGroup
from textual.widgets import Static

from avledger.i18n import _
from avledger.timeutil import fmt_local
from avledger.tui.screens.base import SectionScreen
from avledger.tui.sections import section
from avledger.tui.text import DEVICE_STATUS_STYLES
from avledger.vocab import DEVICE_STATUSES, label


class HomeScreen(SectionScreen):
    SECTION = "home"
    BINDINGS = [
        Binding("a", "app.add_device", _("登记设备")),
        Binding("s", "app.settings", _("界面语言")),
        Binding("c", "app.section('profile')", _("办公室配置"), tooltip=_("本单位制度规定的期限、标准和审批")),
    ]

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
        self.query_one("#unit", Static).update(
            Text.assemble((office.unit(), "bold"), "  ", (_("（预设：{preset}）").format(preset=profile.preset), "dim"))
        )
        self.query_one("#regulation", Static).update(profile.issuer + profile.get("office.regulation"))

        counts = self.services.devices.status_counts()
        status = Table.grid(padding=(0, 1))
        status.add_column(no_wrap=True)
        status.add_column(justify="right", no_wrap=True)
        for key, n in counts.items():
            status.add_row(
                Text(label(DEVICE_STATUSES, key), style=DEVICE_STATUS_STYLES.get(key, "")),
                Text(str(n), style="bold" if n else "dim"),
            )
        status.add_row(Text(_("合计"), style="bold"), Text(str(sum(counts.values())), style="bold"))
        self.query_one("#status", Static).update(status)
        self.fit_panel(
            "#status-panel",
            [(label(DEVICE_STATUSES, k), str(n)) for k, n in counts.items()]
            + [(_("合计"), str(sum(counts.values()))), (_("设备状态"), "")],
        )

        report = self.services.allocation.report()
        short = [r for r in report if r.shortfall]
        if not report:
            allocation: Text | Table = Text(_("还没有科室。"), style="dim")
        elif not short:
            allocation = Text(_("各科室均达到配备标准。"), style="green")
        else:
            allocation = Table(box=None, pad_edge=False, header_style="bold")
            allocation.add_column(_("科室"))
            allocation.add_column(_("执法人员"), justify="right", no_wrap=True)
            allocation.add_column(_("应配"), justify="right", no_wrap=True)
            allocation.add_column(_("在用"), justify="right", no_wrap=True)
            allocation.add_column(_("缺额"), justify="right", no_wrap=True)
            for r in short:
                allocation.add_row(
                    r.department,
                    str(r.officers),
                    str(r.required),
                    str(r.working_devices),
                    Text(str(r.shortfall), style="bold red"),
                )
        self.query_one("#allocation", Static).update(allocation)

        depts = self.services.departments.list()
        staff = self.services.staff.list(include_left=False)
        last = self.services.audit.list(limit=1, newest_first=True)
        overview = Table.grid(padding=(0, 1))
        overview.add_column(no_wrap=True)
        overview.add_column(justify="right", no_wrap=True)
        overview_rows = [
            (_("科室"), str(len(depts))),
            (_("在职人员"), str(len(staff))),
            (_("其中执法人员"), str(sum(1 for s in staff if s.is_enforcement))),
            (_("设备"), str(sum(counts.values()))),
        ]
        if last:
            overview_rows.append((_("最近修改"), fmt_local(last[0].at, profile.tz)))
        for row in overview_rows:
            overview.add_row(*row)
        self.query_one("#register", Static).update(overview)
        self.fit_panel("#register-panel", [(str(row[0]), str(row[1])) for row in overview_rows] + [(_("登记概况"), "")])

        todo = []
        if not depts:
            todo.append(
                _("还没有科室：按 {key} 到“{name}”新增科室。").format(
                    key=section("departments").key, name=_(section("departments").label)
                )
            )
        elif not staff:
            todo.append(
                _("还没有人员：按 {key} 到“{name}”新增人员。").format(
                    key=section("staff").key, name=_(section("staff").label)
                )
            )
        elif not sum(counts.values()):
            todo.append(_("还没有设备：按 a 登记设备。"))
        for loan in self.services.lending.list(overdue=True, limit=8):
            todo.append(
                _("逾期未还：{asset} {holder}（{number}），应还 {due}").format(
                    asset=loan.asset_no,
                    holder=loan.holder,
                    number=loan.holder_number,
                    due=fmt_local(loan.due_at, profile.tz),
                )
            )
        due = self.services.discs.rechecks()
        if due.due:
            todo.append(
                _("光盘到期复检：{n} 张，本次至少检测 {m} 张（按 {key} 到“{name}”）").format(
                    n=len(due.due), m=due.required, key=section("discs").key, name=_(section("discs").label)
                )
            )
        alerts = Text("\n".join(todo))
        for item in self.services.footage.waiting():
            what = (
                _("{asset} {holder} 归还于 {since}").format(
                    asset=item.asset_no, holder=item.holder, since=fmt_local(item.since, profile.tz)
                )
                if item.kind == "loan"
                else _("执法活动“{name}”").format(name=item.activity)
            )
            line = (
                _("待采集：{what}，剩余 {hours} 小时").format(what=what, hours=item.hours_left)
                if item.hours_left >= 0
                else _("采集逾期：{what}，已超 {hours} 小时").format(what=what, hours=-item.hours_left)
            )
            alerts.append(("\n" if alerts else "") + line, style="yellow" if item.hours_left >= 0 else "bold red")
        open_gaps = len(self.services.gaps.list(open_only=True))
        if open_gaps:
            alerts.append(
                ("\n" if alerts else "")
                + _("记录中断待说明原因：{n} 处（按 {key} 到“{name}”）").format(
                    n=open_gaps, key=section("activities").key, name=_(section("activities").label)
                ),
                style="yellow",
            )
        late = sum(1 for c in self.services.footage.list(late=True) if not c.late_reason)
        if late:
            alerts.append(
                ("\n" if alerts else "")
                + _("逾期采集待说明原因：{n} 个文件（按 {key} 到“{name}”）").format(
                    n=late, key=section("footage").key, name=_(section("footage").label)
                ),
                style="yellow",
            )
        self.query_one("#alerts", Static).update(alerts if alerts else Text(_("暂无提醒。"), style="dim"))

    def fit_panel(self, selector: str, rows: list[tuple[str, str]]) -> None:
        """Size a panel to its widest line, measured in terminal cells (CJK is two cells wide)."""
        keys = max(cell_len(key) for key, value in rows if value)
        values = max(cell_len(value) for key, value in rows if value)
        titles = max(cell_len(key) for key, value in rows if not value)
        self.query_one(selector).styles.width = max(keys + 2 + values, titles) + 4  # gap; border and padding
