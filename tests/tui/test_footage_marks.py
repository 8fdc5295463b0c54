"""Marking footage rows with space and giving one late reason, or one activity, to every marked row (issue 18)."""

from __future__ import annotations

from textual.widgets import Input

from avledger.tui.forms.footage import AssignFormScreen, LateReasonFormScreen
from avledger.tui.screens.footage import FootageScreen
from avledger.tui.widgets import FormRow, RegisterTable

from .conftest import choose, text_of, type_text
from .test_footage import go


def marks(screen) -> dict[str, str]:
    table = screen.query_one(RegisterTable)
    return {str(row.key.value): str(table.get_cell(row.key, "mark")) for row in table.ordered_rows}


async def test_one_late_reason_for_the_marked_rows(demo, demo_app):
    late = [c.id for c in demo.footage.list(late=True)]
    assert len(late) == 3
    async with demo_app.run_test(size=(80, 24)) as pilot:
        screen = await go(pilot, "footage")
        assert isinstance(screen, FootageScreen)
        table = screen.query_one(RegisterTable)
        table.focus()
        table.move_cursor(row=0)
        await pilot.press("space", "space")  # each space marks the row and moves down
        await pilot.pause()
        first_two = [int(k) for k, m in marks(screen).items() if m == "✓"]
        assert len(first_two) == 2
        assert "已选定 2 个" in text_of(screen.query_one("#count"))
        await pilot.press("space")  # the third (the last row: the cursor stays on it)
        await pilot.pause()
        assert list(marks(screen).values()) == ["✓", "✓", "✓"]
        await pilot.press("space")  # and unmarked again
        await pilot.pause()
        assert sorted(int(k) for k, m in marks(screen).items() if m == "✓") == sorted(first_two)
        await pilot.press("space")
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        form = demo_app.screen
        assert isinstance(form, LateReasonFormScreen)
        assert "3 个文件" in text_of(form.query_one("#form-title"))
        await type_text(pilot, "card handed in late")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(demo_app.screen, FootageScreen)
        assert {demo.footage.view(i).late_reason for i in late} == {"card handed in late"}
        assert set(marks(screen).values()) == {""}  # done: the marks are gone
        assert "已选定" not in text_of(screen.query_one("#count"))


async def test_assign_the_marked_rows_all_or_none(demo, demo_app):
    ids = [c.id for c in demo.footage.list()]
    demo.footage.assign(ids[0], 2, reason="归错了")  # one is already in activity 2: the three are refused together
    async with demo_app.run_test(size=(80, 24)) as pilot:
        screen = await go(pilot, "footage")
        table = screen.query_one(RegisterTable)
        table.focus()
        table.move_cursor(row=0)
        await pilot.press("space", "space", "space")
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(demo_app.screen, AssignFormScreen)
        await choose(pilot, "f-activity", "2 ")
        await pilot.press("ctrl+s")
        await pilot.pause()
        form = demo_app.screen
        assert isinstance(form, AssignFormScreen)  # refused: the form shows why, nothing changed
        assert f"音像文件 {ids[0]} 已属于执法活动 2" in "\n".join(text_of(s) for s in form.query(".form-error"))
        assert [demo.footage.view(i).activity_id for i in ids] == [2, 1, 1]
        await choose(pilot, "f-activity", "3 ")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.pause()
        assert demo_app.screen is not form
        form = demo_app.screen
        assert isinstance(form, AssignFormScreen)  # recorded days before activity 3: the reason is asked for
        assert [demo.footage.view(i).activity_id for i in ids] == [2, 1, 1]
        assert "须说明原因" in text_of(form.query_one("#row-reason", FormRow).query_one(".form-error"))
        form.query_one("#f-reason", Input).focus()
        await type_text(pilot, "wrong activity")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(demo_app.screen, FootageScreen)
        assert [demo.footage.view(i).activity_id for i in ids] == [3, 3, 3]
