"""The printable register of disposals (音像资料清除登记表, F11): every file ever disposed of, kept for ever."""

from __future__ import annotations

from avledger.i18n import N_, _
from avledger.services.sheets import SEQ, Column, Scope, Sheet, register
from avledger.timeutil import fmt_local
from avledger.vocab import DISPOSAL_SKIP_REASONS, DISPOSAL_STATES, label


@register(
    "disposals",
    N_("音像资料清除登记表"),
    landscape=True,
    filters={"date_from", "date_to", "activity"},
    signatures=(N_("制表人："), N_("管理人员："), N_("负责人：")),
    columns=[
        SEQ,
        Column("plan", N_("计划"), 0.5, "center", 8),
        Column("name", N_("文件名"), 2, xlsx_width=30),
        Column("sha256", "SHA-256", 2.2, xlsx_width=66, kind="hash"),
        Column("size", N_("大小（字节）"), 0.9, "right", 14),
        Column("recorded_at", N_("录制时间"), 1.1, "center", 17, kind="datetime"),
        Column("ingested_at", N_("入库时间"), 1.1, "center", 17, kind="datetime"),
        Column("activity", N_("执法活动"), 1.4, xlsx_width=20),
        Column("keep_until", N_("保存至"), 0.9, "center", 12, kind="date", fit=True),
        Column("planned_by", N_("拟定人"), 0.9, xlsx_width=14),
        Column("approved_by", N_("批准人"), 0.9, xlsx_width=14),
        Column("deleted_at", N_("清除时间"), 1.1, "center", 17, kind="datetime"),
        Column("state", N_("状态"), 0.8, xlsx_width=12),
    ],
)
def disposals(scope: Scope) -> Sheet:
    from avledger.models.schema import Activity, DisposalPlan
    from avledger.services.retention import ITEM_ACTIVITY, ITEMS_DECIDED, disposal_items

    # the files a run came to (their own records) and those of cancelled plans (read from their clips)
    where, params = ITEMS_DECIDED, []
    if scope.start_utc is not None:
        where += " AND d.deleted_at >= ?"
        params.append(scope.start_utc.isoformat(sep=" "))
    if scope.end_utc is not None:
        where += " AND d.deleted_at < ?"
        params.append(scope.end_utc.isoformat(sep=" "))
    if scope.activity is not None:
        where += f" AND {ITEM_ACTIVITY} = ?"
        params.append(scope.activity.id)

    plans: dict[int, DisposalPlan] = {}
    activities: dict[int, Activity] = {}

    def rows():
        for n, d in enumerate(disposal_items(where, tuple(params)), 1):
            plan = plans.get(d.plan_id) or plans.setdefault(d.plan_id, DisposalPlan.get_by_id(d.plan_id))
            approver = plan.approved_by if plan.approved_by_id else None
            act = None
            if d.activity_id:
                act = activities.get(d.activity_id) or activities.setdefault(
                    d.activity_id, Activity.get_by_id(d.activity_id)
                )
            state = label(DISPOSAL_STATES, d.state)
            if d.skip_reason == "cancelled" and plan.cancel_reason:
                state += f"（{label(DISPOSAL_SKIP_REASONS, d.skip_reason)}：{plan.cancel_reason}）"
            elif d.skip_reason:
                state += f"（{label(DISPOSAL_SKIP_REASONS, d.skip_reason)}）"
            yield {
                "seq": n,
                "plan": plan.id,
                "name": d.original_name,
                "sha256": d.sha256,
                "size": d.size,
                "recorded_at": fmt_local(d.recorded_at, scope.tz) if d.recorded_at else "",
                "ingested_at": fmt_local(d.ingested_at, scope.tz),
                "activity": f"{act.id} {act.case_no or act.title}" if act else "",
                "keep_until": d.keep_until.isoformat(),
                "planned_by": plan.planned_by,
                "approved_by": (f"{approver.name}（{approver.number}）" if approver else "")
                + (_("（纸质 {no}）").format(no=plan.paper_form_no) if approver and plan.paper_form_no else ""),
                "deleted_at": fmt_local(d.deleted_at, scope.tz) if d.deleted_at else "",
                "state": state,
            }

    return Sheet(rows())
