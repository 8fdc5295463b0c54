"""Keep-until dates, holds and disposal (保存期限、保存冻结、清除处理)."""

from __future__ import annotations

import itertools
import sys

import click

from avledger.errors import EXIT_PARTLY, UserError
from avledger.i18n import _
from avledger.present import size_text
from avledger.timeutil import fmt_local
from avledger.vocab import (
    DISPOSAL_PLAN_STATES,
    DISPOSAL_SKIP_REASONS,
    DISPOSAL_STATES,
    HOLD_KINDS,
    RETENTION_CATEGORIES,
    RETENTION_STARTS,
    label,
)

from .groups import Command, Group, json_option
from .output import ProgressLine, cancellable, emit_json, emit_json_with_list, key_values, table
from .state import services

PLAN_SHOWN = 50  # the files `dispose plan` lists under its line (`dispose list --plan` lists them all)


def _hold_text(kind: str, detail: str) -> str:
    return label(HOLD_KINDS, kind) + (f"：{detail}" if detail else "")


@click.group(cls=Group)
def retention() -> None:
    """保存期限（到期日与保存冻结）。"""


@retention.command("show", cls=Command)
@click.option("--clip", "clip_id", metavar="CLIP_ID")
@click.option("--activity", "activity_id", metavar="ACTIVITY_ID")
@json_option
def retention_show(clip_id, activity_id, as_json) -> None:
    """一条音像资料或一项执法活动的保存期限和冻结情形。"""
    if bool(clip_id) == bool(activity_id):
        raise UserError("retention.one_of", "请指定 --clip 或 --activity 之一", field="clip")
    view = services().retention.show(clip=clip_id, activity=activity_id)
    if as_json:
        emit_json(view.as_json())
        return
    keep = view.keep
    if keep.until is not None:
        until = keep.until.isoformat()
    elif keep.waiting == "case_open":
        until = _("案件终结后确定")
    elif keep.waiting == "case_file":
        until = _("登记案卷保管期限后确定")
    else:
        until = _("长期保存")
    pairs = [
        (_("保存至"), until),
        (_("类别"), label(RETENTION_CATEGORIES, keep.category)),
        (_("起算"), label(RETENTION_STARTS, keep.counts_from) + (f" {keep.start}" if keep.start else "")),
        (_("依据"), keep.article),
        (_("冻结"), "；".join(_hold_text(h.kind, h.detail) for h in view.holds) or _("无")),
    ]
    if view.disposed:
        pairs.append((_("已清除"), view.disposed))
    key_values(pairs)


@retention.command("case-file", cls=Command)
@click.option("--case-no", required=True, metavar="NO")
@click.option("--months", type=int, help="案卷保管期限（月）")
@click.option("--permanent", is_flag=True, help="案卷永久保管")
def retention_case_file(case_no, months, permanent) -> None:
    """登记案卷的保管期限（归档时确定；作为证据使用的音像资料随案卷保存）。"""
    if (months is None) == (not permanent):
        raise UserError("retention.months_or_permanent", "请指定 --months 或 --permanent 之一", field="months")
    row = services().retention.set_case_file(case_no, months=None if permanent else months)
    click.echo(_("已登记案卷保管期限：{no}").format(no=row.case_no))


@click.group(cls=Group)
def hold() -> None:
    """保存冻结：冻结期间不得清除。"""


@hold.command("add", cls=Command)
@click.option("--activity", "activity_id", metavar="ACTIVITY_ID")
@click.option("--case-no", metavar="NO")
@click.option("--reason", required=True, help="冻结原因（如投诉、法院调取）")
@json_option
def hold_add(activity_id, case_no, reason, as_json) -> None:
    """设置保存冻结。"""
    if bool(activity_id) == bool(case_no):
        raise UserError("retention.one_of_scope", "请指定 --activity 或 --case-no 之一", field="activity")
    added = services().retention.add_hold(activity=activity_id, case_no=case_no, reason=reason)
    if as_json:
        emit_json({"id": added.id})
    else:
        click.echo(_("已设置保存冻结：{id}").format(id=added.id))


