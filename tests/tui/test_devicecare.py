"""Upkeep (u) and retirement (d) on a device's page (issue 15: W5 D13 L6, D14 P6)."""

from __future__ import annotations

from textual.widgets import Input

from avledger.tui.forms.devicecare import RetireFormScreen, UpkeepFormScreen
from avledger.tui.screens.device_detail import DeviceDetailScreen
from avledger.tui.widgets import FormRow, RegisterTable

from .conftest import SIZE, choose, text_of, type_text
from .test_devices import open_devices


async def open_page(pilot, asset_no: str) -> DeviceDetailScreen:
    await open_devices(pilot)
    pilot.app.screen.query_one(RegisterTable).select_key(asset_no)
    await pilot.press("enter")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, DeviceDetailScreen)
    return screen


def uses_text(screen) -> str:
    table = screen.query_one("#uses", RegisterTable)
    return "\n".join(" ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count))


async def test_upkeep_on_the_device_page(demo, demo_app):
    async with demo_app.run_test(size=SIZE) as pilot:
        page = await open_page(pilot, "JL-2024-005")
        await pilot.press("u")
        await pilot.pause()
        form = demo_app.screen
        assert isinstance(form, UpkeepFormScreen)
        form.query_one("#f-what", Input).focus()
        await type_text(pilot, "清洁镜头")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert demo_app.screen is page
        assert "保养：清洁镜头（王建国（1001））" in uses_text(page)
    assert [u.what for u in demo.devicecare.upkeep_log("JL-2024-005")] == ["清洁镜头"]


async def test_retire_on_the_device_page(demo, demo_app):
    async with demo_app.run_test(size=SIZE) as pilot:
        page = await open_page(pilot, "SX-2020-001")
        await pilot.press("d")
        await pilot.pause()
        form = demo_app.screen
        assert isinstance(form, RetireFormScreen)
        form.query_one("#f-reason", Input).focus()
        await type_text(pilot, "厂家确认无法修复")
        await choose(pilot, "f-by", "1002")
        await pilot.press("ctrl+s")  # the manager records it: the signed paper form's number is asked for
        await pilot.pause()
        await pilot.pause()
        form = demo_app.screen
        assert isinstance(form, RetireFormScreen)
        assert "纸质审批表" in text_of(form.query_one("#row-paper_form", FormRow).query_one(".form-error"))
        assert form.query_one("#f-reason", Input).value == "厂家确认无法修复"  # what was typed stays
        form.query_one("#f-paper_form", Input).focus()
        await type_text(pilot, "BF-1")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert demo_app.screen is page
        assert "报废" in text_of(page.query_one("#title"))
        assert "报废：厂家确认无法修复，李秀英（1002）批准" in uses_text(page)
        assert page.check_action("retire", ()) is False and page.check_action("upkeep", ()) is False
    assert demo.devices.view("SX-2020-001").status == "retired"
