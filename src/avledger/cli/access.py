"""Viewing approvals, the viewing register, and evidence extraction."""

from __future__ import annotations

import os
import shutil
import subprocess

import click

from avledger.errors import UserError
from avledger.i18n import _
from avledger.services.access import OPEN_WITH, AccessQuery, package_names, read_password
from avledger.services.views import to_json
from avledger.timeutil import fmt_local
from avledger.vocab import ACCESS_KINDS, ACCESS_REASONS, ACCESS_STATUSES, label

from .groups import Group, VocabOption, json_option
from .output import emit_json, json_out, table
from .state import services


def _access_json(r) -> dict:
    return to_json(r) | {"on_paper": r.on_paper}


def _access_line(r) -> str:
    return _("查阅申请 {id}：{status}（{kind}，有效期至 {until}，{n} 个文件）").format(
        id=r.id,
        status=label(ACCESS_STATUSES, r.status),
        kind=label(ACCESS_KINDS, r.kind),
        until=r.until.isoformat(),
        n=len(r.clip_ids),
    )


def display_available() -> bool:
    """A player can open: a graphical session and xdg-open (over SSH, details instead)."""
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) and bool(shutil.which("xdg-open"))


@click.group(cls=Group)
def access() -> None:
    """查阅审批与查阅登记。"""


@access.command("request")
@click.option("--activity", "activity_id", metavar="ACTIVITY_ID", help="执法活动编号")
@click.option("--case-no", metavar="NO", help="案件编号")
@click.option("--clip", "clips", multiple=True, metavar="CLIP_ID", help="音像文件编号（可重复）")
@click.option("--requester", required=True, metavar="STAFF_NUMBER", help="申请人工号")
@click.option("--reason", help="事由说明（按监督抽查申请时可不填）")
@click.option("--check", "check_id", metavar="CHECK_ID", help="监督抽查编号：查阅其样本中的执法活动（--activity）")
@click.option(
    "--reason-kind",
    default="case_handling",
    show_default=True,
    metavar="KIND",
    cls=VocabOption,
    vocab=ACCESS_REASONS,
    help="事由：{choices}",
)
@click.option(
    "--kind",
    type=click.Choice(list(ACCESS_KINDS)),
    default="view",
    show_default=True,
    help="view 查阅，copy 复制调取",
)
@click.option("--until", metavar="YYYY-MM-DD", help="有效期至（含当日，默认 7 天）")
@json_option
def access_request(activity_id, case_no, clips, requester, reason, check_id, reason_kind, kind, until, as_json) -> None:
    """申请查阅或复制音像资料。"""
    view = services().access.request(
        requester,
        reason,
        activity=activity_id,
        case_no=case_no,
        clips=list(clips),
        reason_kind=reason_kind,
        kind=kind,
        until=until,
        check=check_id,
    )
    if as_json:
        emit_json(_access_json(view))
        return
    click.echo(_access_line(view))


@access.command("approve")
@click.argument("request_id")
@click.option("--by", "by", required=True, metavar="STAFF_NUMBER", help="审批人工号")
@click.option("--paper-form", metavar="NO", help="纸质审批表编号（管理员代为登记时必填）")
@json_option
def access_approve(request_id, by, paper_form, as_json) -> None:
    """批准查阅申请。"""
    view = services().access.approve(request_id, by, paper_form=paper_form)
    if as_json:
        emit_json(_access_json(view))
        return
    click.echo(_access_line(view))
    if view.on_paper:
        click.echo(
            _("纸质审批表 {no}，{recorder} 代为登记").format(
                no=view.paper_form_no, recorder=view.recorded_by or view.decided_by
            )
        )


@access.command("refuse")
@click.argument("request_id")
@click.option("--by", "by", required=True, metavar="STAFF_NUMBER", help="审批人工号")
@click.option("--reason", required=True, help="不予批准理由")
@json_option
def access_refuse(request_id, by, reason, as_json) -> None:
    """不予批准查阅申请。"""
    view = services().access.refuse(request_id, by, reason)
    if as_json:
        emit_json(_access_json(view))
        return
    click.echo(_access_line(view))


@access.command("view")
@click.argument("request_id")
@click.option("--clip", "clip_id", metavar="CLIP_ID", help="只查阅其中一个文件")
@click.option("--no-player", is_flag=True, help="不打开播放器，只显示文件信息")
@json_option
def access_view(request_id, clip_id, no_player, as_json) -> None:
    """按批准的申请查阅音像资料（每次查阅都登记）。"""
    opened_services = services()
    player = not no_player and not as_json and display_available()
    opened = opened_services.access.view_clips(request_id, clip=clip_id, how="player" if player else "details")
    show_opened(opened_services, opened, player=player, as_json=as_json)


