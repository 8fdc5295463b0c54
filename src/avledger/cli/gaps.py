"""Interruptions of recording and their reasons; work records of activities that could not be recorded."""

from __future__ import annotations

import click

from avledger.i18n import _
from avledger.present import joined
from avledger.timeutil import fmt_local
from avledger.vocab import GAP_REASONS, NORECORD_REASONS, label

from .groups import Command, Group, VocabOption, json_option
from .output import json_out, table
from .state import services


@click.command(cls=Command)
@click.option("--activity", "activity_id", metavar="ACTIVITY_ID")
@click.option("--open", "open_only", is_flag=True, help="只列待说明的")
@json_option
def gaps(activity_id, open_only, as_json) -> None:
    """记录中断（同一设备在同一执法活动中前后两段之间的间隔）。"""
    opened = services()
    if as_json:
        opened.gaps.write_json(json_out(), activity=activity_id, open_only=open_only)
        return
    rows = opened.gaps.list(activity=activity_id, open_only=open_only)
    tz = opened.office.profile().tz
    table(
        ["#", _("执法活动"), _("设备"), _("中断开始"), _("恢复"), _("分钟"), _("原因"), _("书面报告")],
        [
            [
                r.id,
                f"{r.activity_id} {r.activity}",
                r.asset_no,
                fmt_local(r.start_at, tz),
                fmt_local(r.end_at, tz),
                r.minutes,
                label(GAP_REASONS, r.reason) if r.reason else _("待说明"),
                _("是") if r.reported else "",
            ]
            for r in rows
        ],
    )


@click.group(cls=Group)
def gap() -> None:
    """记录中断说明。"""


@gap.command("explain")
@click.argument("gap_id")
@click.option("--reason", required=True, metavar="REASON", cls=VocabOption, vocab=GAP_REASONS, help="原因：{choices}")
@click.option("--note", default="", help="补充说明")
@click.option("--report", is_flag=True, help="已作书面报告")
def gap_explain(gap_id: str, reason: str, note: str, report: bool) -> None:
    """登记中断原因。"""
    view = services().gaps.explain(gap_id, reason, note=note, reported=report)
    click.echo(_("已登记中断说明：{id}").format(id=view.id))


@click.group(cls=Group)
def norecord() -> None:
    """无法记录工作记录。"""


@norecord.command("add")
@click.option("--activity", "activity_id", required=True, metavar="ACTIVITY_ID")
@click.option(
    "--reason",
    required=True,
    metavar="REASON",
    cls=VocabOption,
    vocab=NORECORD_REASONS,
    help="办公室配置中的原因：{choices}",
)
@click.option("--basis", required=True, help="依据")
@click.option("--signed-by", "signers", multiple=True, metavar="STAFF_NUMBER", help="签字执法人员工号（可重复）")
@click.option("--reported-to", required=True, metavar="STAFF_NUMBER", help="报告的负责人工号")
@click.option("--at", metavar="YYYY-MM-DD HH:MM")
def norecord_add(activity_id, reason, basis, signers, reported_to, at) -> None:
    """登记无法记录的工作记录。"""
    view = services().norecords.add(activity_id, reason, basis, list(signers), reported_to, at=at)
    click.echo(_("已登记工作记录 {id}（执法活动 {activity}）").format(id=view.id, activity=view.activity_id))


@norecord.command("list")
@click.option("--activity", "activity_id", metavar="ACTIVITY_ID")
@json_option
def norecord_list(activity_id, as_json) -> None:
    """列出无法记录工作记录。"""
    opened = services()
    if as_json:
        opened.norecords.write_json(json_out(), activity=activity_id)
        return
    rows = opened.norecords.list(activity=activity_id)
    tz = opened.office.profile().tz
    table(
        ["#", _("执法活动"), _("原因"), _("依据"), _("签字"), _("报告"), _("时间")],
        [
            [
                r.id,
                r.activity_id,
                label(NORECORD_REASONS, r.reason),
                r.basis,
                joined(r.signers),
                r.reported_to,
                fmt_local(r.at, tz),
            ]
            for r in rows
        ],
    )
