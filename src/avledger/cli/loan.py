"""The use and handover ledger: issue with the pre-use check, return, handover."""

from __future__ import annotations

import click

from avledger.i18n import _
from avledger.services.lending import CONDITIONS, LoanQuery, PreCheck
from avledger.timeutil import fmt_local

from .groups import Group, json_option
from .output import json_out, table
from .state import services


@click.group(cls=Group)
def loan() -> None:
    """使用与交接登记（领用、归还、交接）。"""


@loan.command("out")
@click.argument("asset_no")
@click.option("--to", "holder", required=True, metavar="STAFF_NUMBER", help="领用人工号")
@click.option("--battery", required=True, type=int, metavar="PCT", help="电量（%）")
@click.option("--free-gb", required=True, type=float, metavar="GB", help="剩余存储（GB）")
@click.option("--clock-offset", required=True, type=int, metavar="SECONDS", help="设备时钟与电脑时钟之差（秒）")
@click.option("--notice-given", is_flag=True, help="已提醒告知用语")
@click.option("--due", metavar="YYYY-MM-DD HH:MM", help="应还时间")
@click.option("--purpose", default="", help="用途")
@click.option("--despite", metavar="REASON", help="检查未通过仍领用的原因")
@click.option("--at", metavar="YYYY-MM-DD HH:MM", help="补登过去的时间")
def loan_out(asset_no, holder, battery, free_gb, clock_offset, notice_given, due, purpose, despite, at) -> None:
    """领用：使用前检查后发放给执法人员。"""
    view = services().lending.issue(
        asset_no,
        holder,
        PreCheck(battery, free_gb, clock_offset, notice_given),
        due=due,
        purpose=purpose,
        despite=despite,
        at=at,
    )
    click.echo(
        _("已领用：{asset} → {holder}（{number}）").format(
            asset=view.asset_no, holder=view.holder, number=view.holder_number
        )
    )


@loan.command("in")
@click.argument("asset_no")
@click.option("--content", default="", help="记录内容")
@click.option("--condition", default="ok", type=click.Choice(CONDITIONS), help="设备状况")
@click.option("--at", metavar="YYYY-MM-DD HH:MM", help="补登过去的时间")
def loan_in(asset_no, content, condition, at) -> None:
    """归还。"""
    view = services().lending.give_back(asset_no, content=content, condition=condition, at=at)
    click.echo(_("已归还：{asset}（{holder}）").format(asset=view.asset_no, holder=view.holder))


@loan.command("handover")
@click.argument("asset_no")
@click.option("--to", "holder", required=True, metavar="STAFF_NUMBER", help="接收人工号")
@click.option("--at", metavar="YYYY-MM-DD HH:MM", help="补登过去的时间")
def loan_handover(asset_no, holder, at) -> None:
    """交接：不经入库，直接交给另一名执法人员。"""
    view = services().lending.handover(asset_no, holder, at=at)
    click.echo(
        _("已交接：{asset} {giver} → {holder}").format(asset=view.asset_no, giver=view.from_holder, holder=view.holder)
    )


def _check_text(r) -> str:
    if r.start_kind != "issue":
        return "—"
    return _("未通过：") + (r.despite or "") if r.check_failures else _("通过")


def _end_text(r, tz) -> str:
    ends = {"handover": _("（交接）"), "lost": _("（丢失）")}
    return fmt_local(r.end_at, tz) + ends.get(r.end_kind, "")


@loan.command("list")
@click.option("--open", "open_only", is_flag=True, help="只列在外的")
@click.option("--overdue", is_flag=True, help="只列逾期未还的")
@click.option("--device", "asset_no", metavar="ASSET_NO")
@click.option("--staff", "staff_number", metavar="STAFF_NUMBER")
@json_option
def loan_list(open_only, overdue, asset_no, staff_number, as_json) -> None:
    """使用情况台账。"""
    opened = services()
    query = LoanQuery(open_only, overdue, asset_no, staff_number)
    if as_json:
        opened.lending.write_json(query, json_out())
        return
    rows = opened.lending.rows(query)
    tz = opened.office.profile().tz
    table(
        [_("资产编号"), _("使用人"), _("领用/交接"), _("应还"), _("检查"), _("归还"), _("记录内容")],
        (
            [
                r.asset_no,
                f"{r.holder}（{r.holder_number}）",
                fmt_local(r.start_at, tz) + ("" if r.start_kind == "issue" else _("（交接）")),
                fmt_local(r.due_at, tz) + (_("（逾期）") if r.overdue else ""),
                _check_text(r),
                _end_text(r, tz),
                r.content,
            ]
            for r in rows
        ),
    )
