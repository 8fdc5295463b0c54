"""Enforcement activities and cases, with their footage, interruptions and work records."""

from __future__ import annotations

import click

from avledger.i18n import _
from avledger.present import clauses, joined, yes_no
from avledger.services.activities import ActivityQuery
from avledger.services.views import to_json
from avledger.timeutil import fmt_local
from avledger.vocab import (
    ACTIVITY_KINDS,
    CASE_STATUSES,
    CIRCUMSTANCES,
    GAP_REASONS,
    LONG_TERM_REASONS,
    NORECORD_REASONS,
    label,
    labels,
)

from .groups import Group, json_option
from .output import emit_json, json_out, key_values, table
from .state import services


@click.group(cls=Group)
def activity() -> None:
    """执法活动与案件。"""


@activity.command("add")
@click.option("--kind", required=True, type=click.Choice(list(ACTIVITY_KINDS)), help="执法活动类型")
@click.option("--title", required=True, help="标题")
@click.option("--start", required=True, metavar="YYYY-MM-DD HH:MM", help="开始时间")
@click.option("--end", metavar="YYYY-MM-DD HH:MM", help="结束时间")
@click.option("--case-no", default="", help="案号")
@click.option("--case-name", default="", help="案件名称")
@click.option("--party", default="", help="当事人（个人或单位）")
@click.option("--place", default="", help="地点")
@click.option("--officer", "officers", multiple=True, metavar="STAFF_NUMBER", help="执法人员工号（可重复）")
@click.option("--full-record", is_flag=True, help="须全程记录")
@click.option(
    "--circumstance",
    "circumstances",
    multiple=True,
    type=click.Choice(list(CIRCUMSTANCES)),
    help="须全程记录的情形",
)
@click.option("--confidential", is_flag=True, help="涉及秘密或隐私")
@click.option(
    "--long-term", "long_term", multiple=True, type=click.Choice(list(LONG_TERM_REASONS)), help="长期保存情形"
)
@json_option
def activity_add(
    kind,
    title,
    start,
    end,
    case_no,
    case_name,
    party,
    place,
    officers,
    full_record,
    circumstances,
    confidential,
    long_term,
    as_json,
) -> None:
    """登记执法活动（有案号即为案件）。"""
    view = services().activities.add(
        kind,
        title,
        start,
        end=end,
        officers=list(officers),
        case_no=case_no,
        case_name=case_name,
        party=party,
        place=place,
        full_record=full_record,
        circumstances=list(circumstances),
        confidential=confidential,
        long_term=list(long_term),
    )
    if as_json:
        emit_json(to_json(view))
        return
    click.echo(_("已登记执法活动 {id}：{title}").format(id=view.id, title=view.title))


def _status_text(a) -> str:
    return label(CASE_STATUSES, a.status) + (f" {a.closed_at.isoformat()}" if a.closed_at else "")


@activity.command("list")
@click.option("--open", "open_only", is_flag=True, help="只列未结案的")
@json_option
def activity_list(open_only: bool, as_json: bool) -> None:
    """列出执法活动。"""
    opened = services()
    query = ActivityQuery(open_only)
    if as_json:
        opened.activities.write_json(query, json_out())
        return
    rows = opened.activities.rows(query)
    tz = opened.office.profile().tz
    table(
        [
            "#",
            _("类型"),
            _("标题"),
            _("案号"),
            _("当事人"),
            _("开始"),
            _("结束"),
            _("执法人员"),
            _("音像"),
            _("状态"),
            _("问题"),
        ],
        (
            [
                r.id,
                label(ACTIVITY_KINDS, r.kind),
                r.title,
                r.case_no,
                r.party,
                fmt_local(r.start_at, tz),
                fmt_local(r.end_at, tz),
                joined(r.officer_names),
                r.clips,
                _status_text(r),
                clauses(
                    (
                        _("须全程记录但无音像也无工作记录") if r.missing_record else "",
                        _("{n} 处中断待说明").format(n=r.open_gaps) if r.open_gaps else "",
                    )
                ),
            ]
            for r in rows
        ),
    )


