"""Device upkeep (保养: W5, D13, L6) and retirement (报废: D14, P6), issue 15: the retirement approved by the
profile's role (devices.retire_role, 单位负责人 by default), the device kept in the register with its history."""

from __future__ import annotations

import pytest

from avledger.errors import UserError
from avledger.identity import Identity
from avledger.models.schema import AuditEvent, DeviceRetirement


def act_as(svc, number: str) -> None:
    user = f"user{number}"
    if svc.staff.view(number).os_user != user:
        svc.ctx.identity = Identity.console("tester")
        svc.staff.update(number, os_user=user)
    svc.ctx.identity = Identity.console(user)


def refused(call, *args, code: str, field: str | None, **kwargs) -> None:
    before = AuditEvent.select().where(AuditEvent.action != "denied").count()
    with pytest.raises(UserError) as info:
        call(*args, **kwargs)
    assert (info.value.code, info.value.field) == (code, field), info.value.render()
    assert AuditEvent.select().where(AuditEvent.action != "denied").count() == before


def test_upkeep_log(demo):
    care = demo.devicecare
    refused(care.upkeep, "JL-2023-002", " ", code="input.empty", field="what")
    refused(care.upkeep, "NOPE", "清洁镜头", code="device.unknown", field="asset_no")
    refused(care.upkeep, "JL-2023-002", "清洁镜头", at="2099-01-01 10:00", code="input.future", field="at")
    first = care.upkeep("JL-2023-002", "清洁镜头、检查电池", at="2026-01-05 10:00")
    second = care.upkeep("JL-2023-002", "固件升级")
    assert [u.id for u in care.upkeep_log("JL-2023-002")] == [second.id, first.id]
    assert first.done_by == "王建国（1001）"
    history = demo.lending.history("JL-2023-002")
    assert [e.text for e in history if e.kind == "upkeep"] == [
        "保养：清洁镜头、检查电池（王建国（1001））",
        "保养：固件升级（王建国（1001））",
    ]
    assert demo.audit.verify().ok


def test_retire_needs_the_profile_approver_and_keeps_the_history(demo):
    care = demo.devicecare
    history_before = demo.lending.history("SX-2020-001")
    # the manager records it for the leader: the signed paper form's number is needed
    refused(care.retire, "SX-2020-001", "无法修复", "1002", code="device.paper_form_needed", field="paper_form")
    refused(care.retire, "SX-2020-001", "无法修复", "2001", code="device.not_retire_approver", field="by")
    refused(care.retire, "SX-2020-001", " ", "1002", code="input.empty", field="reason")
    refused(care.retire, "JL-2024-004", "老化", "1002", paper_form="BF-1", code="device.in_use", field="asset_no")
    done = care.retire("SX-2020-001", "厂家确认无法修复", "1002", paper_form="BF-2026-01")
    assert (done.approved_by_number, done.paper_form_no, done.recorded_by) == ("1002", "BF-2026-01", "王建国（1001）")
    device = demo.devices.view("SX-2020-001")
    assert device.status == "retired"  # still in the register
    history = demo.lending.history("SX-2020-001")
    assert history[: len(history_before)] == history_before and history[-1].kind == "retire"
    assert "厂家确认无法修复" in history[-1].text and "李秀英（1002）" in history[-1].text
    refused(care.retire, "SX-2020-001", "again", "1002", paper_form="x", code="device.retired", field="asset_no")
    refused(care.upkeep, "SX-2020-001", "清洁", code="device.retired", field="asset_no")
    assert "SX-2020-001" not in {d.asset_no for d in demo.devices.list(status="in_store")}
    assert demo.audit.verify().ok


def test_the_leader_retires_without_a_paper_form_and_an_officer_may_not(demo):
    act_as(demo, "2002")
    refused(demo.devicecare.retire, "JL-2023-002", "老化", "1002", code="permission.denied", field=None)
    act_as(demo, "1002")  # 李秀英: the profile's retire role (leader)
    done = demo.devicecare.retire("JL-2023-002", "电池鼓包", "1002")
    assert (done.paper_form_no, done.recorded_by) == ("", "")
    assert DeviceRetirement.select().count() == 1
    demo.ctx.identity = Identity.console("tester")
    demo.office.set_value("devices.retire_role", "approver")  # the office may name another role
    act_as(demo, "1002")
    assert demo.ctx.may("devices.retire")  # 李秀英 is an approver too
    act_as(demo, "2002")
    assert not demo.ctx.may("devices.retire")


def test_device_retire_and_upkeep_cli(demo, cli):
    demo.close()
    missing = cli("device", "retire", "SX-2020-001", "--reason", "无法修复", "--by", "1002")
    assert missing.code == 2 and "--paper-form" in missing.err
    done = cli("device", "retire", "SX-2020-001", "--reason", "无法修复", "--by", "1002", "--paper-form", "BF-1")
    assert done.code == 0, done.err
    assert "已报废：SX-2020-001" in done.out
    shown = cli("device", "show", "SX-2020-001", "--json").json()
    assert shown["status"] == "retired"
    up = cli("device", "upkeep", "JL-2023-002", "--what", "清洁镜头", "--at", "2026-01-05 10:00", "--json")
    assert up.code == 0, up.err and up.json()["what"] == "清洁镜头"
    history = cli("device", "history", "JL-2023-002", "--json").json()
    assert [h["what"] for h in history if h["kind"] == "upkeep"] == ["清洁镜头"]
    assert cli("device", "upkeep", "SX-2020-001", "--what", "x").code == 2
    assert cli("audit", "verify").code == 0


def test_who_may_approve_is_read_from_the_permission_table(demo):
    """The approvers a form offers are those the service accepts: the profile's role for retirement and for
    disposal plans (单位负责人 in the presets), nobody else."""
    profile = demo.office.profile()
    for action, setting in (
        ("devices.retire", "devices.retire_role"),
        ("disposal.approve", "retention.disposal_approver_role"),
    ):
        able = demo.staff.able(action)
        role = profile.get(setting)
        assert able and all(role in s.roles for s in able)
        assert {s.number for s in able} == {s.number for s in demo.staff.list(include_left=False) if role in s.roles}
