"""Printed registers (A4 PDF) and their export to .xlsx or .csv."""

from __future__ import annotations

import click

from avledger.i18n import _
from avledger.services.printing import Filters

from .groups import Command
from .state import services


def register_filters(func):
    """The filters shared by ``print`` and ``export`` (each register accepts those that fit it)."""
    options = [
        click.option("--from", "date_from", metavar="YYYY-MM-DD", help="开始日期（含）"),
        click.option("--to", "date_to", metavar="YYYY-MM-DD", help="结束日期（含）"),
        click.option("--dept", metavar="DEPT", help="科室"),
        click.option("--device", metavar="ASSET_NO", help="资产编号"),
        click.option("--staff", metavar="STAFF_NUMBER", help="人员工号"),
        click.option("--activity", metavar="ACTIVITY_ID", help="执法活动编号"),
        click.option("--disc", metavar="VOLUME_ID", help="光盘卷标"),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _filters(date_from, date_to, dept, device, staff, activity, disc) -> Filters:
    return Filters(
        date_from=date_from, date_to=date_to, dept=dept, device=device, staff=staff, activity=activity, disc=disc
    )


@click.command("print", cls=Command)
@click.argument("register_name", metavar="REGISTER")
@register_filters
@click.option("-o", "--output", required=True, metavar="FILE.pdf", help="输出的 PDF 文件")
def print_register(register_name, date_from, date_to, dept, device, staff, activity, disc, output) -> None:
    """打印登记表（A4 PDF）。REGISTER：devices allocation loans activities footage interruptions norecords explanation discs disc-label audit viewings spotchecks assessments violations"""  # noqa: E501 (a message id)
    filters = _filters(date_from, date_to, dept, device, staff, activity, disc)
    path = services().printing.render_pdf(register_name, filters, output)
    click.echo(_("已生成：{path}").format(path=path))


@click.command("export", cls=Command)
@click.argument("register_name", metavar="REGISTER")
@register_filters
@click.option("-o", "--output", required=True, metavar="FILE.xlsx|FILE.csv", help="输出的表格文件")
def export_register(register_name, date_from, date_to, dept, device, staff, activity, disc, output) -> None:
    """导出登记表为 .xlsx 或 .csv。REGISTER：devices allocation loans activities footage interruptions norecords explanation discs disc-label audit viewings spotchecks assessments violations"""  # noqa: E501 (a message id)
    filters = _filters(date_from, date_to, dept, device, staff, activity, disc)
    path, count = services().printing.export(register_name, filters, output)
    click.echo(_("已导出 {n} 行：{path}").format(n=count, path=path))
