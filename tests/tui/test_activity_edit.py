"""Issue 15: an activity edited from its list and its page (e), with the reason for the change (修改原因);
a long-term reason added later puts the activity among the disc targets."""

from __future__ import annotations

from textual.widgets import Checkbox, Input

from avledger.models.schema import AuditEvent
from avledger.tui.forms.activity_edit import ActivityEditFormScreen
from avledger.tui.screens.activities import ActivitiesScreen
from avledger.tui.screens.activity_detail import ActivityDetailScreen
from avledger.tui.widgets import FormRow, RegisterTable

from .conftest import SIZE, text_of
from .test_footage import fill, go


async def test_edit_an_activity_from_the_list_with_a_reason(demo, demo_app):
    target = next(a for a in demo.activities.list() if not a.long_term)
    async with demo_app.run_test(size=SIZE) as pilot:
        screen = await go(pilot, "activities")
        assert isinstance(screen, ActivitiesScreen)
        screen.query_one(RegisterTable).select_key(str(target.id))
        await pilot.press("e")
        await pilot.pause()
        form = demo_app.screen
        assert isinstance(form, ActivityEditFormScreen)
        assert form.query_one("#f-party", Input).value == target.party  # the fields as they are
        form.query_one("#f-place", Input).value = ""
        await fill(pilot, "place", "Market gate")
        box = next(b for b in form.query(Checkbox) if b.name == "objection")
        box.value = True
        await pilot.pause()
        await pilot.press("ctrl+s")  # no reason given: refused beside its field
        await pilot.pause()
        assert demo_app.screen is form
        assert form.query_one("#row-why", FormRow).has_class("-invalid")
        await fill(pilot, "why", "complaint a week later")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(demo_app.screen, ActivitiesScreen)
    after = demo.activities.view(target.id)
    assert after.place == "Market gate" and after.long_term == ("objection",)
    assert after.start_at == target.start_at and after.officers == target.officers  # untouched fields stay
    assert target.id in {t.activity_id for t in demo.discs.targets()}
    last = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert last.entity == "activity" and "complaint a week later" in last.summary


async def test_fill_in_a_missing_end_on_the_activity_page(demo, demo_app):
    target = next(a for a in demo.activities.list() if a.long_term)  # the demo's complaint (W15(一))
    async with demo_app.run_test(size=SIZE) as pilot:
        screen = await go(pilot, "activities")
        screen.query_one(RegisterTable).select_key(str(target.id))
        await pilot.press("enter")
        await pilot.pause()
        page = demo_app.screen
        assert isinstance(page, ActivityDetailScreen)
        await pilot.press("e")
        await pilot.pause()
        form = demo_app.screen
        assert isinstance(form, ActivityEditFormScreen)
        box = next(b for b in form.query(Checkbox) if b.value)  # a registered long-term reason stays
        box.value = False
        await pilot.pause()
        assert "不能取消" in text_of(form.query_one("#row-long_term", FormRow).query_one(".form-error"))
        box.value = True
        form.query_one("#f-case_no", Input).value = ""
        await fill(pilot, "case_no", "CASE-7")
        await fill(pilot, "why", "case filed")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert demo_app.screen is page
        assert "CASE-7" in text_of(page.query_one("#title")) + text_of(page.query_one("#fields"))
    assert demo.activities.view(target.id).case_no == "CASE-7"
