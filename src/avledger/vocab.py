"""Fixed vocabularies: stable ASCII ids (for the CLI, JSON and the database)
with their Chinese labels (message ids, translated on display)."""

from __future__ import annotations

from avledger.i18n import _

DEVICE_KINDS: dict[str, str] = {
    "bodycam": "执法记录仪",
    "terminal": "手持执法终端",
    "camera": "照相机",
    "recorder": "录音机",
    "camcorder": "摄像机",
    "cctv": "视频监控",
    "storage": "存储设备",
}

DEVICE_STATUSES: dict[str, str] = {
    "in_store": "在库",
    "issued": "已领用",
    "in_repair": "维修中",
    "lost": "丢失",
    "retired": "报废",
}

# Statuses in which a device counts as a working device for allocation.
WORKING_STATUSES = ("in_store", "issued")

ABILITIES: dict[str, str] = {
    "explosion_proof": "防爆",
    "infrared": "红外夜视",
    "gps": "GPS定位",
    "wireless": "无线传输",
}

ROLES: dict[str, str] = {
    "officer": "执法人员",
    "approver": "审批人",
    "manager": "管理员",
    "auditor": "监督员",
    "leader": "单位负责人",
}

ALLOCATION_CLASSES: dict[str, str] = {
    "A": "A类（每3人至少1台）",
    "B": "B类（每5人至少1台）",
    "C": "C类（按需配备）",
    "FULL": "全员配备（每人1台）",
}

MEDIA_TIME: dict[str, str] = {
    "utc": "UTC（标准）",
    "local": "本地时间",
}


def label(vocab: dict[str, str], key: str | None) -> str:
    """The translated label of an id; unknown ids are shown as they are."""
    if key is None:
        return ""
    return _(vocab[key]) if key in vocab else key


def labels(vocab: dict[str, str], keys: list[str] | tuple[str, ...]) -> str:
    return "、".join(label(vocab, k) for k in keys)
