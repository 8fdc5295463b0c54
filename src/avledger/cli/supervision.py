"""Supervision spot checks (监督抽查) and the register of violations (过错责任追究)."""

from __future__ import annotations

import click

from avledger.i18n import _
from avledger.timeutil import fmt_local
from avledger.vocab import FINDINGS, SANCTIONS, SPOTCHECK_STATUSES, VIOLATION_ARTICLES, VIOLATION_STATUSES, label

from .groups import Group, VocabOption, json_option
from .output import emit_json, key_values, table
from .state import services


@click.group(cls=Group)
def spotcheck() -> None:
    """监督抽查：随机抽取执法活动，逐项检查并评分。"""


@spotcheck.command("draw")
@click.option("--from", "date_from", required=True, metavar="DATE", help="开始日期 YYYY-MM-DD")
@click.option("--to", "date_to", required=True, metavar="DATE", help="结束日期 YYYY-MM-DD")
@click.option("--share", metavar="PCT", help="抽查比例（%）")
@click.option("--count", metavar="N", help="抽查数量")
@click.option("--dept", metavar="DEPT", help="只抽这个科室的执法活动")
@click.option("--officer", metavar="STAFF_NUMBER", help="只抽这名执法人员参加的执法活动")
@click.option("--by", required=True, metavar="STAFF_NUMBER", help="抽查人工号")
@click.option("--seed", metavar="S", help="随机种子（同一种子抽出同样的执法活动；不填则随机生成并登记）")
@json_option
def spotcheck_draw(date_from, date_to, share, count, dept, officer, by, seed, as_json) -> None:
    """抽取抽查样本（可复现：登记随机种子）。"""
    opened = services()
    view = opened.spotchecks.draw(
        date_from, date_to, by=by, share=share, count=count, dept=dept, officer=officer, seed=seed
    )
    if as_json:
        emit_json(view.as_json())
        return
    click.echo(
        _("已抽取监督抽查 {id}：{n}/{population} 项执法活动（随机种子 {seed}）").format(
            id=view.id, n=len(view.drawn), population=view.population, seed=view.seed
        )
    )
    _drawn_table(opened, view)


def _drawn_table(opened, view) -> None:
    tz = opened.office.profile().tz
    items = view.items
    table(
        [_("执法活动"), _("标题"), _("开始"), _("执法人员"), *items, _("评分")],
        [
            [
                d.activity_id,
                d.title,
                fmt_local(d.start_at, tz),
                "、".join(d.officers),
                *(label(FINDINGS, d.findings.get(k)) if k in d.findings else "" for k in items),
                "" if d.score is None else d.score,
            ]
            for d in view.drawn
        ],
    )


@spotcheck.command("record")
@click.argument("check_id")
@click.option("--activity", "activity_id", required=True, metavar="ID")
@click.option("--item", "items", multiple=True, metavar="KEY=ok|fail", help="抽查项目及结果（可重复）")
@click.option("--note", help="说明")
@click.option("--score", metavar="N", help="评分（0–100）")
def spotcheck_record(check_id, activity_id, items, note, score) -> None:
    """登记一项执法活动的抽查结果。"""
    opened = services()
    parsed = opened.spotchecks.parse_items(items)
    view = opened.spotchecks.record(check_id, activity_id, parsed, note=note, score=score)
    click.echo(_("已登记监督抽查 {id} 中执法活动 {activity} 的结果").format(id=view.id, activity=activity_id))


@spotcheck.command("list")
@json_option
def spotcheck_list(as_json) -> None:
    """列出监督抽查。"""
    opened = services()
    views = opened.spotchecks.list()
    if as_json:
        emit_json([v.as_json() for v in views])
        return
    tz = opened.office.profile().tz
    table(
        ["#", _("期间"), _("抽取"), _("已检查"), _("不符合"), _("平均分"), _("抽查人"), _("抽取时间"), _("状态")],
        [
            [
                v.id,
                f"{v.period_from.isoformat()}～{v.period_to.isoformat()}",
                f"{len(v.drawn)}/{v.population}",
                v.checked,
                v.failures,
                "" if v.mean_score is None else v.mean_score,
                v.drawn_by,
                fmt_local(v.drawn_at, tz),
                label(SPOTCHECK_STATUSES, v.status),
            ]
            for v in views
        ],
    )


@spotcheck.command("show")
@click.argument("check_id")
@json_option
def spotcheck_show(check_id, as_json) -> None:
    """显示一次监督抽查及其样本。"""
    opened = services()
    view = opened.spotchecks.view(check_id)
    if as_json:
        emit_json(view.as_json())
        return
    key_values(
        [
            (_("期间"), f"{view.period_from.isoformat()}～{view.period_to.isoformat()}"),
            (_("随机种子"), view.seed),
            (_("抽查人"), view.drawn_by),
            (_("状态"), label(SPOTCHECK_STATUSES, view.status)),
        ]
    )
    _drawn_table(opened, view)


