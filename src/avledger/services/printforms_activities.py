"""Printable registers of enforcement activities and their records (F06 to F10, F14, F21):
the activity register, the footage register, one form per interruption (中断说明) and per
not-recorded work record (无法记录工作记录), and the evidence explanation sheet (文字说明材料).

The per-record forms put their fields in ``extra.records`` for their templates; their rows
(one per record) are what the spreadsheet export gets.
"""

from __future__ import annotations

from avledger.errors import UserError
from avledger.i18n import N_, _
from avledger.models.schema import Activity, ActivityOfficer, AuditEvent, Gap, Staff
from avledger.present import duration_text
from avledger.services.activities import activity_name
from avledger.services.sheets import SEQ, Column, Scope, Sheet, register
from avledger.timeutil import fmt_local
from avledger.vocab import (
    ACTIVITY_KINDS,
    CASE_STATUSES,
    CLIP_KINDS,
    GAP_REASONS,
    LONG_TERM_REASONS,
    NORECORD_REASONS,
    label,
    labels,
)


def _activity_ids(scope: Scope) -> list[int] | None:
    """The activities the filters name (None: no activity filter at all)."""
    if scope.activity is None and scope.staff is None and scope.dept is None:
        return None
    query = Activity.select(Activity.id)
    if scope.activity is not None:
        query = query.where(Activity.id == scope.activity.id)
    if scope.dept is not None:
        query = query.where(Activity.department == scope.dept)
    if scope.staff is not None:
        query = query.where(
            Activity.id.in_(
                ActivityOfficer.select(ActivityOfficer.activity).where(ActivityOfficer.staff == scope.staff)
            )
        )
    return [a.id for a in query]


# --- 执法活动登记 (F06) -------------------------------------------------------------------
@register(
    "activities",
    N_("执法活动与音像资料登记"),
    landscape=True,
    filters={"date_from", "date_to", "dept", "staff", "activity"},
    signatures=(N_("制表人："), N_("负责人：")),
    columns=[
        Column("id", N_("编号"), "auto", "center", 6),
        Column("kind", N_("类型"), 0.9, "center", 12),
        Column("name", N_("标题/案件"), 2.2, xlsx_width=30),
        Column("party", N_("当事人"), 1.3, xlsx_width=18),
        Column("place", N_("地点"), 1.2, xlsx_width=16),
        Column("officers", N_("执法人员"), 1.3, xlsx_width=18),
        Column("start", N_("开始时间"), 1.1, "center", 17),
        Column("end", N_("结束时间"), 1.1, "center", 17),
        Column("full", N_("全程记录"), 0.7, "center", 8),
        Column("clips", N_("音像资料"), 0.7, "center", 8),
        Column("gaps", N_("中断"), 0.6, "center", 6),
        Column("norecords", N_("工作记录"), 0.7, "center", 8),
        Column("long_term", N_("长期保存"), 1.2, xlsx_width=18),
        Column("status", N_("状态"), 0.8, "center", 10),
    ],
)
def activities(scope: Scope) -> Sheet:
    service = scope.services.activities
    ids = _activity_ids(scope)
    tz = scope.tz
    gaps: dict[int, int] = {}
    for g in Gap.select(Gap.activity):
        gaps[g.activity_id] = gaps.get(g.activity_id, 0) + 1
    rows = []
    for a in reversed(service.list()):
        if ids is not None and a.id not in ids:
            continue
        if scope.start_utc is not None and a.start_at < scope.start_utc:
            continue
        if scope.end_utc is not None and a.start_at >= scope.end_utc:
            continue
        rows.append(
            {
                "id": a.id,
                "kind": label(ACTIVITY_KINDS, a.kind),
                "name": activity_name(a),
                "party": a.party,
                "place": a.place,
                "officers": _("、").join(a.officer_names),
                "start": fmt_local(a.start_at, tz),
                "end": fmt_local(a.end_at, tz),
                "full": _("是") if a.full_record else _("否"),
                "clips": a.clips,
                "gaps": gaps.get(a.id, 0),
                "norecords": a.norecords,
                "long_term": labels(LONG_TERM_REASONS, a.long_term),
                "status": label(CASE_STATUSES, a.status) + (f" {a.closed_at.isoformat()}" if a.closed_at else ""),
            }
        )
    missing = sum(1 for r in rows if r["full"] == _("是") and not r["clips"] and not r["norecords"])
    return Sheet(
        rows, {"summary": _("须全程记录但既无音像资料也无工作记录：{n} 项").format(n=missing) if missing else ""}
    )


