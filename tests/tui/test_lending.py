"""The counter in the TUI: issue with the pre-use check, return, handover, a device's history,
a fault through repair, a loss, and a person's history (issue 3)."""

from __future__ import annotations

from textual.widgets import Checkbox, Input

from avledger.tui.forms.counter import HandoverFormScreen, ReturnFormScreen
from avledger.tui.forms.issue import IssueFormScreen
from avledger.tui.screens.device_detail import DeviceDetailScreen
from avledger.tui.screens.lending import LendingScreen
from avledger.tui.sections import section
from avledger.tui.widgets import FormRow, RegisterTable

from .conftest import SIZE, choose, refusals, text_of, type_text


async def open_counter(pilot) -> LendingScreen:
    await pilot.pause()
    await pilot.press(section("lending").key)
    await pilot.pause()
    assert isinstance(pilot.app.screen, LendingScreen)
    return pilot.app.screen


def shown_keys(screen) -> list[str]:
    table = screen.query_one(RegisterTable)
    return [table.coordinate_to_cell_key((row, 0)).row_key.value for row in range(table.row_count)]


async def fill(pilot, field: str, text: str) -> None:
    pilot.app.screen.query_one(f"#f-{field}", Input).focus()
    await type_text(pilot, text)


async def test_issue_and_return_at_the_counter(demo, demo_app):
    audit_before = len(demo.audit.list())
    async with demo_app.run_test(size=SIZE) as pilot:
        screen = await open_counter(pilot)
        assert sorted(shown_keys(screen)) == ["JL-2024-003", "JL-2024-004"]  # out now, from the demo
        assert "逾期 1 台" in text_of(screen.query_one("#mode"))

        await pilot.press("o")
        await pilot.pause()
        form = demo_app.screen
        assert isinstance(form, IssueFormScreen)
        assert "本机时间" in text_of(form.query_one("#pc-clock"))
        # A device already out is refused as it is typed, with the reason.
        await type_text(pilot, "JL-2024-003")
        assert "当前状态为“已领用”" in text_of(form.query_one("#row-asset_no", FormRow).query_one(".form-error"))
        form.query_one("#f-asset_no", Input).value = ""
        await type_text(pilot, "jl-2023-002")  # as a scanner or a hurried person types it
        await pilot.press("enter")  # Enter after the asset number moves on; it does not save
        await pilot.pause()
        assert demo_app.screen is form and form.focused.id == "f-holder"
        await choose(pilot, "f-holder", "2002")
        await fill(pilot, "battery", "45")
        await fill(pilot, "free_gb", "16")
        await fill(pilot, "clock_offset", "-3")
        notice = form.query_one("#f-notice_given", Checkbox)
        notice.focus()
        await pilot.press("space")
        await pilot.pause()
        despite = form.query_one("#row-despite", FormRow)
        assert "电量不足（≥ 80%）" in text_of(despite.query_one(".form-error"))  # the dalian preset's limit
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert demo_app.screen is form  # refused until the reason is given
        await fill(pilot, "despite", "备用电池随身携带")
        await pilot.press("ctrl+s")
        await pilot.pause()

        assert isinstance(demo_app.screen, LendingScreen)
        loan = demo.lending.list(open_only=True, asset_no="JL-2023-002")[0]
        assert (loan.holder_number, loan.battery_pct, loan.free_gb, loan.clock_offset_s) == ("2002", 45, 16.0, -3)
        assert loan.check_failures == ("battery",) and loan.despite == "备用电池随身携带"
        assert demo.devices.view("JL-2023-002").status == "issued"
        table = screen.query_one(RegisterTable)
        assert table.current_key == "JL-2023-002"  # the cursor is on the device just issued

        # The return: the selected device is filled in.
        await pilot.press("r")
        await pilot.pause()
        form = demo_app.screen
        assert isinstance(form, ReturnFormScreen)
        assert form.query_one("#f-asset_no", Input).value == "JL-2023-002"
        assert "刘洋（2002）" in text_of(form.query_one("#holder-note"))
        await fill(pilot, "content", "检查农贸市场 拍摄 4 段")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(demo_app.screen, LendingScreen)
        assert demo.devices.view("JL-2023-002").status == "in_store"
        returned = demo.lending.list(asset_no="JL-2023-002")[0]
        assert returned.end_kind == "return" and returned.content == "检查农贸市场 拍摄 4 段"
        assert "JL-2023-002" not in shown_keys(screen)
        # The whole ledger shows it, with its end.
        await pilot.press("t")
        await pilot.pause()
        assert str(returned.id) in shown_keys(screen)
    assert len(demo.audit.list()) > audit_before


