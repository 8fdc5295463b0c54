"""Staff, departments, the office profile and the audit log in the TUI."""

from __future__ import annotations

from textual.widgets import Checkbox, Input

from avledger.tui.forms.department import DepartmentFormScreen
from avledger.tui.forms.staff import StaffFormScreen
from avledger.tui.screens.audit import AuditScreen, VerifyScreen
from avledger.tui.screens.base import Confirm
from avledger.tui.screens.departments import DepartmentsScreen
from avledger.tui.screens.home import HomeScreen
from avledger.tui.screens.profile import ProfileScreen
from avledger.tui.screens.staff import StaffScreen
from avledger.tui.sections import SECTIONS, section
from avledger.tui.widgets import FormRow, RegisterTable

from .conftest import SIZE, choose, text_of, type_text


async def test_home_shows_the_office_at_a_glance(demo_app):
    async with demo_app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = demo_app.screen
        assert isinstance(screen, HomeScreen)
        assert "示例市市场监督管理局" in text_of(screen.query_one("#unit"))
        status = text_of(screen.query_one("#status"))
        assert "维修中" in status and "在库" in status
        allocation = text_of(screen.query_one("#allocation"))
        assert "执法一队" in allocation and "稽查科" in allocation and "执法二队" not in allocation
        alerts = text_of(screen.query_one("#alerts"))
        assert "逾期未还：JL-2024-003 徐磊（3002）" in alerts
        assert "还有 5 项（按 t 查看全部）" in alerts  # what does not fit the panel at 80×24, counted
        every = str(screen._reminders)  # all of them (t)
        assert "记录中断待说明原因：1 处（按 3 到“执法活动”）" in every  # the reminder, and where to act on it
        assert "配备缺额" not in every  # the shortfalls have their own panel


async def test_every_section_by_its_number_key(demo_app):
    expected = {
        "home": HomeScreen,
        "lending": "LendingScreen",
        "activities": "ActivitiesScreen",
        "footage": "FootageScreen",
        "access": "AccessScreen",
        "devices": "DevicesScreen",
        "staff": StaffScreen,
        "departments": DepartmentsScreen,
        "audit": AuditScreen,
        "profile": ProfileScreen,
        "discs": "DiscsScreen",
    }
    assert set(expected) == {s.id for s in SECTIONS}
    async with demo_app.run_test(size=(80, 24)) as pilot:
        for section_id, cls in expected.items():
            key = section(section_id).key
            if key:
                await pilot.press(key)
            else:  # the office profile has no number key: from the home screen's "c"
                await pilot.press(section("home").key, "c")
            await pilot.pause()
            name = cls if isinstance(cls, str) else cls.__name__
            assert type(demo_app.screen).__name__ == name


async def test_add_staff_then_mark_left(demo, demo_app):
    async with demo_app.run_test(size=SIZE) as pilot:
        await pilot.press(section("staff").key)
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(demo_app.screen, StaffFormScreen)
        await type_text(pilot, "钱多多")
        demo_app.screen.query_one("#f-number", Input).focus()
        await type_text(pilot, "2001")  # taken
        row = demo_app.screen.query_one("#row-number", FormRow)
        assert "工号已存在：2001" in text_of(row.query_one(".form-error"))
        demo_app.screen.query_one("#f-number", Input).value = "2008"
        await choose(pilot, "f-dept", "执法一队")
        demo_app.screen.query_one("#f-cert_no", Input).focus()
        await type_text(pilot, "22010020008")
        officer = next(b for b in demo_app.screen.query(Checkbox) if b.name == "officer")
        officer.focus()
        # told apart without colour (NO_COLOR, a grey screenshot): the mark is there only when ticked
        assert str(officer.render()).startswith("▐ ▌")
        await pilot.press("space")
        await pilot.pause()
        assert str(officer.render()).startswith("▐X▌")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(demo_app.screen, StaffScreen)
        person = demo.staff.view("2008")
        assert (person.name, person.department, person.cert_no, person.roles) == (
            "钱多多",
            "执法一队",
            "22010020008",
            ("officer",),
        )
        table = demo_app.screen.query_one(RegisterTable)
        assert table.current_key == "2008"

        await pilot.press("l")
        await pilot.pause()
        assert isinstance(demo_app.screen, Confirm)
        await pilot.press("y")
        await pilot.pause()
        assert demo.staff.view("2008").active is False


async def test_department_add_and_allocation(demo, demo_app):
    async with demo_app.run_test(size=SIZE) as pilot:
        await pilot.press(section("departments").key)
        await pilot.pause()
        screen = demo_app.screen
        assert "合计缺额 2 台" in text_of(screen.query_one("#summary"))
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(demo_app.screen, DepartmentFormScreen)
        await type_text(pilot, "执法一队")
        assert "科室已存在" in text_of(demo_app.screen.query_one("#row-name", FormRow).query_one(".form-error"))
        demo_app.screen.query_one("#f-name", Input).value = "执法三队"
        await choose(pilot, "f-alloc_class", "B类")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert [d.alloc_class for d in demo.departments.list() if d.name == "执法三队"] == ["B"]
        # Change a class: 执法二队 to FULL, its 5 officers now need 5 devices.
        table = demo_app.screen.query_one(RegisterTable)
        table.select_key("执法二队")
        table.focus()
        await pilot.press("c")
        await pilot.pause()
        await choose(pilot, "f-alloc_class", "全员")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "合计缺额 5 台" in text_of(demo_app.screen.query_one("#summary"))


