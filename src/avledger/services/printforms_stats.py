"""The statistics report (统计, issue 16) as a printed register and a spreadsheet: the figures of ``avledger
stats`` for a period, per department, or per officer of one department (``--dept``); the charts the screen
shows (a bar per department or officer for each charted figure, and each month's column), drawn by the
template from ``extra.bars`` and ``extra.trend``; the months in a sheet of their own in the spreadsheet."""

from __future__ import annotations

import datetime as dt

from avledger.i18n import N_, _
from avledger.services.sheets import Column, Scope, Sheet, Table, register
from avledger.services.stats import ALLOCATION_COLUMNS, CHARTED, METRICS, StatsReport, Trend, trend_columns
from avledger.timeutil import local_today

RATE = ("on_time_rate", N_("按时采集率（%）"))


def _columns() -> list[Column]:
    keys = [(m.key, m.label) for m in METRICS]
    keys.insert([k for k, _label in keys].index("on_time") + 1, RATE)
    return [
        Column("name", N_("科室或执法人员"), 1.6, xlsx_width=18),
        *(
            Column(key, label, 0.8, "center", 10, kind="number", narrow_title=True)
            for key, label in [*keys, *ALLOCATION_COLUMNS]
        ),
    ]


@register(
    "stats",
    N_("执法音像记录工作统计表"),
    filters={"date_from", "date_to", "dept"},
    landscape=True,
    signatures=(N_("制表人："), N_("负责人：")),
    columns=_columns(),
)
def stats(scope: Scope) -> Sheet:
    """Per department; with a department given, its officers. Without dates: this year to today."""
    today = local_today(scope.ctx.clock(), scope.tz)
    first, last = scope.date_from or dt.date(today.year, 1, 1), scope.date_to or today
    by = "officer" if scope.dept is not None else "dept"
    report = scope.services.stats.report(first, last, by=by)
    trend = scope.services.stats.trend(first, last, dept_id=None if scope.dept is None else scope.dept.id)
    shown = [r for r in report.rows if scope.dept is None or r.dept == scope.dept.name]
    rows = [{"name": row.name, **_blank_none(row.as_json())} for row in shown]
    rows.append({"name": _("合计"), **_blank_none(report.total.as_json())})
    how = _("按科室") if by == "dept" else _("{dept}，按执法人员").format(dept=scope.dept.name)
    if scope.date_from and scope.date_to:  # the head names the period already
        summary = _("统计口径：{how}").format(how=how)
    else:
        summary = _("统计期间：{start} 至 {end}（{how}）").format(
            start=first.isoformat(), end=last.isoformat(), how=how
        )
    whose = _("全单位") if scope.dept is None else scope.dept.name
    extra = {
        "summary": summary,
        "bars_title": _("图示：{how}").format(how=how),
        "bars": _bars(report, shown),
        "trend_title": _("逐月趋势（{whose}）").format(whose=whose),
        "trend": _trend(trend),
        "most_label": _("最大值"),
    }
    return Sheet(rows, extra, also=[_trend_table(trend, whose)])


def _blank_none(values: dict) -> dict:
    return {k: "" if v is None else v for k, v in values.items() if k not in ("id", "name", "dept")}


def _label(key: str) -> str:
    return _(dict([*((m.key, m.label) for m in METRICS), RATE])[key])


def _text(value) -> str:
    return "—" if value is None else str(value)


def _bars(report: StatsReport, rows) -> list[dict]:
    """Per charted figure, a bar per department or officer (as on screen: the rows of a known group)."""
    charts = []
    for key in CHARTED:
        values = [(r.name, r.as_json().get(key)) for r in rows if r.key is not None]
        most = max((v or 0 for _name, v in values), default=0)
        charts.append(
            {
                "title": _label(key),
                "most": most,
                "rows": [{"name": name, "value": v or 0, "text": _text(v)} for name, v in values],
            }
        )
    return charts


def _trend(trend: Trend) -> list[dict]:
    """Per charted figure, a column a month, labelled with the month (MM; the year under its first month)."""
    labels = [{"month": m[5:], "year": m[:4] if i == 0 or m[5:] == "01" else ""} for i, m in enumerate(trend.months)]
    charts = []
    for key in CHARTED:
        values = trend.series[key]
        most = max((v or 0 for v in values), default=0)
        charts.append(
            {
                "title": _label(key),
                "most": most,
                "most_text": _text(most),
                "values": [v or 0 for v in values],
                "texts": [_text(v) for v in values],
                "labels": labels,
            }
        )
    return charts


def _trend_table(trend: Trend, whose: str) -> Table:
    """The months as a table of their own (the spreadsheet's second sheet)."""
    columns = trend_columns()
    header = [_("月份"), *(_(label) for _key, label in columns)]
    rows = [[month, *(trend.series[key][i] for key, _label in columns)] for i, month in enumerate(trend.months)]
    return Table(_("逐月趋势"), _("逐月趋势（{whose}）").format(whose=whose), header, rows)
