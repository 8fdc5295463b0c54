"""The approvals section (issue 7): a request through the form, an approval, a paper approval recorded by the
manager, the viewing register, and the approval banner on a clip's page."""

from __future__ import annotations

from avledger.identity import Identity
from avledger.models.schema import AuditEvent
from avledger.tui.forms.access import DecisionFormScreen, RequestFormScreen
from avledger.tui.screens.access import AccessScreen
from avledger.tui.screens.clip_detail import ClipDetailScreen
from avledger.tui.screens.viewings import ViewingsScreen
from avledger.tui.sections import section
from avledger.tui.widgets import RegisterTable

from .conftest import SIZE, refusal_beside, text_of, type_text
from .test_footage import fill, go, settle


def act_as(svc, number: str) -> None:
    svc.ctx.identity = Identity.console("tester")  # the demo's manager maps the account
    svc.staff.update(number, os_user=f"user{number}")
    svc.ctx.identity = Identity.console(f"user{number}")


async def test_request_approve_and_register(demo, demo_app):
    activity = next(c.activity_id for c in demo.footage.list() if c.activity_id)
    act_as(demo, "2002")
    async with demo_app.run_test(size=SIZE) as pilot:
        screen = await go(pilot, "access")
        assert isinstance(screen, AccessScreen) and section("access").key
        assert "刘洋（2002）" in text_of(screen.query_one("#who"))
        await pilot.press("r")
        await pilot.pause()
        form = demo_app.screen
        assert isinstance(form, RequestFormScreen)
        form.query_one("#f-target").value = ""
        await fill(pilot, "target", str(activity))
        await fill(pilot, "reason", "复核现场")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(demo_app.screen, AccessScreen)
        [request] = demo.access.list()
        assert request.requester_number == "2002" and request.status == "requested"
        table = screen.query_one(RegisterTable)
        assert table.row_count == 1 and "待审批" in text_of(screen.query_one("#count"))

        # the requester may not approve it
        await pilot.press("y")
        await pilot.pause()
        assert demo.access.view(request.id).status == "requested"

        # the manager records the leader's paper approval
        act_as(demo, "1001")
        await pilot.press("y")
        await pilot.pause()
        decision = demo_app.screen
        assert isinstance(decision, DecisionFormScreen)
        await fill(pilot, "by", "1002")
        await fill(pilot, "paper_form", "P-7")
        await pilot.press("ctrl+s")
        await pilot.pause()
        done = demo.access.view(request.id)
        assert done.status == "approved" and done.on_paper and done.recorded_by == "王建国（1001）"
        assert "纸质 P-7" in " ".join(str(c) for c in table.get_row(str(request.id)))

        # the requester looks at a clip under the approval: banner, pictures, a registered viewing
        act_as(demo, "2002")
        clip_id = request.clip_ids[0]
        page = ClipDetailScreen(demo, clip_id)
        await demo_app.push_screen(page)
        await pilot.pause()
        assert "已批准查阅" in text_of(page.query_one("#approval"))
        assert "P-7" in text_of(page.query_one("#approval"))
        await pilot.press("p")
        await settle(pilot, lambda: "▀" in text_of(page.query_one("#pictures")))
        await pilot.press("escape")
        await pilot.pause()
        [viewing] = demo.access.viewings()
        assert viewing.viewer_number == "2002" and viewing.clip_ids == (clip_id,) and viewing.how == "screen"
        assert viewing.duration_s is not None  # leaving the page ends the viewing

        await pilot.press("v")
        await pilot.pause()
        register = demo_app.screen
        assert isinstance(register, ViewingsScreen)
        assert register.query_one("#viewings", RegisterTable).row_count == 1


