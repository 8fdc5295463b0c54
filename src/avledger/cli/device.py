"""The device register, and what happens to a device: its history, faults, repairs and loss."""

from __future__ import annotations

from typing import Any

import click

from avledger.errors import UserError
from avledger.i18n import _
from avledger.services.register import DeviceQuery
from avledger.services.views import to_json
from avledger.timeutil import fmt_local
from avledger.vocab import ABILITIES, DEVICE_KINDS, DEVICE_STATUSES, HISTORY_KINDS, MEDIA_TIME, label, labels

from .groups import Group, VocabOption, json_option
from .output import emit_json, json_out, key_values, safe, table
from .state import services

KINDS = click.Choice(list(DEVICE_KINDS))
MEDIA_TIMES = click.Choice(list(MEDIA_TIME))


@click.group(cls=Group)
def device() -> None:
    """设备台账。"""


@device.command("add")
@click.argument("asset_no")
@click.option("--kind", required=True, type=KINDS, help="设备类型")
@click.option("--dept", required=True, help="科室")
@click.option("--custodian", required=True, metavar="STAFF_NUMBER", help="保管人工号")
@click.option("--model", default="", help="型号")
@click.option("--serial", default="", help="序列号")
@click.option("--fixed-asset", "fixed_asset_no", default="", help="固定资产编号")
@click.option("--purchased", metavar="YYYY-MM-DD", help="购置日期")
@click.option("--price", metavar="YUAN", help="原价（元）")
@click.option(
    "--ability", "abilities", multiple=True, cls=VocabOption, vocab=ABILITIES, help="功能（可多次）：{choices}"
)
@click.option("--media-time", default="utc", type=MEDIA_TIMES, help="媒体文件时间的写法")
@click.option("--notes", default="", help="备注")
def device_add(
    asset_no, kind, dept, custodian, model, serial, fixed_asset_no, purchased, price, abilities, media_time, notes
) -> None:
    """登记设备。"""
    view = services().devices.add(
        asset_no,
        kind,
        dept,
        custodian,
        model=model,
        serial=serial,
        fixed_asset_no=fixed_asset_no,
        purchased=purchased,
        price=price,
        abilities=list(abilities),
        media_time=media_time,
        notes=notes,
    )
    click.echo(_("已登记设备：{asset}").format(asset=view.asset_no))


@device.command("edit")
@click.argument("asset_no")
@click.option("--kind", type=KINDS)
@click.option("--dept")
@click.option("--custodian", metavar="STAFF_NUMBER")
@click.option("--model")
@click.option("--serial")
@click.option("--fixed-asset", "fixed_asset_no")
@click.option("--purchased", metavar="YYYY-MM-DD")
@click.option("--price", metavar="YUAN")
@click.option("--ability", "abilities", multiple=True, cls=VocabOption, vocab=ABILITIES)
@click.option("--media-time", type=MEDIA_TIMES)
@click.option("--notes")
def device_edit(asset_no, abilities, **changes) -> None:
    """修改设备登记信息。"""
    if abilities:
        changes["abilities"] = list(abilities)
    view = services().devices.update(asset_no, **changes)
    click.echo(_("已修改设备：{asset}").format(asset=view.asset_no))


def _device_row(d) -> list[Any]:
    return [
        d.asset_no,
        label(DEVICE_KINDS, d.kind),
        d.model,
        d.department,
        f"{d.custodian}（{d.custodian_number}）",
        label(DEVICE_STATUSES, d.status),
    ]


@device.command("list")
@click.option("--status", type=click.Choice(list(DEVICE_STATUSES)))
@click.option("--dept")
@click.option("--kind", type=KINDS)
@json_option
def device_list(status, dept, kind, as_json: bool) -> None:
    """列出设备。"""
    query = DeviceQuery(status, dept, kind)
    if as_json:
        services().devices.write_json(query, json_out())
        return
    rows = services().devices.rows(query)
    table([_("资产编号"), _("类型"), _("型号"), _("科室"), _("保管人"), _("状态")], (_device_row(d) for d in rows))


