"""Footage: collecting it from a card or folder, the clips in the archive, and checking the archive."""

from __future__ import annotations

import sys
from dataclasses import asdict

import click

from avledger.errors import EXIT_PARTLY, EXIT_PROBLEM, PartlyDone
from avledger.i18n import _
from avledger.present import clauses, size_text
from avledger.services.footage import FootageQuery
from avledger.services.ingest import shown
from avledger.services.views import to_json
from avledger.timeutil import fmt_local
from avledger.vocab import CLIP_FLAGS, CLIP_KINDS, SKIP_REASONS, TIME_SOURCES, VERIFY_PROBLEMS, label, labels

from .groups import Command, Group, json_option
from .output import ProgressLine, cancellable, emit_json, json_out, key_values, table
from .state import services


@click.command(cls=Command)
@click.argument("source_dir", type=click.Path(file_okay=False))
@click.option("--device", "asset_no", metavar="ASSET_NO", help="设备资产编号")
@click.option("--activity", "activity_id", metavar="ACTIVITY_ID", help="执法活动编号")
@click.option("--dry-run", is_flag=True, help="只列出采集计划，不复制")
@json_option
def ingest(source_dir: str, asset_no: str | None, activity_id: str | None, dry_run: bool, as_json: bool) -> None:
    """采集音像文件入库（复制、校验、登记；原文件不改动）。"""
    opened = services()
    plan = opened.ingest.scan(source_dir, device=asset_no, activity=activity_id)
    if dry_run:
        _print_plan(opened, plan, as_json)
        return
    stopped = None
    with cancellable() as cancel:
        try:
            result = opened.ingest.apply(plan, progress=ProgressLine(as_json=as_json), cancel=cancel)
        except PartlyDone as exc:  # the archive's disk filled: what was collected, and what was not
            result = getattr(exc, "result", None)
            if result is None:
                raise
            stopped = exc
    if as_json:
        emit_json(
            {
                "archived": [
                    {
                        "id": c.id,
                        "source": c.source,
                        "archive_path": c.archive_path,
                        "sha256": c.sha256,
                        "activity_id": c.activity_id,
                        "flags": list(c.flags),
                        "late": c.late,
                    }
                    for c in result.archived
                ],
                "duplicates": [
                    {"source": d.source, "sha256": d.sha256, "clip_id": d.clip_id} for d in result.duplicates
                ],
                "flagged": [
                    {"id": c.id, "flags": list(c.flags) + (["late"] if c.late else [])} for c in result.flagged
                ],
                "refused": [{"path": s.path, "reason": s.reason} for s in result.refused],
                "unassigned": [c.id for c in result.archived if c.activity_id is None],
                "cancelled": result.cancelled,
                "partly_done": result.cancelled or bool(result.faults) or stopped is not None,
                "not_collected": result.not_collected,
            }
            | ({"error": stopped.as_json()} if stopped else {})
        )
    else:
        _print_result(result)
        for path in result.not_collected:
            click.echo(_("  - {path}：未采集").format(path=path))
    if stopped is not None:
        click.echo(_("错误：{message}").format(message=stopped.render()), err=True)
        sys.exit(stopped.exit_status)
    if result.faults and not result.cancelled:
        # not collected by a fault (still being written, unreadable): the job is not done, a later run finishes it
        message = _(
            "部分完成：已入库 {done} 个，{left} 个因故未采集（{files}）；稍后再次运行同一命令即可采集这些文件。"
        )
        files = _("、").join(f"{s.path}：{label(SKIP_REASONS, s.reason)}" for s in result.faults)
        click.echo(message.format(done=len(result.archived), left=len(result.faults), files=files), err=True)
        sys.exit(EXIT_PARTLY)
    if result.cancelled:
        left = len(plan.files) - len(result.archived) - len(result.duplicates)
        click.echo(
            _("已停止：已入库并登记 {done} 个，余下 {left} 个未采集；再次运行同一命令即可完成。").format(
                done=len(result.archived) + len(result.duplicates), left=left
            ),
            err=True,
        )
        sys.exit(EXIT_PARTLY)


def _print_result(result) -> None:
    click.echo(
        _("已入库 {archived} 个，重复跳过 {duplicates} 个，有问题 {flagged} 个，未采集 {refused} 个").format(
            archived=len(result.archived),
            duplicates=len(result.duplicates),
            flagged=len(result.flagged),
            refused=len(result.refused),
        )
    )
    for clip in result.archived:
        notes = (
            [label(CLIP_FLAGS, f) for f in clip.flags]
            + ([_("逾期")] if clip.late else [])
            + ([_("未分配执法活动")] if clip.activity_id is None else [])
        )
        click.echo(
            f"  #{clip.id} {clip.archive_path}" + (_("（{notes}）").format(notes=clauses(notes)) if notes else "")
        )
    for duplicate in result.duplicates:
        click.echo(f"  = {duplicate.source}：{label(SKIP_REASONS, 'duplicate')} #{duplicate.clip_id}")
    for skipped in result.refused:
        click.echo(f"  - {skipped.path}：{label(SKIP_REASONS, skipped.reason)}")


