"""Disc archives: plan, build, burn two copies, verify and re-check, and where each copy is kept."""

from __future__ import annotations

import sys
from dataclasses import asdict

import click

from avledger.errors import EXIT_PROBLEM
from avledger.i18n import _
from avledger.present import size_text
from avledger.services.discs import DISC_TARGET_STATES, same_place_text
from avledger.services.views import to_json
from avledger.timeutil import fmt_local
from avledger.vocab import DISC_CHECK_RESULTS, DISC_MEDIA, LONG_TERM_REASONS, label, labels

from .groups import Group, json_option
from .output import ProgressLine, cancellable, emit_json, table
from .state import services


def disc_source(func):
    """What goes on the discs (an activity or a case) and on which medium."""
    options = [
        click.option("--activity", "activity_id", metavar="ACTIVITY_ID", help="执法活动编号"),
        click.option("--case-no", "case_no", metavar="NO", help="案号（该案件的全部执法活动）"),
        click.option("--media", default="dvd", show_default=True, type=click.Choice(list(DISC_MEDIA)), help="光盘类型"),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _plan_json(plan) -> dict:
    return {
        "media": plan.media,
        "capacity": plan.capacity,
        "discs": [
            {
                "number": d.number,
                "payload_bytes": d.payload_bytes,
                "files": [{"clip_id": f.clip_id, "name": f.name, "size": f.size, "sha256": f.sha256} for f in d.files],
            }
            for d in plan.discs
        ],
    }


def _disc_json(d) -> dict:
    return to_json(d) | {
        "copies": [to_json(c) for c in d.copies],
        "checks": [to_json(c) for c in d.checks],
        "burns": [to_json(b) for b in d.burns],
    }


def _set_json(s) -> dict:
    return to_json(s) | {"discs": [_disc_json(d) for d in s.discs]}


def _problem_lines(problems) -> None:
    kinds = {
        "missing": _("缺失"),
        "changed": _("已被改动"),
        "extra": _("未登记的文件"),
        "manifest": _("清单被改动"),
        "image": _("镜像不一致"),
    }
    for p in problems:
        click.echo(f"  - {kinds.get(p.kind, p.kind)}：{p.path}")


@click.group(cls=Group)
def disc() -> None:
    """光盘归档（一式两份刻录、回读核验、定期复检）。"""


@disc.command("plan")
@disc_source
@json_option
def disc_plan(activity_id, case_no, media, as_json) -> None:
    """规划光盘：每张光盘放哪些文件（不写入任何东西）。"""
    plan = services().discs.plan(activity=activity_id, case_no=case_no, media=media)
    if as_json:
        emit_json(_plan_json(plan))
        return
    click.echo(
        _("{n} 张光盘，{files} 个文件，共 {size}").format(
            n=len(plan.discs), files=plan.files, size=size_text(plan.payload_bytes)
        )
    )
    table(
        [_("光盘"), _("文件"), _("大小")],
        [[f"{d.number}/{len(plan.discs)}", len(d.files), size_text(d.payload_bytes)] for d in plan.discs],
    )


@disc.command("build")
@disc_source
@click.option("--out", required=True, type=click.Path(file_okay=False), help="镜像输出目录")
@json_option
def disc_build(activity_id, case_no, media, out, as_json) -> None:
    """制作光盘镜像（ISO 9660 + Joliet + Rock Ridge + UDF，BagIt 包与中文说明）。"""
    with cancellable() as cancel:
        result = services().discs.build(
            out,
            activity=activity_id,
            case_no=case_no,
            media=media,
            progress=ProgressLine(as_json=as_json),
            cancel=cancel,
        )
    if as_json:
        emit_json(
            {
                "set_id": result.id,
                "media": result.media,
                "images": [
                    {
                        "disc_id": d.id,
                        "number": d.number,
                        "discs": d.discs,
                        "path": d.image_path,
                        "size": d.size,
                        "volume_id": d.volume_id,
                        "sha256": d.image_sha256,
                        "files": d.files,
                    }
                    for d in result.discs
                ],
            }
        )
        return
    click.echo(_("光盘组 {id}：{n} 张").format(id=result.id, n=len(result.discs)))
    for d in result.discs:
        click.echo(f"  {d.number}/{d.discs} {d.volume_id} {d.image_path} {d.size} {d.image_sha256}")


@disc.command("burn")
@click.argument("iso_path", type=click.Path(dir_okay=False))
@click.option("--drive", required=True, metavar="DRIVE", help="刻录机设备（如 /dev/sr0）或 stdio:文件")
@click.option("--copy", "copy_no", required=True, type=click.IntRange(1, 9), help="第几份（1 或 2）")
@click.option("--kept-at", default="", metavar="PLACE", help="存放位置")
@json_option
def disc_burn(iso_path, drive, copy_no, kept_at, as_json) -> None:
    """刻录一份光盘，回读核验后登记。"""
    discs = services().discs
    with cancellable() as cancel:
        result = discs.burn(
            iso_path, drive, copy_no, kept_at=kept_at, progress=ProgressLine(as_json=as_json), cancel=cancel
        )
    other = discs.same_place(result.disc, result.copy.copy, result.copy.kept_at)
    if as_json:
        emit_json(
            {
                "ok": result.ok,
                "disc_id": result.disc.id,
                "volume_id": result.disc.volume_id,
                "copy": result.copy.copy,
                "drive": drive,
                "kept_at": result.copy.kept_at,
                "problems": [asdict(p) for p in result.problems],
                "same_place_as": other.copy if other else None,  # another copy kept at the same place
            }
        )
    elif result.ok:
        click.echo(
            _("已刻录并核验：{volume} 第 {copy} 份（{place}）").format(
                volume=result.disc.volume_id, copy=result.copy.copy, place=result.copy.kept_at or _("未填存放位置")
            )
        )
    else:
        click.echo(
            _("回读核验不一致：{volume} 第 {copy} 份").format(volume=result.disc.volume_id, copy=result.copy.copy)
        )
        _problem_lines(result.problems)
    if other is not None:
        click.echo(_("注意：{caution}").format(caution=same_place_text(other)), err=True)
    if not result.ok:
        sys.exit(EXIT_PROBLEM)


@disc.command("verify")
@click.option("--drive", required=True, metavar="DRIVE", help="刻录机设备（如 /dev/sr0）或 stdio:文件")
@click.option("--copy", "copy_no", type=click.IntRange(1, 9), help="第几份（登记到这一份）")
@json_option
def disc_verify(drive, copy_no, as_json) -> None:
    """核验光盘：从盘上内容识别是哪张光盘，逐个文件比对清单，并登记结果。"""
    with cancellable() as cancel:
        result = services().discs.verify(drive, copy=copy_no, progress=ProgressLine(as_json=as_json), cancel=cancel)
    if as_json:
        emit_json(
            {
                "ok": result.ok,
                "disc_id": result.disc.id,
                "volume_id": result.disc.volume_id,
                "set_id": result.disc.set_id,
                "number": result.disc.number,
                "discs": result.disc.discs,
                "checked": result.checked,
                "problems": [asdict(p) for p in result.problems],
                "interrupted_burn": result.resumed,
                "copy": result.copy,
            }
        )
    elif result.resumed == "completed":
        click.echo(
            _("中断的刻录已完成：{volume} 第 {copy} 份回读与镜像一致，已登记为已刻录并核验").format(
                volume=result.disc.volume_id, copy=result.copy
            )
        )
    elif result.resumed == "failed":
        failed = _("中断的刻录未完成：{volume} 第 {copy} 份回读与镜像不一致，已登记为刻录失败；请另用一张光盘重新刻录")
        click.echo(failed.format(volume=result.disc.volume_id, copy=result.copy))
        if result.disc.image_path:
            click.echo(f"  avledger disc burn {result.disc.image_path} --drive {drive} --copy {result.copy}")
    elif result.ok:
        click.echo(
            _("光盘完好：{volume}（第 {n} 张，共 {count} 张），{files} 个文件均与清单一致").format(
                volume=result.disc.volume_id, n=result.disc.number, count=result.disc.discs, files=result.checked
            )
        )
    else:
        click.echo(_("光盘 {volume} 发现 {n} 处问题：").format(volume=result.disc.volume_id, n=len(result.problems)))
        _problem_lines(result.problems)
    if not result.ok:
        sys.exit(EXIT_PROBLEM)


@disc.command("keep")
@click.argument("volume_id")
@click.option("--copy", "copy_no", required=True, type=click.IntRange(1, 9), help="第几份（1 或 2）")
@click.option("--kept-at", required=True, metavar="PLACE", help="存放位置")
def disc_keep(volume_id, copy_no, kept_at) -> None:
    """登记一份光盘的新存放位置。"""
    view = services().discs.keep(volume_id, copy_no, kept_at)
    click.echo(
        _("已登记存放位置：{volume} 第 {copy} 份（{place}）").format(
            volume=volume_id, copy=view.copy, place=view.kept_at
        )
    )


def _copies_text(d) -> str:
    parts = [f"{c.copy}：{c.kept_at or '-'}" + ("" if c.verified else _("（未通过核验）")) for c in d.copies]
    marks = {"burning": _("刻录中"), "interrupted": _("刻录中断，待核验")}
    parts += [f"{b.copy}：{marks[b.state]}（{b.drive}）" for b in d.unfinished]
    return _("；").join(parts)


@disc.command("list")
@json_option
def disc_list(as_json) -> None:
    """光盘登记：每组、每张、每份光盘，存放位置与检测记录。"""
    opened = services()
    sets = opened.discs.list()
    due = opened.discs.rechecks()
    targets = opened.discs.targets()
    if as_json:
        emit_json(
            {
                "targets": [to_json(t) for t in targets],
                "sets": [_set_json(s) for s in sets],
                "due": [d.disc_id for d in due.due],
                "due_required": due.required,
            }
        )
        return
    click.echo(_("须刻录光盘长期保存的执法活动"))
    table(
        ["#", _("标题"), _("案号"), _("长期保存情形"), _("音像"), _("状态")],
        [
            [
                t.activity_id,
                t.title,
                t.case_no,
                labels(LONG_TERM_REASONS, t.reasons),
                t.clips,
                label(DISC_TARGET_STATES, t.state),
            ]
            for t in targets
        ],
    )
    click.echo("")
    click.echo(_("光盘登记"))
    tz = opened.office.profile().tz
    rows = []
    for s in sets:
        for d in s.discs:
            last = d.last_check
            rows.append(
                [
                    f"{s.id}",
                    f"{d.number}/{d.discs}",
                    d.volume_id,
                    s.case_no or "",
                    s.title,
                    label(DISC_MEDIA, s.media),
                    _("是") if d.built else "",
                    _copies_text(d),
                    f"{fmt_local(last.at, tz)} {label(DISC_CHECK_RESULTS, last.result)}" if last else "",
                ]
            )
    table(
        [
            _("组"),
            _("光盘"),
            _("卷标"),
            _("案号"),
            _("名称"),
            _("类型"),
            _("已制作"),
            _("份数与存放位置"),
            _("最近检测"),
        ],
        rows,
    )
    if due.due:
        click.echo(
            _("到期待复检 {n} 张，本次至少检测 {m} 张：{ids}").format(
                n=len(due.due), m=due.required, ids=" ".join(d.volume_id for d in due.due)
            )
        )
