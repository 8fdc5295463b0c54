"""What must fit at 80×24 and 120×40: the values of the office profile, the columns that matter."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select

from avledger.tui.screens.profile import ProfileScreen
from avledger.tui.sections import section
from avledger.tui.widgets import FormRow

from .conftest import screen_lines, text_of
from .test_access import act_as

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


def cell_texts(screen, column: str) -> list[str]:
    table = screen.table
    index = [str(c.key.value) for c in table.ordered_columns].index(column)
    return [str(table.get_row_at(i)[index].plain) for i in range(table.row_count)]


async def open_section(pilot, section_id: str):
    await pilot.press(section(section_id).key)
    await pilot.pause()
    await pilot.pause(0.1)
    return pilot.app.screen


@pytest.mark.parametrize("size", SIZES)
async def test_the_columns_that_matter_show_whole(demo, demo_app, size):
    activity = next(c.activity_id for c in demo.footage.list() if c.activity_id)
    act_as(demo, "2002")
    request = demo.access.request("2002", "诉讼证据", reason_kind="court_evidence", kind="copy", activity=activity)
    act_as(demo, "1002")
    demo.access.approve(request.id, "1002")
    act_as(demo, "1001")
    async with demo_app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = await open_section(pilot, "lending")
        lines = screen_lines(pilot.app)
        failed = next(line for line in lines if "JL-2024-003" in line)
        check = cell_texts(screen, "check")
        assert any(text.startswith("未通过，") for text in check)
        # The check's verdict is readable; a cut cell ends with "…", and the full text is under the table.
        cut = failed.split("2026-")[-1]
        assert "未通过，" in cut
        if size == (80, 24):
            assert "…" in failed
            detail = text_of(screen.query_one("#row-detail"))
            assert screen.table.current_cut and detail
            for title, text in screen.table.current_cut:
                assert f"{title}：{text}" in detail

        screen = await open_section(pilot, "activities")
        shown = "\n".join(screen_lines(pilot.app))
        for text in cell_texts(screen, "attention"):
            assert str(text) in shown
        assert "缺音像记录" in shown

        screen = await open_section(pilot, "footage")
        shown = "\n".join(screen_lines(pilot.app))
        activities = cell_texts(screen, "activity")
        assert activities
        for text in activities:
            assert text in shown, text

        screen = await open_section(pilot, "access")
        shown = "\n".join(screen_lines(pilot.app))
        for column in ("until", "decided"):
            for text in cell_texts(screen, column):
                assert text in shown, text
