"""统计: the figures of a period per department or per officer, with a bar chart of one figure at a time.

Every number comes from :meth:`avledger.services.stats.StatsService.report` (SQL aggregates), as ``avledger
stats`` prints it; F2 prints the 统计表. The bars are drawn with Rich text (one block per eighth of a cell), so
they read over SSH in any terminal at 80 columns.
"""

from __future__ import annotations

import datetime as dt

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalGroup, VerticalScroll
from textual.widgets import Input, Static

from avledger.errors import UserError
from avledger.i18n import N_, _
from avledger.services.printing import Filters
from avledger.services.stats import CHARTED, StatsReport, columns
from avledger.timeutil import local_today
from avledger.tui.screens.base import SubScreen

# the figures the table shows (all of them print), and those the chart cycles through
SHOWN = (
    "activities",
    "full_record",
    "clips",
    "on_time_rate",
    "gaps",
    "gaps_explained",
    "loans",
    "overdue",
    "spot_checked",
    "spot_score",
)
# their headings on screen, short enough for 80 columns (the printed 统计表 has the full ones)
SHORT = {
    "activities": N_("活动"),
    "full_record": N_("须全程"),
    "clips": N_("音像"),
    "on_time_rate": N_("按时%"),
    "gaps": N_("中断"),
    "gaps_explained": N_("已说明"),
    "loans": N_("领用"),
    "overdue": N_("逾期还"),
    "spot_checked": N_("抽查"),
    "spot_score": N_("均分"),
}
EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(value: float, most: float, width: int) -> str:
    """A horizontal bar of ``width`` cells at most, in eighths of a cell."""
    if most <= 0 or value <= 0:
        return ""
    eighths = round(8 * width * value / most)
    return "█" * (eighths // 8) + (EIGHTHS[eighths % 8] if eighths % 8 else "")


class StatsScreen(SubScreen):
    SECTION = "home"
    BINDINGS = [
        Binding("b", "switch_by", _("按科室/按人员")),
        Binding("m", "next_metric", _("换一项图示")),
        Binding("enter", "reload_period", _("统计"), show=False),
    ]

    def __init__(self, services) -> None:
        super().__init__(services)
        today = local_today(services.ctx.clock(), services.office.profile().tz)
        self.first, self.last = dt.date(today.year, 1, 1), today
        self.by = "dept"
        self.metric = 0
        self.report: StatsReport | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(_("统计"), classes="title", id="stats-title")
        with HorizontalGroup(classes="toolbar"):
            yield Static(_("从"), classes="label")
            yield Input(self.first.isoformat(), id="from", compact=True)
            yield Static(_("到"), classes="label")
            yield Input(self.last.isoformat(), id="to", compact=True)
        with VerticalScroll(id="stats-body"):
            yield Static("", id="figures")
            yield Static("", id="chart")

    def on_mount(self) -> None:
        self.query_one("#stats-body").focus()  # b and m at once; Tab reaches the dates

    def print_targets(self):
        return [("stats", Filters(date_from=self.first.isoformat(), date_to=self.last.isoformat()))]

    def reload(self) -> None:
        try:
            first, last = self.services.stats.period(self.value("#from"), self.value("#to"))
            self.report = self.services.stats.report(first, last, by=self.by)
        except UserError as exc:
            self.query_one("#figures", Static).update(Text(exc.render(), style="bold red"))
            self.query_one("#chart", Static).update("")
            return
        self.first, self.last = first, last
        how = _("按科室") if self.by == "dept" else _("按执法人员")
        self.query_one("#stats-title", Static).update(
            _("统计：{start} 至 {end}（{how}）").format(start=first.isoformat(), end=last.isoformat(), how=how)
        )
        self.show_figures()
        self.show_chart()

    def value(self, selector: str) -> str:
        return self.query_one(selector, Input).value.strip()

    def show_figures(self) -> None:
        report = self.report
        table = Table(box=None, pad_edge=False, header_style="bold", expand=False)
        table.add_column(_("科室") if self.by == "dept" else _("执法人员"), no_wrap=True)
        for key in SHOWN:
            table.add_column(_(SHORT[key]), justify="right", no_wrap=True)
        for row in [*report.rows, report.total]:
            values = row.as_json()
            style = "bold" if row is report.total else ""
            cells = ["—" if values.get(k) is None else str(values[k]) for k in SHOWN]
            name = _(row.name) if row is report.total else row.name  # a department's name is the office's own
            table.add_row(Text(name, style=style), *(Text(c, style=style) for c in cells))
        self.query_one("#figures", Static).update(table)

    def show_chart(self) -> None:
        report = self.report
        key = CHARTED[self.metric % len(CHARTED)]
        labels = dict(columns(report))
        rows = [(r.name, r.as_json().get(key) or 0) for r in report.rows if r.key is not None]
        most = max((v for _n, v in rows), default=0)
        width = max(10, self.size.width - 34)
        text = Text(_("图示：{what}（按 m 换一项）").format(what=_(labels[key])) + "\n", style="bold")
        names = max((cell_len(n) for n, _v in rows), default=4)
        for name, value in rows:
            text.append(name + " " * (names - cell_len(name) + 1))
            text.append(bar(float(value), float(most), width), style="cyan")
            text.append(f" {value}\n")
        self.query_one("#chart", Static).update(text)

    def action_switch_by(self) -> None:
        self.by = "officer" if self.by == "dept" else "dept"
        self.reload()

    def action_next_metric(self) -> None:
        self.metric += 1
        if self.report is not None:
            self.show_chart()

    def action_reload_period(self) -> None:
        self.reload()

    def on_input_submitted(self) -> None:
        self.reload()