def _print_plan(opened, plan, as_json: bool) -> None:
    if as_json:
        emit_json(
            {
                "files": [
                    {
                        "source": shown(str(f.source)),
                        "kind": f.kind,
                        "size": f.size,
                        "start_at": f.start_at.isoformat(),
                        "time_source": f.time_source,
                        "device_id": f.device_id,
                        "holder_id": f.holder_id,
                        "activity_id": f.activity_id,
                        "flags": list(f.flags),
                        "question": f.question,
                    }
                    for f in plan.files
                ],
                "refused": [{"path": s.path, "reason": s.reason} for s in plan.skipped],
            }
        )
        return
    questions = {"no_activity": _("没有时间相符的执法活动"), "several_activities": _("有多个时间相符的执法活动")}
    tz = opened.office.profile().tz
    table(
        [_("文件名"), _("类型"), _("录制时间"), _("时间来源"), _("执法活动"), _("问题")],
        [
            [
                f.name,
                label(CLIP_KINDS, f.kind),
                fmt_local(f.start_at, tz),
                label(TIME_SOURCES, f.time_source),
                f.activity_id or _("未分配"),
                clauses(
                    ([questions[f.question]] if f.question and f.activity_id is None else [])
                    + ([_("无法读取或已损坏")] if f.flags else [])
                ),
            ]
            for f in plan.files
        ],
    )
    for skipped in plan.skipped:
        click.echo(f"  - {skipped.path}：{label(SKIP_REASONS, skipped.reason)}")


@click.group(cls=Group)
def footage() -> None:
    """已入库的音像资料。"""


@footage.command("list")
@click.option("--activity", "activity_id", metavar="ACTIVITY_ID")
@click.option("--unassigned", is_flag=True, help="只列未分配执法活动的")
@click.option("--late", is_flag=True, help="只列逾期采集的")
@json_option
def footage_list(activity_id, unassigned, late, as_json) -> None:
    """列出音像资料。"""
    opened = services()
    query = FootageQuery(activity_id, unassigned, late)
    if as_json:
        opened.footage.write_json(query, json_out())
        return
    rows = opened.footage.rows(query)
    tz = opened.office.profile().tz
    table(
        [
            "#",
            _("文件名"),
            _("类型"),
            _("录制时间"),
            _("时长（秒）"),
            _("设备"),
            _("使用人"),
            _("执法活动"),
            _("入库时间"),
            _("问题"),
        ],
        (
            [
                r.id,
                r.original_name,
                label(CLIP_KINDS, r.kind),
                fmt_local(r.start_at, tz),
                "" if r.duration_s is None else f"{r.duration_s:.0f}",
                r.asset_no or "",
                r.holder or "",
                f"{r.activity_id} {r.activity}" if r.activity_id else _("未分配"),
                fmt_local(r.ingested_at, tz),
                clauses(
                    [label(CLIP_FLAGS, f) for f in r.flags]
                    + ([_("逾期：") + (r.late_reason or _("待说明"))] if r.late else [])
                ),
            ]
            for r in rows
        ),
    )


@footage.command("show")
@click.argument("clip_id")
@json_option
def footage_show(clip_id: str, as_json: bool) -> None:
    """显示一个音像文件的详细信息（指纹、时间来源、采集时限）。"""
    opened = services()
    c = opened.footage.open(clip_id)
    if as_json:
        emit_json(to_json(c))
        return
    tz = opened.office.profile().tz
    key_values(
        [
            ("#", str(c.id)),
            (_("文件名"), c.original_name),
            (_("存储路径"), c.archive_path),
            ("SHA-256", c.sha256),
            (_("类型"), label(CLIP_KINDS, c.kind)),
            (_("录制时间"), fmt_local(c.start_at, tz)),
            (_("时间来源"), label(TIME_SOURCES, c.time_source)),
            (_("时长（秒）"), "" if c.duration_s is None else f"{c.duration_s:.1f}"),
            (_("分辨率"), f"{c.width}×{c.height}" if c.width else ""),
            (_("音视频编码"), c.codecs),
            (_("设备"), c.asset_no or ""),
            (_("使用人"), f"{c.holder}（{c.holder_number}）" if c.holder else ""),
            (_("执法活动"), f"{c.activity_id} {c.activity}" if c.activity_id else _("未分配")),
            (_("入库时间"), fmt_local(c.ingested_at, tz)),
            (_("采集时限"), fmt_local(c.deadline_at, tz)),
            (_("逾期"), (_("是") + ("：" + c.late_reason if c.late_reason else "")) if c.late else _("否")),
            (_("问题"), labels(CLIP_FLAGS, c.flags)),
        ]
    )


