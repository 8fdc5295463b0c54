"""The tamper-evident audit log: list it, and check the chain and the register against it."""

from __future__ import annotations

import sys
from dataclasses import asdict

import click

from avledger.errors import EXIT_PROBLEM
from avledger.i18n import N_, _
from avledger.services.auditlog import AuditQuery, describe_problem, describe_witness
from avledger.services.views import to_json
from avledger.timeutil import fmt_local, parse_date
from avledger.vocab import AUDIT_ACTIONS, label
from avledger.witness import parse_head

from .groups import Group, json_option
from .output import emit_json, json_out, table
from .state import services


@click.group(cls=Group)
def audit() -> None:
    """审计日志（防篡改）。"""


@audit.command("list")
@click.option("--limit", type=int, help="只列最近的若干条")
@click.option("--from", "date_from", metavar="DATE", help="从这一天起（YYYY-MM-DD，含当天）")
@click.option("--to", "date_to", metavar="DATE", help="到这一天止（YYYY-MM-DD，含当天）")
@json_option
def audit_list(limit: int | None, date_from: str | None, date_to: str | None, as_json: bool) -> None:
    """列出审计日志。"""
    opened = services()
    query = AuditQuery(
        newest_first=bool(limit),
        date_from=parse_date(date_from, label=N_("开始日期"), field="date_from") if date_from else None,
        date_to=parse_date(date_to, label=N_("结束日期"), field="date_to") if date_to else None,
    )
    if as_json and not limit:
        opened.audit.write_json(query, json_out())
        return
    rows = reversed(opened.audit.page(query, limit=limit).rows) if limit else opened.audit.rows(query)
    if as_json:
        emit_json([to_json(r) for r in rows])
        return
    tz = opened.office.profile().tz
    table(
        ["#", _("时间"), _("操作人"), _("操作"), _("对象"), _("摘要")],
        (
            [r.id, fmt_local(r.at, tz), r.actor, label(AUDIT_ACTIONS, r.action), f"{r.entity}#{r.entity_id}", r.summary]
            for r in rows
        ),
    )


@audit.command("verify")
@click.option("--full", is_flag=True, help="从第一条日志起重算整条审计链（默认从最近一个可信的见证起）")
@click.option(
    "--head",
    "heads",
    multiple=True,
    metavar="N:HASH",
    help="纸质登记表页脚或光盘上的审计头，与日志比对（可多次）",
)
@json_option
def audit_verify(full: bool, heads: tuple[str, ...], as_json: bool) -> None:
    """核验审计链、登记数据和审计头的见证（数据目录、锚点、手工输入）。"""
    opened = services()
    result = opened.audit.verify(full=full, heads=[parse_head(h) for h in heads])
    if as_json:
        emit_json(
            {
                "ok": result.ok,
                "events": result.events,
                "rows": result.rows,
                "full": result.full,
                "checked": result.checked,
                "head": str(result.head),
                "start": asdict(result.start) if result.start else None,
                "first_bad_event": result.first_bad_event,
                "problems": [asdict(p) for p in result.problems],
                "sources": [asdict(s) for s in result.sources],
            }
        )
    else:
        if result.ok:
            click.echo(
                _("审计链完整：{events} 条日志，{rows} 条登记记录均与日志一致").format(
                    events=result.events, rows=result.rows
                )
            )
        else:
            click.echo(_("发现 {n} 处问题：").format(n=len(result.problems)))
            names = opened.audit.record_names(result.problems)
            for problem in result.problems:
                click.echo("  - " + describe_problem(problem, names))
        click.echo(
            _("重算了 {n} 条日志的哈希（{how}）").format(
                n=result.checked,
                how=_("从第一条起")
                if result.start is None
                else _("从{seen}起").format(seen=describe_witness(result.start)),
            )
        )
        for source in result.sources:
            if source.place == "typed":
                continue
            where = source.path
            if not source.reachable:
                click.echo("  " + _("见证文件不可达（未检查）：{path}").format(path=where))
            else:
                click.echo("  " + _("见证文件 {path}：比对 {n} 条").format(path=where, n=source.checked))
        click.echo(_("当前审计头：{head}").format(head=result.head.short))
    if not result.ok:
        sys.exit(EXIT_PROBLEM)


@audit.command("anchor")
@click.option("--to", metavar="PATH", help="写入审计头的文件夹（U 盘或另一台电脑共享的文件夹）；默认为已设置的锚点位置")
@click.option("--remember", is_flag=True, help="把 --to 的文件夹记为锚点位置，以后默认写入")
@json_option
def audit_anchor(to: str | None, remember: bool, as_json: bool) -> None:
    """把审计头写到数据目录以外的地方（锚点），日后核验可以发现日志被截去、重算或换回旧库。"""
    result = services().audit.anchor(to, remember=remember)
    if as_json:
        emit_json({"head": str(result.head), "written": result.written, "failed": [asdict(f) for f in result.failed]})
    else:
        click.echo(_("审计头 {head}").format(head=result.head.short))
        for path in result.written:
            click.echo("  " + _("已写入：{path}").format(path=path))
        for failure in result.failed:
            reason = _("找不到这个文件夹") if failure.reason == "missing" else failure.error
            click.echo("  " + _("未能写入：{path}（{reason}）").format(path=failure.place, reason=reason))
    if result.failed:
        sys.exit(EXIT_PROBLEM)
