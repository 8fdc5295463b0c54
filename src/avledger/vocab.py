"""Fixed vocabularies: stable ASCII ids (for the CLI, JSON and the database)
with their Chinese labels (message ids, translated on display)."""

from __future__ import annotations

from avledger.i18n import N_, _

DEVICE_KINDS: dict[str, str] = {
    "bodycam": N_("执法记录仪"),
    "terminal": N_("手持执法终端"),
    "camera": N_("照相机"),
    "recorder": N_("录音机"),
    "camcorder": N_("摄像机"),
    "cctv": N_("视频监控"),
    "storage": N_("存储设备"),
}

DEVICE_STATUSES: dict[str, str] = {
    "in_store": N_("在库"),
    "issued": N_("已领用"),
    "in_repair": N_("维修中"),
    "lost": N_("丢失"),
    "retired": N_("报废"),
}

# Statuses in which a device counts as a working device for allocation.
WORKING_STATUSES = ("in_store", "issued")

ABILITIES: dict[str, str] = {
    "explosion_proof": N_("防爆"),
    "infrared": N_("红外夜视"),
    "gps": N_("GPS定位"),
    "wireless": N_("无线传输"),
}

ROLES: dict[str, str] = {
    "officer": N_("执法人员"),
    "approver": N_("审批人"),
    "manager": N_("管理员"),
    "auditor": N_("监督员"),
    "leader": N_("单位负责人"),
}

ALLOCATION_CLASSES: dict[str, str] = {
    "A": N_("A类（每3人至少1台）"),
    "B": N_("B类（每5人至少1台）"),
    "C": N_("C类（按需配备）"),
    "FULL": N_("全员配备（每人1台）"),
}

MEDIA_TIME: dict[str, str] = {
    "utc": N_("UTC（标准）"),
    "local": N_("本地时间"),
}


# What an audit-log entry records (its ``action``).
AUDIT_ACTIONS: dict[str, str] = {
    "create": N_("新增"),
    "update": N_("修改"),
    "status": N_("状态变更"),
    "leave": N_("离职"),
    "delete": N_("删除"),
    "verify": N_("核验"),
    "issue": N_("领用"),
    "return": N_("归还"),
    "handover": N_("交接"),
    "lost": N_("丢失"),
    "fault": N_("故障登记"),
    "repair_sent": N_("送修"),
    "repair_back": N_("修复返回"),
    "liability": N_("责任追究"),
}

# The kinds of entry in a device's use and repair history.
HISTORY_KINDS: dict[str, str] = {
    "issue": N_("领用"),
    "handover": N_("交接"),
    "return": N_("归还"),
    "lost": N_("丢失"),
    "fault": N_("故障"),
    "repair_sent": N_("送修"),
    "repair_back": N_("修复"),
    "liability": N_("责任"),
}


def label(vocab: dict[str, str], key: str | None) -> str:
    """The translated label of an id; unknown ids are shown as they are."""
    if key is None:
        return ""
    return _(vocab[key]) if key in vocab else key


def labels(vocab: dict[str, str], keys: list[str] | tuple[str, ...]) -> str:
    return _("、").join(label(vocab, k) for k in keys)
