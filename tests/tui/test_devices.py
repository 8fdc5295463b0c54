"""The device register in the TUI: the list, its filter, the add form and its refusals."""

from __future__ import annotations

from textual.widgets import Input

from avledger.tui.forms.device import DeviceFormScreen
from avledger.tui.screens.device_detail import DeviceDetailScreen
from avledger.tui.screens.devices import DevicesScreen
from avledger.tui.sections import section
from avledger.tui.widgets import FormRow, RegisterTable

from .conftest import SIZE, choose, refusals, text_of, type_text


def shown_assets(app) -> list[str]:
    table = app.screen.query_one(RegisterTable)
    return [table.coordinate_to_cell_key((row, 0)).row_key.value for row in range(table.row_count)]


async def open_devices(pilot) -> None:
    await pilot.pause()
    await pilot.press(section("devices").key)
    await pilot.pause()
    assert isinstance(pilot.app.screen, DevicesScreen)


async def test_add_device_through_the_form(demo, demo_app):
    async with demo_app.run_test(size=SIZE) as pilot:
        await open_devices(pilot)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(demo_app.screen, DeviceFormScreen)
        await type_text(pilot, "JL-2025-100")
        await choose(pilot, "f-dept", "执法二队")
        await choose(pilot, "f-custodian", "徐磊")
        demo_app.screen.query_one("#f-model", Input).focus()
        await type_text(pilot, "DSJ-K9")
        demo_app.screen.query_one("#f-purchased", Input).focus()
        await type_text(pilot, "2025-01-15")
        demo_app.screen.query_one("#f-price", Input).focus()
        await type_text(pilot, "2100")
        await pilot.press("enter")  # Enter in a field submits the form
        await pilot.pause()

        assert isinstance(demo_app.screen, DevicesScreen)
        device = demo.devices.view("JL-2025-100")
        assert (device.kind, device.department, device.custodian_number, device.model) == (
            "bodycam",
            "执法二队",
            "3002",
            "DSJ-K9",
        )
        assert device.purchased.isoformat() == "2025-01-15" and device.price_yuan == "2100.00"
        assert "JL-2025-100" in shown_assets(demo_app)
        table = demo_app.screen.query_one(RegisterTable)
        assert table.current_key == "JL-2025-100"  # the cursor is on the new device


async def test_filter_as_you_type(demo_app):
    async with demo_app.run_test(size=SIZE) as pilot:
        await open_devices(pilot)
        assert len(shown_assets(demo_app)) == 10
        await pilot.press("slash")
        await type_text(pilot, "稽查")
        assert sorted(shown_assets(demo_app)) == ["JL-2024-004", "JL-2024-005", "LY-2022-001"]
        await type_text(pilot, " 红外")  # every word must match: the explosion-proof one has infrared
        assert shown_assets(demo_app) == ["JL-2024-005"]
        filt = demo_app.screen.query_one("#filter", Input)
        filt.value = ""
        await pilot.pause()
        await type_text(pilot, "维修")  # by status label
        assert shown_assets(demo_app) == ["SX-2020-001"]
        filt.value = "no such thing"
        await pilot.pause()
        assert shown_assets(demo_app) == []
        assert demo_app.screen.query_one("#empty").display


async def test_duplicate_asset_number_is_refused_next_to_the_field(demo, demo_app):
    async with demo_app.run_test(size=SIZE) as pilot:
        await open_devices(pilot)
        await pilot.press("a")
        await pilot.pause()
        await type_text(pilot, "JL-2023-001")
        row = demo_app.screen.query_one("#row-asset_no", FormRow)
        assert row.has_class("-invalid")
        assert "资产编号已存在：JL-2023-001" in text_of(row.query_one(".form-error"))
        await choose(pilot, "f-dept", "执法一队")
        await choose(pilot, "f-custodian", "张伟")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(demo_app.screen, DeviceFormScreen)  # not saved
        assert len(demo.devices.list()) == 10


