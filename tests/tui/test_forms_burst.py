"""Forms (issue 18): keys typed in one burst after a form opens reach its first field."""

from __future__ import annotations

from textual import events
from textual.widgets import Input

from avledger.tui.forms.issue import IssueFormScreen
from avledger.tui.screens.lending import LendingScreen
from avledger.tui.sections import section

from .conftest import SIZE


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
