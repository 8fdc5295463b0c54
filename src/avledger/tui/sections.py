"""The TUI's sections: one screen each, reached by a number key."""

from __future__ import annotations

from dataclasses import dataclass

from avledger.i18n import N_


@dataclass(frozen=True)
class Section:
    id: str  # the mode name in the app
    key: str  # the key that switches to it
    label: str  # message id


SECTIONS: tuple[Section, ...] = (
    Section("home", "1", N_("首页")),
    Section("lending", "2", N_("领用归还")),
    Section("activities", "3", N_("执法活动")),
    Section("footage", "4", N_("音像资料")),
    Section("devices", "5", N_("设备台账")),
    Section("staff", "6", N_("人员")),
    Section("departments", "7", N_("科室与配备")),
    Section("profile", "8", N_("办公室配置")),
    Section("audit", "9", N_("审计日志")),
    Section("discs", "0", N_("光盘归档")),
)

SECTION_IDS = tuple(s.id for s in SECTIONS)


def section(section_id: str) -> Section:
    return next(s for s in SECTIONS if s.id == section_id)
