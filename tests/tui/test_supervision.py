"""Supervision in the TUI at 80×24: a spot check drawn, checked item by item and closed; a failed finding filed
as a violation, decided as a suspension that then refuses a loan; the staff page's accountability."""

from __future__ import annotations

import random

import pytest
from textual.widgets import Input

from avledger.errors import UserError
from avledger.models.schema import Activity
from avledger.services.lending import PreCheck
from avledger.tui.forms.supervision import DecideFormScreen, DrawFormScreen, FindingsFormScreen, ViolationFormScreen
from avledger.tui.screens.staff import StaffScreen
from avledger.tui.screens.supervision import SupervisionScreen
from avledger.tui.screens.violations import ViolationsScreen
from avledger.tui.sections import section
from avledger.tui.widgets import RegisterTable

from .conftest import choose, type_text

SMALL = (80, 24)
GOOD = PreCheck(battery_pct=95, free_gb=30, clock_offset_s=3, notice_given=True)


async def fill(pilot, field: str, text: str) -> None:
    box = pilot.app.screen.query_one(f"#f-{field}", Input)
    box.value = ""
    box.focus()
    await type_text(pilot, text)


def keys_of(table: RegisterTable) -> list[str]:
    return [table.coordinate_to_cell_key((row, 0)).row_key.value for row in range(table.row_count)]


async def test_a_spot_check_through_to_a_suspension(demo, demo_app):
    async with demo_app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.press(section("staff").key)
        await pilot.pause()
        assert isinstance(demo_app.screen, StaffScreen)
        await pilot.press("j")
        await pilot.pause()
        assert isinstance(demo_app.screen, SupervisionScreen)

        await pilot.press("d")
        await pilot.pause()
        assert isinstance(demo_app.screen, DrawFormScreen)
        await fill(pilot, "date_from", "2026-01-01")
        await fill(pilot, "date_to", "2030-12-31")
        await fill(pilot, "count", "3")
        await fill(pilot, "by", "4001")
        await fill(pilot, "seed", "7")
        await pilot.press("ctrl+s")
        await pilot.pause()
        screen = demo_app.screen
        assert isinstance(screen, SupervisionScreen)
        [check] = demo.spotchecks.list()
        ids = sorted(a.id for a in Activity.select())
        assert [d.activity_id for d in check.drawn] == sorted(random.Random("7").sample(ids, 3))
        drawn = screen.query_one("#drawn", RegisterTable)
        assert keys_of(drawn) == [str(d.activity_id) for d in check.drawn]

        # the first drawn activity, item by item through the form
        drawn.focus()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(demo_app.screen, FindingsFormScreen)
        await choose(pilot, "f-item_recorded", "符合")
        await choose(pilot, "f-item_continuous", "不符合")
        await choose(pilot, "f-item_handling", "符合")
        await fill(pilot, "note", "中途断录")
        await fill(pilot, "score", "60")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert demo_app.screen is screen
        first = demo.spotchecks.view(check.id).drawn[0]
        assert first.findings == {"recorded": "ok", "continuous": "fail", "handling": "ok"} and first.score == 60
        assert "✗" in str(drawn.get_row_at(0))

        # closing before every activity is checked is refused, on screen
        await pilot.press("c")
        await pilot.pause()
        assert demo.spotchecks.view(check.id).status == "open"
        for other in check.drawn[1:]:
            demo.spotchecks.record(
                check.id, other.activity_id, {"recorded": "ok", "continuous": "ok", "handling": "ok"}
            )
        await pilot.press("c")
        await pilot.pause()
        assert demo.spotchecks.view(check.id).status == "closed"

        # the failed finding, offered as a violation with its evidence filled in
        drawn.focus()
        drawn.move_cursor(row=0)
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(demo_app.screen, ViolationFormScreen)
        assert demo.violations.list() == []  # not filed until saved
        await pilot.press("ctrl+s")
        await pilot.pause()
        [violation] = demo.violations.list()
        assert (violation.activity_id, violation.check_id, violation.article) == (first.activity_id, check.id, "D33")

        await pilot.press("v")
        await pilot.pause()
        assert isinstance(demo_app.screen, ViolationsScreen)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(demo_app.screen, DecideFormScreen)
        await choose(pilot, "f-sanction", "停止执法工作")
        await fill(pilot, "until", "2099-12-31")
        await fill(pilot, "by", "2001")  # not the decider (单位负责人): refused beside the field
        await fill(pilot, "paper_form", "决-1")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(demo_app.screen, DecideFormScreen)
        assert demo.violations.view(violation.id).status == "open"
        await fill(pilot, "by", "1002")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(demo_app.screen, ViolationsScreen)
        decided = demo.violations.view(violation.id)
        assert (decided.sanction, decided.until.isoformat()) == ("suspension", "2099-12-31")

    with pytest.raises(UserError) as info:
        demo.lending.issue("JL-2023-001", violation.staff_number, GOOD)
    assert info.value.code == "staff.suspended"
    assert demo.audit.verify().ok


