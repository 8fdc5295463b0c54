"""The printable registers of devices, loans, the audit log and viewings: one data function each,
with its columns (those of activities and of discs are in ``printforms_activities`` and
``printforms_discs``).

Adding a register: write a function ``(scope) -> Sheet`` in one of these modules
(or a new one that :mod:`avledger.services.printing` imports), decorate it with
:func:`~avledger.services.sheets.register` naming its columns, filters and
signature lines, read what it needs from ``scope.services`` (a long register: yield its rows from one
SQL query as they are read, see :class:`~avledger.services.sheets.Sheet`), and add
``templates/NAME.typ`` (usually the three lines of ``devices.typ``).
``avledger print NAME`` and ``avledger export NAME`` then work without other changes.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from peewee import JOIN

from avledger.i18n import N_, _
from avledger.models.schema import AuditEvent, Device, Loan, Staff
from avledger.services.auditlog import describe_problem
from avledger.services.auditwords import object_names, summary_words
from avledger.services.lending import CHECKS
from avledger.services.sheets import SEQ, Column, Scope, Sheet, register
from avledger.timeutil import fmt_local
from avledger.vocab import ABILITIES, ALLOCATION_CLASSES, AUDIT_ACTIONS, DEVICE_KINDS, DEVICE_STATUSES, label, labels


# --- 设备台账 (F01) ------------------------------------------------------------------
@register(
    "devices",
    N_("音像记录设备台账"),
    landscape=True,
    filters={"dept", "device", "staff"},
    signatures=(N_("制表人："), N_("设备管理员："), N_("负责人：")),
    columns=[
        SEQ,
        Column("asset_no", N_("资产编号"), 1.3, xlsx_width=14, fit=True),
        Column("kind", N_("类型"), 1.2, xlsx_width=14, fit=True),
        Column("model", N_("型号"), 1.4, xlsx_width=16),
        Column("serial", N_("序列号"), 1.3, xlsx_width=14),
        Column("fixed_asset_no", N_("固定资产编号"), 1.1, xlsx_width=14),
        Column("purchased", N_("购置日期"), 1.1, "center", 12, kind="date"),
        Column("price", N_("原价（元）"), 0.9, "right", 11, kind="number"),
        Column("department", N_("科室"), 1, xlsx_width=12),
        Column("custodian", N_("保管人"), 1.2, xlsx_width=14),
        Column("status", N_("状态"), 0.8, "center", 9, fit=True),
        Column("holder", N_("当前使用人"), 1.2, xlsx_width=14),
        Column("abilities", N_("功能"), 1.4, xlsx_width=18),
        Column("notes", N_("备注"), 1.2, xlsx_width=18),
    ],
)
def devices(scope: Scope) -> Sheet:
    rows = []
    views = scope.services.devices.list(dept=scope.dept.name if scope.dept else None)
    for d in views:
        if scope.device is not None and d.asset_no != scope.device.asset_no:
            continue
        if scope.staff is not None and d.custodian_number != scope.staff.number:
            continue
        rows.append(
            {
                "seq": len(rows) + 1,
                "asset_no": d.asset_no,
                "kind": label(DEVICE_KINDS, d.kind),
                "model": d.model,
                "serial": d.serial,
                "fixed_asset_no": d.fixed_asset_no,
                "purchased": d.purchased.isoformat() if d.purchased else "",
                "price": d.price_yuan or "",
                "department": d.department,
                "custodian": f"{d.custodian}（{d.custodian_number}）",
                "status": label(DEVICE_STATUSES, d.status),
                "holder": f"{d.holder}（{d.holder_number}）" if d.holder else "",
                "abilities": labels(ABILITIES, d.abilities),
                "notes": d.notes,
            }
        )
    return Sheet(rows)


# --- 配备标准执行情况 (F02) ------------------------------------------------------------
@register(
    "allocation",
    N_("执法记录设备配备标准执行情况"),
    filters={"dept"},
    signatures=(N_("经办人："), N_("负责人：")),
    columns=[
        SEQ,
        Column("department", N_("科室"), 1.4, xlsx_width=14),
        Column("alloc_class", N_("配备类别"), 2, xlsx_width=24),
        Column("officers", N_("执法人员"), 0.8, "center", 10, kind="number"),
        Column("working", N_("在用设备"), 0.8, "center", 10, kind="number"),
        Column("required", N_("应配"), 0.8, "center", 10, kind="number"),
        Column("shortfall", N_("缺额"), 0.8, "center", 10, kind="number"),
    ],
)
def allocation(scope: Scope) -> Sheet:
    rows = []
    for r in scope.services.allocation.report():
        if scope.dept is not None and r.department != scope.dept.name:
            continue
        rows.append(
            {
                "seq": len(rows) + 1,
                "department": r.department,
                "alloc_class": label(ALLOCATION_CLASSES, r.alloc_class),
                "officers": r.officers,
                "working": r.working_devices,
                "required": _("按需") if r.required is None else r.required,
                "shortfall": r.shortfall,
            }
        )
    short = [r for r in rows if r["shortfall"]]
    summary = (
        _("共 {n} 个科室缺少设备，合计缺 {total} 台").format(n=len(short), total=sum(r["shortfall"] for r in short))
        if short
        else _("各科室均达到配备标准")
    )
    return Sheet(rows, {"summary": summary})


# --- 使用登记/交接登记 (F03, F04) ----------------------------------------------------------
@register(
    "loans",
    N_("执法记录设备使用与交接登记表"),
    landscape=True,
    filters={"date_from", "date_to", "dept", "device", "staff"},
    signatures=(N_("设备管理员："), N_("负责人：")),
    columns=[
        SEQ,
        Column("asset_no", N_("资产编号"), 1.2, xlsx_width=14, fit=True),
        Column("holder", N_("使用人"), 1.1, xlsx_width=14),
        Column("start", N_("领用/交接时间"), 1.2, "center", 17, kind="datetime"),
        Column("purpose", N_("用途"), 1.1, xlsx_width=14),
        Column("battery", N_("电量（%）"), 0.7, "center", 8, kind="number"),
        Column("free_gb", N_("剩余存储（GB）"), 0.7, "center", 10, kind="number"),
        Column("clock", N_("时钟误差（秒）"), 0.7, "center", 10, kind="number"),
        Column("notice", N_("告知用语"), 0.8, "center", 8, fit=True),
        Column("check", N_("检查结果"), 1.3, xlsx_width=20),
        Column("due", N_("应还时间"), 1.2, "center", 17, kind="datetime"),
        Column("end", N_("归还/交出时间"), 1.2, "center", 17, kind="datetime"),
        Column("content", N_("记录内容"), 2.4, xlsx_width=28),
        Column("fault_free", N_("无故障"), 0.6, "center", 8, fit=True),
        Column("signature", N_("使用人签名"), 1, blank=True),
    ],
)
def loans(scope: Scope) -> Sheet:
    holder, previous, giver = Staff.alias(), Loan.alias(), Staff.alias()
    query = (
        Loan.select(
            Device.asset_no,
            holder.name,
            holder.number,
            Loan.start_at,
            Loan.start_kind,
            giver.name,
            Loan.due_at,
            Loan.purpose,
            Loan.battery_pct,
            Loan.free_gb,
            Loan.clock_offset_s,
            Loan.notice_given,
            Loan.check_failures,
            Loan.despite,
            Loan.end_at,
            Loan.end_kind,
            Loan.content,
            Loan.condition,
        )
        .join(Device, on=(Loan.device == Device.id))
        .switch(Loan)
        .join(holder, on=(Loan.holder == holder.id))
        .switch(Loan)
        .join(previous, JOIN.LEFT_OUTER, on=(Loan.from_loan == previous.id))
        .join(giver, JOIN.LEFT_OUTER, on=(previous.holder == giver.id))
    )
    query = scope.in_period(query, Loan.start_at)
    if scope.dept is not None:
        query = query.where(Device.department == scope.dept)
    if scope.device is not None:
        query = query.where(Loan.device == scope.device)
    if scope.staff is not None:
        query = query.where(Loan.holder == scope.staff)
    return Sheet(_loan_rows(query.order_by(Loan.start_at, Loan.id).tuples().iterator(), scope))


def _loan_rows(rows, scope: Scope) -> Iterator[dict]:
    """One row of the ledger per loan, from the query's tuples, as they are read."""
    now, tz = scope.ctx.clock(), scope.tz
    passed, handed, overdue_mark = _("通过"), _("（交接）"), _("（逾期）")
    # 无故障 (D16, L7): the device came back without a fault (the return's condition); a device is issued
    # only from the store, where a faulty one never is
    fault_free = {"ok": _("是"), "damaged": _("否（损坏）")}
    for seq, row in enumerate(rows, 1):
        (asset_no, name, number, start_at, start_kind, giver, due_at, purpose, battery, free_gb, clock) = row[:11]
        (notice, failures, despite, end_at, end_kind, content, condition) = row[11:]
        issued = start_kind == "issue"
        start = fmt_local(start_at, tz)
        failures = [f for f in failures.split(",") if f]
        if not issued:
            start += _("（{giver} 交接）").format(giver=giver or "")
            check = "—"
        elif failures:
            check = _("未通过：{failures}；原因：{reason}").format(
                failures=_("、").join(_(CHECKS[f]) for f in failures if f in CHECKS), reason=despite or ""
            )
        else:
            check = passed
        end = fmt_local(end_at, tz)
        if end_kind == "handover":
            end += handed
        elif end_kind == "lost":
            end += _("（丢失）")
        overdue = end_at is None and due_at is not None and due_at < now
        yield {
            "seq": seq,
            "asset_no": asset_no,
            "holder": f"{name}（{number}）",
            "start": start,
            "purpose": purpose,
            "battery": battery if issued else "—",
            "free_gb": free_gb if issued else "—",
            "clock": clock if issued else "—",
            "notice": ("—" if not issued else _("是") if notice else _("否")),
            "check": check,
            "due": fmt_local(due_at, tz) + (overdue_mark if overdue else ""),
            "end": end,
            "content": content,
            "fault_free": _("否（丢失）") if end_kind == "lost" else fault_free.get(condition or "", ""),
        }


