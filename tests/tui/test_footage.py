"""Activities, footage and ingest in the TUI (issue 4): register an activity, a not-recorded work record,
an interruption's reason, collect a camera card with the progress bar, assign and explain, pictures."""

from __future__ import annotations

from textual.widgets import Input, ProgressBar

from avledger.identity import Identity
from avledger.services.demo import SAMPLE_CARD
from avledger.tui.forms.activity import ActivityFormScreen, GapFormScreen, NoRecordFormScreen
from avledger.tui.forms.footage import LateReasonFormScreen
from avledger.tui.screens.activities import ActivitiesScreen
from avledger.tui.screens.activity_detail import ActivityDetailScreen
from avledger.tui.screens.base import Confirm
from avledger.tui.screens.clip_detail import ClipDetailScreen
from avledger.tui.screens.footage import FootageScreen
from avledger.tui.screens.ingest import IngestScreen
from avledger.tui.sections import section
from avledger.tui.widgets import FormRow, JobProgress, RegisterTable

from .conftest import SIZE, choose, text_of, type_text


async def go(pilot, section_id: str):
    await pilot.pause()
    await pilot.press(section(section_id).key)
    await pilot.pause()
    return pilot.app.screen


async def fill(pilot, field: str, text: str) -> None:
    pilot.app.screen.query_one(f"#f-{field}", Input).focus()
    await type_text(pilot, text)


async def settle(pilot, condition, tries: int = 100) -> None:
    """Wait for a worker thread's result to reach the screen."""
    for _i in range(tries):
        await pilot.pause(0.05)
        if condition():
            return
    raise AssertionError("the screen did not get there")


async def test_register_an_activity_and_a_not_recorded_work_record(demo, demo_app):
    before = len(demo.activities.list())
    async with demo_app.run_test(size=SIZE) as pilot:
        screen = await go(pilot, "activities")
        assert isinstance(screen, ActivitiesScreen)
        await pilot.press("a")
        await pilot.pause()
        form = demo_app.screen
        assert isinstance(form, ActivityFormScreen)
        await fill(pilot, "title", "Night market check")
        await fill(pilot, "officers", "2002 1001")  # 1001 has no enforcement certificate
        row = form.query_one("#row-officers", FormRow)
        assert "1001" in text_of(row.query_one(".form-error")) and row.has_class("-invalid")
        form.query_one("#f-officers", Input).value = ""
        await type_text(pilot, "2002 2003")
        assert "刘洋（2002）、陈静（2003）" in text_of(row.query_one(".form-error"))  # the names, as a hint
        assert not row.has_class("-invalid")
        form.query_one("#f-start", Input).value = ""
        await fill(pilot, "start", "2026-01-05 19:00")
        await fill(pilot, "end", "2026-01-05 18:00")
        assert "结束时间应晚于开始时间" in text_of(form.query_one("#row-end", FormRow).query_one(".form-error"))
        form.query_one("#f-end", Input).value = "2026-01-05 21:00"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(demo_app.screen, ActivitiesScreen)
        assert len(demo.activities.list()) == before + 1
        added = next(a for a in demo.activities.list() if a.title == "Night market check")
        assert added.officers == ("2002", "2003")
        table = screen.query_one(RegisterTable)
        assert table.current_key == str(added.id)

        # The activity could not be recorded: the work record, signed by two officers, reported to the leader.
        await pilot.press("n")
        await pilot.pause()
        form = demo_app.screen
        assert isinstance(form, NoRecordFormScreen)
        assert form.query_one("#f-signers", Input).value == "2002 2003"  # the activity's officers
        await choose(pilot, "f-reason", "情况紧急")
        await fill(pilot, "basis", "Fire alarm")
        await choose(pilot, "f-reported_to", "1002")
        await pilot.press("ctrl+s")
        await pilot.pause()
        records = demo.norecords.list(activity=added.id)
        assert [(r.reason, r.signers, r.reported_to) for r in records] == [("emergency", ("2002", "2003"), "1002")]


async def test_explain_an_interruption_on_the_activity_page(demo, demo_app):
    gap = demo.gaps.list(open_only=True)[0]
    async with demo_app.run_test(size=SIZE) as pilot:
        screen = await go(pilot, "activities")
        screen.query_one(RegisterTable).select_key(str(gap.activity_id))
        await pilot.press("enter")
        await pilot.pause()
        page = demo_app.screen
        assert isinstance(page, ActivityDetailScreen)
        assert page.query_one("#clips", RegisterTable).row_count == 3
        assert "中断待说明 1" in text_of(page.query_one("#title"))
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(demo_app.screen, GapFormScreen)
        await choose(pilot, "f-reason", "电量不足")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert demo.gaps.list()[0].reason == "battery"
        assert "中断待说明" not in text_of(page.query_one("#title"))


