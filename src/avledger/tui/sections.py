"""The TUI's sections: one screen each, reached by a number key."""

from __future__ import annotations

from dataclasses import dataclass

from avledger.i18n import N_


@dataclass(frozen=True)
class Section:
    id: str  # the mode name in the app
    key: str  # the key that switches to it ("" for none)
    label: str  # message id


# The daily work first, on the number keys; the office profile, set once, has no number key
# (it is on the section bar, in the command palette, and on the home screen's "c").
SECTIONS: tuple[Section, ...] = (
    Section("home", "1", N_("首页")),
    Section("lending", "2", N_("领用归还")),
    Section("activities", "3", N_("执法活动")),
    Section("footage", "4", N_("音像资料")),
    Section("access", "5", N_("查阅审批")),
    Section("discs", "6", N_("光盘归档")),
    Section("devices", "7", N_("设备台账")),
    Section("staff", "8", N_("人员")),
    Section("departments", "9", N_("科室与配备")),
    Section("audit", "0", N_("审计日志")),
    Section("profile", "", N_("办公室配置")),
)

SECTION_IDS = tuple(s.id for s in SECTIONS)


def section(section_id: str) -> Section:
    return next(s for s in SECTIONS if s.id == section_id)
