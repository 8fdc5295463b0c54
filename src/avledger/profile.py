"""Office profiles: the office's own rules, as data.

A preset (``profiles/<id>.toml``) holds the rules of one regulation. At
``init`` the chosen preset is copied into the register, where the manager may
edit it; every feature reads its rules from the office's profile, never from
constants in code.

The profile is kept as a plain nested dict (what TOML gives) and wrapped by
:class:`Profile`, which validates it and offers typed accessors.
"""

from __future__ import annotations

import copy
import math
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from avledger import vocab
from avledger.errors import UserError
from avledger.i18n import N_

PRESETS = ("wanzhou", "dalian", "ruzhou", "lingchuan", "pingdingshan")

ALLOCATION_CLASSES = ("A", "B", "C", "FULL")

# Where the collection deadline starts (see vocab.DEADLINE_FROM).
DEADLINE_FROM = ("return", "activity_end", "recording_end")


LIMITS = "limits"  # the preset's table of what its regulation fixes (not part of the office's profile)


def _preset_file(preset_id: str) -> dict[str, Any]:
    if preset_id not in PRESETS:
        raise UserError(
            "profile.unknown_preset",
            "未知的预设：{preset}（可选：{choices}）",
            field="preset",
            preset=preset_id,
            choices=", ".join(PRESETS),
        )
    text = resources.files("avledger.profiles").joinpath(f"{preset_id}.toml").read_text("utf-8")
    return tomllib.loads(text)


def load_preset(preset_id: str) -> dict[str, Any]:
    """Return the preset's rules as a dict (validated; its values within its own limits)."""
    data = _preset_file(preset_id)
    data.pop(LIMITS, None)
    profile = Profile(data)  # validates
    for limit in preset_limits(preset_id).values():
        limit.check(_get(profile.data, limit.path))
    return data


