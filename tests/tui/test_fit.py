"""What must fit at 80×24 and 120×40: the values of the office profile, the columns that matter."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select

from avledger.tui.screens.profile import ProfileScreen
from avledger.tui.widgets import FormRow

from .conftest import screen_lines

SIZES = [(80, 24), (120, 40)]


@pytest.mark.parametrize("size", SIZES)
async def test_profile_values_have_room_and_words(demo, demo_app, size):
    async with demo_app.run_test(size=size) as pilot:
        await pilot.press("c")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, ProfileScreen)
        for row in screen.query(FormRow):
            assert row.control.region.width >= 30, (row.label_text, row.control.region)
        zone = screen.query_one("#p-office-timezone", Input)
        assert zone.value == "Asia/Shanghai"
        shown = "\n".join(screen_lines(pilot.app))
        assert "Asia/Shanghai" in shown
        # Vocabularies are chosen among words, never shown as ids.
        deadline = screen.query_one("#p-ingest-deadline_from", Select)
        assert deadline.value == "return"
        assert "设备归还（返回单位）" in shown
        assert "单位负责人" in shown  # norecord.report_role = leader
        for raw in ("return", "activity_end", "leader"):
            assert raw not in shown
        # A choice saves the id behind the words.
        deadline.value = "activity_end"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert demo.office.profile().get("ingest.deadline_from") == "activity_end"