async def test_clip_page_without_approval_refuses_and_logs(demo, demo_app):
    clip = next(c for c in demo.footage.list() if c.activity_id)
    act_as(demo, "2003")
    async with demo_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        page = ClipDetailScreen(demo, clip.id)
        await demo_app.push_screen(page)
        await pilot.pause()
        assert "未经批准" in text_of(page.query_one("#approval"))
        before = AuditEvent.select().count()  # an officer may not read the log: straight from the register
        await pilot.press("p")
        await settle(pilot, lambda: "不能打开" in text_of(page.query_one("#pictures")))
        last = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
        assert AuditEvent.select().count() == before + 1 and last.action == "view_refused"


async def test_refuse_with_a_reason(demo, demo_app):
    activity = next(c.activity_id for c in demo.footage.list() if c.activity_id)
    request = demo.access.request("2002", "复核", activity=activity)
    act_as(demo, "1002")
    async with demo_app.run_test(size=SIZE) as pilot:
        screen = await go(pilot, "access")
        screen.query_one(RegisterTable).select_key(str(request.id))
        await pilot.press("n")
        await pilot.pause()
        form = demo_app.screen
        assert isinstance(form, DecisionFormScreen)
        assert form.query_one("#f-by").value == "1002" and form.query_one("#f-by").disabled
        await fill(pilot, "reason", "与本案无关")
        await pilot.press("ctrl+s")
        await pilot.pause()
        done = demo.access.view(request.id)
        assert done.status == "refused" and done.decision_note == "与本案无关" and done.decided_by_number == "1002"
        assert "不予批准" in " ".join(str(c) for c in screen.query_one(RegisterTable).get_row(str(request.id)))


async def test_a_paper_approval_refused_for_a_rule_shows_beside_its_field_and_keeps_what_was_typed(demo, demo_app):
    activity = next(c.activity_id for c in demo.footage.list() if c.activity_id)
    request = demo.access.request("2002", "复核", activity=activity)
    act_as(demo, "1001")  # the manager records the approval signed on paper
    async with demo_app.run_test(size=SIZE) as pilot:
        screen = await go(pilot, "access")
        screen.query_one(RegisterTable).select_key(str(request.id))
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(demo_app.screen, DecisionFormScreen)
        await fill(pilot, "by", "2003")  # an officer, not an approver
        await fill(pilot, "paper_form", "P-130")
        await pilot.press("ctrl+s")
        await pilot.pause()
        form = demo_app.screen
        assert isinstance(form, DecisionFormScreen)  # at once, on the form, not as a toast later
        assert "不能审批查阅申请" in refusal_beside(form, "by")
        assert form.query_one("#f-by").value == "2003"
        assert form.query_one("#f-paper_form").value == "P-130"
        assert form.focused is form.query_one("#f-by")
        assert demo.access.view(request.id).status == "requested"

        form.query_one("#f-by").value = ""
        await type_text(pilot, "1002")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(demo_app.screen, AccessScreen)
        done = demo.access.view(request.id)
        assert done.status == "approved" and done.paper_form_no == "P-130" and done.decided_by_number == "1002"


async def test_extract_evidence_into_an_encrypted_7z(demo, demo_app, tmp_path):
    import py7zr

    from avledger.tui.forms.access import ExtractFormScreen

    activity = next(c.activity_id for c in demo.footage.list() if c.activity_id)
    act_as(demo, "2002")
    request = demo.access.request("2002", "诉讼证据", reason_kind="court_evidence", kind="copy", activity=activity)
    act_as(demo, "1002")
    demo.access.approve(request.id, "1002")
    act_as(demo, "2002")
    out = tmp_path / "evidence"
    async with demo_app.run_test(size=SIZE) as pilot:
        screen = await go(pilot, "access")
        screen.query_one(RegisterTable).select_key(str(request.id))
        await pilot.press("e")
        await pilot.pause()
        form = demo_app.screen
        assert isinstance(form, ExtractFormScreen)
        form.query_one("#f-out").value = str(out)
        await fill(pilot, "password", "s3cret")
        await fill(pilot, "password_again", "s3cret")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: demo.access.view(request.id).extractions == 1)
    [done] = demo.access.extractions(request=request.id)
    assert done.encrypted and done.package
    with py7zr.SevenZipFile(done.package, password="s3cret") as archive:
        names = archive.getnames()
    assert len([n for n in names if n.endswith(".MP4") or n.endswith(".mp4")]) == len(request.clip_ids)