# --- 审计日志 ------------------------------------------------------------------------------
@register(
    "audit",
    N_("审计日志"),
    filters={"date_from", "date_to"},
    signatures=(N_("审核人："), N_("负责人：")),
    columns=[
        Column("id", N_("编号"), "auto", "center", 8),
        Column("at", N_("时间"), 1.4, "center", 17, kind="datetime"),
        Column("actor", N_("操作人"), 1.5, xlsx_width=16),
        Column("action", N_("操作"), 0.8, "center", 10, fit=True),
        Column("entity", N_("对象"), 1.8, xlsx_width=24),
        Column("summary", N_("摘要"), 2.4, xlsx_width=40),
    ],
)
def audit(scope: Scope) -> Sheet:
    query = AuditEvent.select(
        AuditEvent.id,
        AuditEvent.at,
        AuditEvent.actor,
        AuditEvent.action,
        AuditEvent.entity,
        AuditEvent.entity_id,
        AuditEvent.summary,
    )
    query = scope.in_period(query, AuditEvent.at).order_by(AuditEvent.id)
    return Sheet(_audit_rows(query.tuples().iterator(), scope), _audit_check(scope))


def _audit_rows(events, scope: Scope) -> Iterator[dict]:
    """The entries in words (:mod:`avledger.services.auditwords`), a batch at a time."""
    tz = scope.tz
    for batch in _batches(events, 500):
        names = object_names([(entity, entity_id) for _i, _at, _a, _act, entity, entity_id, _s in batch])
        for event_id, at, actor, action, entity, entity_id, summary in batch:
            yield {
                "id": event_id,
                "at": fmt_local(at, tz),
                "actor": actor,
                "action": label(AUDIT_ACTIONS, action),
                "entity": names[(entity, entity_id)],
                "summary": summary_words(summary),
            }


