"""统计 on screen: the service's figures, per department or per officer, and a bar per row (issue 16)."""

from __future__ import annotations

import datetime as dt

from rich.cells import cell_len
from textual.widgets import Input, Static

from avledger.timeutil import local_today
from avledger.tui.screens.home import HomeScreen
from avledger.tui.screens.stats import StatsScreen, bar, columns_of, placed

from .conftest import screen_lines, text_of


def test_a_bar_is_in_eighths_of_a_cell():
    assert bar(0, 10, 8) == "" and bar(10, 10, 8) == "█" * 8 and bar(5, 10, 8) == "█" * 4
    assert bar(1, 16, 8) == "▌"  # half a cell


async def test_the_figures_and_their_chart_at_80_columns(demo, demo_app):
    today = local_today(demo.ctx.clock(), demo.office.profile().tz)
    report = demo.stats.report(dt.date(today.year, 1, 1), today, by="dept")
    async with demo_app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(demo_app.screen, HomeScreen)
        await pilot.press("g")
        await pilot.pause()
        screen = demo_app.screen
        assert isinstance(screen, StatsScreen)
        shown = "\n".join(screen_lines(demo_app))
        for row in report.rows:
            assert row.name in shown
        total = next(line for line in screen_lines(demo_app) if line.strip().startswith("合计"))
        assert total.split()[1:4] == [str(report.total.values[k]) for k in ("activities", "full_record", "clips")]
        # the spot checks last, whole at 80 columns: how many activities were checked and their mean score
        spot = report.total.values["spot_checked"], report.total.values["spot_score"]
        assert total.split()[-2:] == [str(spot[0]), "—" if spot[1] is None else str(spot[1])]
        assert any("抽查" in line and "均分" in line for line in screen_lines(demo_app))
        chart = text_of(screen.query_one("#chart", Static))
        assert "图示：执法活动" in chart and "█" in chart
        await pilot.press("m")  # the next figure charted
        assert "图示：音像文件" in text_of(screen.query_one("#chart", Static))
        await pilot.press("b")  # per officer
        await pilot.pause()
        officers = demo.stats.report(dt.date(today.year, 1, 1), today, by="officer")
        shown = "\n".join(screen_lines(demo_app))
        assert all(r.name in shown for r in officers.rows[:5]) and "按执法人员" in shown
        screen.query_one("#from", Input).value = "2026-12-31"  # after the end: refused, said on the screen
        screen.reload()
        assert "晚于" in text_of(screen.query_one("#figures", Static))
        assert screen.print_targets()[0][0] == "stats"


def test_a_column_chart_in_eighths_of_a_line():
    assert columns_of([0, 2, 8, None], 2) == ["  █ ", " ▄█ "]
    assert columns_of([1, 16], 1) == [" █"]  # an eighth of the tallest rounds to nothing
    assert placed([(0, "01"), (1, "02"), (3, "03")], 6) == "01 03"  # one touching its neighbour left out


async def test_the_trend_month_by_month_at_80_columns(demo, demo_app):
    """t shows the charted figure month by month from the service's trend: a column a month, each month's value
    in eighths of the tallest, the months and the year under them; m goes on to the next figure; t back."""
    today = local_today(demo.ctx.clock(), demo.office.profile().tz)
    trend = demo.stats.trend(dt.date(today.year, 1, 1), today)
    async with demo_app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("g")
        await pilot.pause()
        screen = demo_app.screen
        assert isinstance(screen, StatsScreen)
        await pilot.press("t")
        lines = text_of(screen.query_one("#chart", Static)).split("\n")
        assert lines[0].startswith("逐月：执法活动")
        values = trend.series["activities"]
        assert lines[1] == f"最大值 {max(values)}"
        columns = lines[2:8]
        assert max(cell_len(line) for line in columns) <= 80 - 8
        for i, value in enumerate(values):  # each month's column, three cells apart, as tall as its share
            column = "".join(line[3 * i : 3 * i + 2].ljust(2) for line in columns)
            assert column == "".join(2 * c for c in [row[i] for row in columns_of(values, 6)]), trend.months[i]
            if value == max(values):
                assert column == "█" * 12
            elif not value:
                assert column == " " * 12
        assert any(v > 0 for v in values) and any("█" in line for line in columns)
        assert lines[8].split() == [m[5:] for m in trend.months]
        assert lines[9].strip() == str(today.year)
        await pilot.press("m")
        assert text_of(screen.query_one("#chart", Static)).startswith("逐月：音像文件")
        await pilot.press("t")
        assert text_of(screen.query_one("#chart", Static)).startswith("图示：音像文件")


def test_the_english_headings_are_short_enough_for_80_columns():
    """In English the figures' headings are their own short words (``heading:`` in the catalogue), not the words
    the same Chinese gets in sentences ("Footage", "Interruptions"), which were cut to "Foot…" and "Interrupti…"
    at 80 columns."""
    from avledger.i18n import H_, set_language
    from avledger.tui.screens.stats import SHORT

    set_language("en")
    try:
        headings = [H_(SHORT[key]) for key in SHORT]
    finally:
        set_language("zh")
    assert all(cell_len(h) <= 5 for h in headings), headings
    assert sum(cell_len(h) + 2 for h in headings) + len("Department") <= 80
