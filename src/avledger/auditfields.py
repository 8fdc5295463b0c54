"""How the audit log's records read in words: each audited model's fields by label, vocabulary values in
words, times in the office's local time, and a record named by what a person knows it by.

The log keeps raw snapshots (field names, ids, UTC times); the TUI's audit detail and the audit check of
the TUI and the CLI read them through this table. ``--json`` keeps the raw values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from avledger.i18n import N_, _
from avledger.timeutil import fmt_local
from avledger.vocab import (
    ABILITIES,
    ACCESS_KINDS,
    ACCESS_REASONS,
    ACCESS_SCOPES,
    ACCESS_STATUSES,
    ACTIVITY_KINDS,
    ALLOCATION_CLASSES,
    AUDIT_ENTITIES,
    CASE_STATUSES,
    CIRCUMSTANCES,
    CLIP_FLAGS,
    CLIP_KINDS,
    DEVICE_KINDS,
    DEVICE_STATUSES,
    DISC_CHECK_RESULTS,
    DISC_MEDIA,
    GAP_REASONS,
    LONG_TERM_REASONS,
    MEDIA_TIME,
    NORECORD_REASONS,
    ROLES,
    SANCTIONS,
    SPOTCHECK_ITEMS,
    SPOTCHECK_STATUSES,
    TIME_SOURCES,
    VIOLATION_ARTICLES,
    VIOLATION_STATUSES,
    label,
)

# Each audited model's fields (models/schema.py), in the order a person reads them.
FIELD_LABELS: dict[str, dict[str, str]] = {
    "office": {
        "unit": N_("单位名称"),
        "preset": N_("预设"),
        "profile": N_("办公室配置"),
        "created_at": N_("建立时间"),
    },
    "department": {"name": N_("名称"), "alloc_class": N_("配备类别")},
    "staff": {
        "name": N_("姓名"),
        "number": N_("工号"),
        "department": N_("科室"),
        "cert_no": N_("执法证号"),
        "roles": N_("角色"),
        "active": N_("在职"),
        "os_user": N_("系统用户名"),
    },
    "device": {
        "asset_no": N_("资产编号"),
        "kind": N_("类型"),
        "model": N_("型号"),
        "serial": N_("序列号"),
        "fixed_asset_no": N_("固定资产编号"),
        "purchased": N_("购置日期"),
        "price_fen": N_("原价（元）"),
        "department": N_("科室"),
        "custodian": N_("保管人"),
        "status": N_("状态"),
        "abilities": N_("功能"),
        "media_time": N_("媒体时间"),
        "notes": N_("备注"),
    },
    "loan": {
        "device": N_("设备"),
        "holder": N_("使用人"),
        "start_at": N_("领用时间"),
        "start_kind": N_("领用方式"),
        "from_loan": N_("交接自领用记录"),
        "due_at": N_("应还时间"),
        "purpose": N_("用途"),
        "battery_pct": N_("电量（%）"),
        "free_gb": N_("剩余存储（GB）"),
        "clock_offset_s": N_("时钟误差（秒）"),
        "notice_given": N_("告知用语"),
        "check_failures": N_("未通过的检查"),
        "despite": N_("仍领用的原因"),
        "end_at": N_("归还时间"),
        "end_kind": N_("归还方式"),
        "content": N_("记录内容"),
        "condition": N_("设备状况"),
    },
    "fault": {
        "device": N_("设备"),
        "reported_at": N_("报告时间"),
        "description": N_("故障描述"),
        "sent_at": N_("送修时间"),
        "back_at": N_("修复时间"),
        "outcome": N_("维修结果"),
    },
    "liability": {
        "device": N_("设备"),
        "staff": N_("责任人"),
        "kind": N_("情形"),
        "at": N_("时间"),
        "amount_fen": N_("赔偿金额（元）"),
        "description": N_("说明"),
        "loan": N_("领用记录"),
    },
    "activity": {
        "kind": N_("活动类型"),
        "title": N_("标题"),
        "case_name": N_("案件名称"),
        "case_no": N_("案号"),
        "party": N_("当事人"),
        "place": N_("地点"),
        "department": N_("科室"),
        "start_at": N_("开始时间"),
        "end_at": N_("结束时间"),
        "full_record": N_("全程记录"),
        "circumstances": N_("情形"),
        "confidential": N_("涉密"),
        "long_term": N_("长期保存"),
        "status": N_("办理状态"),
        "closed_at": N_("结案日期"),
        "created_at": N_("登记时间"),
    },
    "activity_officer": {"activity": N_("执法活动"), "staff": N_("执法人员")},
    "clip": {
        "original_name": N_("文件名"),
        "activity": N_("执法活动"),
        "device": N_("设备"),
        "holder": N_("使用人"),
        "source_path": N_("来源"),
        "archive_path": N_("存储位置"),
        "size": N_("大小（字节）"),
        "sha256": N_("SHA-256"),
        "kind": N_("文件类型"),
        "duration_s": N_("时长（秒）"),
        "start_at": N_("开始时间"),
        "time_source": N_("时间来源"),
        "width": N_("宽度"),
        "height": N_("高度"),
        "codecs": N_("编码"),
        "bitrate": N_("码率"),
        "tags": N_("文件标签"),
        "flags": N_("标记"),
        "ingested_at": N_("采集时间"),
        "deadline_at": N_("采集期限"),
        "late": N_("逾期采集"),
        "late_reason": N_("逾期原因"),
    },
    "gap": {
        "device": N_("设备"),
        "activity": N_("执法活动"),
        "after_clip": N_("中断前的文件"),
        "before_clip": N_("中断后的文件"),
        "start_at": N_("中断开始"),
        "end_at": N_("中断结束"),
        "minutes": N_("中断分钟数"),
        "reason": N_("原因"),
        "note": N_("补充说明"),
        "reported": N_("书面报告"),
    },
    "norecord": {
        "activity": N_("执法活动"),
        "reason": N_("原因"),
        "basis": N_("情况说明"),
        "signer_ids": N_("签名人"),
        "reported_to": N_("报告对象"),
        "at": N_("登记时间"),
    },
    "access_request": {
        "scope": N_("查阅范围"),
        "activity": N_("执法活动"),
        "case_no": N_("案号"),
        "requester": N_("申请人"),
        "reason_kind": N_("查阅事由"),
        "reason": N_("事由说明"),
        "kind": N_("查阅方式"),
        "until": N_("有效期至"),
        "confidential": N_("涉密"),
        "status": N_("状态"),
        "requested_at": N_("申请时间"),
        "decided_by": N_("审批人"),
        "decided_at": N_("审批时间"),
        "decision_note": N_("审批意见"),
        "paper_form_no": N_("纸质审批表编号"),
        "recorded_by": N_("代为登记人"),
        "spot_check_id": N_("抽查编号"),
    },
    "access_clip": {"request": N_("查阅申请"), "clip": N_("音像文件")},
    "viewing": {
        "request": N_("查阅申请"),
        "staff": N_("查阅人"),
        "at": N_("查阅时间"),
        "duration_s": N_("时长（秒）"),
        "clip_ids": N_("音像文件"),
        "how": N_("查阅方式"),
    },
    "extraction": {
        "request": N_("查阅申请"),
        "extractor": N_("提取人"),
        "at": N_("提取时间"),
        "out_dir": N_("输出目录"),
        "files": N_("文件"),
        "package": N_("7z 包"),
        "encrypted": N_("加密"),
    },
    "disc_set": {
        "activity": N_("执法活动"),
        "case_no": N_("案号"),
        "media": N_("光盘类型"),
        "discs": N_("光盘张数"),
        "created_at": N_("规划时间"),
        "created_by": N_("规划人"),
    },
    "disc": {
        "disc_set": N_("光盘组"),
        "number": N_("盘号"),
        "volume_id": N_("卷标"),
        "clip_ids": N_("音像文件"),
        "files": N_("文件数"),
        "payload_bytes": N_("内容大小（字节）"),
        "image_path": N_("镜像位置"),
        "image_sha256": N_("镜像 SHA-256"),
        "size": N_("镜像大小（字节）"),
        "manifest_sha256": N_("清单 SHA-256"),
        "built_at": N_("制作时间"),
    },
    "disc_copy": {
        "disc": N_("光盘"),
        "copy": N_("份"),
        "drive": N_("刻录机"),
        "burned_at": N_("刻录时间"),
        "burned_by": N_("刻录人"),
        "kept_at": N_("存放位置"),
        "verified": N_("已核验"),
        "verified_at": N_("核验时间"),
    },
    "disc_check": {
        "disc": N_("光盘"),
        "copy": N_("份"),
        "at": N_("检测时间"),
        "kind": N_("检测方式"),
        "result": N_("检测结果"),
        "problems": N_("问题"),
        "by": N_("检测人"),
    },
    "disc_burn": {
        "disc": N_("光盘"),
        "copy": N_("份"),
        "drive": N_("刻录机"),
        "started_at": N_("开始时间"),
        "started_by": N_("刻录人"),
        "state": N_("状态"),
        "ended_at": N_("结束时间"),
        "failure": N_("失败原因"),
    },
    "retention_hold": {
        "activity": N_("执法活动"),
        "case_no": N_("案件编号"),
        "reason": N_("冻结原因"),
        "set_by": N_("设置人"),
        "set_at": N_("设置时间"),
        "released_at": N_("解除时间"),
        "released_by": N_("解除人"),
        "release_reason": N_("解除原因"),
    },
    "case_file": {
        "case_no": N_("案件编号"),
        "months": N_("案卷保管期限（月）"),
        "entered_by": N_("登记人"),
        "entered_at": N_("登记时间"),
    },
    "disposal_plan": {
        "status": N_("状态"),
        "planned_at": N_("拟定时间"),
        "planned_by": N_("拟定人"),
        "due_on": N_("到期日"),
        "files": N_("文件数"),
        "bytes": N_("大小"),
        "approved_by": N_("批准人"),
        "approved_at": N_("批准时间"),
        "paper_form_no": N_("纸质审批表编号"),
        "recorded_by": N_("代为登记人"),
        "finished_at": N_("执行完毕时间"),
        "items_digest": N_("文件清单摘要"),
        "cancel_reason": N_("取消原因"),
    },
    "disposal": {
        "plan": N_("清除计划"),
        "clip": N_("音像文件"),
        "original_name": N_("原文件名"),
        "archive_path": N_("存储位置"),
        "sha256": N_("SHA-256"),
        "size": N_("大小"),
        "recorded_at": N_("录制时间"),
        "ingested_at": N_("入库时间"),
        "activity": N_("执法活动"),
        "keep_until": N_("保存至"),
        "state": N_("状态"),
        "skip_reason": N_("未清除原因"),
        "deleted_at": N_("清除时间"),
        "deleted_by": N_("清除人"),
    },
    "ssh_key": {
        "staff": N_("人员"),
        "kind": N_("类型"),
        "key": N_("公钥"),
        "fingerprint": N_("指纹"),
        "comment": N_("备注"),
        "added_at": N_("添加时间"),
        "removed_at": N_("撤销时间"),
    },
    "checklist_tick": {
        "activity": N_("执法活动"),
        "item": N_("事项"),
        "content": N_("记录内容"),
        "ticked_by_staff": N_("勾选人员"),
        "ticked_by": N_("勾选人"),
        "ticked_at": N_("勾选时间"),
        "note": N_("备注"),
    },
    "spot_check": {
        "period_from": N_("开始日期"),
        "period_to": N_("结束日期"),
        "share": N_("抽查比例"),
        "count": N_("抽查数量"),
        "department": N_("科室"),
        "officer": N_("执法人员"),
        "seed": N_("随机种子"),
        "population": N_("可抽查的执法活动"),
        "items": N_("抽查项目"),
        "drawn_by": N_("抽查人"),
        "drawn_at": N_("抽取时间"),
        "status": N_("状态"),
        "closed_at": N_("结束时间"),
    },
    "spot_check_activity": {
        "check": N_("监督抽查"),
        "activity": N_("执法活动"),
        "findings": N_("抽查结果"),
        "note": N_("说明"),
        "score": N_("评分"),
        "checked_at": N_("检查时间"),
        "checked_by": N_("检查人"),
    },
    "violation": {
        "staff": N_("责任人"),
        "article": N_("违反条款"),
        "what": N_("过错事实"),
        "activity": N_("执法活动"),
        "clip": N_("音像文件"),
        "loan": N_("领用记录"),
        "check": N_("监督抽查"),
        "recorded_at": N_("登记时间"),
        "recorded_by": N_("登记人"),
        "status": N_("状态"),
        "sanction": N_("追究方式"),
        "suspended_from": N_("停止执法自"),
        "until": N_("停止执法至"),
        "decided_by": N_("决定人"),
        "decided_at": N_("决定时间"),
        "paper_form_no": N_("纸质决定书编号"),
        "decision_recorded_by": N_("代为登记人"),
        "acknowledged_at": N_("本人签收时间"),
        "acknowledged_note": N_("签收说明"),
        "acknowledgement_recorded_by": N_("代为登记签收人"),
    },
    "device_retirement": {
        "device": N_("设备"),
        "at": N_("报废时间"),
        "reason": N_("报废原因"),
        "approved_by": N_("批准人"),
        "paper_form_no": N_("纸质审批表编号"),
        "recorded_by": N_("代为登记人"),
    },
    "upkeep": {
        "device": N_("设备"),
        "at": N_("保养日期"),
        "done_by": N_("保养人"),
        "what": N_("保养内容"),
    },
}

# Fields holding one word of a vocabulary, or several separated by commas.
VOCABULARIES: dict[tuple[str, str], dict[str, str]] = {
    ("department", "alloc_class"): ALLOCATION_CLASSES,
    ("staff", "roles"): ROLES,
    ("device", "kind"): DEVICE_KINDS,
    ("device", "status"): DEVICE_STATUSES,
    ("device", "abilities"): ABILITIES,
    ("device", "media_time"): MEDIA_TIME,
    ("activity", "kind"): ACTIVITY_KINDS,
    ("activity", "circumstances"): CIRCUMSTANCES,
    ("activity", "long_term"): LONG_TERM_REASONS,
    ("activity", "status"): CASE_STATUSES,
    ("clip", "kind"): CLIP_KINDS,
    ("clip", "time_source"): TIME_SOURCES,
    ("clip", "flags"): CLIP_FLAGS,
    ("gap", "reason"): GAP_REASONS,
    ("norecord", "reason"): NORECORD_REASONS,
    ("access_request", "scope"): ACCESS_SCOPES,
    ("access_request", "reason_kind"): ACCESS_REASONS,
    ("access_request", "kind"): ACCESS_KINDS,
    ("access_request", "status"): ACCESS_STATUSES,
    ("spot_check", "status"): SPOTCHECK_STATUSES,
    ("spot_check", "items"): SPOTCHECK_ITEMS,
    ("violation", "article"): VIOLATION_ARTICLES,
    ("violation", "sanction"): SANCTIONS,
    ("violation", "status"): VIOLATION_STATUSES,
    ("disc_set", "media"): DISC_MEDIA,
    ("disc_check", "result"): DISC_CHECK_RESULTS,
}
LISTS = {("staff", "roles"), ("device", "abilities"), ("activity", "circumstances"), ("clip", "flags")}

# Fields holding an amount in fen, shown in yuan.
FEN = {("device", "price_fen"), ("liability", "amount_fen")}

# Foreign keys to people, departments and devices: shown by name.
STAFF_KEYS = {"custodian", "holder", "staff", "requester", "decided_by", "extractor", "reported_to", "ticked_by_staff"}

# The field that names a record, as a person knows it (the rest are named by number).
NAME_FIELDS: dict[str, tuple[str, ...]] = {
    "office": ("unit",),
    "department": ("name",),
    "staff": ("name", "number"),
    "device": ("asset_no",),
    "activity": ("case_name", "title"),
    "clip": ("original_name",),
    "disc": ("volume_id",),
}

_STAMP = "%Y-%m-%d %H:%M:%S"


def field_label(entity: str | None, name: str) -> str:
    """A field of an audited model by its label, in the user's language (the raw name when unknown)."""
    text = FIELD_LABELS.get(entity or "", {}).get(name)
    if text is None:  # a field an older version recorded: any model's label for it
        text = next((f[name] for f in FIELD_LABELS.values() if name in f), None)
    return _(text) if text else name