def show_opened(opened_services, opened, *, player: bool, as_json: bool) -> None:
    """A registered viewing: its files (and, with ``player``, each opened in the desktop's player)."""
    if as_json:
        emit_json(
            {
                "viewing": to_json(opened.viewing),
                "request": to_json(opened.request),
                "clips": [to_json(c) for c in opened.clips],
                "paths": [str(p) for p in opened.paths],
            }
        )
        return
    tz = opened_services.office.profile().tz
    click.echo(_("已登记查阅 {id}（申请 {request}）").format(id=opened.viewing.id, request=opened.request.id))
    for clip, path in zip(opened.clips, opened.paths):
        click.echo(
            f"  #{clip.id} {clip.original_name}  {fmt_local(clip.start_at, tz)}  "
            f"{'' if clip.duration_s is None else f'{clip.duration_s:.0f}s'}  {clip.sha256}"
        )
        click.echo(f"      {path}")
        if player:
            subprocess.Popen(["xdg-open", str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@access.command("list")
@click.option("--open", "open_only", is_flag=True, help="只列待审批的")
@json_option
def access_list(open_only, as_json) -> None:
    """列出查阅申请与审批（查阅登记）。"""
    opened = services()
    query = AccessQuery(open_only)
    if as_json:
        opened.access.write_json(query, json_out())
        return
    rows = opened.access.rows(query)
    tz = opened.office.profile().tz
    table(
        [
            "#",
            _("申请人"),
            _("事由"),
            _("方式"),
            _("文件数"),
            _("有效期至"),
            _("状态"),
            _("审批人"),
            _("审批时间"),
            _("查阅次数"),
            _("调取次数"),
        ],
        (
            [
                r.id,
                f"{r.requester}（{r.requester_number}）",
                f"{label(ACCESS_REASONS, r.reason_kind)}：{r.reason}",
                label(ACCESS_KINDS, r.kind) + (_("（保密）") if r.confidential else ""),
                len(r.clip_ids),
                r.until.isoformat(),
                label(ACCESS_STATUSES, r.status),
                (f"{r.decided_by}（{r.decided_by_number}）" if r.decided_by else "")
                + (_("（纸质 {no}）").format(no=r.paper_form_no) if r.on_paper else ""),
                fmt_local(r.decided_at, tz),
                r.viewings,
                r.extractions,
            ]
            for r in rows
        ),
    )


@access.command("viewings")
@click.option("--request", "request_id", metavar="REQUEST_ID", help="只列这个申请的")
@json_option
def access_viewings(request_id, as_json) -> None:
    """查阅登记：每次查阅的人员、时间、时长和文件。"""
    opened = services()
    if as_json:
        opened.access.write_viewings_json(json_out(), request=request_id)
        return
    rows = opened.access.viewings(request=request_id)
    tz = opened.office.profile().tz
    table(
        ["#", _("申请"), _("查阅人"), _("时间"), _("时长（秒）"), _("文件")],
        [
            [
                r.id,
                r.request_id,
                f"{r.viewer}（{r.viewer_number}）",
                fmt_local(r.at, tz),
                "" if r.duration_s is None else f"{r.duration_s:.0f}",
                " ".join(f"#{c}" for c in r.clip_ids),
            ]
            for r in rows
        ],
    )


@click.group(cls=Group)
def evidence() -> None:
    """作为证据调取音像资料。"""


@evidence.command("extract")
@click.argument("request_id")
@click.option("--extractor", required=True, metavar="STAFF_NUMBER", help="提取人工号")
@click.option("--out", "out_dir", required=True, metavar="DIR", help="输出目录（新建或空目录）")
@click.option("--7z", "seven_zip", is_flag=True, help="打包为 7z")
@click.option("--password-file", metavar="FILE", help="7z 密码文件（AES-256，文件名列表也加密）")
@click.option("--ask-password", is_flag=True, help="在终端输入 7z 密码（输入两次，不回显）")
@json_option
def evidence_extract(request_id, extractor, out_dir, seven_zip, password_file, ask_password, as_json) -> None:
    """按批准复制的申请调取证据：核对 SHA-256，生成文字说明材料并登记。"""
    opened = services()
    password = ask_password_twice() if ask_password and not password_file else None
    damaged = opened.access.damaged_clips(request_id)
    if damaged:  # said, not refused: the damaged file may be the evidence there is
        click.echo(
            _("注意：以下 {n} 个音像文件采集时标记为损坏，调取的是损坏的文件：").format(n=len(damaged)), err=True
        )
        for d in damaged:
            click.echo("  " + d.describe(), err=True)
    view = opened.access.extract(
        request_id, extractor, out_dir, seven_zip=seven_zip, password_file=password_file, password=password
    )
    if as_json:
        emit_json(to_json(view) | {"files": [f.__dict__ for f in view.files]})
        return
    click.echo(_("已调取 {n} 个文件：{path}").format(n=len(view.files), path=view.package or view.out_dir))
    for f in view.files:
        click.echo(f"  {f.name}  {f.sha256}")
    if view.encrypted:
        click.echo(_("7z 包已用 AES-256 加密（含文件名列表）"))
        click.echo(_(OPEN_WITH))


def ask_password_twice() -> str:
    """The 7z password typed twice at the terminal (not echoed); two that differ are refused."""
    first = click.prompt(_("7z 密码"), hide_input=True, err=True)
    again = click.prompt(_("再次输入密码"), hide_input=True, err=True)
    if first != again:
        raise UserError("evidence.password_mismatch", "两次输入的密码不一致", field="password")
    return first


@evidence.command("check")
@click.argument("package")
@click.option("--password-file", metavar="FILE", help="7z 密码文件")
def evidence_check(package, password_file) -> None:
    """检查证据 7z 包能否用密码打开、文件是否完好。"""
    names = package_names(package, read_password(password_file))
    click.echo(_("7z 包完好：{n} 个文件").format(n=len(names)))
    for name in names:
        click.echo(f"  {name}")