# --- 音像资料登记 (F07, F08) ----------------------------------------------------------------
@register(
    "footage",
    N_("执法音像资料登记"),
    landscape=True,
    filters={"date_from", "date_to", "device", "staff", "activity"},
    signatures=(N_("采集人："), N_("负责人：")),
    columns=[
        SEQ,
        Column("clip", N_("编号"), "auto", "center", 6),
        Column("activity", N_("执法活动/案件"), 2, xlsx_width=28),
        Column("name", N_("文件名"), 1.8, xlsx_width=26),
        Column("kind", N_("类型"), 0.5, "center", 6),
        Column("device", N_("设备"), 1, xlsx_width=14),
        Column("holder", N_("执法人员"), 1, xlsx_width=14),
        Column("start", N_("录制开始"), 1.1, "center", 17),
        Column("duration", N_("时长"), 0.5, "center", 8),
        Column("ingested", N_("入库时间"), 1.1, "center", 17),
        Column("sha", N_("SHA-256（前 16 位）"), 1.7, xlsx_width=20),
        Column("note", N_("备注"), 1.2, xlsx_width=20),
    ],
)
def footage(scope: Scope) -> Sheet:
    clips = scope.services.footage.list(activity=scope.activity.id if scope.activity is not None else None)
    tz = scope.tz
    rows = []
    for c in clips:
        if scope.device is not None and c.asset_no != scope.device.asset_no:
            continue
        if scope.staff is not None and c.holder_number != scope.staff.number:
            continue
        when = c.start_at or c.ingested_at
        if scope.start_utc is not None and when < scope.start_utc:
            continue
        if scope.end_utc is not None and when >= scope.end_utc:
            continue
        notes = []
        if c.late:
            notes.append(
                _("逾期采集：{reason}").format(reason=c.late_reason) if c.late_reason else _("逾期采集，待说明")
            )
        if "corrupt" in c.flags:
            notes.append(_("文件损坏"))
        rows.append(
            {
                "seq": len(rows) + 1,
                "clip": c.id,
                "activity": c.activity or _("未归入"),
                "name": c.original_name,
                "kind": label(CLIP_KINDS, c.kind),
                "device": c.asset_no or "",
                "holder": c.holder or "",
                "start": fmt_local(c.start_at, tz),
                "duration": duration_text(c.duration_s),
                "ingested": fmt_local(c.ingested_at, tz),
                "sha": c.sha256[:16],
                "note": _("；").join(notes),
            }
        )
    return Sheet(rows)


def _officer_names(activity_id: int) -> str:
    people = (
        Staff.select(Staff.name, Staff.number)
        .join(ActivityOfficer)
        .where(ActivityOfficer.activity == activity_id)
        .order_by(ActivityOfficer.id)
    )
    return _("、").join(f"{p.name}（{p.number}）" for p in people)


# --- 中断说明 (F09): one form per interruption ----------------------------------------------
@register(
    "interruptions",
    N_("执法音像记录中断说明"),
    filters={"date_from", "date_to", "device", "activity"},
    signatures=(N_("执法人员："), N_("执法人员："), N_("负责人：")),
    columns=[
        Column("id", N_("编号"), "auto", "center", 6),
        Column("activity", N_("执法活动/案件"), 2, xlsx_width=28),
        Column("device", N_("设备"), 1, xlsx_width=14),
        Column("start", N_("中断开始"), 1.1, "center", 17),
        Column("end", N_("恢复记录"), 1.1, "center", 17),
        Column("minutes", N_("中断分钟"), 0.6, "center", 8),
        Column("reason", N_("中断原因"), 1.2, xlsx_width=16),
        Column("note", N_("补充说明"), 2, xlsx_width=28),
        Column("reported", N_("书面报告"), 0.6, "center", 8),
    ],
)
def interruptions(scope: Scope) -> Sheet:
    gaps = scope.services.gaps.list(activity=scope.activity.id if scope.activity is not None else None)
    tz = scope.tz
    rows, records = [], []
    for g in gaps:
        if scope.device is not None and g.asset_no != scope.device.asset_no:
            continue
        if scope.start_utc is not None and g.start_at < scope.start_utc:
            continue
        if scope.end_utc is not None and g.start_at >= scope.end_utc:
            continue
        activity = Activity.get_by_id(g.activity_id)
        reason = label(GAP_REASONS, g.reason) if g.reason else _("（待说明）")
        row = {
            "id": g.id,
            "activity": activity_name(activity),
            "device": g.asset_no,
            "start": fmt_local(g.start_at, tz),
            "end": fmt_local(g.end_at, tz),
            "minutes": g.minutes,
            "reason": reason,
            "note": g.note,
            "reported": _("是") if g.reported else _("否"),
        }
        rows.append(row)
        records.append(
            {
                "heading": _("第 {id} 号").format(id=g.id),
                "fields": [
                    [_("执法活动/案件"), row["activity"]],
                    [_("当事人"), activity.party],
                    [_("地点"), activity.place],
                    [_("执法人员"), _officer_names(activity.id)],
                    [_("设备"), g.asset_no],
                    [
                        _("中断时段"),
                        _("{start} 至 {end}，共 {minutes} 分钟").format(
                            start=row["start"], end=row["end"], minutes=g.minutes
                        ),
                    ],
                    [_("中断原因"), reason],
                    [_("情况说明"), g.note],
                    [_("书面报告"), row["reported"]],
                ],
            }
        )
    return Sheet(rows, {"records": records})