async def test_the_staff_page_shows_a_persons_violations(demo, demo_app):
    demo.violations.add("2002", "D33", "擅自借给其他人员使用")
    demo.violations.add("2003", "D33", "另一人的过错")
    async with demo_app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.press(section("staff").key)
        await pilot.pause()
        table = demo_app.screen.query_one(RegisterTable)
        table.move_cursor(row=keys_of(table).index("2002"))
        await pilot.pause()
        await pilot.press("v")
        await pilot.pause()
        screen = demo_app.screen
        assert isinstance(screen, ViolationsScreen) and screen.staff == "2002"
        shown = screen.query_one("#violations", RegisterTable)
        assert shown.row_count == 1
        assert "擅自借给其他人员使用" in str(shown.get_row_at(0))
        titles = [c.title for c in demo_app.get_system_commands(screen)]
        assert "监督抽查" in titles and "过错责任追究登记" in titles


async def test_v_records_the_persons_acknowledgement(demo, demo_app):
    """On the violations screen (staff section), v records the acknowledgement of the selected decision: a time in
    the future is refused beside its field with what was typed kept; the detail then shows it, and who recorded
    it for the person (here the manager, from the paper)."""
    from avledger.tui.forms.supervision import AcknowledgeFormScreen

    violation = demo.violations.add("2002", "D33", "擅自借给其他人员使用")
    demo.violations.decide(violation.id, "circular", by="1002", paper_form="决-9")
    async with demo_app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.press(section("staff").key)
        await pilot.pause()
        table = demo_app.screen.query_one(RegisterTable)
        table.move_cursor(row=keys_of(table).index("2002"))
        await pilot.press("v")
        await pilot.pause()
        screen = demo_app.screen
        assert isinstance(screen, ViolationsScreen)
        assert "本人尚未签收" in str(screen.query_one("#violation-detail").render())
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(demo_app.screen, AcknowledgeFormScreen)
        await fill(pilot, "at", "2099-01-01 09:00")
        await fill(pilot, "note", "已阅")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(demo_app.screen, AcknowledgeFormScreen)  # refused, the form back with what was typed
        assert demo_app.screen.query_one("#f-note", Input).value == "已阅"
        assert demo.violations.view(violation.id).acknowledged_at is None
        await fill(pilot, "at", "")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert demo_app.screen is screen
        signed = demo.violations.view(violation.id)
        assert signed.acknowledged_at is not None and signed.acknowledged_note == "已阅"
        detail = str(screen.query_one("#violation-detail").render())
        assert "本人签收" in detail and "代为登记" in detail and "已阅" in detail


async def test_the_footage_of_a_drawn_activity_is_viewed_through_the_viewing_rules(demo, demo_app):
    """o on a drawn activity: the first time makes the supervision request (监督抽查 N) for the approver; while
    it waits, refused on screen; once approved, the viewing is registered and its files listed, its end
    registered when the dialog closes."""
    from avledger.tui.screens.supervision import ViewingDialog

    footage = next(c.activity_id for c in demo.footage.list() if c.activity_id)
    count = str(Activity.select().count())
    check = demo.spotchecks.draw("2000-01-01", "2099-12-31", count=count, by="1001", seed="查阅")
    async with demo_app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.press(section("staff").key)
        await pilot.pause()
        await pilot.press("j")
        await pilot.pause()
        screen = demo_app.screen
        assert isinstance(screen, SupervisionScreen)
        drawn = screen.query_one("#drawn", RegisterTable)
        drawn.focus()
        drawn.move_cursor(row=keys_of(drawn).index(str(footage)))
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        made = demo.access.for_check(check.id, footage)
        assert (made.status, made.reason_kind, made.reason) == ("requested", "supervision", f"监督抽查 {check.id}")
        assert demo.access.viewings() == []
        await pilot.press("o")  # waiting for the approver: refused, nothing viewed
        await pilot.pause()
        assert demo_app.screen is screen and demo.access.viewings() == []
        demo.access.approve(made.id, "1002", paper_form="审-9")  # the leader's approval, recorded from paper
        await pilot.press("o")
        await pilot.pause()
        dialog = demo_app.screen
        assert isinstance(dialog, ViewingDialog)
        [viewing] = demo.access.viewings()
        assert viewing.viewer_number == "1001" and viewing.request_id == made.id and viewing.duration_s is None
        listed = str(dialog.query_one("#viewing-files").render())
        assert all(c.original_name in listed for c in demo.footage.list(activity=footage))
        await pilot.press("escape")
        await pilot.pause()
        assert demo_app.screen is screen
        assert demo.access.viewings()[0].duration_s is not None
