"""Who may do what: the one permission table (role → actions), checked by the services.

The roles are the staff roles (:data:`avledger.vocab.ROLES`) and one more, the administrator: the data
folder's owner account at the console while no active member of staff is mapped to it (it owns the
files, so it is trusted with them) may do what a manager does. A person who is nobody (an SSH key
registered to someone who has left, or removed, or not in the register) may do nothing at all.

Every service method that changes the register names its action with :func:`requires` (one line);
``tests/test_permissions.py`` walks the services and fails on a changing method without one. A refusal
is ``UserError("permission.denied", …)`` naming the action in words and who tried; the attempt itself
is written to the audit log.

Two actions go to whichever role the office profile names (``viewing.approver_role`` and
``viewing.confidential_approver_role``, by default 审批人 and 单位负责人): deciding viewing requests, and
seeing, deciding and lifting confidential records (F15, F17). The finer rules of those actions (never on
one's own request; only the requester views under an approval) stay with the access service.

This module holds data and pure functions; :class:`avledger.services.base.Context` applies them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TypeVar

from avledger.i18n import N_
from avledger.vocab import ROLES

if TYPE_CHECKING:
    from avledger.profile import Profile

ADMINISTRATOR = "administrator"

# Every action, and what it lets one do, in words (a message id: the README and the TUI show these).
ACTIONS: dict[str, str] = {
    "register.read": N_("查看台账、待办，打印和导出登记表"),
    "audit.read": N_("查看和核验审计日志"),
    "audit.anchor": N_("把审计头写到数据目录以外（锚点），设置锚点位置"),
    "confidential.read": N_("查看全部涉密的执法活动、音像资料和查阅申请"),
    "profile.edit": N_("建立登记库、修改单位名称和办公室配置"),
    "departments.edit": N_("新增科室、修改配备类别"),
    "staff.edit": N_("新增人员、修改人员信息、登记离职"),
    "staff.roles": N_("分配人员的角色"),
    "staff.map": N_("把本机系统账户对应到人员"),
    "ssh.keys": N_("登记和撤销 SSH 密钥"),
    "devices.edit": N_("登记和修改设备"),
    "loans.edit": N_("领用、归还、交接设备"),
    "devices.repair": N_("登记设备故障、维修、损坏丢失"),
    "devices.retire": N_("批准设备报废"),
    "activities.edit": N_("登记执法活动、结案和无法记录工作记录"),
    "confidential.mark": N_("把执法活动标记为保密"),
    "confidential.lift": N_("取消执法活动的保密标记"),
    "footage.ingest": N_("采集音像资料入库"),
    "footage.edit": N_("归属音像资料、说明逾期采集和记录中断"),
    "footage.verify": N_("核验音像存储"),
    "footage.preview": N_("不经审批查看非涉密音像资料的画面"),
    "discs.edit": N_("规划、制作、刻录、登记和复检归档光盘"),
    "access.request": N_("为本人申请查阅并按批准查阅"),
    "access.request_others": N_("代他人登记查阅申请"),
    "access.decide": N_("审批查阅申请"),
    "access.decide_confidential": N_("审批涉密的查阅申请"),
    "access.record_paper": N_("代为登记纸质审批"),
    "evidence.extract": N_("为他人已批准的复制申请调取证据"),
    "checklist.tick": N_("勾选执法活动的音像记录事项清单"),
    "supervision.check": N_("监督抽查：抽取样本、登记抽查结果、结束抽查"),
    "violations.edit": N_("登记过错责任"),
    "violations.decide": N_("作出过错责任追究决定"),
    "violations.record_paper": N_("代为登记纸质的追究决定"),
    "violations.acknowledge": N_("签收对本人的追究决定"),
    "retention.hold": N_("设置和解除保存冻结，登记案卷保管期限"),
    "disposal.plan": N_("拟定和执行音像资料清除计划"),
    "disposal.approve": N_("批准音像资料清除计划"),
    "disposal.record_paper": N_("代为登记纸质清除审批"),
}

_EVERYONE = {"register.read", "access.request", "confidential.mark", "violations.acknowledge"}
_MANAGER = {
    *_EVERYONE,
    "audit.read",
    "audit.anchor",
    "confidential.read",
    "profile.edit",
    "departments.edit",
    "staff.edit",
    "staff.roles",
    "staff.map",
    "ssh.keys",
    "devices.edit",
    "loans.edit",
    "devices.repair",
    "activities.edit",
    "footage.ingest",
    "footage.edit",
    "footage.verify",
    "footage.preview",
    "discs.edit",
    "access.request_others",
    "access.record_paper",
    "evidence.extract",
    "checklist.tick",
    "supervision.check",
    "violations.edit",
    "violations.record_paper",
    "retention.hold",
    "disposal.plan",
    "disposal.record_paper",
}

# The table: role -> what it may do. A person may do what any of their roles may.
TABLE: dict[str, frozenset[str]] = {
    "manager": frozenset(_MANAGER),  # 管理员: runs the office
    ADMINISTRATOR: frozenset(_MANAGER),  # the owner account, mapped to nobody: as a manager
    "leader": frozenset(
        {*_EVERYONE, "audit.read", "audit.anchor", "supervision.check", "violations.edit"}
    ),  # 单位负责人 (and, by the profile, below)
    "approver": frozenset(_EVERYONE),  # 审批人 (deciding comes from the profile, below)
    "auditor": frozenset(
        {
            *_EVERYONE,
            "audit.read",
            "audit.anchor",
            "confidential.read",
            "footage.verify",
            "supervision.check",
            "violations.edit",
        }
    ),  # 监督员: reads all
    "officer": frozenset({*_EVERYONE, "checklist.tick"}),  # 执法人员
}

# Actions that go to the role a profile setting names (in addition to the table).
PROFILE_ROLES: dict[str, frozenset[str]] = {
    "viewing.approver_role": frozenset({"access.decide"}),
    "viewing.confidential_approver_role": frozenset(
        {"access.decide", "access.decide_confidential", "confidential.read", "confidential.lift"}
    ),
    "supervision.decider_role": frozenset({"violations.decide"}),
    "retention.disposal_approver_role": frozenset({"disposal.approve"}),
    "devices.retire_role": frozenset({"devices.retire"}),
}

ROLE_ORDER = ("manager", ADMINISTRATOR, "leader", "approver", "auditor", "officer")

# The roles as people read them: the staff roles, and the administrator.
ROLE_WORDS: dict[str, str] = {**ROLES, ADMINISTRATOR: N_("数据目录所有者（未对应人员）")}


def allowed(roles: Iterable[str], profile: Profile | None) -> frozenset[str]:
    """Everything a person with ``roles`` may do under ``profile`` (None: no register yet)."""
    roles = set(roles)
    actions: set[str] = set()
    for role in roles:
        actions |= TABLE.get(role, frozenset())
    if profile is not None:
        for setting, granted in PROFILE_ROLES.items():
            if profile.get(setting) in roles:
                actions |= granted
    return frozenset(actions)


def holders(action: str, profile: Profile | None) -> list[str]:
    """The roles that may do ``action`` (in :data:`ROLE_ORDER`), the profile's roles included."""
    return [role for role in ROLE_ORDER if action in allowed([role], profile)]


F = TypeVar("F", bound=Callable)


def requires(*actions: str) -> Callable[[F], F]:
    """The service method changes the register: its caller needs one of ``actions`` (checked first,
    before anything is read or written; a refusal is logged)."""
    unknown = [a for a in actions if a not in ACTIONS]
    if unknown or not actions:
        raise ValueError(f"unknown actions: {unknown}")

    def decorate(method: F) -> F:
        @functools.wraps(method)
        def checked(self, *args, **kwargs):
            self.ctx.require(*actions)
            return method(self, *args, **kwargs)

        checked.permission = actions  # type: ignore[attr-defined]
        return checked  # type: ignore[return-value]

    return decorate
