"""The permission table (services/permissions.py): every service method that changes the register names its
action, and refuses, logged and with nothing changed, whoever may not take it.

The walk finds the changing methods itself (a public method whose body opens a unit of work,
``ctx.change()``, or writes an audit entry, ``ctx.log(...)``), so a new one fails here until it is given
its action (or, for the few that are not a person's action, a reason below).
"""

from __future__ import annotations

import ast
import inspect
import textwrap

import pytest

from avledger.errors import UserError
from avledger.identity import Identity
from avledger.models.schema import AUDITED, AuditEvent
from avledger.services import Services
from avledger.services.permissions import ACTIONS, ADMINISTRATOR, TABLE, allowed, holders

# Public methods that open a unit of work but are no person's action of their own, and why.
NOT_ACTIONS = {
    "DeviceService.set_status": "runs inside the caller's unit of work (lending, repair), which checked",
    "KeyService.refused_command": "logs a command refused over SSH (ssh-serve)",
    "FootageService.watch_edit": "runs inside the unit of work of an activity's edit, which checked",
    "RetentionService.watch_edit": "runs inside the unit of work of an activity's edit, which checked",
}

# The people the walk tries, by what they are: a role of the table (mapped at the console), the
# administrator (the owner account, mapped to nobody), and nobody (an SSH key the register does not know).
PEOPLE = {
    "manager": "1001",
    "leader": "1002",  # also an approver in the demo office
    "approver": "2001",  # also an officer
    "officer": "2002",
    "auditor": "4001",  # also an officer
    ADMINISTRATOR: None,
    "nobody": None,
}


def service_methods(svc: Services):
    """(name, bound method) of every public method of every service."""
    for service in vars(svc).values():
        if not type(service).__name__.endswith("Service"):
            continue
        for name, _function in inspect.getmembers(type(service), inspect.isfunction):
            if not name.startswith("_"):
                yield f"{type(service).__name__}.{name}", getattr(service, name)


def changes_the_register(method) -> bool:
    source = textwrap.dedent(inspect.getsource(inspect.unwrap(method)))
    return any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("change", "log")
        for node in ast.walk(ast.parse(source))
    )


def act(svc: Services, who: str) -> None:
    """Act as one of PEOPLE (mapping the account as the demo's manager, the fixture's own account)."""
    svc.ctx.identity = Identity.console("tester")
    if who == ADMINISTRATOR:
        svc.staff.update("1001", os_user="")  # the owner account mapped to nobody
        return
    if who == "nobody":
        svc.ctx.identity = Identity.console("tester").over_ssh(999)
        return
    number = PEOPLE[who]
    if svc.staff.view(number).os_user != f"user{number}":
        svc.staff.update(number, os_user=f"user{number}")
    svc.ctx.identity = Identity.console(f"user{number}")


def register_state() -> tuple:
    """Every audited row, and the number of log entries."""
    rows = tuple(tuple(model.select().order_by(model.id).tuples()) for model in AUDITED.values())
    return rows, AuditEvent.select().count()


def dummy_call(method):
    """Call with None for every required parameter: the permission is checked before any is looked at."""
    signature = inspect.signature(method)
    args = [None for p in signature.parameters.values() if p.default is p.empty and p.kind == p.POSITIONAL_OR_KEYWORD]
    kwargs = {p.name: None for p in signature.parameters.values() if p.default is p.empty and p.kind == p.KEYWORD_ONLY}
    return method(*args, **kwargs)


def test_every_changing_method_names_its_action(demo):
    changing = {name for name, method in service_methods(demo) if changes_the_register(method)}
    assert len(changing) > 30  # the walk finds them: the check below can fail
    checked = {name for name, method in service_methods(demo) if getattr(method, "permission", None)}
    assert changing - checked - set(NOT_ACTIONS) == set(), "give each a @requires(...) line"
    assert set(NOT_ACTIONS) <= changing  # no stale excuses


def test_the_table_names_only_known_actions_and_each_has_holders(demo):
    assert all(actions <= set(ACTIONS) for actions in TABLE.values())
    profile = demo.office.profile()
    assert [a for a in ACTIONS if not holders(a, profile)] == []
    assert allowed([ADMINISTRATOR], profile) == allowed(["manager"], profile)  # as a manager, exactly
    assert allowed([], profile) == frozenset()  # nobody may do nothing