@footage.command("waiting")
@json_option
def footage_waiting(as_json: bool) -> None:
    """等待采集：已归还但尚无音像入库的设备、已结束但尚无音像的执法活动，以及剩余时间。"""
    opened = services()
    rows = opened.footage.waiting()
    if as_json:
        emit_json([to_json(r) for r in rows])
        return
    tz = opened.office.profile().tz
    table(
        [_("设备"), _("使用人"), _("执法活动"), _("归还/结束"), _("采集时限"), _("剩余（小时）")],
        [
            [
                r.asset_no or "",
                r.holder or "",
                f"{r.id} {r.activity}" if r.kind == "activity" else "",
                fmt_local(r.since, tz),
                fmt_local(r.deadline_at, tz),
                f"{r.hours_left:.1f}" if r.hours_left >= 0 else _("已逾期 {hours:.1f}").format(hours=-r.hours_left),
            ]
            for r in rows
        ],
    )


@footage.command("assign")
@click.argument("clip_ids", nargs=-1, required=True, metavar="CLIP_ID...")
@click.option("--activity", "activity_id", required=True, metavar="ACTIVITY_ID")
@click.option("--reason", default="", help="归属原因（录制时间不在执法活动时间内的须填写）")
def footage_assign(clip_ids: tuple[str, ...], activity_id: str, reason: str) -> None:
    """把音像文件归入执法活动（可一次多个；有一个不能归入则都不归入；存储中的文件不移动）。"""
    footage = services().footage
    if len(clip_ids) == 1:
        views = [footage.assign(clip_ids[0], activity_id, reason=reason)]
    else:
        views = footage.assign_many(clip_ids, activity_id, reason=reason)
    for view in views:
        click.echo(_("已归入执法活动 {activity}：{name}").format(activity=view.activity_id, name=view.original_name))


@footage.command("late-reason")
@click.argument("clip_ids", nargs=-1, metavar="[CLIP_ID...]")
@click.option("--activity", "activity_id", metavar="ACTIVITY_ID", help="该执法活动所有待说明的逾期音像文件")
@click.option("--reason", required=True, help="逾期原因")
def footage_late_reason(clip_ids: tuple[str, ...], activity_id: str | None, reason: str) -> None:
    """说明逾期采集的原因（可一次多个；有一个不能说明则都不登记）。"""
    footage = services().footage
    chosen = list(clip_ids)
    if activity_id is not None:
        waiting = footage.waiting_reason(activity_id)
        if not waiting and not chosen:
            click.echo(_("执法活动 {activity} 没有待说明的逾期音像文件").format(activity=activity_id))
            return
        chosen += [str(i) for i in waiting if str(i) not in chosen]
    if len(chosen) == 1:
        views = [footage.explain_late(chosen[0], reason)]
    else:
        views = footage.explain_late_many(chosen, reason)
    for view in views:
        click.echo(_("已登记逾期说明：{name}").format(name=view.original_name))


@click.command(cls=Command)
@click.option("--activity", "activity_id", metavar="ACTIVITY_ID")
@json_option
def verify(activity_id, as_json) -> None:
    """重新计算存储中每个文件的 SHA-256，报告缺失、被改动和多出的文件。"""
    with cancellable() as cancel:
        result = services().footage.verify(activity=activity_id, progress=ProgressLine(as_json=as_json), cancel=cancel)
    if as_json:
        emit_json(
            {
                "ok": result.ok,
                "checked": result.checked,
                "bytes": result.bytes,
                "problems": [asdict(p) for p in result.problems],
                "leftovers": [asdict(left) for left in result.leftovers],
            }
        )
    else:
        if result.ok:
            click.echo(_("存储完整：{n} 个文件均与登记的指纹一致").format(n=result.checked))
        elif result.problems:
            click.echo(_("发现 {n} 处问题：").format(n=len(result.problems)))
            for problem in result.problems:
                click.echo(
                    f"  - {label(VERIFY_PROBLEMS, problem.kind)}：{problem.path}"
                    + (f"（#{problem.clip_id}）" if problem.clip_id else "")
                )
        if result.leftovers:
            click.echo(_("中断的任务留下的临时文件 {n} 个：").format(n=len(result.leftovers)))
            for left in result.leftovers:
                click.echo(f"  - {left.path}（{size_text(left.size)}）")
            click.echo(_("（下次采集或制作镜像时自动清除）"))
    if not result.ok:
        sys.exit(EXIT_PROBLEM)


@click.command(cls=Command)
@click.option(
    "--where",
    "patterns",
    multiple=True,
    metavar="GLOB",
    help="只在这些挂载位置查找（可多次；默认 /media/*/*、/run/media/*/* 和含 DCIM 文件夹的 /mnt/*）",
)
@json_option
def cards(patterns: tuple[str, ...], as_json: bool) -> None:
    """列出已插入的存储卡和移动存储（最近变动的在前），及其中的音像文件数。"""
    from avledger.services.cards import find_cards

    found = find_cards(patterns, ()) if patterns else find_cards()
    if as_json:
        emit_json([asdict(c) for c in found])
        return
    table(
        [_("卷标"), _("挂载位置"), _("大小"), _("音像文件数")],
        [[c.label, c.path, size_text(c.size), f"{c.media}+" if c.more else str(c.media)] for c in found],
    )
    if found:
        click.echo(_("采集：avledger ingest {path}").format(path=found[0].path))