async def test_extraction_asks_the_password_twice_and_names_damaged_clips_first(demo, demo_app, tmp_path):
    from avledger.models.schema import Clip
    from avledger.tui.forms.access import ExtractFormScreen
    from avledger.tui.screens.base import Confirm

    activity = next(c.activity_id for c in demo.footage.list() if c.activity_id)
    act_as(demo, "2002")
    request = demo.access.request("2002", "诉讼证据", reason_kind="court_evidence", kind="copy", activity=activity)
    act_as(demo, "1002")
    demo.access.approve(request.id, "1002")
    act_as(demo, "2002")
    damaged = request.clip_ids[0]
    Clip.update(flags="corrupt").where(Clip.id == damaged).execute()  # as ingest flags a file it cannot read
    name = Clip.get_by_id(damaged).original_name
    async with demo_app.run_test(size=SIZE) as pilot:
        screen = await go(pilot, "access")
        screen.query_one(RegisterTable).select_key(str(request.id))
        await pilot.press("e")
        await pilot.pause()
        form = demo_app.screen
        assert isinstance(form, ExtractFormScreen)
        form.query_one("#f-out").value = str(tmp_path / "evidence")
        await fill(pilot, "password", "s3cret")
        await fill(pilot, "password_again", "s3cre")
        assert refusal_beside(form, "password_again") == "两次输入的密码不一致"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert demo_app.screen is form  # not saved with passwords that differ
        await type_text(pilot, "t")
        assert refusal_beside(form, "password_again") == ""
        await pilot.press("ctrl+s")
        await pilot.pause()
        confirm = demo_app.screen
        assert isinstance(confirm, Confirm)  # the damaged clip is named before anything is extracted
        question = text_of(confirm.query_one("#question"))
        assert name in question and "无法读取或已损坏" in question
        await pilot.press("escape")  # declined: the form again, as typed; nothing extracted
        await pilot.pause()
        assert isinstance(demo_app.screen, ExtractFormScreen)
        assert demo_app.screen.query_one("#f-password").value == "s3cret"
        assert demo.access.view(request.id).extractions == 0
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot, lambda: demo.access.view(request.id).extractions == 1)


async def test_who_may_decide_comes_from_the_access_service(demo, demo_app):
    """An approver decides at once, the manager records a paper approval, anyone else is told why not;
    the office's approver role decides which (not a role the screen knows)."""
    activity = next(c.activity_id for c in demo.footage.list() if c.activity_id)
    request = demo.access.request("2002", "复核", activity=activity)
    act_as(demo, "2003")
    assert demo.access.approval_mode().how is None
    async with demo_app.run_test(size=SIZE) as pilot:
        screen = await go(pilot, "access")
        screen.query_one(RegisterTable).select_key(str(request.id))
        await pilot.press("y")
        await pilot.pause()
        assert demo_app.screen is screen  # no form
        assert any("不能审批查阅申请" in str(n.message) for n in demo_app._notifications)
        assert demo.access.view(request.id).status == "requested"

        demo.ctx.identity = Identity.console("tester")  # the manager changes the office's rules:
        demo.office.set_value("viewing.approver_role", "officer")  # this office lets officers approve
        demo.ctx.identity = Identity.console("user2003")
        assert demo.access.approval_mode().how == "decide"
        await pilot.press("y")
        await pilot.pause()
        done = demo.access.view(request.id)
        assert done.status == "approved" and done.decided_by_number == "2003" and not done.on_paper

    act_as(demo, "1001")
    assert demo.access.approval_mode().how == "paper"
    demo.office.set_value("viewing.approver_role", "manager")
    assert demo.access.approval_mode().how == "decide"
    demo.ctx.identity = Identity.console("tester").over_ssh(999)  # a key the register does not know: nobody
    mode = demo.access.approval_mode()
    assert mode.how is None and mode.refusal.code == "access.nobody"