@device.command("show")
@click.argument("asset_no")
@json_option
def device_show(asset_no: str, as_json: bool) -> None:
    """显示一台设备的详细信息。"""
    opened = services()
    opened.devices.get(asset_no)
    d = opened.devices.view(asset_no)
    if as_json:
        emit_json(to_json(d))
        return
    key_values(
        [
            (_("资产编号"), d.asset_no),
            (_("类型"), label(DEVICE_KINDS, d.kind)),
            (_("型号"), d.model),
            (_("序列号"), d.serial),
            (_("固定资产编号"), d.fixed_asset_no),
            (_("购置日期"), d.purchased.isoformat() if d.purchased else ""),
            (_("原价（元）"), d.price_yuan or ""),
            (_("科室"), d.department),
            (_("保管人"), f"{d.custodian}（{d.custodian_number}）"),
            (_("当前使用人"), f"{d.holder}（{d.holder_number}）" if d.holder else "—"),
            (_("状态"), label(DEVICE_STATUSES, d.status)),
            (_("功能"), labels(ABILITIES, d.abilities) or "—"),
            (_("媒体时间"), label(MEDIA_TIME, d.media_time)),
            (_("备注"), d.notes),
        ]
    )
    history = opened.lending.history(asset_no)
    if history:
        tz = opened.office.profile().tz
        click.echo()
        click.echo(_("使用与维修记录"))
        for entry in history:
            click.echo(f"  {fmt_local(entry.at, tz)}  {safe(entry.text)}")


@device.command("history")
@click.argument("asset_no")
@json_option
def device_history(asset_no: str, as_json: bool) -> None:
    """设备的使用、交接、故障、维修和责任记录（按时间先后）。"""
    opened = services()
    history = opened.lending.history(asset_no)
    if as_json:
        emit_json([{"at": e.at.isoformat(), "kind": e.kind, **e.details} for e in history])
        return
    tz = opened.office.profile().tz
    table(
        [_("时间"), _("事项"), _("内容")],
        [[fmt_local(e.at, tz), label(HISTORY_KINDS, e.kind), e.text] for e in history],
    )


@device.command("fault")
@click.argument("asset_no")
@click.option("--desc", required=True, help="故障描述")
@click.option("--at", metavar="YYYY-MM-DD HH:MM")
def device_fault(asset_no, desc, at) -> None:
    """故障登记（设备转为维修中）。"""
    view = services().lending.report_fault(asset_no, desc, at=at)
    click.echo(_("已登记故障：{asset}").format(asset=view.asset_no))


@device.command("repair")
@click.argument("asset_no")
@click.option("--sent", "step", flag_value="sent", help="送厂维修")
@click.option("--back", "step", flag_value="back", help="修复返回")
@click.option("--at", metavar="YYYY-MM-DD HH:MM")
def device_repair(asset_no, step, at) -> None:
    """送修或修复返回。"""
    if step is None:
        raise UserError("input.one_of", "请指定 --sent 或 --back", field="step")
    view = services().lending.repair(asset_no, step, at=at)
    click.echo(_("已登记：{asset}").format(asset=view.asset_no))


@device.command("lost")
@click.argument("asset_no")
@click.option("--liable", required=True, metavar="STAFF_NUMBER", help="责任人工号")
@click.option("--amount", metavar="YUAN", help="赔偿金额（默认原价）")
@click.option("--at", metavar="YYYY-MM-DD HH:MM")
def device_lost(asset_no, liable, amount, at) -> None:
    """登记丢失（按原价赔偿，设备退出使用）。"""
    view = services().lending.record_liability(asset_no, "lost", liable, amount=amount, at=at)
    click.echo(
        _("已登记丢失：{asset}，责任人 {name}，赔偿 {amount} 元").format(
            asset=view.asset_no, name=view.staff, amount=view.amount_yuan
        )
    )


@device.command("retire")
@click.argument("asset_no")
@click.option("--reason", required=True, help="报废原因")
@click.option("--by", "by", required=True, metavar="STAFF_NUMBER", help="批准人工号（办公室配置的报废审批角色）")
@click.option("--paper-form", metavar="NO", help="纸质审批表编号（代为登记时必填）")
@json_option
def device_retire(asset_no, reason, by, paper_form, as_json) -> None:
    """设备报废（须经批准；设备保留在台账中，历史记录不删除）。"""
    view = services().devicecare.retire(asset_no, reason, by, paper_form=paper_form)
    if as_json:
        emit_json(to_json(view))
        return
    click.echo(
        _("已报废：{asset}，{name}（{number}）批准").format(
            asset=view.asset_no, name=view.approved_by, number=view.approved_by_number
        )
    )


@device.command("upkeep")
@click.argument("asset_no")
@click.option("--what", required=True, help="保养内容")
@click.option("--at", metavar="YYYY-MM-DD HH:MM", help="保养日期（默认现在）")
@json_option
def device_upkeep(asset_no, what, at, as_json) -> None:
    """登记设备保养（日期、保养人、保养内容）。"""
    view = services().devicecare.upkeep(asset_no, what, at=at)
    if as_json:
        emit_json(to_json(view))
        return
    click.echo(_("已登记保养：{asset} {what}").format(asset=view.asset_no, what=view.what))
