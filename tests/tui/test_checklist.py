"""The record checklist on an activity's page: what is missing shows, `k` ticks the item under the cursor."""

from __future__ import annotations

from avledger.tui.screens.activity_detail import ActivityDetailScreen
from avledger.tui.widgets import RegisterTable

from .conftest import text_of


async def test_the_activity_page_shows_and_ticks_the_checklist(demo, demo_app):
    activity = next(a for a in demo.activities.list() if a.kind == "investigation")
    keys = [e.item.key for e in demo.checklist.entries(activity.id)]
    async with demo_app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        demo_app.push_screen(ActivityDetailScreen(demo, activity.id))
        await pilot.pause()
        page = demo_app.screen
        assert f"事项缺 {len(keys)}" in text_of(page.query_one("#title"))
        table = page.query_one("#checklist", RegisterTable)
        assert table.row_count == len(keys)
        await pilot.press("k")  # from the footage tab: the first missing item
        await pilot.pause()
        assert page.query_one("#tabs").active == "tab-checklist"
        assert [e.item.key for e in demo.checklist.entries(activity.id) if e.ticked] == [keys[0]]
        table.select_key(keys[2])
        table.focus()
        await pilot.press("enter")
        await pilot.pause()
        ticked = [e.item.key for e in demo.checklist.entries(activity.id) if e.ticked]
        assert ticked == [keys[0], keys[2]]
        assert f"事项缺 {len(keys) - 2}" in text_of(page.query_one("#title"))
        assert f"缺 {len(keys) - 2} 项" in text_of(page.query_one("#checklist-missing"))
    assert demo.audit.verify().ok