@pytest.mark.parametrize("who", list(PEOPLE))
def test_each_changing_method_refuses_whoever_may_not(demo, who):
    act(demo, who)
    may = demo.ctx.allowed()
    refused = 0
    for name, method in service_methods(demo):
        actions = getattr(method, "permission", None)
        if not actions:
            continue
        if may & set(actions):
            assert demo.ctx.require(*actions) is not None  # the gate lets them through
            continue
        before_rows, before_log = register_state()
        with pytest.raises(UserError) as info:
            dummy_call(method)
        assert info.value.code == "permission.denied", name
        rows, log = register_state()
        assert rows == before_rows, f"{name}: a refusal changes nothing"
        assert log == before_log + 1, f"{name}: the refused attempt is logged"
        entry = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
        assert entry.action == "denied" and entry.summary.startswith(actions[0]), name
        refused += 1
    if who == "nobody":
        assert may == frozenset() and refused > 30
    elif who in ("manager", ADMINISTRATOR):
        assert refused == 0
    else:
        assert refused > 10, who


def test_the_refusal_names_the_action_and_who(demo):
    act(demo, "officer")
    with pytest.raises(UserError) as info:
        demo.office.set_value("retention.default_months", "1")
    assert info.value.render() == "刘洋（2002）无权建立登记库、修改单位名称和办公室配置"
    entry = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert entry.actor == "刘洋（2002）[user2002]" and entry.action == "denied"
    assert demo.office.profile().get("retention.default_months") != 1


def test_roles_and_mappings_are_permissions_of_their_own(demo, monkeypatch):
    """A role that may edit staff but not give roles or map accounts (none does today: the table says so,
    and the service checks each part of a change on its own)."""
    monkeypatch.setitem(TABLE, "leader", TABLE["leader"] | {"staff.edit"})
    act(demo, "leader")
    assert demo.staff.update("2002", name="刘洋洋").name == "刘洋洋"
    for change in ({"roles": ["officer", "approver"]}, {"os_user": "liuyang"}):
        with pytest.raises(UserError) as info:
            demo.staff.update("2002", **change)
        assert info.value.code == "permission.denied"
    assert demo.staff.view("2002").roles == ("officer",) and demo.staff.view("2002").os_user is None
    assert demo.staff.update("2002", roles=["officer"]).roles == ("officer",)  # no change: no roles needed


def test_deciding_follows_the_profile(demo):
    act(demo, "officer")
    assert "access.decide" not in demo.ctx.allowed()
    act(demo, "manager")
    demo.office.set_value("viewing.approver_role", "officer")
    act(demo, "officer")
    assert "access.decide" in demo.ctx.allowed() and "access.decide_confidential" not in demo.ctx.allowed()


def test_the_owner_account_cannot_lock_itself_out(demo):
    """Mapped, the owner account acts as that person: only someone who may change mappings (a manager)."""
    with pytest.raises(UserError) as info:
        demo.staff.update("2002", os_user="tester")  # the fixture's own account, now the manager's
    assert (info.value.code, info.value.field) == ("staff.os_user_taken", "os_user")
    demo.staff.update("1001", os_user="")  # unmapped: the administrator
    assert demo.who.whoami().how == "administrator"
    with pytest.raises(UserError) as info:
        demo.staff.update("2002", os_user="tester")
    assert (info.value.code, info.value.field) == ("staff.owner_lockout", "os_user")
    demo.staff.update("1001", os_user="tester")
    with pytest.raises(UserError) as info:
        demo.staff.update("1001", roles=["officer"])
    assert (info.value.code, info.value.field) == ("staff.owner_lockout", "roles")
    assert demo.who.whoami().staff_number == "1001"
    demo.staff.update("1001", active=False)  # the manager leaves: the account is the administrator again
    assert demo.who.whoami().how == "administrator"


def test_the_readme_shows_the_table():
    """README's "Who may do what" is the table of the code, in both languages (with the default profile)."""
    import tomllib
    from pathlib import Path

    from avledger.profile import Profile, load_preset

    root = Path(__file__).resolve().parent.parent
    english = tomllib.loads((root / "src" / "avledger" / "locales" / "en.toml").read_text("utf-8"))
    readme = (root / "README.md").read_text("utf-8")
    profile = Profile(load_preset("wanzhou"))
    for action, words in ACTIONS.items():
        cells = [
            "✓" if action in allowed([r], None) else "✓²" if action in allowed([r], profile) else ""
            for r in ("manager", "leader", "approver", "auditor", "officer")
        ]
        assert f"| {words}<br>{english[words]} | " + " | ".join(cells) + " |" in readme, action


def test_who_is_acting_follows_changes_made_elsewhere(demo, cli):
    """Read once per change of the register: a mapping changed by another process counts at once."""
    assert demo.who.whoami().staff_number == "1001"
    assert demo.who.whoami().staff_number == "1001"  # (kept)
    changed = cli("staff", "edit", "1001", "--os-user", "someone-else")
    assert changed.code == 0, changed.err  # this process's account is the fixture's: the CLI's is the OS's
    assert demo.who.whoami().how == "administrator"
