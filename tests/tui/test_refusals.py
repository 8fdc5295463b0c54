"""A refusal only the service knows (the register changed behind the form's back) comes back beside the
field it concerns: the field is the refusal's ``UserError.field``, the service parameter's name, which a
form maps to its own field where the names differ (``PARAM_FIELDS``), never the message's text.
"""

from __future__ import annotations

import datetime as dt

from textual.widgets import Checkbox, Input

from avledger.services.lending import PreCheck
from avledger.tui.forms.access import RequestForm, RequestFormScreen
from avledger.tui.forms.activity import ActivityFormScreen, CloseFormScreen, NoRecordFormScreen
from avledger.tui.forms.counter import HandoverFormScreen
from avledger.tui.forms.department import DepartmentFormScreen
from avledger.tui.forms.device import DeviceFormScreen
from avledger.tui.forms.issue import IssueFormScreen
from avledger.tui.forms.staff import StaffFormScreen
from avledger.tui.sections import section
from avledger.tui.widgets import RegisterTable

from .conftest import SIZE, choose, refusal_beside, refusals, type_text


async def go(pilot, section_id: str):
    await pilot.pause()
    await pilot.press(section(section_id).key)
    await pilot.pause()
    return pilot.app.screen


async def fill(pilot, field: str, text: str) -> None:
    pilot.app.screen.query_one(f"#f-{field}", Input).focus()
    await type_text(pilot, text)


async def save(pilot):
    await pilot.press("ctrl+s")
    await pilot.pause()
    await pilot.pause()
    return pilot.app.screen


# --- the form's side: a field named by the service lands where the form says --------------------------
async def test_a_service_parameter_lands_on_the_forms_field(demo_app):
    """As the actions reopen a form after a refusal: the service's parameter, mapped where the form's
    field has another name; a parameter the form has no field for goes under the form."""
    request = RequestForm("case", "X", "2002", "case_handling", "r", "view", "")
    cases = [
        (CloseFormScreen("t", dt.date(2026, 3, 1), error="refused", error_field="at"), "date"),  # close(at=)
        (RequestFormScreen([], request, error="refused", error_field="case_no"), "target"),  # request(case_no=)
        (RequestFormScreen([], request, error="refused", error_field="requester"), "requester"),  # same name
        (RequestFormScreen([], request, error="refused", error_field="request_id"), None),
    ]
    async with demo_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for form, field in cases:
            await demo_app.push_screen(form)
            await pilot.pause()
            if field is None:
                assert refusals(form) == "refused" and form.query_one("#form-error").has_class("-shown")
            else:
                assert refusal_beside(form, field) == "refused"
                assert form.focused is form.query_one(f"#f-{field}")
            form.dismiss(None)
            await pilot.pause()


async def test_a_one_field_form_shows_an_unnamed_refusal_beside_its_field(demo, demo_app):
    """Closing a case: the date before the activity began is refused by the service, beside the date."""
    async with demo_app.run_test(size=SIZE) as pilot:
        screen = await go(pilot, "activities")
        open_one = next(a for a in demo.activities.list() if a.status == "open")
        screen.query_one(RegisterTable).select_key(str(open_one.id))
        await pilot.press("c")
        await pilot.pause()
        form = demo_app.screen
        assert isinstance(form, CloseFormScreen)
        form.query_one("#f-date", Input).value = "2000-01-01"
        form = await save(pilot)
        assert isinstance(form, CloseFormScreen)
        assert "不能早于执法活动开始日期" in refusal_beside(form, "date")


# --- the service's side: each refusal names its field ----------------------------------------------------
async def test_device_asset_number_taken_meanwhile(demo, demo_app):
    """Expects field="asset_no" (DeviceService.add)."""
    async with demo_app.run_test(size=SIZE) as pilot:
        await go(pilot, "devices")
        await pilot.press("a")
        await pilot.pause()
        await type_text(pilot, "JL-2025-200")
        await choose(pilot, "f-dept", "执法一队")
        await choose(pilot, "f-custodian", "张伟")
        demo.devices.add("JL-2025-200", "bodycam", "执法一队", "2001")
        form = await save(pilot)
        assert isinstance(form, DeviceFormScreen)
        assert "资产编号已存在：JL-2025-200" in refusal_beside(form, "asset_no")