async def test_handover_then_device_history(demo, demo_app):
    async with demo_app.run_test(size=SIZE) as pilot:
        screen = await open_counter(pilot)
        screen.query_one(RegisterTable).select_key("JL-2024-003")
        await pilot.press("h")
        await pilot.pause()
        form = demo_app.screen
        assert isinstance(form, HandoverFormScreen)
        assert "徐磊（3002）" in text_of(form.query_one("#holder-note"))
        await choose(pilot, "f-to", "3002")  # to the holder himself: refused by the service, shown on the form
        await pilot.press("ctrl+s")
        await pilot.pause()
        form = demo_app.screen
        assert isinstance(form, HandoverFormScreen)
        assert "交接双方不能是同一人" in refusals(form)  # beside the receiver: tests/tui/test_refusals.py
        await choose(pilot, "f-to", "3003")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(demo_app.screen, LendingScreen)
        assert demo.devices.view("JL-2024-003").holder_number == "3003"

        await pilot.press("enter")  # the device's page
        await pilot.pause()
        page = demo_app.screen
        assert isinstance(page, DeviceDetailScreen)
        uses = page.query_one("#uses", RegisterTable)
        texts = [" ".join(str(c) for c in uses.get_row_at(i)) for i in range(uses.row_count)]
        assert "徐磊 交接给 孙婷（3003）" in texts[0]  # newest first
        assert any("检查未通过仍领用：备用电池已随机携带" in t for t in texts)


async def test_fault_repair_and_loss_from_the_device_page(demo, demo_app):
    async with demo_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(section("devices").key)
        await pilot.pause()
        demo_app.screen.query_one(RegisterTable).select_key("JL-2024-005")
        await pilot.press("enter")
        await pilot.pause()
        page = demo_app.screen
        assert isinstance(page, DeviceDetailScreen)
        assert page.check_action("repair", ("sent",)) is False  # not in repair: the key is hidden

        await pilot.press("f")
        await pilot.pause()
        await type_text(pilot, "屏幕不亮")
        await pilot.press("enter")
        await pilot.pause()
        assert demo.devices.view("JL-2024-005").status == "in_repair"
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert demo.lending.faults("JL-2024-005")[0].sent_at is not None
        assert page.check_action("repair", ("sent",)) is False  # sent once
        await pilot.press("b")
        await pilot.pause()
        await fill(pilot, "outcome", "更换屏幕排线")
        await pilot.press("enter")
        await pilot.pause()
        assert demo.devices.view("JL-2024-005").status == "in_store"
        uses = page.query_one("#uses", RegisterTable)
        kinds = [str(uses.get_row_at(i)[1]) for i in range(uses.row_count)]
        assert kinds == ["修复", "送修", "故障"]

        await pilot.press("x")  # lost, with the person liable; the amount is the register's price
        await pilot.pause()
        await choose(pilot, "f-liable", "4002")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert demo.devices.view("JL-2024-005").status == "lost"
        case = demo.lending.liabilities("JL-2024-005")[0]
        assert (case.staff_number, case.amount_yuan, case.kind) == ("4002", "4650.00", "lost")
        assert page.check_action("issue", ()) is False  # a lost device cannot be issued


async def test_a_persons_history_from_the_staff_list(demo, demo_app):
    async with demo_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(section("staff").key)
        await pilot.pause()
        demo_app.screen.query_one(RegisterTable).select_key("2002")
        await pilot.press("h")
        await pilot.pause()
        await pilot.pause()
        screen = demo_app.screen
        assert isinstance(screen, LendingScreen)
        assert screen.show_all and screen.query_one("#filter", Input).value == "2002"
        loans = [loan for loan in screen.rows if loan.id in {int(k) for k in shown_keys(screen)}]
        assert [loan.holder_number for loan in loans] == ["2002"]


async def test_issue_form_fits_80_by_24(demo_app):
    async with demo_app.run_test(size=(80, 24)) as pilot:
        await open_counter(pilot)
        await pilot.press("o")
        await pilot.pause()
        dialog = demo_app.screen.query_one("#dialog")
        assert dialog.region.bottom <= 24
        assert demo_app.screen.query_one("#save").region.bottom <= 24  # the buttons are on screen


async def test_issue_form_checks_with_the_offices_limits(demo, demo_app):
    """The form's verdict as the numbers go in is the lending service's, under the profile's limits."""
    from avledger.services.lending import PreCheck

    demo.office.set_value("precheck.min_battery_pct", "40")
    demo.office.set_value("precheck.max_clock_offset_s", "5")
    async with demo_app.run_test(size=SIZE) as pilot:
        await open_counter(pilot)
        await pilot.press("o")
        await pilot.pause()
        form = demo_app.screen
        assert isinstance(form, IssueFormScreen)
        await fill(pilot, "battery", "45")  # enough under this office's limit (the preset asks 80)
        await fill(pilot, "free_gb", "16")
        await fill(pilot, "clock_offset", "-8")
        despite = form.query_one("#row-despite", FormRow)
        error = text_of(despite.query_one(".form-error"))
        assert "时钟误差过大（≤ 5 s）" in error and "未提醒告知用语" in error and "电量不足" not in error
        assert form.failures() == demo.lending.check_failures(PreCheck(45, 16.0, -8, False)) == ["clock", "notice"]
        form.query_one("#f-battery", Input).value = ""
        await fill(pilot, "battery", "101")
        battery = form.query_one("#row-battery", FormRow)
        assert "电量应在 0 到 100 之间：101" in text_of(battery.query_one(".form-error"))
