"""The statistics report (统计, issue 16) as a printed register and a spreadsheet: the figures of ``avledger
stats`` for a period, per department, or per officer of one department (``--dept``)."""

from __future__ import annotations

import datetime as dt

from avledger.i18n import N_, _
from avledger.services.sheets import Column, Scope, Sheet, register
from avledger.services.stats import ALLOCATION_COLUMNS, METRICS
from avledger.timeutil import local_today

RATE = ("on_time_rate", N_("按时采集率（%）"))


def _columns() -> list[Column]:
    keys = [(m.key, m.label) for m in METRICS]
    keys.insert([k for k, _label in keys].index("on_time") + 1, RATE)
    return [
        Column("name", N_("科室或执法人员"), 1.6, xlsx_width=18),
        *(Column(key, label, 0.8, "center", 10, kind="number") for key, label in [*keys, *ALLOCATION_COLUMNS]),
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
    rows = []
    for row in report.rows:
        if scope.dept is not None and row.dept != scope.dept.name:
            continue
        rows.append({"name": row.name, **_blank_none(row.as_json())})
    rows.append({"name": _("合计"), **_blank_none(report.total.as_json())})
    how = _("按科室") if by == "dept" else _("{dept}，按执法人员").format(dept=scope.dept.name)
    summary = _("统计期间：{start} 至 {end}（{how}）").format(start=first.isoformat(), end=last.isoformat(), how=how)
    return Sheet(rows, {"summary": summary})


def _blank_none(values: dict) -> dict:
    return {k: "" if v is None else v for k, v in values.items() if k not in ("id", "name", "dept")}