@dataclass(frozen=True)
class Limit:
    """What an article of the office's regulation fixes about one profile value: a floor (``min``: the
    office may raise the value, never lower it) or a ceiling (``max``: it may lower it, never raise it)."""

    path: str
    bound: str  # "min" | "max"
    value: int | float
    article: str  # e.g. "W14" (see the preset file's header)
    says: str  # the article's words

    def allows(self, value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return True  # not a number: the profile's own checks answer
        return value >= self.value if self.bound == "min" else value <= self.value

    def check(self, value: Any, label: str | None = None) -> None:
        """Refuse ``value`` when it loosens the regulation (``profile.below_regulation``, field ``value``)."""
        if self.allows(value):
            return
        params = {"label": label or self.path, "limit": self.value, "article": self.article, "says": self.says}
        if self.bound == "min":
            raise UserError(
                "profile.below_regulation",
                "{label}不得低于 {limit}：{article} 规定“{says}”（可以从严，不能放宽）",
                field="value",
                **params,
            )
        raise UserError(
            "profile.below_regulation",
            "{label}不得高于 {limit}：{article} 规定“{says}”（可以从严，不能放宽）",
            field="value",
            **params,
        )


@cache
def preset_limits(preset_id: str) -> dict[str, Limit]:
    """The limits the preset's regulation sets (its ``[limits]`` table), by profile path; none for a preset
    avledger does not know. Read from the preset shipped with avledger, never from the register's copy."""
    if preset_id not in PRESETS:
        return {}
    limits: dict[str, Limit] = {}
    for path, entry in _preset_file(preset_id).get(LIMITS, {}).items():
        (bound,) = [b for b in ("min", "max") if b in entry]
        limits[path] = Limit(path, bound, entry[bound], entry["article"], entry["says"])
    return limits


@dataclass(frozen=True)
class ChecklistItem:
    """One item of the record checklist (音像记录事项清单): what the recording of an activity of ``kinds`` must
    show (``content``), with the columns of Pingdingshan's annex 2 where the regulation gives them."""

    key: str  # stable id: `avledger checklist tick ACTIVITY_ID KEY`
    content: str  # 记录内容
    kinds: tuple[str, ...]  # activity kinds it applies to
    article: str = ""
    category: str = ""  # 执法类别
    matter: str = ""  # 执法事项
    stage: str = ""  # 记录环节
    place: str = ""  # 执法场所
    recorder: str = ""  # 记录人
    start: str = ""  # 记录开始时间
    end: str = ""  # 记录结束时间
    storage: str = ""  # 记录存储时间
    record_type: str = ""  # 执法记录类别

    @classmethod
    def of(cls, data: dict[str, Any]) -> ChecklistItem:
        fields = {k: str(v) for k, v in data.items() if k in cls.__dataclass_fields__ and k != "kinds"}
        return cls(**fields, kinds=tuple(data.get("kinds", ())))


@dataclass(frozen=True)
class EditableField:
    """One profile value the manager may edit in the TUI or the CLI."""

    path: str  # dotted path into the profile dict
    label: str  # Chinese label (message id)
    kind: type  # int, float, str or bool
    minimum: float | None = None
    maximum: float | None = None
    choices: dict[str, str] | None = None  # a vocabulary (vocab.py): the value is one of its ids, shown in words


EDITABLE_FIELDS: tuple[EditableField, ...] = (
    EditableField("office.timezone", "时区", str),
    EditableField("ingest.deadline_hours", "采集时限（小时）", int, 1, 240),
    EditableField("ingest.max_gap_minutes", "允许的记录中断（分钟）", int, 0, 600),
    EditableField("ingest.assign_margin_minutes", "归属执法活动：前后允许的时间差（分钟）", int, 0, 1440),
    EditableField("ingest.archive_dir", "存储位置（空为数据目录）", str),
    EditableField("ingest.deadline_from", "采集时限起算", str, choices=vocab.DEADLINE_FROM),
    EditableField("norecord.min_signers", "无法记录工作记录：最少签字执法人员", int, 1, 10),
    EditableField("norecord.report_role", "无法记录工作记录：报告对象的角色", str, choices=vocab.ROLES),
    EditableField("precheck.min_battery_pct", "使用前检查：最低电量（%）", int, 0, 100),
    EditableField("precheck.min_free_gb", "使用前检查：最低剩余存储（GB）", float, 0, 10000),
    EditableField("precheck.max_clock_offset_s", "使用前检查：时钟最大误差（秒）", int, 0, 86400),
    EditableField("precheck.notice_text", "告知用语", str),
    EditableField("retention.default_months", "一般资料保存期限（月）", int, 0, 1200),
    EditableField("retention.case_months_after_close", "案件资料：结案后保存（月）", int, 0, 1200),
    EditableField("retention.case_min_months", "案件资料：最少保存（月）", int, 0, 1200),
    EditableField("retention.disposal_approver_role", "清除处理批准角色", str, choices=vocab.ROLES),
    EditableField("retention.hold_review_days", "人工保存冻结：复核期限（天）", int, 1, 3650),
    EditableField("viewing.approver_role", "查阅审批角色", str, choices=vocab.ROLES),
    EditableField("viewing.confidential_approver_role", "涉密资料审批角色", str, choices=vocab.ROLES),
    EditableField("disc.recheck_years", "光盘复检周期（年）", int, 1, 50),
    EditableField("disc.recheck_percent", "每次复检比例（%）", int, 1, 100),
    EditableField("devices.retire_role", "设备报废审批角色", str, choices=vocab.ROLES),
)

_TYPE_NAMES = {int: N_("整数"), float: N_("数字"), str: N_("文字"), bool: N_("是/否")}


def _get(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(path)
        node = node[part]
    return node


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


# Required keys and their types. Lists are checked for element type.
_SCHEMA: dict[str, type | tuple[type, ...]] = {
    "office.preset": str,
    "office.regulation": str,
    "office.issuer": str,
    "office.timezone": str,
    "ingest.deadline_hours": int,
    "ingest.max_gap_minutes": int,
    "ingest.assign_margin_minutes": int,
    "ingest.archive_dir": str,
    "ingest.deadline_from": str,
    "ingest.gap_reasons": list,
    "precheck.min_battery_pct": int,
    "precheck.min_free_gb": (int, float),
    "precheck.max_clock_offset_s": int,
    "precheck.notice_text": str,
    "allocation.officers_per_device": dict,
    "allocation.default_class": str,
    "allocation.counted_kinds": list,
    "retention.default_months": int,
    "retention.case_months_after_close": int,
    "retention.case_min_months": int,
    "retention.evidence_with_case_file": bool,
    "retention.major_forever_on_disc": bool,
    "retention.disposal_approver_role": str,
    "viewing.approver_role": str,
    "viewing.confidential_approver_role": str,
    "disc.triggers": list,
    "disc.recheck_years": int,
    "disc.recheck_percent": int,
    "full_record.kinds": list,
    "full_record.circumstances": list,
    "norecord.reasons": list,
    "norecord.min_signers": int,
    "norecord.report_role": str,
    "supervision.extra_items": dict,
    "supervision.articles": list,
    "supervision.sanctions": list,
    "supervision.suspension_days": int,
    "supervision.unexplained_days": int,
    "supervision.decider_role": str,
    "devices.retire_role": str,
    "retention.hold_review_days": int,
}

ROLES = ("officer", "approver", "manager", "auditor", "leader")

# Keys added after registers were first created: a register whose stored profile predates
# them reads these defaults (the stored profile itself is not rewritten, so the audit log
# stays consistent with the office row).
_ADDED_DEFAULTS: dict[str, Any] = {
    "ingest.deadline_from": "return",
    "ingest.gap_reasons": ["fault", "weather", "battery", "storage", "place_change", "other"],
    "norecord.min_signers": 2,
    "norecord.report_role": "leader",
    "supervision.extra_items": {},
    "supervision.articles": [],
    "supervision.sanctions": ["education", "self_examination", "circular", "suspension", "no_award", "referral"],
    "supervision.suspension_days": 30,
    "supervision.unexplained_days": 7,
    "supervision.decider_role": "leader",
    "retention.disposal_approver_role": "leader",
    "devices.retire_role": "leader",  # D14 P6: not in the regulations who approves; default 单位负责人
    "retention.hold_review_days": 180,  # not in the regulations: a manual hold reviewed at least twice a year
    "ingest.assign_margin_minutes": 30,  # not in the regulations: a clip this far outside its activity needs a reason
}


class Profile:
    """A validated office profile."""

    def __init__(self, data: dict[str, Any]):
        self.data = copy.deepcopy(data)
        for path, default in _ADDED_DEFAULTS.items():
            try:
                _get(self.data, path)
            except KeyError:
                _set(self.data, path, copy.deepcopy(default))
        self._validate()

    def _validate(self) -> None:
        for path, typ in _SCHEMA.items():
            try:
                value = _get(self.data, path)
            except KeyError:
                raise UserError("profile.invalid", "办公室配置缺少项目：{path}", path=path) from None
            if typ is int and isinstance(value, bool):
                raise UserError("profile.invalid", "配置项 {path} 应为整数", path=path)
            if not isinstance(value, typ):
                raise UserError("profile.invalid", "配置项 {path} 的类型不对", path=path)
        try:
            ZoneInfo(self.timezone_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise UserError("profile.unknown_timezone", "未知的时区：{tz}", tz=self.timezone_name) from None
        per = self.data["allocation"]["officers_per_device"]
        for cls in ("A", "B"):
            if not isinstance(per.get(cls), int) or per[cls] < 1:
                raise UserError("profile.invalid", "配备标准 {cls} 类须为每台设备对应的人数（正整数）", cls=cls)
        if self.data["allocation"]["default_class"] not in ALLOCATION_CLASSES:
            raise UserError("profile.invalid", "默认配备类别无效")
        for key in ("approver_role", "confidential_approver_role"):
            if self.data["viewing"][key] not in ROLES:
                raise UserError("profile.unknown_role", "未知的角色：{role}", role=self.data["viewing"][key])
        if self.data["norecord"]["report_role"] not in ROLES:
            raise UserError("profile.unknown_role", "未知的角色：{role}", role=self.data["norecord"]["report_role"])
        if self.data["supervision"]["decider_role"] not in ROLES:
            raise UserError("profile.unknown_role", "未知的角色：{role}", role=self.data["supervision"]["decider_role"])
        if self.data["devices"]["retire_role"] not in ROLES:
            raise UserError("profile.unknown_role", "未知的角色：{role}", role=self.data["devices"]["retire_role"])
        if self.data["ingest"]["deadline_from"] not in DEADLINE_FROM:
            raise UserError(
                "profile.bad_choice",
                "配置项 {path} 的值无效：{value}（可选：{choices}）",
                path="ingest.deadline_from",
                value=str(self.data["ingest"]["deadline_from"]),
                choices=" ".join(DEADLINE_FROM),
            )
        items = self.data.get("checklist", {}).get("items", [])
        keys = [item.get("key") if isinstance(item, dict) else None for item in items]
        if not isinstance(items, list) or not all(
            isinstance(item, dict) and isinstance(item.get("key"), str) and item["key"] and item.get("content")
            for item in items
        ):
            raise UserError("profile.invalid", "配置项 {path} 的类型不对", path="checklist.items")
        if len(set(keys)) != len(keys):
            raise UserError("profile.invalid", "配置项 {path} 的类型不对", path="checklist.items")
        for field in EDITABLE_FIELDS:
            value = _get(self.data, field.path)
            if (
                field.minimum is not None
                and isinstance(value, (int, float))
                and not (field.minimum <= value <= (field.maximum if field.maximum is not None else value))
            ):
                raise UserError(
                    "profile.invalid",
                    "{label} 应在 {lo} 到 {hi} 之间",
                    label=field.label,
                    lo=field.minimum,
                    hi=field.maximum,
                )

    # --- accessors -----------------------------------------------------
    @property
    def preset(self) -> str:
        return self.data["office"]["preset"]

    @property
    def issuer(self) -> str:
        return self.data["office"]["issuer"]

    @property
    def timezone_name(self) -> str:
        return self.data["office"]["timezone"]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone_name)

    def officers_per_device(self, cls: str) -> int | None:
        """Officers one device must cover for class A/B; 1 for FULL; None for C (by need)."""
        if cls == "FULL":
            return 1
        if cls == "C":
            return None
        return int(self.data["allocation"]["officers_per_device"][cls])

    @property
    def counted_kinds(self) -> list[str]:
        """Device kinds that count toward the allocation standard."""
        return list(self.data["allocation"]["counted_kinds"])

    @property
    def default_allocation_class(self) -> str:
        return self.data["allocation"]["default_class"]

    def get(self, path: str) -> Any:
        return _get(self.data, path)

    def checklist(self, kind: str | None = None) -> list[ChecklistItem]:
        """The record checklist (音像记录事项清单, F20): what an activity's recording must show, the items of
        activity ``kind`` (all when None). A register made before the checklist existed reads its preset's."""
        items = self.data.get("checklist", {}).get("items")
        if items is None:
            items = _preset_file(self.preset).get("checklist", {}).get("items", []) if self.preset in PRESETS else []
        found = [ChecklistItem.of(item) for item in items]
        return [item for item in found if kind is None or kind in item.kinds]

    def limits(self) -> dict[str, Limit]:
        """What the office's regulation fixes (:func:`preset_limits` of its preset)."""
        return preset_limits(self.preset)

    def loosened(self) -> list[tuple[Limit, Any]]:
        """The values past their regulation's limit (a register edited before the limits were enforced)."""
        found = []
        for limit in self.limits().values():
            try:
                value = _get(self.data, limit.path)
            except KeyError:
                continue
            if not limit.allows(value):
                found.append((limit, value))
        return found

    def with_value(self, path: str, value: str | int | float | bool) -> Profile:
        """Return a new profile with one editable value changed (text is parsed). A refusal names the
        ``value`` parameter (or ``path``), even one of the whole profile's checks (an unknown time zone)."""
        field = next((f for f in EDITABLE_FIELDS if f.path == path), None)
        if field is None:
            raise UserError("profile.not_editable", "该项目不可修改：{path}", field="path", path=path)
        data = copy.deepcopy(self.data)
        parsed = parse_value(field, value)
        limit = self.limits().get(path)
        if limit is not None:
            limit.check(parsed, field.label)
        _set(data, path, parsed)
        try:
            return Profile(data)
        except UserError as exc:
            exc.field = exc.field or "value"
            raise


def parse_value(field: EditableField, raw: str | int | float | bool) -> Any:
    """Parse a typed value for an editable field, or raise UserError."""
    if field.kind is str:
        return str(raw).strip()
    if field.kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"1", "true", "yes", "是", "y"}:
            return True
        if text in {"0", "false", "no", "否", "n"}:
            return False
        raise UserError("input.bad_bool", "{label} 应为 是/否", field="value", label=field.label)
    try:
        value = field.kind(str(raw).strip())
    except ValueError:
        raise UserError(
            "input.bad_number", "{label} 应为{kind}", field="value", label=field.label, kind=_TYPE_NAMES[field.kind]
        ) from None
    if not math.isfinite(value):  # "nan" and "inf" parse as floats and pass every comparison the wrong way
        raise UserError(
            "input.not_finite", "{label} 应为有限的数字：{value}", field="value", label=field.label, value=str(raw)
        )
    lo, hi = field.minimum, field.maximum
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise UserError(
            "input.out_of_range", "{label} 应在 {lo} 到 {hi} 之间", field="value", label=field.label, lo=lo, hi=hi
        )
    return value
