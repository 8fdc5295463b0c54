"""The printable registers of a device's faults and losses: 故障维修登记表 (R16: a fault reported, checked,
sent to the maker and back) and 丢失损坏赔偿登记表 (R17: lost or damaged through poor keeping or misuse, the
user pays the original price; D33(7))."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from avledger.i18n import N_, _
from avledger.models.schema import Device, Fault, Liability, Staff
from avledger.services.register import fen_to_yuan
from avledger.services.sheets import SEQ, Column, Scope, Sheet, register
from avledger.timeutil import fmt_local
from avledger.vocab import DEVICE_KINDS, label


# --- 故障维修登记表 (F05, R16) ----------------------------------------------------------
@register(
    "repairs",
    N_("执法记录设备故障维修登记表"),
    landscape=True,
    filters={"date_from", "date_to", "dept", "device"},
    signatures=(N_("设备管理员："), N_("负责人：")),
    columns=[
        SEQ,
        Column("asset_no", N_("资产编号"), 1.2, xlsx_width=14, fit=True),
        Column("kind", N_("类型"), 1.1, xlsx_width=12, fit=True),
        Column("model", N_("型号"), 1.1, xlsx_width=14),
        Column("reported", N_("故障登记时间"), 1.2, "center", 17, kind="datetime"),
        Column("description", N_("故障情况"), 2.4, xlsx_width=30),
        Column("sent", N_("送厂维修时间"), 1.2, "center", 17, kind="datetime"),
        Column("back", N_("修复返回时间"), 1.2, "center", 17, kind="datetime"),
        Column("outcome", N_("维修结果"), 1.6, xlsx_width=20),
        Column("state", N_("状态"), 0.9, "center", 10, fit=True),
        Column("signature", N_("经办人签名"), 1, blank=True),
    ],
)
def repairs(scope: Scope) -> Sheet:
    query = Fault.select(
        Device.asset_no,
        Device.kind,
        Device.model,
        Fault.reported_at,
        Fault.description,
        Fault.sent_at,
        Fault.back_at,
        Fault.outcome,
    ).join(Device, on=(Fault.device == Device.id))
    query = scope.in_period(query, Fault.reported_at)
    if scope.dept is not None:
        query = query.where(Device.department == scope.dept)
    if scope.device is not None:
        query = query.where(Fault.device == scope.device)
    return Sheet(_repair_rows(query.order_by(Fault.reported_at, Fault.id).tuples().iterator(), scope))


def _repair_rows(rows, scope: Scope) -> Iterator[dict]:
    tz = scope.tz
    states = {"reported": _("待送修"), "sent": _("维修中"), "back": _("已修复")}
    for seq, (asset_no, kind, model, reported, description, sent, back, outcome) in enumerate(rows, 1):
        yield {
            "seq": seq,
            "asset_no": asset_no,
            "kind": label(DEVICE_KINDS, kind),
            "model": model,
            "reported": fmt_local(reported, tz),
            "description": description,
            "sent": fmt_local(sent, tz) if sent else "",
            "back": fmt_local(back, tz) if back else "",
            "outcome": outcome,
            "state": states["back" if back else "sent" if sent else "reported"],
        }


# --- 丢失损坏赔偿登记表 (F05, R17, D33(7)) ------------------------------------------------
@register(
    "compensation",
    N_("执法记录设备丢失损坏赔偿登记表"),
    landscape=True,
    filters={"date_from", "date_to", "dept", "device", "staff"},
    signatures=(N_("设备管理员："), N_("负责人：")),
    columns=[
        SEQ,
        Column("asset_no", N_("资产编号"), 1.2, xlsx_width=14, fit=True),
        Column("kind", N_("类型"), 1.1, xlsx_width=12, fit=True),
        Column("model", N_("型号"), 1.1, xlsx_width=14),
        Column("what", N_("丢失/损坏"), 0.8, "center", 10, fit=True),
        Column("at", N_("登记时间"), 1.2, "center", 17, kind="datetime"),
        Column("liable", N_("责任人"), 1.2, xlsx_width=14),
        Column("price", N_("原价（元）"), 0.9, "right", 11, kind="number"),
        Column("amount", N_("赔偿金额（元）"), 0.9, "right", 11, kind="number"),
        Column("description", N_("情况说明"), 2.2, xlsx_width=28),
        Column("signature", N_("责任人签名"), 1, blank=True),
    ],
)
def compensation(scope: Scope) -> Sheet:
    query = (
        Liability.select(
            Device.asset_no,
            Device.kind,
            Device.model,
            Device.price_fen,
            Liability.kind,
            Liability.at,
            Staff.name,
            Staff.number,
            Liability.amount_fen,
            Liability.description,
        )
        .join(Device, on=(Liability.device == Device.id))
        .switch(Liability)
        .join(Staff, on=(Liability.staff == Staff.id))
    )
    query = scope.in_period(query, Liability.at)
    if scope.dept is not None:
        query = query.where(Device.department == scope.dept)
    if scope.device is not None:
        query = query.where(Liability.device == scope.device)
    if scope.staff is not None:
        query = query.where(Liability.staff == scope.staff)
    rows = list(_compensation_rows(query.order_by(Liability.at, Liability.id).tuples().iterator(), scope))
    total = sum((Decimal(r["amount"] or 0) for r in rows), Decimal(0))
    summary = _("共 {n} 起，赔偿合计 {total} 元").format(n=len(rows), total=f"{total:.2f}") if rows else ""
    return Sheet(rows, {"summary": summary})


def _compensation_rows(rows, scope: Scope) -> Iterator[dict]:
    tz = scope.tz
    words = {"lost": _("丢失"), "damaged": _("损坏")}
    for seq, row in enumerate(rows, 1):
        (asset_no, kind, model, price_fen, what, at, name, number, amount_fen, description) = row
        yield {
            "seq": seq,
            "asset_no": asset_no,
            "kind": label(DEVICE_KINDS, kind),
            "model": model,
            "what": words.get(what, what),
            "at": fmt_local(at, tz),
            "liable": f"{name}（{number}）",
            "price": fen_to_yuan(price_fen) or "",
            "amount": fen_to_yuan(amount_fen) or "",
            "description": description,
        }
