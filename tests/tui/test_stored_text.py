"""Text an older register holds (control characters, bidirectional controls, markup) is shown in the TUI's
tables as it is stored, escaped, never interpreted (issue 13)."""

from __future__ import annotations

from rich.text import Text

from avledger.plaintext import UNSAFE
from avledger.tui.app import make_app
from avledger.tui.sections import section
from avledger.tui.widgets.table import RegisterTable


def older_register(demo) -> None:
    """A name holding a terminal escape and a right-to-left override, as a register kept it before issue 13."""
    from avledger.models.audit import snapshot
    from avledger.models.schema import Staff

    with demo.ctx.change():
        staff = Staff.get(Staff.number == "2002")
        before = snapshot(staff)
        staff.name = "刘\x1b[2J洋\u202e0001"
        staff.save()
        demo.ctx.log("update", staff, before=before, summary=staff.name)


async def test_the_tui_tables_show_stored_text_escaped_and_never_as_markup(demo):

    older_register(demo)
    demo.staff.update("2003", name="陈[bold]静[/]")  # markup in a name is text (it was read as markup)
    app = make_app(demo.home, services=demo)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press(section("staff").key)
        await pilot.pause()
        table = app.screen.query_one(RegisterTable)
        cells = [table.get_cell_at((r, c)) for r in range(table.row_count) for c in range(len(table.columns))]
        plains = [c.plain if isinstance(c, Text) else str(c) for c in cells]
        assert "刘\\x1b[2J洋\\u202e0001" in plains and "陈[bold]静[/]" in plains
        assert not any(UNSAFE.search(p) for p in plains)