@spotcheck.command("view")
@click.argument("check_id")
@click.option("--activity", "activity_id", required=True, metavar="ID", help="抽查样本中的执法活动编号")
@click.option("--no-player", is_flag=True, help="不打开播放器，只显示文件信息")
@json_option
def spotcheck_view(check_id, activity_id, no_player, as_json) -> None:
    """查阅抽查样本的音像资料：按批准的监督抽查查阅申请查阅并登记；尚无申请时提交申请，待审批。"""
    from avledger.services.access import Opened

    from .access import _access_json, _access_line, display_available, show_opened

    opened_services = services()
    player = not no_player and not as_json and display_available()
    got = opened_services.access.view_for_check(check_id, activity_id, how="player" if player else "details")
    if isinstance(got, Opened):
        show_opened(opened_services, got, player=player, as_json=as_json)
        return
    if as_json:
        emit_json(_access_json(got))
        return
    click.echo(_access_line(got))
    click.echo(
        _("已提交查阅申请，批准后再次运行本命令查阅（审批：avledger access approve {id} --by 工号）").format(id=got.id)
    )


@spotcheck.command("close")
@click.argument("check_id")
def spotcheck_close(check_id) -> None:
    """结束监督抽查（每项执法活动都须逐项检查）。"""
    view = services().spotchecks.close(check_id)
    click.echo(_("监督抽查 {id} 已结束").format(id=view.id))


@click.group(cls=Group)
def violation() -> None:
    """过错责任追究：登记、决定、本人签收、列出。"""


@violation.command("add")
@click.option("--staff", required=True, metavar="N", help="责任人工号")
@click.option(
    "--article", required=True, metavar="ID", cls=VocabOption, vocab=VIOLATION_ARTICLES, help="违反条款：{choices}"
)
@click.option("--what", required=True, metavar="TEXT", help="过错事实")
@click.option("--activity", metavar="ID", help="证据：执法活动编号")
@click.option("--clip", metavar="ID", help="证据：音像文件编号")
@click.option("--loan", metavar="ID", help="证据：领用记录编号")
@click.option("--check", metavar="ID", help="证据：监督抽查编号")
def violation_add(staff, article, what, activity, clip, loan, check) -> None:
    """登记过错责任。"""
    view = services().violations.add(staff, article, what, activity=activity, clip=clip, loan=loan, check=check)
    click.echo(
        _("已登记过错责任 {id}：{name}（{number}）").format(id=view.id, name=view.staff_name, number=view.staff_number)
    )


@violation.command("decide")
@click.argument("violation_id")
@click.option("--sanction", required=True, metavar="KEY", cls=VocabOption, vocab=SANCTIONS, help="追究方式：{choices}")
@click.option("--until", metavar="DATE", help="停止执法工作的截止日期")
@click.option("--by", required=True, metavar="STAFF_NUMBER", help="决定人工号")
@click.option("--paper-form", metavar="NO", help="纸质决定书编号（代为登记时必填）")
def violation_decide(violation_id, sanction, until, by, paper_form) -> None:
    """作出追究决定。"""
    view = services().violations.decide(violation_id, sanction, by=by, until=until, paper_form=paper_form)
    click.echo(_("过错责任 {id}：{sanction}").format(id=view.id, sanction=label(SANCTIONS, view.sanction)))


@violation.command("acknowledge")
@click.argument("violation_id")
@click.option("--at", metavar="YYYY-MM-DD HH:MM", help="签收时间（补登纸质签收；默认现在）")
@click.option("--note", metavar="TEXT", help="签收说明")
def violation_acknowledge(violation_id, at, note) -> None:
    """本人签收追究决定（管理员可代为登记纸质决定书上的签收）。"""
    opened = services()
    view = opened.violations.acknowledge(violation_id, at=at, note=note)
    click.echo(
        _("过错责任 {id}：{name}（{number}）已签收，{at}").format(
            id=view.id,
            name=view.staff_name,
            number=view.staff_number,
            at=fmt_local(view.acknowledged_at, opened.ctx.profile().tz),
        )
    )


@violation.command("list")
@click.option("--staff", metavar="N", help="只列这名人员的")
@json_option
def violation_list(staff, as_json) -> None:
    """列出过错责任。"""
    opened = services()
    views = opened.violations.list(staff=staff)
    if as_json:
        emit_json([v.as_json() for v in views])
        return
    table(
        [
            "#",
            _("责任人"),
            _("条款"),
            _("过错事实"),
            _("追究方式"),
            _("停止执法至"),
            _("决定人"),
            _("状态"),
            _("本人签收"),
        ],
        [
            [
                v.id,
                f"{v.staff_name}（{v.staff_number}）",
                v.article,
                v.what,
                label(SANCTIONS, v.sanction) if v.sanction else "",
                v.until.isoformat() if v.until else "",
                v.decided_by,
                label(VIOLATION_STATUSES, v.status),
                fmt_local(v.acknowledged_at, opened.ctx.profile().tz),
            ]
            for v in views
        ],
    )


@violation.command("candidates")
@json_option
def violation_candidates(as_json) -> None:
    """可登记为过错责任的候选（不会自动登记）：监督抽查中不符合的项目，逾期未说明的记录中断，逾期采集未说明原因的音像文件，须全程记录却既无音像资料也无无法记录工作记录的执法活动。"""
    opened = services()
    found = opened.violations.candidates()
    if as_json:
        emit_json([c.as_json() for c in found])
        return

    def fact(c) -> str:
        if c.kind != "finding":
            return c.fact()
        return c.fact() + "：" + "、".join(opened.spotchecks.item_label(k) for k in c.failed)

    table(
        [_("执法人员"), _("事实"), _("执法活动"), _("条款"), _("说明")],
        [
            [
                f"{c.staff_name}（{c.staff_number}）",
                fact(c),
                f"{c.activity_id} {c.title}" if c.activity_id is not None else "",
                c.article,
                c.note,
            ]
            for c in found
        ],
    )