async def test_service_refusal_is_shown_in_the_form(demo, demo_app):
    """The form checks what it can; what only the service knows comes back next to the field."""
    async with demo_app.run_test(size=SIZE) as pilot:
        await open_devices(pilot)
        await pilot.press("a")
        await pilot.pause()
        await type_text(pilot, "JL-2025-200")
        await choose(pilot, "f-dept", "执法一队")
        await choose(pilot, "f-custodian", "张伟")
        # Meanwhile someone else registers the same asset number.
        demo.devices.add("JL-2025-200", "bodycam", "执法一队", "2001")
        await pilot.press("ctrl+s")
        await pilot.pause()
        screen = demo_app.screen
        assert isinstance(screen, DeviceFormScreen)
        assert "资产编号已存在：JL-2025-200" in refusals(screen)  # beside its field: tests/tui/test_refusals.py
        assert screen.query_one("#f-asset_no", Input).value == "JL-2025-200"  # what was typed is kept


async def test_future_and_bad_dates_are_refused_as_you_type(demo_app):
    async with demo_app.run_test(size=SIZE) as pilot:
        await open_devices(pilot)
        await pilot.press("a")
        await pilot.pause()
        demo_app.screen.query_one("#f-purchased", Input).focus()
        await type_text(pilot, "2999-01-01")
        row = demo_app.screen.query_one("#row-purchased", FormRow)
        assert "不能晚于今天" in text_of(row.query_one(".form-error"))
        demo_app.screen.query_one("#f-purchased", Input).value = "2024-13-01"
        await pilot.pause()
        assert "不是有效日期" in text_of(row.query_one(".form-error"))
        demo_app.screen.query_one("#f-purchased", Input).value = ""
        await pilot.pause()
        assert not row.has_class("-invalid")


async def test_device_page_and_edit(demo, demo_app):
    async with demo_app.run_test(size=SIZE) as pilot:
        await open_devices(pilot)
        table = demo_app.screen.query_one(RegisterTable)
        table.select_key("JL-2024-005")
        await pilot.press("enter")
        await pilot.pause()
        screen = demo_app.screen
        assert isinstance(screen, DeviceDetailScreen)
        assert "EX2240911" in text_of(screen.query_one("#fields"))
        history = screen.query_one("#history", RegisterTable)
        assert history.row_count == 1  # registered
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(demo_app.screen, DeviceFormScreen)
        notes = demo_app.screen.query_one("#f-notes", Input)
        notes.focus()
        await type_text(pilot, "外壳有划痕")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert demo.devices.view("JL-2024-005").notes == "外壳有划痕"
        assert isinstance(demo_app.screen, DeviceDetailScreen)
        assert demo_app.screen.query_one("#history", RegisterTable).row_count == 2  # and the change is in its history


async def test_form_controls_line_up_at_80_columns(demo_app):
    """Labels are measured in terminal cells (CJK is two wide), so every control starts in the same column."""
    async with demo_app.run_test(size=(80, 24)) as pilot:
        await open_devices(pilot)
        await pilot.press("a")
        await pilot.pause()
        rows = list(demo_app.screen.query(FormRow))
        starts = {row.control.region.x for row in rows}
        assert len(starts) == 1
        dialog = demo_app.screen.query_one("#dialog")
        assert dialog.region.right <= 80 and dialog.region.bottom <= 24
        assert demo_app.screen.query_one("#save").region.bottom <= 24  # the buttons are on screen


async def test_refusal_only_the_service_knows_keeps_what_was_typed(demo, demo_app):
    async with demo_app.run_test(size=SIZE) as pilot:
        await open_devices(pilot)
        await pilot.press("a")
        await pilot.pause()
        await type_text(pilot, "JL-2025-300")
        await choose(pilot, "f-dept", "执法一队")
        await choose(pilot, "f-custodian", "刘洋")
        demo.staff.update("2002", active=False)  # leaves while the form is open
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.pause()
        screen = demo_app.screen
        assert isinstance(screen, DeviceFormScreen)
        assert "已离职" in refusals(screen)  # beside the custodian: tests/tui/test_refusals.py
        assert screen.value("custodian") == "2002"
        assert len(demo.devices.list()) == 10