@hold.command("release", cls=Command)
@click.argument("hold_id")
@click.option("--reason", required=True, help="解除原因")
def hold_release(hold_id, reason) -> None:
    """解除保存冻结。"""
    row = services().retention.release_hold(hold_id, reason=reason)
    click.echo(_("已解除保存冻结：{id}").format(id=row.id))


@hold.command("list", cls=Command)
@click.option("--all", "show_all", is_flag=True, help="包括已解除的")
@json_option
def hold_list(show_all, as_json) -> None:
    """人工设置的保存冻结。"""
    opened = services()
    rows = opened.retention.holds(open_only=not show_all)
    tz = opened.office.profile().tz
    if as_json:
        emit_json(
            [
                {
                    "id": h.id,
                    "activity": h.activity_id,
                    "case_no": h.case_no,
                    "reason": h.reason,
                    "set_by": h.set_by,
                    "set_at": fmt_local(h.set_at, tz),
                    "released_at": fmt_local(h.released_at, tz) if h.released_at else None,
                    "released_by": h.released_by,
                    "release_reason": h.release_reason,
                }
                for h in rows
            ]
        )
        return
    table(
        ["#", _("执法活动"), _("案件编号"), _("原因"), _("设置人"), _("设置时间"), _("解除")],
        [
            [
                h.id,
                h.activity_id or "",
                h.case_no,
                h.reason,
                h.set_by,
                fmt_local(h.set_at, tz),
                fmt_local(h.released_at, tz) if h.released_at else "",
            ]
            for h in rows
        ],
    )


@click.group(cls=Group)
def dispose() -> None:
    """清除处理：到期且未冻结的音像资料，经批准后清除（留存清除登记）。"""


def _item_json(item, tz) -> dict:
    return {
        "id": item.id,
        "clip": item.clip_id,
        "name": item.original_name,
        "path": item.archive_path,
        "sha256": item.sha256,
        "size": item.size,
        "recorded_at": fmt_local(item.recorded_at, tz) if item.recorded_at else None,
        "ingested_at": fmt_local(item.ingested_at, tz),
        "activity": item.activity_id,
        "keep_until": item.keep_until.isoformat(),
        "state": item.state,
        "skip_reason": item.skip_reason,
        "deleted_at": fmt_local(item.deleted_at, tz) if item.deleted_at else None,
        "deleted_by": item.deleted_by,
    }


def _plan_json(plan, tz) -> dict:
    data = {
        "id": plan.id,
        "status": plan.status,
        "planned_at": fmt_local(plan.planned_at, tz),
        "planned_by": plan.planned_by,
        "due_on": plan.due_on.isoformat(),
        "files": plan.files,
        "bytes": plan.bytes,
        "approved_by": plan.approved_by.number if plan.approved_by_id else None,
        "approved_at": fmt_local(plan.approved_at, tz) if plan.approved_at else None,
        "paper_form": plan.paper_form_no,
        "finished_at": fmt_local(plan.finished_at, tz) if plan.finished_at else None,
        "cancel_reason": plan.cancel_reason,
    }
    return data


@dispose.command("plan", cls=Command)
@json_option
def dispose_plan(as_json) -> None:
    """列出到期且未冻结的音像资料，登记清除计划。"""
    opened = services()
    plan = opened.disposal.plan()
    tz = opened.office.profile().tz
    if plan is None:
        if as_json:
            emit_json(None)
        else:
            click.echo(_("没有到期待清除的音像资料"))
        return
    items = opened.disposal.iter_items(plan)
    if as_json:
        emit_json_with_list(_plan_json(plan, tz), "items", (_item_json(i, tz) for i in items))
        return
    click.echo(
        _("已登记清除计划 {id}：{n} 个文件，{size}，待批准").format(
            id=plan.id, n=plan.files, size=size_text(plan.bytes)
        )
    )
    table(
        ["#", _("文件"), _("执法活动"), _("录制时间"), _("保存至")],
        [
            [i.clip_id, i.original_name, i.activity_id or "", fmt_local(i.recorded_at, tz), i.keep_until]
            for i in itertools.islice(items, PLAN_SHOWN)
        ],
    )
    if plan.files > PLAN_SHOWN:
        click.echo(
            _("……另有 {n} 个文件：全部清单用 dispose list --plan {id} 查看，或 print disposals 打印").format(
                n=plan.files - PLAN_SHOWN, id=plan.id
            )
        )


