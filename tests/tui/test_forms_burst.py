"""Forms (issue 18): keys typed in one burst after a form opens reach its first field; Esc asks
before giving up what was filled in."""

from __future__ import annotations

from textual import events
from textual.widgets import Button, Input, Select

from avledger.tui.forms.issue import IssueFormScreen
from avledger.tui.screens.base import Confirm
from avledger.tui.screens.lending import LendingScreen
from avledger.tui.sections import section

from .conftest import SIZE, text_of, type_text


def burst(app, text: str) -> None:
    """Keys as a terminal hands over a barcode scanner's input: all at once, none waiting for the screen."""
    for char in text:
        app.post_message(events.Key("minus" if char == "-" else char, char))


async def open_lending(pilot) -> None:
    await pilot.pause()
    await pilot.press(section("lending").key)
    await pilot.pause()
    assert isinstance(pilot.app.screen, LendingScreen)


async def test_keys_pressed_in_one_call_after_o_reach_the_asset_field(demo_app):
    async with demo_app.run_test(size=SIZE) as pilot:
        await open_lending(pilot)
        await pilot.press("o", "J", "L", "-", "2", "0", "2", "3", "-", "0", "0", "2")
        await pilot.pause()
        form = demo_app.screen
        assert isinstance(form, IssueFormScreen)
        assert form.query_one("#f-asset_no", Input).value == "JL-2023-002"


async def test_a_scanner_burst_after_o_reaches_the_asset_field_and_enter_moves_on(demo_app):
    async with demo_app.run_test(size=SIZE) as pilot:
        await open_lending(pilot)
        burst(demo_app, "oJL-2023-002")
        demo_app.post_message(events.Key("enter", "\r"))  # a scanner ends the number with Enter
        await pilot.pause()
        await pilot.pause()
        form = demo_app.screen
        assert isinstance(form, IssueFormScreen)
        assert form.query_one("#f-asset_no", Input).value == "JL-2023-002"
        assert form.focused is not None and form.focused.id == "f-holder"  # Enter moved on, as typed by hand


async def test_esc_closes_an_unchanged_form_at_once(demo_app):
    async with demo_app.run_test(size=SIZE) as pilot:
        await open_lending(pilot)
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(demo_app.screen, IssueFormScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(demo_app.screen, LendingScreen)


async def test_esc_on_a_filled_form_asks_before_giving_it_up(demo, demo_app):
    async with demo_app.run_test(size=SIZE) as pilot:
        await open_lending(pilot)
        await pilot.press("o")
        await pilot.pause()
        form = demo_app.screen
        await type_text(pilot, "JL-2023-002")
        await pilot.press("tab")
        await pilot.pause()
        await pilot.press("tab")  # past the officer, to the battery
        await type_text(pilot, "90")

        await pilot.press("escape")
        await pilot.pause()
        confirm = demo_app.screen
        assert isinstance(confirm, Confirm)
        assert "放弃填写的内容？" in text_of(confirm.query_one("#question"))
        assert str(confirm.query_one("#yes", Button).label) == "放弃"
        assert str(confirm.query_one("#no", Button).label) == "继续填写"
        await pilot.press("enter")  # the focus is on 继续填写
        await pilot.pause()
        assert demo_app.screen is form
        assert form.query_one("#f-asset_no", Input).value == "JL-2023-002"
        assert form.query_one("#f-battery", Input).value == "90"

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(demo_app.screen, Confirm)
        await pilot.click("#yes")
        await pilot.pause()
        assert isinstance(demo_app.screen, LendingScreen)
        assert demo.devices.view("JL-2023-002").status == "in_store"  # nothing was registered


async def test_esc_in_an_open_dropdown_only_closes_the_dropdown(demo_app):
    async with demo_app.run_test(size=SIZE) as pilot:
        await open_lending(pilot)
        await pilot.press("o")
        await pilot.pause()
        form = demo_app.screen
        await type_text(pilot, "JL-2023-002")  # the form has changed: Esc on it would ask
        holder = form.query_one("#f-holder", Select)
        holder.focus()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert holder.expanded
        await pilot.press("escape")
        await pilot.pause()
        assert demo_app.screen is form and not holder.expanded
