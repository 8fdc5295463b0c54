"""Departments, staff and devices through the services (no Textual)."""

from __future__ import annotations

import pytest

from avledger.errors import UserError
from avledger.identity import Identity
from avledger.models.schema import AuditEvent, Device


def refused(fn, *args, code: str, field: str | None, **kwargs):
    """``fn`` refuses with ``code``, naming ``field`` (the parameter that held the bad value), and changes nothing."""
    before = AuditEvent.select().count()
    with pytest.raises(UserError) as info:
        fn(*args, **kwargs)
    assert (info.value.code, info.value.field) == (code, field), info.value.render()
    assert AuditEvent.select().count() == before, "a refusal must change nothing"
    return info.value


def test_add_device_and_view(services):
    view = services.devices.add(
        "JL-001",
        "bodycam",
        "执法一队",
        "2001",
        model="DSJ-V9",
        serial="S1",
        purchased="2024-03-01",
        price="2380.5",
        abilities=["gps", "infrared"],
    )
    assert view.status == "in_store"
    assert view.custodian == "张伟" and view.custodian_number == "2001"
    assert view.price_yuan == "2380.50"
    assert view.abilities == ("gps", "infrared")
    assert [d.asset_no for d in services.devices.list()] == ["JL-001"]


def test_duplicate_asset_refused(services):
    services.devices.add("JL-001", "bodycam", "执法一队", "2001")
    refused(services.devices.add, "JL-001", "camera", "执法一队", "2001", code="device.asset_taken", field="asset_no")
    assert Device.select().count() == 1


GOOD_DEVICE = dict(asset_no="X", kind="bodycam", dept="执法一队", custodian="2001")


@pytest.mark.parametrize(
    "changes, code, field",
    [
        (dict(asset_no=" "), "input.empty", "asset_no"),
        (dict(kind="phone"), "input.bad_choice", "kind"),
        (dict(media_time="gps"), "input.bad_choice", "media_time"),
        (dict(dept="执法九队"), "dept.unknown", "dept"),
        (dict(custodian="9999"), "staff.unknown", "custodian"),
        (dict(purchased="2999-01-01"), "input.future", "purchased"),
        (dict(purchased="2024-13-01"), "input.bad_date", "purchased"),
        (dict(price="-3"), "input.bad_amount", "price"),
        (dict(price="12.345"), "input.bad_amount", "price"),
        (dict(price="NaN"), "input.bad_amount", "price"),  # was a crash (decimal.InvalidOperation)
        (dict(price="Infinity"), "input.bad_amount", "price"),
        (dict(abilities=["laser"]), "input.bad_choice", "abilities"),
    ],
)
def test_bad_device_input_refused(services, changes, code, field):
    refused(services.devices.add, code=code, field=field, **(GOOD_DEVICE | changes))
    assert Device.select().count() == 0


@pytest.mark.parametrize("price", ["NaN", "-NaN", "sNaN", "Infinity", "-inf", "1e30", "92233720368547758.08", "1.001"])
def test_amount_that_is_not_money_refused(services, price):
    """Not a number, not finite, more fen than the register can hold, or past the fen: refused with the field."""
    refused(
        services.devices.add, "X", "bodycam", "执法一队", "2001", price=price, code="input.bad_amount", field="price"
    )
    assert Device.select().count() == 0


def test_largest_amount_the_register_holds(services):
    assert services.devices.add("X", "bodycam", "执法一队", "2001", price="92233720368547758.07").price_yuan == (
        "92233720368547758.07"
    )


def test_bad_device_edit_refused(services):
    services.devices.add(**GOOD_DEVICE)
    refused(services.devices.update, "X", dept="执法九队", code="dept.unknown", field="dept")
    refused(services.devices.update, "X", custodian="9999", code="staff.unknown", field="custodian")
    refused(services.devices.update, "X", price="abc", code="input.bad_amount", field="price")
    refused(services.devices.update, "NO-SUCH", model="A", code="device.unknown", field="asset_no")


def test_custodian_who_left_refused(services):
    services.staff.update("2001", active=False)
    refused(services.devices.add, "JL-9", "bodycam", "执法一队", "2001", code="staff.left", field="custodian")


def test_staff_rules(services):
    refused(services.staff.add, "李四", "2001", "执法一队", code="staff.number_taken", field="number")
    refused(services.staff.add, "", "3001", "执法一队", code="input.empty", field="name")
    refused(services.staff.add, "李四", "3001", "不存在", code="dept.unknown", field="dept")
    refused(services.staff.add, "李四", "3001", "执法一队", roles=["boss"], code="input.bad_choice", field="roles")
    services.staff.add("李四", "3001", "执法一队", os_user="lisi")
    refused(services.staff.add, "赵六", "3002", "执法一队", os_user="lisi", code="staff.os_user_taken", field="os_user")
    refused(services.staff.update, "2001", os_user="lisi", code="staff.os_user_taken", field="os_user")
    refused(services.staff.update, "2001", dept="不存在", code="dept.unknown", field="dept")
    left = services.staff.update("3001", active=False)
    assert not left.active
    assert AuditEvent.select().order_by(AuditEvent.id.desc()).first().action == "leave"


