"""The tamper-evident audit log: list it, and check the chain and the register against it."""

from __future__ import annotations

import sys
from dataclasses import asdict

import click

from avledger.errors import EXIT_PROBLEM
from avledger.i18n import N_, _
from avledger.services.auditlog import AuditQuery, describe_problem
from avledger.services.views import to_json
from avledger.timeutil import fmt_local, parse_date
from avledger.vocab import AUDIT_ACTIONS, label

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
    rows = list(opened.audit.page(query, limit=limit).rows) if limit else list(opened.audit.rows(query))
    if limit:
        rows.reverse()
    if as_json:
        emit_json([to_json(r) for r in rows])
        return
    tz = opened.office.profile().tz
    table(
        ["#", _("时间"), _("操作人"), _("操作"), _("对象"), _("摘要")],
        [
            [r.id, fmt_local(r.at, tz), r.actor, label(AUDIT_ACTIONS, r.action), f"{r.entity}#{r.entity_id}", r.summary]
            for r in rows
        ],
    )


@audit.command("verify")
@json_option
def audit_verify(as_json: bool) -> None:
    """核验审计链和登记数据是否被改动。"""
    result = services().audit.verify()
    if as_json:
        emit_json(
            {
                "ok": result.ok,
                "events": result.events,
                "rows": result.rows,
                "first_bad_event": result.first_bad_event,
                "problems": [asdict(p) for p in result.problems],
            }
        )
    elif result.ok:
        click.echo(
            _("审计链完整：{events} 条日志，{rows} 条登记记录均与日志一致").format(
                events=result.events, rows=result.rows
            )
        )
    else:
        click.echo(_("发现 {n} 处问题：").format(n=len(result.problems)))
        for problem in result.problems:
            click.echo("  - " + describe_problem(problem))
    if not result.ok:
        sys.exit(EXIT_PROBLEM)
