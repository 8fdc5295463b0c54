"""Issue 15: manual holds (人工冻结) set and released on the activity page (h), each with its reason, and the
case file's keeping period (案卷保管期限, D25: evidence kept with the case file) entered there (f)."""

from __future__ import annotations

import datetime as dt

from textual.widgets import Input, Select, Static

from avledger.models.schema import AuditEvent, CaseFile, RetentionHold
from avledger.tui.forms.retention import CaseFileFormScreen, HoldFormScreen, ReleaseFormScreen
from avledger.tui.screens.activity_detail import ActivityDetailScreen
from avledger.tui.widgets import FormRow, RegisterTable
from conftest import fixed_clock

from .conftest import SIZE, screen_lines, text_of
from .test_footage import fill, go


async def _open(pilot, demo_app, activity_id: int) -> ActivityDetailScreen:
    screen = await go(pilot, "activities")
    screen.query_one(RegisterTable).select_key(str(activity_id))
    await pilot.press("enter")
    await pilot.pause()
    page = demo_app.screen
    assert isinstance(page, ActivityDetailScreen)
    return page


async def test_set_and_release_a_manual_hold_on_the_activity_page(demo, demo_app):
    target = next(a for a in demo.activities.list() if not a.case_no)
    async with demo_app.run_test(size=SIZE) as pilot:
        page = await _open(pilot, demo_app, target.id)
        await pilot.press("h")
        await pilot.pause()
        form = demo_app.screen
        assert isinstance(form, HoldFormScreen)
        await pilot.press("ctrl+s")  # no reason: refused beside its field
        await pilot.pause()
        assert demo_app.screen is form and form.query_one("#row-reason", FormRow).has_class("-invalid")
        await fill(pilot, "reason", "complaint")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert demo_app.screen is page
        assert "人工冻结：complaint" in text_of(page.query_one("#fields", Static))
        [hold] = demo.retention.holds(activity=target.id)
        table = page.query_one("#holds", RegisterTable)
        assert table.row_count == 1
        table.focus()
        table.select_key(str(hold.id))
        await pilot.press("h")  # on the holds tab with an open hold selected: release it
        await pilot.pause()
        assert isinstance(demo_app.screen, ReleaseFormScreen)
        await fill(pilot, "reason", "settled")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert demo_app.screen is page
        assert "人工冻结" not in text_of(page.query_one("#fields", Static))
    row = RetentionHold.get_by_id(hold.id)
    assert row.released_at is not None and row.release_reason == "settled"
    last = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert last.action == "hold_release" and "settled" in last.summary


async def test_hold_a_whole_case_and_enter_its_case_file_period(demo, demo_app):
    target = next(a for a in demo.activities.list() if a.case_no)
    async with demo_app.run_test(size=SIZE) as pilot:
        page = await _open(pilot, demo_app, target.id)
        await pilot.press("h")
        await pilot.pause()
        form = demo_app.screen
        form.query_one("#f-scope", Select).value = "case"
        await fill(pilot, "reason", "court request")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert demo_app.screen is page
        await pilot.press("f")
        await pilot.pause()
        form = demo_app.screen
        assert isinstance(form, CaseFileFormScreen)
        await fill(pilot, "months", "0")
        await pilot.press("ctrl+s")  # 0 months: refused in the form
        await pilot.pause()
        assert demo_app.screen is form
        form.query_one("#f-months", Input).value = ""
        await fill(pilot, "months", "120")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert demo_app.screen is page
    [hold] = demo.retention.holds()
    assert hold.case_no == target.case_no and hold.activity_id is None and hold.reason == "court request"
    assert CaseFile.get(CaseFile.case_no == target.case_no).months == 120


async def test_home_reminds_of_a_hold_standing_too_long(demo, demo_app):
    demo.ctx.clock = fixed_clock(f"{dt.datetime.now(dt.UTC) - dt.timedelta(days=200):%Y-%m-%d %H:%M:%S}")
    demo.retention.add_hold(activity=demo.activities.list()[0].id, reason="court request")
    demo.ctx.clock = fixed_clock(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M:%S}")
    async with demo_app.run_test(size=SIZE) as pilot:
        await go(pilot, "home")
        await pilot.press("t")  # every reminder (the home panel shows what fits its lines)
        await pilot.pause()
        assert "保存冻结超过 180 天未复核：1 项" in "\n".join(screen_lines(demo_app))