def _batches(items, size: int) -> Iterator[list]:
    items = iter(items)
    while batch := list(itertools.islice(items, size)):
        yield batch


def _audit_check(scope: Scope) -> dict:
    result = scope.services.audit.verify(full=True)  # the sheet says: the whole log
    if result.ok:
        text = _("审计链完整：{events} 条日志，{rows} 条登记记录均与日志一致").format(
            events=result.events, rows=result.rows
        )
    else:
        text = _("发现 {n} 处问题：").format(n=len(result.problems))
    names = scope.services.audit.record_names(result.problems) if result.problems else {}
    return {
        "check_title": _("审计链核验结果（全部日志）"),
        "check_ok": result.ok,
        "check_text": text,
        "problems": [describe_problem(p, names) for p in result.problems],
    }


# --- 查阅登记 (F15) ------------------------------------------------------------------------
@register(
    "viewings",
    N_("音像记录查阅登记表"),
    landscape=True,
    filters={"date_from", "date_to", "staff"},
    signatures=(N_("制表人："), N_("审核人："), N_("负责人：")),
    columns=[
        SEQ,
        Column("at", N_("时间"), 1.2, "center", 17, kind="datetime"),
        Column("event", N_("事项"), 0.9, "center", 10, fit=True),
        Column("request", N_("申请编号"), "auto", "center", 8),
        Column("person", N_("人员"), 1.2, xlsx_width=16),
        Column("reason", N_("事由"), 2, xlsx_width=28),
        Column("detail", N_("内容"), 2.6, xlsx_width=40),
        Column("registrar", N_("登记人"), 1.2, xlsx_width=16),
    ],
)
def viewings(scope: Scope) -> Sheet:
    """Every request, decision, viewing and extraction in the period, in time order; requests the person
    printing may not see (confidential, F17) are left out."""
    import json

    from avledger.models.schema import AccessRequest, Clip, Extraction, Viewing
    from avledger.services.clearance import Clearance
    from avledger.vocab import ACCESS_KINDS, ACCESS_REASONS

    tz = scope.tz
    clearance = Clearance(scope.ctx)
    requests = {r.id: r for r in AccessRequest.select() if clearance.sees_request(r)}
    access = scope.services.access

    def reason(r) -> str:
        return f"{_(label(ACCESS_REASONS, r.reason_kind))}：{r.reason}"

    def person(s) -> str:
        return f"{s.name}（{s.number}）"

    def keep(at, staff_id) -> bool:
        if at is None:
            return False
        if scope.start_utc is not None and at < scope.start_utc:
            return False
        if scope.end_utc is not None and at >= scope.end_utc:
            return False
        return scope.staff is None or staff_id == scope.staff.id

    # who registered each event (D28: the custodian registers the viewing): the person of its audit entry
    registrars = {
        (entity, entity_id, action): actor.split("[")[0] if "[" in actor else actor
        for entity, entity_id, action, actor in AuditEvent.select(
            AuditEvent.entity, AuditEvent.entity_id, AuditEvent.action, AuditEvent.actor
        )
        .where(AuditEvent.entity.in_(["access_request", "viewing", "extraction"]))
        .tuples()
    }
    viewings = list(Viewing.select().order_by(Viewing.at))
    clip_ids = {int(c) for v in viewings for c in v.clip_ids.split(",") if c}
    file_names = dict(Clip.select(Clip.id, Clip.original_name).where(Clip.id.in_(sorted(clip_ids))).tuples())

    events = []
    for r in requests.values():
        if keep(r.requested_at, r.requester_id):
            events.append(
                (
                    r.requested_at,
                    0,
                    r.id,
                    _("申请"),
                    person(r.requester),
                    reason(r),
                    _("{kind}，{n} 个文件，有效期至 {until}").format(
                        kind=_(label(ACCESS_KINDS, r.kind)), n=r.clips.count(), until=r.until.isoformat()
                    )
                    + (_("（保密）") if r.confidential else ""),
                    registrars.get(("access_request", r.id, "access_request"), ""),
                )
            )
        if r.decided_at is not None and keep(r.decided_at, r.decided_by_id):
            if r.status == "refused":
                what, detail = _("不予批准"), r.decision_note
            else:
                what = _("批准")
                detail = (
                    _("纸质审批表 {no}，{recorder} 代为登记").format(no=r.paper_form_no, recorder=r.recorded_by)
                    if r.paper_form_no
                    else ""
                )
                if access.status(r) == "expired":
                    detail = (detail + _("；") if detail else "") + _("已过期")
            registrar = registrars.get(("access_request", r.id, "refuse" if r.status == "refused" else "approve"), "")
            events.append((r.decided_at, 1, r.id, what, person(r.decided_by), reason(r), detail, registrar))
    for v in viewings:
        if v.request_id in requests and keep(v.at, v.staff_id):
            how = {"player": _("播放器"), "details": _("文件信息"), "screen": _("画面")}.get(v.how, v.how)
            length = "" if v.duration_s is None else _("，{s} 秒").format(s=f"{v.duration_s:.0f}")
            events.append(
                (
                    v.at,
                    2,
                    v.request_id,
                    _("查阅"),
                    person(v.staff),
                    reason(requests[v.request_id]),
                    f"{how}{length}："
                    + _("、").join(file_names.get(int(c), f"#{c}") for c in v.clip_ids.split(",") if c),
                    registrars.get(("viewing", v.id, "view"), ""),
                )
            )
    for e in Extraction.select().order_by(Extraction.at):
        if e.request_id in requests and keep(e.at, e.extractor_id):
            files = json.loads(e.files)
            events.append(
                (
                    e.at,
                    3,
                    e.request_id,
                    _("证据调取"),
                    person(e.extractor),
                    reason(requests[e.request_id]),
                    _("{n} 个文件 → {where}").format(n=len(files), where=e.package or e.out_dir)
                    + (_("（AES-256 加密）") if e.encrypted else ""),
                    registrars.get(("extraction", e.id, "extract"), ""),
                )
            )
    events.sort(key=lambda ev: (ev[0], ev[2], ev[1]))
    rows = [
        {
            "seq": i,
            "at": fmt_local(at, tz),
            "event": what,
            "request": rid,
            "person": who,
            "reason": why,
            "detail": detail,
            "registrar": registrar,
        }
        for i, (at, _o, rid, what, who, why, detail, registrar) in enumerate(events, 1)
    ]
    return Sheet(rows)