async def test_device_custodian_left_meanwhile(demo, demo_app):
    """Expects field="custodian" (DeviceService.add)."""
    async with demo_app.run_test(size=SIZE) as pilot:
        await go(pilot, "devices")
        await pilot.press("a")
        await pilot.pause()
        await type_text(pilot, "JL-2025-300")
        await choose(pilot, "f-dept", "执法一队")
        await choose(pilot, "f-custodian", "刘洋")
        demo.staff.update("2002", active=False)
        form = await save(pilot)
        assert isinstance(form, DeviceFormScreen)
        assert "已离职" in refusal_beside(form, "custodian")


async def test_handover_to_the_holder_himself(demo, demo_app):
    """Expects field="to" (LendingService.handover)."""
    async with demo_app.run_test(size=SIZE) as pilot:
        screen = await go(pilot, "lending")
        screen.query_one(RegisterTable).select_key("JL-2024-003")
        await pilot.press("h")
        await pilot.pause()
        await choose(pilot, "f-to", "3002")
        form = await save(pilot)
        assert isinstance(form, HandoverFormScreen)
        assert "交接双方不能是同一人" in refusal_beside(form, "to")


async def test_issue_of_a_device_issued_meanwhile(demo, demo_app):
    """Expects field="asset_no" (LendingService.issue)."""
    async with demo_app.run_test(size=SIZE) as pilot:
        await go(pilot, "lending")
        await pilot.press("o")
        await pilot.pause()
        await type_text(pilot, "JL-2023-002")
        await choose(pilot, "f-holder", "2002")
        await fill(pilot, "battery", "90")
        await fill(pilot, "free_gb", "30")
        await fill(pilot, "clock_offset", "0")
        pilot.app.screen.query_one("#f-notice_given", Checkbox).value = True
        await pilot.pause()
        demo.lending.issue("JL-2023-002", "2003", PreCheck(90, 30, 0, True))
        form = await save(pilot)
        assert isinstance(form, IssueFormScreen)
        assert "当前状态为“已领用”" in refusals(form)
        assert "当前状态为“已领用”" in refusal_beside(form, "asset_no")


async def test_staff_number_taken_meanwhile(demo, demo_app):
    """Expects field="number" (StaffService.add)."""
    async with demo_app.run_test(size=SIZE) as pilot:
        await go(pilot, "staff")
        await pilot.press("a")
        await pilot.pause()
        await type_text(pilot, "钱多多")
        await fill(pilot, "number", "2099")
        await choose(pilot, "f-dept", "执法一队")
        demo.staff.add("孙一", "2099", "执法一队")
        form = await save(pilot)
        assert isinstance(form, StaffFormScreen)
        assert "工号已存在：2099" in refusal_beside(form, "number")


async def test_department_name_taken_meanwhile(demo, demo_app):
    """Expects field="name" (DepartmentService.add)."""
    async with demo_app.run_test(size=SIZE) as pilot:
        await go(pilot, "departments")
        await pilot.press("a")
        await pilot.pause()
        await type_text(pilot, "执法三队")
        demo.departments.add("执法三队", "A")
        form = await save(pilot)
        assert isinstance(form, DepartmentFormScreen)
        assert "科室已存在" in refusal_beside(form, "name")


async def test_activity_officer_left_meanwhile(demo, demo_app):
    """Expects field="officers" (ActivityService.add)."""
    async with demo_app.run_test(size=SIZE) as pilot:
        await go(pilot, "activities")
        await pilot.press("a")
        await pilot.pause()
        await fill(pilot, "title", "夜市检查")
        await fill(pilot, "officers", "2002 2003")
        demo.staff.update("2003", active=False)
        form = await save(pilot)
        assert isinstance(form, ActivityFormScreen)
        assert "已离职" in refusal_beside(form, "officers")


async def test_not_recorded_report_to_a_leader_who_left_meanwhile(demo, demo_app):
    """Expects field="reported_to" (NoRecordService.add)."""
    role = demo.office.profile().get("norecord.report_role")
    demo.staff.update("4001", roles=["officer", role])  # another leader, so that the form can open again
    async with demo_app.run_test(size=SIZE) as pilot:
        screen = await go(pilot, "activities")
        screen.query_one(RegisterTable).select_key(str(demo.activities.list()[0].id))
        await pilot.press("n")
        await pilot.pause()
        await choose(pilot, "f-reason", "情况紧急")
        await fill(pilot, "basis", "现场突发")
        await choose(pilot, "f-reported_to", "1002")
        demo.staff.update("1002", active=False)
        form = await save(pilot)
        assert isinstance(form, NoRecordFormScreen)
        assert "1002" in refusal_beside(form, "reported_to")
