"""Printable registers of enforcement activities and their records (F06 to F10, F14, F21):
the activity register, the footage register, one form per interruption (中断说明) and per
not-recorded work record (无法记录工作记录), and the evidence explanation sheet (文字说明材料).

The per-record forms give each row (one per record, what the spreadsheet export gets) its form's
fields in ``_record``, which their templates read as ``extra.records``. The rows are read from SQL as
they are printed or exported (a generator), never all at once where the register can be long.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from peewee import JOIN, fn

from avledger.errors import UserError
from avledger.i18n import N_, _
from avledger.models.schema import Activity, ActivityOfficer, AuditEvent, Clip, Device, Gap, NoRecord, Staff
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


# --- 执法活动登记 (F06) -------------------------------------------------------------------
@register(
    "activities",
    N_("执法活动与音像资料登记"),
    landscape=True,
    filters={"date_from", "date_to", "dept", "staff", "activity"},
    signatures=(N_("制表人："), N_("负责人：")),
    columns=[
        Column("id", N_("编号"), "auto", "center", 6),
        Column("kind", N_("类型"), 0.9, "center", 12, fit=True),
        Column("name", N_("标题/案件"), 2.2, xlsx_width=30),
        Column("party", N_("当事人"), 1.3, xlsx_width=18),
        Column("place", N_("地点"), 1.2, xlsx_width=16),
        Column("officers", N_("执法人员"), 1.3, xlsx_width=18),
        Column("start", N_("开始时间"), 1.1, "center", 17, kind="datetime"),
        Column("end", N_("结束时间"), 1.1, "center", 17, kind="datetime"),
        Column("full", N_("全程记录"), 0.7, "center", 8, fit=True),
        Column("clips", N_("音像资料"), 0.7, "center", 8),
        Column("gaps", N_("中断"), 0.6, "center", 6),
        Column("norecords", N_("工作记录"), 0.7, "center", 8),
        Column("long_term", N_("长期保存"), 1.2, xlsx_width=18),
        Column("status", N_("状态"), 0.8, "center", 10, fit=True),
    ],
)
def activities(scope: Scope) -> Sheet:
    from avledger.services.clearance import Clearance

    query = Activity.select(
        Activity.id,
        Activity.kind,
        Activity.title,
        Activity.case_name,
        Activity.case_no,
        Activity.party,
        Activity.place,
        Activity.start_at,
        Activity.end_at,
        Activity.full_record,
        Activity.long_term,
        Activity.status,
        Activity.closed_at,
    )
    query = _narrowed(scope, scope.in_period(query, Activity.start_at))
    query = Clearance(scope.ctx).seen_in(query, Activity.id, Activity.confidential)  # F17
    extra = {"summary": ""}
    rows = query.order_by(Activity.start_at, Activity.id).iterator()
    return Sheet(_activity_rows(rows, scope, extra), extra)


def _narrowed(scope: Scope, query):
    """``query`` over activities narrowed by the filters that name activities (the activity, its department,
    one of its officers)."""
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
    return query


def _activity_rows(activities, scope: Scope, extra: dict) -> Iterator[dict]:
    """The register's rows, read a batch of activities at a time (their officers and counts in one query
    each); ``extra["summary"]`` is set once the last row is read."""
    tz, missing = scope.tz, 0
    yes, no = _("是"), _("否")
    for batch in _batches(activities, 500):
        ids = [a.id for a in batch]
        officers: dict[int, list[str]] = {i: [] for i in ids}
        for activity_id, name in (
            ActivityOfficer.select(ActivityOfficer.activity, Staff.name)
            .join(Staff)
            .where(ActivityOfficer.activity.in_(ids))
            .order_by(ActivityOfficer.id)
            .tuples()
        ):
            officers[activity_id].append(name)
        clips = _counts(Clip, Clip.activity, ids)
        gaps = _counts(Gap, Gap.activity, ids)
        norecords = _counts(NoRecord, NoRecord.activity, ids)
        for a in batch:
            if a.full_record and not clips.get(a.id) and not norecords.get(a.id):
                missing += 1
            yield {
                "id": a.id,
                "kind": label(ACTIVITY_KINDS, a.kind),
                "name": activity_name(a),
                "party": a.party,
                "place": a.place,
                "officers": _("、").join(officers[a.id]),
                "start": fmt_local(a.start_at, tz),
                "end": fmt_local(a.end_at, tz),
                "full": yes if a.full_record else no,
                "clips": clips.get(a.id, 0),
                "gaps": gaps.get(a.id, 0),
                "norecords": norecords.get(a.id, 0),
                "long_term": labels(LONG_TERM_REASONS, tuple(r for r in a.long_term.split(",") if r)),
                "status": label(CASE_STATUSES, a.status) + (f" {a.closed_at.isoformat()}" if a.closed_at else ""),
            }
    extra["summary"] = _("须全程记录但既无音像资料也无工作记录：{n} 项").format(n=missing) if missing else ""


def _batches(items, size: int) -> Iterator[list]:
    items = iter(items)
    while batch := list(itertools.islice(items, size)):
        yield batch


def _counts(model, column, ids: list[int]) -> dict[int, int]:
    return dict(model.select(column, fn.COUNT(model.id)).where(column.in_(ids)).group_by(column).tuples())


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
        Column("activity", N_("案件名称"), 1.8, xlsx_width=28),
        Column("party", N_("当事人"), 1.2, xlsx_width=18),
        Column("name", N_("文件名"), 1.6, xlsx_width=26),
        Column("kind", N_("类型"), 0.5, "center", 6, fit=True),
        Column("device", N_("设备"), 1, xlsx_width=14, fit=True),
        Column("holder", N_("执法人员"), 1, xlsx_width=14),
        Column("start", N_("录制开始"), 1.1, "center", 17, kind="datetime"),
        Column("duration", N_("时长"), 0.5, "center", 8, kind="duration"),
        Column("ingested", N_("入库时间"), 1.1, "center", 17, kind="datetime"),
        Column("sha", N_("SHA-256（前 16 位）"), 1.3, xlsx_width=20, kind="hash"),
        Column("note", N_("备注"), 1, xlsx_width=20),
    ],
)
def footage(scope: Scope) -> Sheet:
    from avledger.services.clearance import Clearance

    query = (
        Clip.select(
            Clip.id,
            Activity.case_no,
            Activity.title,
            Activity.case_name,
            Activity.party,
            Clip.original_name,
            Clip.kind,
            Device.asset_no,
            Staff.name,
            Clip.start_at,
            Clip.duration_s,
            Clip.ingested_at,
            Clip.sha256,
            Clip.late,
            Clip.late_reason,
            Clip.flags,
        )
        .join(Activity, JOIN.LEFT_OUTER, on=(Clip.activity == Activity.id))
        .switch(Clip)
        .join(Device, JOIN.LEFT_OUTER, on=(Clip.device == Device.id))
        .switch(Clip)
        .join(Staff, JOIN.LEFT_OUTER, on=(Clip.holder == Staff.id))
    )
    if scope.activity is not None:
        query = query.where(Clip.activity == scope.activity.id)
    if scope.device is not None:
        query = query.where(Clip.device == scope.device.id)
    if scope.staff is not None:
        query = query.where(Clip.holder == scope.staff.id)
    when = fn.COALESCE(Clip.start_at, Clip.ingested_at)  # a clip without a recording time: when it came in
    if scope.start_utc is not None:
        query = query.where(when >= scope.start_utc)
    if scope.end_utc is not None:
        query = query.where(when < scope.end_utc)
    query = Clearance(scope.ctx).seen_in(query, Clip.activity, Activity.confidential)  # F17
    return Sheet(_clip_rows(query.order_by(Clip.start_at, Clip.id).tuples().iterator(), scope))


def _clip_rows(rows, scope: Scope) -> Iterator[dict]:
    tz, unassigned, damaged = scope.tz, _("未归入"), _("文件损坏")
    for seq, row in enumerate(rows, 1):
        (clip_id, case_no, title, case_name, party, name, kind, asset_no, holder, start_at, duration) = row[:11]
        ingested_at, sha, late, late_reason, flags = row[11:]
        notes = []
        if late:
            notes.append(_("逾期采集：{reason}").format(reason=late_reason) if late_reason else _("逾期采集，待说明"))
        if "corrupt" in flags.split(","):
            notes.append(damaged)
        yield {
            "seq": seq,
            "clip": clip_id,
            "activity": ((case_name or title) + (f"（{case_no}）" if case_no else "")) if title else unassigned,
            "party": party or "",
            "name": name,
            "kind": label(CLIP_KINDS, kind),
            "device": asset_no or "",
            "holder": holder or "",
            "start": fmt_local(start_at, tz),
            "duration": duration_text(duration),
            "ingested": fmt_local(ingested_at, tz),
            "sha": sha[:16],
            "note": _("；").join(notes),
        }


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
        Column("device", N_("设备"), 1, xlsx_width=14, fit=True),
        Column("start", N_("中断开始"), 1.1, "center", 17, kind="datetime"),
        Column("end", N_("恢复记录"), 1.1, "center", 17, kind="datetime"),
        Column("minutes", N_("中断分钟"), 0.6, "center", 8, kind="number"),
        Column("reason", N_("中断原因"), 1.2, xlsx_width=16),
        Column("note", N_("补充说明"), 2, xlsx_width=28),
        Column("reported", N_("书面报告"), 0.6, "center", 8),
    ],
)
def interruptions(scope: Scope) -> Sheet:
    from avledger.services.clearance import Clearance

    query = Gap.select(Gap, Activity, Device).join(Activity).switch(Gap).join(Device).order_by(Gap.start_at, Gap.id)
    if scope.activity is not None:
        query = query.where(Gap.activity == scope.activity.id)
    if scope.device is not None:
        query = query.where(Gap.device == scope.device.id)
    query = scope.in_period(query, Gap.start_at)
    query = Clearance(scope.ctx).seen_in(query, Gap.activity, Activity.confidential)  # F17
    return Sheet(_gap_rows(query.iterator(), scope))


def _gap_rows(gaps, scope: Scope) -> Iterator[dict]:
    """One row per interruption, its form in ``_record`` (the template prints one page each)."""
    tz, officers = scope.tz, {}
    for g in gaps:
        activity = g.activity
        reason = label(GAP_REASONS, g.reason) if g.reason else _("（待说明）")
        if activity.id not in officers:
            officers = {activity.id: _officer_names(activity.id)}  # (the gaps of an activity come together)
        row = {
            "id": g.id,
            "activity": activity_name(activity),
            "device": g.device.asset_no,
            "start": fmt_local(g.start_at, tz),
            "end": fmt_local(g.end_at, tz),
            "minutes": g.minutes,
            "reason": reason,
            "note": g.note,
            "reported": _("是") if g.reported else _("否"),
        }
        row["_record"] = {
            "heading": _("第 {id} 号").format(id=g.id),
            "fields": [
                [_("执法活动/案件"), row["activity"]],
                [_("当事人"), activity.party],
                [_("地点"), activity.place],
                [_("执法人员"), officers[activity.id]],
                [_("设备"), row["device"]],
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
        yield row


# --- 无法记录工作记录 (F10): one form per record ----------------------------------------------
@register(
    "norecords",
    N_("无法进行执法音像记录工作记录"),
    filters={"date_from", "date_to", "activity"},
    signatures=(N_("执法人员："), N_("执法人员："), N_("负责人：")),
    columns=[
        Column("id", N_("编号"), "auto", "center", 6),
        Column("activity", N_("执法活动/案件"), 2, xlsx_width=28),
        Column("at", N_("时间"), 1.1, "center", 17, kind="datetime"),
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
    rows = []
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
        row["_record"] = {
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
        rows.append(row)
    return Sheet(rows)


# --- 文字说明材料 (F14): the explanation sheet of an activity's footage ---------------------------
@register(
    "explanation",
    N_("音像资料文字说明材料"),
    filters={"activity"},
    landscape=True,
    signatures=(N_("制作人："), N_("提取人："), N_("负责人：")),
    columns=[
        SEQ,
        Column("name", N_("文件名"), 1.6, xlsx_width=26),
        Column("device", N_("设备"), 1, xlsx_width=14, fit=True),
        Column("maker", N_("制作人"), 1, xlsx_width=14),
        Column("start", N_("录制时间"), 1, "center", 17, kind="datetime"),
        Column("duration", N_("时长"), 0.5, "center", 8, kind="duration"),
        Column("extractor", N_("采集人"), 0.9, xlsx_width=14),
        Column("extracted", N_("采集时间"), 1, "center", 17, kind="datetime"),
        Column("sha", "SHA-256", 2.6, xlsx_width=66, kind="hash"),
    ],
)
def explanation(scope: Scope) -> Sheet:
    if scope.activity is None:
        raise UserError("print.needs_filter", "文字说明材料须指定执法活动（--activity）", field="activity")
    activity = scope.activity
    tz = scope.tz
    clips = scope.services.footage.list(activity=activity.id)
    ingested_by = {  # who collected each file: its ingest entry (through the audit log's entity index)
        entity_id: actor
        for entity_id, actor in AuditEvent.select(AuditEvent.entity_id, AuditEvent.actor)
        .where(
            (AuditEvent.entity == "clip")
            & AuditEvent.entity_id.in_([c.id for c in clips])
            & (AuditEvent.action == "ingest")
        )
        .tuples()
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
        [_("提取人"), scope.ctx.person()],
        [_("提取时间"), fmt_local(scope.ctx.clock(), tz)],
        [_("文件数量"), str(len(rows))],
        [_("说明"), _("以下音像文件由执法记录设备录制，采集入库时计算 SHA-256 并读回校验，此后未作任何改动。")],
    ]
    return Sheet(rows, {"fields": fields})


# --- 音像记录事项清单 (F20; P7 and its annex 2, L10, W10) ---------------------------------------
@register(
    "checklist",
    N_("音像记录事项清单"),
    landscape=True,
    filters={"date_from", "date_to", "dept", "staff", "activity"},
    signatures=(N_("执法人员："), N_("核对人："), N_("负责人：")),
    columns=[
        SEQ,
        Column("activity", N_("执法活动/案件"), 1.6, xlsx_width=26),
        Column("category", N_("执法类别"), 0.8, "center", 10),
        Column("matter", N_("执法事项"), 0.8, "center", 10),
        Column("stage", N_("记录环节"), 0.8, "center", 10),
        Column("place", N_("执法场所"), 0.8, "center", 10),
        Column("recorder", N_("记录人"), 0.8, "center", 10),
        Column("start", N_("记录开始时间"), 0.9, "center", 12),
        Column("content", N_("记录内容"), 2.2, xlsx_width=36),
        Column("end", N_("记录结束时间"), 0.9, "center", 12),
        Column("storage", N_("记录存储时间"), 0.9, "center", 12),
        Column("record_type", N_("执法记录类别"), 0.7, "center", 10),
        Column("ticked", N_("已记录"), 0.6, "center", 8, fit=True),
        Column("note", N_("备注"), 1.2, xlsx_width=20),
    ],
)
def checklist(scope: Scope) -> Sheet:
    """Every activity in scope with the items of its kind's checklist, each recorded (ticked) or missing."""
    from avledger.services.clearance import Clearance

    query = Activity.select()
    query = _narrowed(scope, scope.in_period(query, Activity.start_at))
    query = Clearance(scope.ctx).seen_in(query, Activity.id, Activity.confidential)  # F17
    extra = {"summary": ""}
    tz = scope.tz

    def rows() -> Iterator[dict]:
        seq = missing = 0
        for activity in query.order_by(Activity.start_at, Activity.id).iterator():
            name = f"{activity.id} {activity_name(activity)}"
            for e in scope.services.checklist.entries(activity):
                seq += 1
                missing += not e.ticked
                item = e.item
                by = _("{who} {at}").format(who=e.ticked_by, at=fmt_local(e.ticked_at, tz)) if e.ticked else ""
                yield {
                    "seq": seq,
                    "activity": name,
                    "category": item.category or label(ACTIVITY_KINDS, activity.kind),
                    "matter": item.matter,
                    "stage": item.stage,
                    "place": item.place or activity.place,
                    "recorder": item.recorder,
                    "start": item.start,
                    "content": item.content + (f"（{item.article}）" if item.article else ""),
                    "end": item.end,
                    "storage": item.storage,
                    "record_type": item.record_type,
                    "ticked": _("已记录") if e.ticked else _("缺"),
                    "note": "；".join(p for p in (by, e.note) if p),
                }
        extra["summary"] = (
            _("共 {n} 项，缺 {missing} 项").format(n=seq, missing=missing)
            if missing
            else _("共 {n} 项，均已记录").format(n=seq)
        )

    return Sheet(rows(), extra)