# --- 无法记录工作记录 (F10): one form per record ----------------------------------------------
@register(
    "norecords",
    N_("无法进行执法音像记录工作记录"),
    filters={"date_from", "date_to", "activity"},
    signatures=(N_("执法人员："), N_("执法人员："), N_("负责人：")),
    columns=[
        Column("id", N_("编号"), "auto", "center", 6),
        Column("activity", N_("执法活动/案件"), 2, xlsx_width=28),
        Column("at", N_("时间"), 1.1, "center", 17),
        Column("reason", N_("原因"), 1.6, xlsx_width=24),
        Column("basis", N_("情况说明"), 2.6, xlsx_width=40),
        Column("signers", N_("签字执法人员"), 1.3, xlsx_width=18),
        Column("reported_to", N_("报告负责人"), 1, xlsx_width=14),
    ],
)
def norecords(scope: Scope) -> Sheet:
    records_in = scope.services.norecords.list(activity=scope.activity.id if scope.activity is not None else None)
    names = {s.number: f"{s.name}（{s.number}）" for s in Staff.select(Staff.name, Staff.number)}
    tz = scope.tz
    rows, records = [], []
    for r in records_in:
        if scope.start_utc is not None and r.at < scope.start_utc:
            continue
        if scope.end_utc is not None and r.at >= scope.end_utc:
            continue
        activity = Activity.get_by_id(r.activity_id)
        row = {
            "id": r.id,
            "activity": activity_name(activity),
            "at": fmt_local(r.at, tz),
            "reason": label(NORECORD_REASONS, r.reason),
            "basis": r.basis,
            "signers": _("、").join(names.get(n, n) for n in r.signers),
            "reported_to": names.get(r.reported_to, r.reported_to),
        }
        rows.append(row)
        records.append(
            {
                "heading": _("第 {id} 号").format(id=r.id),
                "fields": [
                    [_("执法活动/案件"), row["activity"]],
                    [_("执法类型"), label(ACTIVITY_KINDS, activity.kind)],
                    [_("当事人"), activity.party],
                    [_("地点"), activity.place],
                    [
                        _("执法时间"),
                        fmt_local(activity.start_at, tz)
                        + (_(" 至 ") + fmt_local(activity.end_at, tz) if activity.end_at else ""),
                    ],
                    [_("无法记录的原因"), row["reason"]],
                    [_("情况说明"), r.basis],
                    [_("记录时间"), row["at"]],
                    [_("签字执法人员"), row["signers"]],
                    [_("报告负责人"), row["reported_to"]],
                ],
            }
        )
    return Sheet(rows, {"records": records})


# --- 文字说明材料 (F14): the explanation sheet of an activity's footage ---------------------------
@register(
    "explanation",
    N_("音像资料文字说明材料"),
    filters={"activity"},
    landscape=True,
    signatures=(N_("制作人："), N_("采集人："), N_("负责人：")),
    columns=[
        SEQ,
        Column("name", N_("文件名"), 1.6, xlsx_width=26),
        Column("device", N_("设备"), 1, xlsx_width=14),
        Column("maker", N_("制作人"), 1, xlsx_width=14),
        Column("start", N_("录制时间"), 1, "center", 17),
        Column("duration", N_("时长"), 0.5, "center", 8),
        Column("extractor", N_("采集人"), 0.9, xlsx_width=14),
        Column("extracted", N_("采集时间"), 1, "center", 17),
        Column("sha", "SHA-256", 5.2, xlsx_width=66),
    ],
)
def explanation(scope: Scope) -> Sheet:
    if scope.activity is None:
        raise UserError("print.needs_filter", "文字说明材料须指定执法活动（--activity）", field="activity")
    activity = scope.activity
    tz = scope.tz
    clips = scope.services.footage.list(activity=activity.id)
    ingested_by = {
        e.entity_id: e.actor
        for e in AuditEvent.select(AuditEvent.entity_id, AuditEvent.actor).where(
            (AuditEvent.entity == "clip") & (AuditEvent.action == "ingest")
        )
    }
    rows = [
        {
            "seq": i + 1,
            "name": c.original_name,
            "device": c.asset_no or "",
            "maker": f"{c.holder}（{c.holder_number}）" if c.holder else "",
            "start": fmt_local(c.start_at, tz),
            "duration": duration_text(c.duration_s),
            "extractor": ingested_by.get(c.id, ""),
            "extracted": fmt_local(c.ingested_at, tz),
            "sha": c.sha256,
        }
        for i, c in enumerate(clips)
    ]
    fields = [
        [_("执法活动/案件"), activity_name(activity)],
        [_("执法类型"), label(ACTIVITY_KINDS, activity.kind)],
        [_("当事人"), activity.party],
        [_("地点"), activity.place],
        [_("执法人员"), _officer_names(activity.id)],
        [
            _("执法时间"),
            fmt_local(activity.start_at, tz) + (_(" 至 ") + fmt_local(activity.end_at, tz) if activity.end_at else ""),
        ],
        [_("文件数量"), str(len(rows))],
        [_("说明"), _("以下音像文件由执法记录设备录制，采集入库时计算 SHA-256 并读回校验，此后未作任何改动。")],
    ]
    return Sheet(rows, {"fields": fields})