def field_order(entity: str | None) -> list[str]:
    return list(FIELD_LABELS.get(entity or "", {}))


def _utc_stamp(value: str) -> dt.datetime | None:
    """A time as the log records it ("YYYY-MM-DD HH:MM:SS[.ffffff]", UTC), or None for anything else."""
    if len(value) < 19 or value[10] != " ":
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def field_value(
    entity: str | None,
    name: str,
    value: Any,
    tz: ZoneInfo | None,
    *,
    person: Callable[[int], str | None] = lambda _id: None,
    department: Callable[[int], str | None] = lambda _id: None,
    device: Callable[[int], str | None] = lambda _id: None,
) -> str:
    """A field's value in words: vocabulary words, names for ids, local times, yuan, 是/否."""
    if value is None or value == "":
        return "—"
    key = (entity or "", name)
    if key in VOCABULARIES:
        vocab = VOCABULARIES[key]
        if key in LISTS:
            return _("、").join(label(vocab, v) for v in str(value).split(",") if v) or "—"
        return label(vocab, str(value))
    if key in FEN and isinstance(value, int):
        return f"{value / 100:.2f}"
    if isinstance(value, bool):
        if key == ("staff", "active"):
            return _("在职") if value else _("离职")
        return _("是") if value else _("否")
    if isinstance(value, int):
        found = None
        if name in STAFF_KEYS:
            found = person(value)
        elif name == "department":
            found = department(value)
        elif name == "device":
            found = device(value)
        if found:
            return found
    if isinstance(value, str) and tz is not None:
        stamp = _utc_stamp(value)
        if stamp is not None:
            return fmt_local(stamp, tz)
    return str(value)


def record_name(entity: str | None, entity_id: int | None, snapshot: Mapping[str, Any] | None = None) -> str:
    """A record in words: 设备 JL-2024-003, 人员 王建国（1001）, 领用 #3 (its kind, then what names it)."""
    kind = label(AUDIT_ENTITIES, entity) if entity else ""
    data = snapshot or {}
    fields = NAME_FIELDS.get(entity or "", ())
    words = [str(data[f]) for f in fields if data.get(f)]
    if entity == "staff" and len(words) == 2:
        return f"{kind} {words[0]}（{words[1]}）"
    if words:
        return f"{kind} {words[0]}"
    return f"{kind} #{entity_id}" if entity_id is not None else kind
