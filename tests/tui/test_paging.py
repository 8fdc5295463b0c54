"""The sections on a synthetic office (bench/synth.py, a few thousand clips): tables fed from SQL a page at a
time, pages added as the cursor goes down, the selected row kept across a reload, filters in Chinese, counts."""

from __future__ import annotations

import dataclasses

import pytest
from textual.widgets import Input

from avledger.home import Home
from avledger.identity import Identity
from avledger.services import Services
from avledger.services.activities import ActivityQuery
from avledger.services.auditlog import AuditQuery
from avledger.services.footage import FootageQuery
from avledger.tui.app import make_app
from avledger.tui.screens.base import FilteredRegisterScreen as PagedScreen
from avledger.tui.sections import section
from avledger.tui.widgets import PagedTable
from avledger.tui.widgets.paged import AHEAD, PAGE

from .conftest import SIZE, text_of, type_text


@pytest.fixture
def synth(synth_copy):
    svc = Services(Home(synth_copy), Identity.of_process())  # the OS user is the synthetic office's manager
    yield svc
    svc.close()


@pytest.fixture
def synth_app(synth):
    return make_app(synth.home, services=synth)


async def go(pilot, section_id: str):
    await pilot.pause()
    await pilot.press(section(section_id).key)
    await pilot.pause()
    return pilot.app.screen


async def counted(pilot) -> None:
    """Wait for the typing pause, and for the count of the matching rows from its worker thread."""
    await pilot.pause(PagedScreen.COUNT_AFTER + 0.1)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def keys(table: PagedTable) -> list[str]:
    return [table.coordinate_to_cell_key((row, 0)).row_key.value for row in range(table.row_count)]


async def test_every_section_shows_its_first_page(synth, synth_app):
    expected = {
        "lending": synth.lending.count(),
        "activities": synth.activities.count(),
        "footage": synth.footage.count(),
        "devices": synth.devices.count(),
        "staff": synth.staff.count(),
        "audit": synth.audit.count(),
    }
    async with synth_app.run_test(size=SIZE) as pilot:
        for section_id in ("lending", "activities", "footage", "access", "discs", "devices", "staff", "audit"):
            screen = await go(pilot, section_id)
            tables = list(screen.query(PagedTable))
            assert tables, section_id
            for table in tables:
                assert table.row_count <= PAGE and table.total is not None, section_id
            if section_id in expected:
                table = tables[0]
                if section_id != "lending":  # the counter shows the loans out now
                    assert table.total == expected[section_id], section_id
                assert table.row_count == min(PAGE, table.total), section_id
                assert f"共 {table.total} 条" in text_of(screen.query_one("#count")), section_id
        assert synth.footage.count() > 2 * PAGE  # the synthetic office has pages to scroll through