@activity.command("show")
@click.argument("activity_id")
@json_option
def activity_show(activity_id: str, as_json: bool) -> None:
    """显示一项执法活动及其音像、中断和工作记录。"""
    opened = services()
    view = opened.activities.open(activity_id)
    clips = opened.footage.list(activity=view.id)
    gaps = opened.gaps.list(activity=view.id)
    records = opened.norecords.list(activity=view.id)
    if as_json:
        emit_json(
            {
                **to_json(view),
                "missing_record": view.missing_record,
                "clips": [to_json(c) for c in clips],
                "gaps": [to_json(g) for g in gaps],
                "norecords": [to_json(r) for r in records],
            }
        )
        return
    tz = opened.office.profile().tz
    key_values(
        [
            ("#", str(view.id)),
            (_("类型"), label(ACTIVITY_KINDS, view.kind)),
            (_("标题"), view.title),
            (_("案号"), view.case_no),
            (_("案件名"), view.case_name),
            (_("当事人"), view.party),
            (_("执法地点"), view.place),
            (_("执法人员"), _("、").join(f"{n}（{num}）" for n, num in zip(view.officer_names, view.officers))),
            (_("开始"), fmt_local(view.start_at, tz)),
            (_("结束"), fmt_local(view.end_at, tz)),
            (_("是否须全程记录"), yes_no(view.full_record)),
            (_("情形"), labels(CIRCUMSTANCES, view.circumstances)),
            (_("是否涉密"), yes_no(view.confidential)),
            (_("长期保存情形"), labels(LONG_TERM_REASONS, view.long_term)),
            (_("状态"), _status_text(view)),
        ]
    )
    if view.missing_record:
        click.echo(_("须全程记录但无音像也无工作记录"))
    click.echo("")
    table(
        ["#", _("文件名"), _("录制时间"), _("设备"), _("使用人"), _("存储路径")],
        [
            [c.id, c.original_name, fmt_local(c.start_at, tz), c.asset_no or "", c.holder or "", c.archive_path]
            for c in clips
        ],
    )
    if gaps:
        click.echo("")
        table(
            ["#", _("中断开始"), _("恢复"), _("分钟"), _("原因")],
            [
                [
                    g.id,
                    fmt_local(g.start_at, tz),
                    fmt_local(g.end_at, tz),
                    g.minutes,
                    label(GAP_REASONS, g.reason) if g.reason else _("待说明"),
                ]
                for g in gaps
            ],
        )
    if records:
        click.echo("")
        table(
            ["#", _("原因"), _("依据"), _("签字"), _("报告")],
            [[r.id, label(NORECORD_REASONS, r.reason), r.basis, joined(r.signers), r.reported_to] for r in records],
        )


@activity.command("confidential")
@click.argument("activity_id")
@click.option("--off", is_flag=True, help="取消保密标记（仅涉密资料审批角色）")
def activity_confidential(activity_id: str, off: bool) -> None:
    """标记执法活动的音像记录为保密（或取消）。"""
    view = services().activities.set_confidential(activity_id, not off)
    done = _("已标记保密：{id} {title}") if view.confidential else _("已取消保密标记：{id} {title}")
    click.echo(done.format(id=view.id, title=view.title))


@activity.command("close")
@click.argument("activity_id")
@click.option("--at", metavar="YYYY-MM-DD", help="结案日期（默认今天）")
def activity_close(activity_id: str, at: str | None) -> None:
    """结案（保存期限自结案起算）。"""
    view = services().activities.close(activity_id, at=at)
    click.echo(_("已结案：{id} {title}（{date}）").format(id=view.id, title=view.title, date=view.closed_at))


@activity.command("edit")
@click.argument("activity_id")
@click.option("--start", metavar="YYYY-MM-DD HH:MM", help="开始时间")
@click.option("--end", metavar="YYYY-MM-DD HH:MM", help="结束时间")
@click.option("--place", help="地点")
@click.option("--party", help="当事人（个人或单位）")
@click.option("--case-no", help="案号")
@click.option("--case-name", help="案件名称")
@click.option(
    "--officer", "officers", multiple=True, metavar="STAFF_NUMBER", help="执法人员工号（可重复，替换原有人员）"
)
@click.option(
    "--long-term", "long_term", multiple=True, type=click.Choice(list(LONG_TERM_REASONS)), help="增加长期保存情形"
)
@click.option("--why", required=True, help="修改原因")
@click.option("--outside-reason", default="", help="修改时间后不在活动时间内的音像文件仍属于该活动的原因")
@json_option
def activity_edit(
    activity_id, start, end, place, party, case_no, case_name, officers, long_term, why, outside_reason, as_json
) -> None:
    """修改执法活动（时间、地点、当事人、案件、执法人员，或补充长期保存情形），须说明修改原因。"""
    view = services().activities.edit(
        activity_id,
        why=why,
        start=start,
        end=end,
        place=place,
        party=party,
        case_no=case_no,
        case_name=case_name,
        officers=list(officers) if officers else None,
        long_term=list(long_term),
        outside_reason=outside_reason,
    )
    if as_json:
        emit_json(to_json(view))
        return
    click.echo(_("已修改执法活动 {id}：{title}").format(id=view.id, title=view.title))
    if view.long_term:
        click.echo(_("长期保存情形：{reasons}").format(reasons=labels(LONG_TERM_REASONS, view.long_term)))
