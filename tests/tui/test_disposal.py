"""The disposal screen (清除处理, F11): from the footage section, what is due, a plan, its approval and the run
with its progress bar; the keep-until date and holds on the clip page; the home screen's reminder."""

from __future__ import annotations

from textual.widgets import Input, Static

from avledger.models.schema import Clip, Gap
from avledger.tui.forms.retention import PlanApproveFormScreen, PlanCancelFormScreen
from avledger.tui.screens.clip_detail import ClipDetailScreen
from avledger.tui.screens.disposal import DisposalScreen
from avledger.tui.widgets import FormRow, JobProgress, RegisterTable
from conftest import fixed_clock

from .conftest import SIZE, choose, screen_lines, text_of, type_text
from .test_footage import fill, go, settle


def _due_demo(demo) -> list[int]:
    """The sample office three years and more on (Dalian, D25: three years), its first activity's
    interruption and late clips explained: that activity's clips are due."""
    for gap in Gap.select().where(Gap.reason.is_null()):
        demo.gaps.explain(gap.id, "battery")
    late = [c.id for c in Clip.select().where((Clip.late == True) & Clip.late_reason.is_null())]  # noqa: E712
    demo.footage.explain_late_many(late, "外地执法")
    demo.ctx.clock = fixed_clock("2030-06-01 04:00:00")
    due = [c for c, _k in demo.disposal.due()]
    assert due
    return due


async def test_plan_approve_and_run_a_disposal_from_the_footage_section(demo, demo_app):
    due = _due_demo(demo)
    root = demo.ingest.archive_root()
    paths = [Clip.get_by_id(c).archive_path for c in due]
    async with demo_app.run_test(size=SIZE) as pilot:
        await go(pilot, "home")
        assert f"可清除处理：{len(due)} 个文件" in "\n".join(screen_lines(demo_app))
        await go(pilot, "footage")
        await pilot.press("d")
        await pilot.pause()
        screen = demo_app.screen
        assert isinstance(screen, DisposalScreen)
        assert f"{len(due)} 个文件" in text_of(screen.query_one("#due", Static))
        await pilot.press("p")
        await pilot.pause()
        table = screen.query_one("#plans", RegisterTable)
        assert table.row_count == 1
        table.focus()
        await pilot.press("r")  # not approved yet: the key is off
        await pilot.pause()
        assert not screen.query_one(JobProgress).running
        assert all((root / p).exists() for p in paths)
        table.focus()
        await pilot.press("a")  # the leader approved on paper; the manager records it
        await pilot.pause()
        form = demo_app.screen
        assert isinstance(form, PlanApproveFormScreen)
        assert "批准人" in "\n".join(screen_lines(demo_app))
        await choose(pilot, "f-by", "1002")
        await pilot.press("ctrl+s")  # without the paper form's number: refused beside its field
        await pilot.pause()
        await pilot.pause()
        form = demo_app.screen
        assert isinstance(form, PlanApproveFormScreen)
        assert "纸质审批表" in text_of(form.query_one("#row-paper_form", FormRow).query_one(".form-error"))
        assert demo.disposal.plans()[0].status == "planned"
        form.query_one("#f-paper_form", Input).focus()
        await type_text(pilot, "QC-1")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert demo_app.screen is screen
        assert demo.disposal.plans()[0].status == "approved"
        assert demo.disposal.plans()[0].paper_form_no == "QC-1"
        table.focus()
        await pilot.press("r")
        await settle(pilot, lambda: demo.disposal.plans()[0].status == "done")
        await settle(pilot, lambda: not screen.query_one(JobProgress).running)
        assert not any((root / p).exists() for p in paths)
        await pilot.press("escape")
        await pilot.pause()
        await go(pilot, "home")
        assert "可清除处理" not in "\n".join(screen_lines(demo_app))


async def test_the_clip_page_shows_its_keep_until_date_and_holds(demo, demo_app):
    clip = Clip.select().where(Clip.activity.is_null(False)).order_by(Clip.id).first()
    async with demo_app.run_test(size=SIZE) as pilot:
        await go(pilot, "footage")
        demo_app.push_screen(ClipDetailScreen(demo, clip.id))
        await pilot.pause()
        text = text_of(demo_app.screen.query_one("#fields", Static))
        assert "保存至" in text and "D25" in text
        assert "冻结" in text


async def test_cancel_a_plan_that_has_not_run(demo, demo_app):
    due = _due_demo(demo)
    plan = demo.disposal.plan()
    async with demo_app.run_test(size=SIZE) as pilot:
        await go(pilot, "footage")
        await pilot.press("d")
        await pilot.pause()
        screen = demo_app.screen
        table = screen.query_one("#plans", RegisterTable)
        table.focus()
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(demo_app.screen, PlanCancelFormScreen)
        await fill(pilot, "reason", "complaint pending")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert demo_app.screen is screen
        assert demo.disposal.get(plan.id).status == "cancelled"
        assert "已取消" in "\n".join(screen_lines(demo_app))
        assert "complaint pending" in "\n".join(screen_lines(demo_app))  # its reason, in the register
        await pilot.press("x")  # cancelled: the key is off
        await pilot.pause()
        assert demo_app.screen is screen
        assert f"{len(due)} 个文件" in text_of(screen.query_one("#due", Static))  # due again