async def test_profile_edit_with_errors_next_to_the_field(demo, demo_app):
    async with demo_app.run_test(size=SIZE) as pilot:
        await pilot.press("c")  # from the home screen
        await pilot.pause()
        screen = demo_app.screen
        assert isinstance(screen, ProfileScreen)
        hours = screen.query_one("#p-ingest-deadline_hours", Input)
        assert hours.value == "24"
        hours.focus()
        await pilot.press("end", "backspace", "backspace")
        await type_text(pilot, "999")
        row = screen.rows["ingest.deadline_hours"]
        assert "1 到 240" in text_of(row.query_one(".form-error"))
        hours.value = "48"  # looser than the regulation (D24: within 24 hours of returning)
        await pilot.pause()
        assert "不得高于 24：D24" in text_of(row.query_one(".form-error"))
        months = screen.query_one("#p-retention-default_months", Input)
        months.value = "1"
        await pilot.pause()
        assert "不得低于 36：D25" in text_of(screen.rows["retention.default_months"].query_one(".form-error"))
        months.value = "36"
        hours.value = "12"  # stricter: allowed
        unit = screen.query_one("#p-unit", Input)
        unit.value = "示例市市场监管局"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert demo.office.profile().get("ingest.deadline_hours") == 12
        assert demo.office.unit() == "示例市市场监管局"
        assert not screen.dirty()


async def test_audit_log_and_verify(demo, demo_app):
    async with demo_app.run_test(size=SIZE) as pilot:
        await pilot.press(section("audit").key)
        await pilot.pause()
        screen = demo_app.screen
        table = screen.query_one(RegisterTable)
        assert table.row_count == len(demo.audit.list())
        newest = demo.audit.list(newest_first=True, limit=1)[0]
        assert table.current_key == str(newest.id)  # newest first
        entries = demo.audit.list(newest_first=True)
        status_change = max(i for i, e in enumerate(entries) if e.action == "status")  # the oldest: to repair
        for _ in range(status_change):
            await pilot.press("down")
        await pilot.pause()
        assert table.current_key == str(entries[status_change].id)
        change = text_of(screen.query_one("#change-pane").query_one("ChangeView"))
        assert "在库" in change and "维修中" in change  # before and after of the status change
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(demo_app.screen, VerifyScreen)
        assert "审计链完整" in text_of(demo_app.screen.query_one("#verdict"))


async def test_command_palette_reaches_actions_of_other_sections(demo_app):
    """From the home screen, the palette's "新增人员" opens the staff form (the staff screen was never shown)."""
    from textual.command import CommandInput

    async with demo_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert demo_app.screen.query_one(CommandInput).placeholder == "搜索命令…"
        await type_text(pilot, "新增人员")
        await demo_app.workers.wait_for_complete()
        await pilot.pause(0.2)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(demo_app.screen, StaffFormScreen)
        await type_text(pilot, "钱多多")
        demo_app.screen.query_one("#f-number", Input).focus()
        await type_text(pilot, "1001")
        assert "工号已存在：1001" in text_of(demo_app.screen.query_one("#row-number", FormRow).query_one(".form-error"))
        await pilot.press("escape")  # the form was filled in: Esc asks before giving it up
        await pilot.pause()
        assert isinstance(demo_app.screen, Confirm)
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(demo_app.screen, StaffScreen)


async def test_home_lists_overdue_loans(demo):
    from avledger.services.lending import PreCheck

    demo.lending.issue("JL-2023-002", "2002", PreCheck(90, 20, 1, True), at="2026-01-10 09:00", due="2026-01-10 18:00")
    from avledger.tui.app import make_app

    app = make_app(demo.home, services=demo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        alerts = text_of(app.screen.query_one("#alerts"))
        assert "逾期未还：JL-2023-002 刘洋（2002）" in alerts
        assert "暂无提醒" not in alerts


async def test_home_lists_the_first_reminders_and_counts_the_rest(demo):
    import datetime as dt

    from avledger.services.lending import PreCheck
    from avledger.services.reminders import LIMIT
    from avledger.timeutil import to_local
    from avledger.tui.app import make_app

    for n in range(3):
        demo.devices.add(f"JL-2026-10{n}", "bodycam", "执法一队", "2001")
    local = lambda minutes: to_local(demo.ctx.clock() - dt.timedelta(minutes=minutes), demo.office.profile().tz)  # noqa: E731
    for asset in [d.asset_no for d in demo.devices.list() if d.status == "in_store"]:
        at, due = (local(m).strftime("%Y-%m-%d %H:%M") for m in (20, 10))
        demo.lending.issue(asset, "2002", PreCheck(90, 20, 1, True), at=at, due=due)
    overdue = len(demo.lending.list(overdue=True))
    assert overdue > LIMIT
    app = make_app(demo.home, services=demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        every = str(app.screen._reminders)  # what t lists
        assert every.count("逾期未还：") == LIMIT
        assert f"另有 {overdue - LIMIT} 项未列出" in every
        alerts = text_of(app.screen.query_one("#alerts"))  # what fits the panel, and how many more
        shown = alerts.count("逾期未还：")
        assert 0 < shown < LIMIT and f"还有 {len(every.splitlines()) - shown} 项（按 t 查看全部）" in alerts