async def test_footage_pages_are_added_as_the_cursor_goes_down_and_the_row_stays_selected(synth, synth_app):
    newest = [str(c.id) for c in synth.footage.rows(FootageQuery(newest_first=True))]
    async with synth_app.run_test(size=SIZE) as pilot:
        screen = await go(pilot, "footage")
        table = screen.query_one(PagedTable)
        assert keys(table) == newest[:PAGE]
        assert text_of(screen.query_one("#count")) == f"第 1–{PAGE} 条，共 {len(newest)} 条"
        await pilot.press("ctrl+end")  # to the last row held: the next page comes
        await pilot.pause()
        assert keys(table) == newest[: 2 * PAGE]
        assert text_of(screen.query_one("#count")) == f"第 1–{2 * PAGE} 条，共 {len(newest)} 条"
        for _i in range(PAGE - AHEAD // 2):  # near the end of the second page: the third comes
            await pilot.press("down")
        await pilot.pause()
        assert table.row_count == 3 * PAGE  # never more than the pages the cursor came near
        chosen = table.current_key
        assert chosen == newest[2 * PAGE - 1 - AHEAD // 2]
        # away and back: the section reloads from its first page, and finds the row again
        await go(pilot, "activities")
        await go(pilot, "footage")
        assert screen.query_one(PagedTable).current_key == chosen
        assert keys(table) == newest[: table.row_count]
        assert table.row_count <= 3 * PAGE


async def test_typing_chinese_filters_and_counts(synth, synth_app):
    activity = next(a for a in synth.activities.list() if a.party and a.clips)
    officer = activity.officer_names[0]
    async with synth_app.run_test(size=SIZE) as pilot:
        screen = await go(pilot, "footage")
        table = screen.query_one(PagedTable)
        await pilot.press("slash")
        await type_text(pilot, officer[:2])  # a surname and a character: two characters
        wanted = [str(c.id) for c in synth.footage.rows(FootageQuery(text=officer[:2], newest_first=True))]
        assert keys(table) == wanted[:PAGE]
        await counted(pilot)  # counted once the typing pauses, beside the screen
        assert text_of(screen.query_one("#count")).endswith(f"共 {len(wanted)} 条")
        await type_text(pilot, " " + activity.party[3:8])  # and a part of the party's name
        both = f"{officer[:2]} {activity.party[3:8]}"
        wanted = [str(c.id) for c in synth.footage.rows(FootageQuery(text=both, newest_first=True))]
        assert wanted and keys(table) == wanted[:PAGE]
        await counted(pilot)
        assert text_of(screen.query_one("#count")) == f"第 1–{min(len(wanted), PAGE)} 条，共 {len(wanted)} 条"
        assert all(synth.footage.view(int(k)).activity_id for k in keys(table))
        screen.query_one("#filter", Input).value = "没有这样的文件"
        await counted(pilot)
        assert table.row_count == 0 and screen.query_one("#empty").display
        assert "没有符合筛选条件的音像资料" in text_of(screen.query_one("#empty"))

        await pilot.press("escape")  # out of the filter, so that the number keys switch sections
        screen = await go(pilot, "activities")
        await pilot.press("slash")
        await type_text(pilot, activity.party[3:8])
        await counted(pilot)
        wanted = [str(a.id) for a in synth.activities.rows(ActivityQuery(text=activity.party[3:8]))]
        table = screen.query_one(PagedTable)
        assert str(activity.id) in keys(table) and keys(table) == wanted[:PAGE]
        assert f"共 {len(wanted)} 条" in text_of(screen.query_one("#count"))


async def test_the_audit_log_pages_through_every_entry(synth, synth_app):
    async with synth_app.run_test(size=SIZE) as pilot:
        screen = await go(pilot, "audit")
        table = screen.query_one(PagedTable)
        total = synth.audit.count()
        assert total > 3 * PAGE and table.total == total and table.row_count == PAGE
        for _i in range(3):
            await pilot.press("ctrl+end")
            await pilot.pause()
        assert table.row_count == 4 * PAGE
        newest = synth.audit.page(AuditQuery(newest_first=True), limit=4 * PAGE).rows
        assert keys(table) == [str(e.id) for e in newest]


async def test_a_page_left_short_is_completed_beside_the_screen(synth):
    """On a large register a rare word leaves the rows read first (a window of the order) short of a page: the
    screen shows them, and a worker thread asks for the rest. Here the window is made as small, relatively, as
    a million clips make it, by a footage screen whose quick pages read 30 rows of the order."""
    from avledger.services import listing as listings
    from avledger.services.footage import CLIP_ROWS
    from avledger.tui.screens.footage import FootageScreen

    class SmallWindow(FootageScreen):
        shorts = 0

        def on_paged_table_short(self) -> None:
            self.shorts += 1

        def listing(self):
            shown = super().listing()
            query = FootageQuery(text=self.filter_text, newest_first=True)
            footage = self.services.footage

            def quick(after, n):
                return listings.page(footage.ctx.db, CLIP_ROWS, footage._select(query), after, n, probe=30, quick=True)

            return dataclasses.replace(shown, quick=quick)

    rare = next(a for a in synth.activities.list() if a.party).party[3:8]
    wanted = [str(c.id) for c in synth.footage.rows(FootageQuery(text=rare, newest_first=True))]
    assert 0 < len(wanted) < len(list(synth.footage.rows())) // 10  # rare enough to leave a page short
    app = make_app(synth.home, services=synth)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = SmallWindow(synth)
        await app.push_screen(screen)
        await pilot.pause()
        screen.query_one("#filter", Input).value = rare
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = screen.query_one(PagedTable)
        while table.after is not None:  # down to the last row: every page of it
            await pilot.press("ctrl+end")
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert keys(table) == wanted
        assert screen.shorts and not table.searching
        await counted(pilot)
        assert text_of(screen.query_one("#count")) == f"第 1–{len(wanted)} 条，共 {len(wanted)} 条"


async def test_a_section_loads_once_when_first_shown(synth, synth_app):
    """Textual 8.2.8 resumes a mode's screen twice on its first show: the section still asks SQL for its first
    page once (each statement the register runs is traced)."""
    statements: list[str] = []
    connection = synth.ctx.db.connection()
    async with synth_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        connection.set_trace_callback(statements.append)
        try:
            await go(pilot, "footage")
        finally:
            connection.set_trace_callback(None)
    pages = [s for s in statements if s.startswith("SELECT c.id, c.original_name") and "LIMIT" in s]
    counts = [s for s in statements if s.startswith("SELECT count(*) FROM clip c")]
    assert len(pages) == 1 and len(counts) == 1, statements
