"""Statistics (统计) of a period, per department or per officer."""

from __future__ import annotations

import click

from avledger.i18n import _
from avledger.services.stats import columns, trend_columns

from .groups import Command, json_option
from .output import emit_json, table
from .state import services


@click.command(cls=Command)
@click.option("--from", "date_from", required=True, metavar="DATE", help="开始日期（含）")
@click.option("--to", "date_to", required=True, metavar="DATE", help="结束日期（含）")
@click.option("--by", type=click.Choice(["dept", "officer"]), default="dept", help="按科室或按执法人员统计")
@json_option
def stats(date_from: str, date_to: str, by: str, as_json: bool) -> None:
    """统计：执法活动、音像资料、全程记录、按时采集、中断、无法记录、领用和设备配备；逐月趋势。"""
    report = services().stats.report(date_from, date_to, by=by, trend=True)
    if as_json:
        emit_json(report.as_json())
        return
    cols = columns(report)

    def cells(row) -> list:
        values = row.as_json()
        name = _(row.name) if row is report.total else row.name  # (a department's name is the office's own)
        return [name] + ["—" if values.get(k) is None else values[k] for k, _label in cols]

    table(
        [_("科室") if by == "dept" else _("执法人员")] + [_(label) for _key, label in cols],
        [*(cells(r) for r in report.rows), cells(report.total)],
    )
    click.echo()
    click.echo(_("逐月趋势（全单位）"))
    trend = report.trend
    table(
        [_("月份")] + [_(label) for _key, label in trend_columns()],
        (
            [month] + ["—" if trend.series[k][i] is None else trend.series[k][i] for k, _label in trend_columns()]
            for i, month in enumerate(trend.months)
        ),
    )