def test_department_rules(services):
    refused(services.departments.add, "执法一队", "B", code="dept.exists", field="name")
    refused(services.departments.add, "执法二队", "Z", code="input.bad_choice", field="alloc_class")
    refused(services.departments.add, "  ", "B", code="input.empty", field="name")
    assert services.departments.set_class("执法一队", "FULL").alloc_class == "FULL"


def test_second_init_refused(services):
    refused(services.office.init, "另一个单位", "dalian", code="office.already_initialised", field=None)


def test_unknown_preset_refused(home):
    from avledger.services import Services

    with Services(home, Identity.console("tester")) as svc:
        with pytest.raises(UserError) as info:
            svc.office.init("X", "beijing")
        assert (info.value.code, info.value.field) == ("profile.unknown_preset", "preset")
        assert not svc.office.initialised


def test_actor_is_staff_mapped_from_the_account(home):
    """Unmapped, the owner account acts as the administrator under its own name; mapped, as the member of
    staff, and the log names both."""
    from avledger.services import Services

    with Services(home, Identity.console("zhangwei")) as svc:
        svc.office.init("单位", "ruzhou")
        svc.departments.add("一队", "FULL")
        assert AuditEvent.select().order_by(AuditEvent.id.desc()).first().actor == "zhangwei"
        svc.staff.add("张伟", "2001", "一队", cert_no="C1", roles=["manager"], os_user="zhangwei")
        svc.departments.add("二队", "B")
        last = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
        assert last.actor == "张伟（2001）[zhangwei]"
        assert last.actor_staff_id == svc.staff.get("2001").id


def test_every_change_is_audited_with_before_and_after(services):
    import json

    services.devices.add("JL-001", "bodycam", "执法一队", "2001", model="A")
    services.devices.update("JL-001", model="B")
    event = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert event.action == "update" and event.entity == "device"
    assert json.loads(event.before)["model"] == "A"
    assert json.loads(event.after)["model"] == "B"


def test_allocation_report(services):
    # 执法一队 is class A (1 per 3 officers). Add officers until 4 enforcement staff.
    for n in range(3):
        services.staff.add(f"队员{n}", f"20{n}9", "执法一队", cert_no=f"C{n}")
    services.departments.add("执法二队", "C")
    services.devices.add("JL-001", "bodycam", "执法一队", "2001")
    services.devices.add("XJ-001", "camera", "执法一队", "2001")  # cameras do not count (profile)
    rows = {r.department: r for r in services.allocation.report()}
    one = rows["执法一队"]
    assert (one.officers, one.working_devices, one.required, one.shortfall) == (4, 1, 2, 1)
    assert rows["执法二队"].required is None and rows["执法二队"].shortfall == 0


def test_allocation_full_class_and_departed_staff(services):
    services.departments.set_class("执法一队", "FULL")
    services.staff.add("李四", "2002", "执法一队", cert_no="C2")
    services.staff.add("离职者", "2003", "执法一队", cert_no="C3")
    services.staff.update("2003", active=False)
    row = services.allocation.report()[0]
    assert row.officers == 2 and row.required == 2 and row.shortfall == 2


def test_profile_edit_validated_and_audited(services):
    profile = services.office.set_value("ingest.deadline_hours", "12")
    assert profile.get("ingest.deadline_hours") == 12
    assert services.ctx.profile().get("ingest.deadline_hours") == 12
    refused(services.office.set_value, "ingest.deadline_hours", "abc", code="input.bad_number", field="value")
    refused(services.office.set_value, "ingest.deadline_hours", "0", code="input.out_of_range", field="value")
    refused(services.office.set_value, "office.timezone", "Mars/Base", code="profile.unknown_timezone", field="value")
    refused(services.office.set_value, "office.preset", "x", code="profile.not_editable", field="path")
    refused(services.office.set_value, "viewing.approver_role", "boss", code="profile.unknown_role", field="value")
    refused(services.office.set_value, "ingest.deadline_from", "never", code="profile.bad_choice", field="value")
    refused(services.office.set_value, "disc.recheck_years", "yes", code="input.bad_number", field="value")
    assert services.audit.verify().ok


def test_all_presets_load():
    from avledger.profile import PRESETS, Profile, load_preset

    issuers = set()
    for preset in PRESETS:
        profile = Profile(load_preset(preset))
        assert profile.preset == preset
        issuers.add(profile.issuer)
    assert len(issuers) == 5
    assert Profile(load_preset("ruzhou")).default_allocation_class == "FULL"  # R6: 配备率 100%
    assert Profile(load_preset("wanzhou")).get("retention.default_months") == 24  # W14