@dispose.command("approve", cls=Command)
@click.argument("plan_id")
@click.option("--by", required=True, metavar="STAFF_NUMBER", help="批准人工号")
@click.option("--paper-form", metavar="NO", help="纸质审批表编号")
def dispose_approve(plan_id, by, paper_form) -> None:
    """批准清除计划。"""
    plan = services().disposal.approve(plan_id, by, paper_form=paper_form)
    click.echo(_("已批准清除计划 {id}").format(id=plan.id))


@dispose.command("cancel", cls=Command)
@click.argument("plan_id")
@click.option("--reason", required=True, help="取消原因")
def dispose_cancel(plan_id, reason) -> None:
    """取消尚未执行的清除计划（其文件可列入以后的计划）。"""
    plan = services().disposal.cancel(plan_id, reason=reason)
    click.echo(_("已取消清除计划 {id}").format(id=plan.id))


@dispose.command("run", cls=Command)
@click.argument("plan_id")
@json_option
def dispose_run(plan_id, as_json) -> None:
    """执行已批准的清除计划：逐个复核指纹和冻结情形后清除，中断后可再次执行。"""
    opened = services()
    with cancellable() as cancel:
        result = opened.disposal.run(plan_id, progress=ProgressLine(as_json=as_json), cancel=cancel)
    if as_json:
        emit_json(
            {
                "plan": result.plan_id,
                "deleted": result.deleted,
                "completed": result.completed,
                "skipped": [{"clip": c, "reason": r} for c, r in result.skipped],
            }
        )
    else:
        click.echo(_("清除计划 {id}：已清除 {n} 个文件").format(id=result.plan_id, n=result.deleted + result.completed))
        for clip_id, reason in result.skipped:
            click.echo(f"  - #{clip_id} {label(DISPOSAL_SKIP_REASONS, reason)}")
    if result.skipped:
        sys.exit(EXIT_PARTLY)


@dispose.command("list", cls=Command)
@click.option("--plan", "plan_id", metavar="PLAN_ID", help="列出一个计划的文件")
@json_option
def dispose_list(plan_id, as_json) -> None:
    """清除计划及其文件（清除登记）。"""
    opened = services()
    tz = opened.office.profile().tz
    if plan_id:
        plan = opened.disposal.get(plan_id)
        items = opened.disposal.iter_items(plan)
        if as_json:
            emit_json_with_list(_plan_json(plan, tz), "items", (_item_json(i, tz) for i in items))
            return
        if plan.status == "cancelled":
            click.echo(_("清除计划 {id} 已取消：{reason}").format(id=plan.id, reason=plan.cancel_reason or "—"))
        table(
            ["#", _("文件"), "SHA-256", _("大小"), _("状态"), _("清除时间")],
            (
                [
                    i.clip_id,
                    i.original_name,
                    i.sha256[:16],
                    size_text(i.size),
                    label(DISPOSAL_STATES, i.state),
                    fmt_local(i.deleted_at, tz) if i.deleted_at else "",
                ]
                for i in items
            ),
        )
        return
    plans = opened.disposal.plans()
    if as_json:
        emit_json([_plan_json(p, tz) for p in plans])
        return
    table(
        ["#", _("状态"), _("拟定"), _("文件"), _("大小"), _("批准人"), _("执行完毕"), _("取消原因")],
        [
            [
                p.id,
                label(DISPOSAL_PLAN_STATES, p.status),
                f"{fmt_local(p.planned_at, tz)} {p.planned_by}",
                p.files,
                size_text(p.bytes),
                p.approved_by.name if p.approved_by_id else "",
                fmt_local(p.finished_at, tz) if p.finished_at else "",
                p.cancel_reason or "",
            ]
            for p in plans
        ],
    )
