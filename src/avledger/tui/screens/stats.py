"""统计: the figures of a period per department or per officer, with a chart of one figure at a time: a bar per
department or officer, or (``t``) a column a month over the period.

Every number comes from :meth:`avledger.services.stats.StatsService.report` and ``trend`` (SQL aggregates), as
``avledger stats`` prints them; F2 prints the 统计表 with the same charts. The charts are drawn with Rich text
(one block per eighth of a cell), so they read over SSH in any terminal at 80 columns.
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
from avledger.i18n import H_, NH_, _
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
    "activities": NH_("活动"),
    "full_record": NH_("须全程"),
    "clips": NH_("音像"),
    "on_time_rate": NH_("按时%"),
    "gaps": NH_("中断"),
    "gaps_explained": NH_("已说明"),
    "loans": NH_("领用"),
    "overdue": NH_("逾期还"),
    "spot_checked": NH_("抽查"),
    "spot_score": NH_("均分"),
}
EIGHTHS = " ▏▎▍▌▋▊▉"
RISING = " ▁▂▃▄▅▆▇"
TREND_ROWS = 6  # the columns' height, in lines


def placed(labels: list[tuple[int, str]], width: int) -> str:
    """A line of ``width`` cells with each label at its column, a label that would touch the one before left
    out."""
    line, end = "", -1
    for at, label in labels:
        if at > end:
            line = line.ljust(at) + label
            end = at + len(label)
    return line[:width].rstrip()


def columns_of(values: list[float], rows: int) -> list[str]:
    """A column chart as ``rows`` lines, top first: one character a value, in eighths of a line, the largest
    value ``rows`` lines high (nothing for zero or no value)."""
    most = max((v or 0 for v in values), default=0)
    heights = [round(8 * rows * (v or 0) / most) if most > 0 else 0 for v in values]
    lines = []
    for row in range(rows - 1, -1, -1):
        line = ""
        for h in heights:
            part = h - 8 * row
            line += "█" if part >= 8 else (RISING[part] if part > 0 else " ")
        lines.append(line)
    return lines


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
        Binding("t", "switch_chart", _("各科室/逐月")),
        Binding("enter", "reload_period", _("统计"), show=False),
    ]

    def __init__(self, services) -> None:
        super().__init__(services)
        today = local_today(services.ctx.clock(), services.office.profile().tz)
        self.first, self.last = dt.date(today.year, 1, 1), today
        self.by = "dept"
        self.metric = 0
        self.monthly = False  # the chart: a bar per row, or a column a month
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
            self.report = self.services.stats.report(first, last, by=self.by, trend=True)
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
            table.add_column(H_(SHORT[key]), justify="right", no_wrap=True)
        for row in [*report.rows, report.total]:
            values = row.as_json()
            style = "bold" if row is report.total else ""
            cells = ["—" if values.get(k) is None else str(values[k]) for k in SHOWN]
            name = _(row.name) if row is report.total else row.name  # a department's name is the office's own
            table.add_row(Text(name, style=style), *(Text(c, style=style) for c in cells))
        self.query_one("#figures", Static).update(table)

    def show_chart(self) -> None:
        if self.monthly:
            self.show_trend()
        else:
            self.show_bars()

    def show_trend(self) -> None:
        """The charted figure month by month: a column a month (two cells, with a space between when there is
        room), the months under it (the year under its first month), the largest value named; a period of
        more months than the width holds shows its last months, and says so."""
        trend = self.report.trend
        key = CHARTED[self.metric % len(CHARTED)]
        label = _(dict(columns(self.report))[key])
        room = max(12, self.size.width - 8)
        width = 3 if 3 * len(trend.months) <= room else 2 if 2 * len(trend.months) <= room else 1
        keep = room // width
        months, values = trend.months[-keep:], trend.series[key][-keep:]
        most = max((v or 0 for v in values), default=0)
        text = Text(_("逐月：{what}（按 m 换一项，t 看各科室或人员）").format(what=label) + "\n", style="bold")
        if len(months) < len(trend.months):
            text.append(_("（只显示最后 {n} 个月）").format(n=len(months)) + "\n")
        text.append(_("最大值 {most}").format(most=most) + "\n")
        for line in columns_of([float(v or 0) for v in values], TREND_ROWS):
            text.append("".join((c * 2 + " " * (width - 2)) if width >= 2 else c for c in line), style="cyan")
            text.append("\n")
        step = -(-3 // width)  # a month's label takes three cells with its space
        marks = placed([(i * width, m[5:]) for i, m in enumerate(months) if i % step == 0], width * len(months))
        years = [(i * width, m[:4]) for i, m in enumerate(months) if i == 0 or m[5:] == "01"]
        text.append(marks + "\n" + placed(years, width * len(months)))
        self.query_one("#chart", Static).update(text)

    def show_bars(self) -> None:
        report = self.report
        key = CHARTED[self.metric % len(CHARTED)]
        labels = dict(columns(report))
        rows = [(r.name, r.as_json().get(key) or 0) for r in report.rows if r.key is not None]
        most = max((v for _n, v in rows), default=0)
        width = max(10, self.size.width - 34)
        text = Text(_("图示：{what}（按 m 换一项，t 看逐月）").format(what=_(labels[key])) + "\n", style="bold")
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

    def action_switch_chart(self) -> None:
        self.monthly = not self.monthly
        if self.report is not None:
            self.show_chart()

    def action_reload_period(self) -> None:
        self.reload()

    def on_input_submitted(self) -> None:
        self.reload()