async def test_collect_the_sample_card_with_progress(demo, demo_app):
    card = demo.home.path / SAMPLE_CARD
    sources = sorted(p.read_bytes() for p in card.rglob("*") if p.is_file())
    before = {c.id for c in demo.footage.list()}
    async with demo_app.run_test(size=SIZE) as pilot:
        screen = await go(pilot, "footage")
        assert isinstance(screen, FootageScreen)
        await pilot.press("i")
        await pilot.pause()
        ingest = demo_app.screen
        assert isinstance(ingest, IngestScreen)
        await type_text(pilot, str(card))
        await pilot.press("enter")
        await settle(pilot, lambda: ingest.state == "planned")
        summary = text_of(ingest.query_one("#summary"))
        assert "找到 5 个音像文件" in summary and "空文件 1" in summary and "不是音像文件 1" in summary
        assert ingest.query_one("#plan", RegisterTable).row_count == 5
        # The damaged file tells no time or device: the manager names its activity before copying.
        undecided = [i for i, f in enumerate(ingest.plan.files) if f.activity_id is None]
        assert undecided
        for index in undecided[1:]:
            ingest.plan.files[index].activity_id = 2
        ingest.query_one("#plan", RegisterTable).select_key(str(undecided[0]))
        await pilot.press("a")
        await pilot.pause()
        await choose(pilot, "f-activity", "2 ")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert ingest.plan.files[undecided[0]].activity_id == 2
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(demo_app.screen, Confirm)  # every file has its activity: no question left
        await settle(pilot, lambda: ingest.state == "done")
        job = ingest.query_one(JobProgress)
        assert job.query_one(ProgressBar).percentage == 1.0
        assert "采集完成" in text_of(job.query_one(".job-line"))
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(demo_app.screen, FootageScreen)
    new = [c for c in demo.footage.list() if c.id not in before]
    assert len(new) == 5 and sum(1 for c in new if "corrupt" in c.flags) == 1
    assert sorted(c.kind for c in new) == ["photo", "photo", "video", "video", "video"]
    # recognised from the serial in the files, the photos' in their EXIF (the damaged one tells nothing)
    assert {c.asset_no for c in new if "corrupt" not in c.flags} == {"JL-2024-003"}
    assert sorted(p.read_bytes() for p in card.rglob("*") if p.is_file()) == sources  # the card is untouched
    assert demo.footage.verify().ok
    assert all(c.activity_id == 2 for c in new)


async def test_late_reason_and_pictures(demo, demo_app):
    clip = next(c for c in demo.footage.list() if c.late)
    async with demo_app.run_test(size=SIZE) as pilot:
        screen = await go(pilot, "footage")
        screen.query_one(RegisterTable).select_key(str(clip.id))
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(demo_app.screen, LateReasonFormScreen)
        await type_text(pilot, "out on duty")
        await pilot.press("enter")
        await pilot.pause()
        assert demo.footage.view(clip.id).late_reason == "out on duty"
        await pilot.press("enter")
        await pilot.pause()
        page = demo_app.screen
        assert isinstance(page, ClipDetailScreen)
        assert clip.sha256 in text_of(page.query_one("#fields"))
        previews = len([e for e in demo.audit.list() if e.action == "preview"])
        demo.staff.update("1001", os_user="manager")  # the manager may look without an approval (issue 7)
        demo.ctx.identity = Identity.console("manager")
        await pilot.press("p")
        await settle(
            pilot,
            lambda: (
                "画面" in text_of(page.query_one("#pictures")) and "正在" not in text_of(page.query_one("#pictures"))
            ),
        )
        assert "▀" in text_of(page.query_one("#pictures"))
        assert len([e for e in demo.audit.list() if e.action == "preview"]) == previews + 1  # the viewing is logged


async def test_f2_prints_the_register_in_front_of_you(demo, demo_app, monkeypatch):
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.2 5000 10.0.0.1 22")  # over SSH: the path is shown
    async with demo_app.run_test(size=SIZE) as pilot:
        screen = await go(pilot, "activities")
        screen.query_one(RegisterTable).select_key("1")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(demo_app.screen, ActivityDetailScreen)
        await pilot.press("f2")
        prints = demo.home.path / "prints"
        await settle(pilot, lambda: prints.is_dir() and any(prints.glob("explanation-*.pdf")))
        await settle(pilot, lambda: any("PDF 已保存" in str(n.message) for n in demo_app._notifications))
    pdf = next(prints.glob("explanation-*.pdf"))
    assert pdf.read_bytes().startswith(b"%PDF")
