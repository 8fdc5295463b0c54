"""The disc section (issue 5): build the images of a long-term activity with a progress bar, burn copy 1
then copy 2 to file-backed drives, verify a disc, the register and the due re-checks on the home screen."""

from __future__ import annotations

import datetime as dt

from textual.widgets import Input, Static

from avledger.services.demo import SAMPLE_CARD
from avledger.tui.screens.discs import DiscsScreen
from avledger.tui.sections import section
from avledger.tui.widgets import RegisterTable

from .conftest import SIZE, text_of
from .test_footage import settle


async def test_build_burn_two_copies_and_verify(demo, demo_app, tmp_path):
    target = demo.discs.targets()[0]
    demo.ingest.apply(demo.ingest.scan(demo.home.path / SAMPLE_CARD, activity=target.activity_id))
    async with demo_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(section("discs").key)
        await pilot.pause()
        screen = demo_app.screen
        assert isinstance(screen, DiscsScreen)
        targets = screen.query_one("#targets", RegisterTable)
        assert targets.current_key == str(target.activity_id)
        assert "未刻录" in str(targets.get_row(str(target.activity_id))[2])
        assert screen.check_action("burn", ()) is None  # grey: nothing built yet
        screen.query_one("#drive", Input).value = f"stdio:{tmp_path / 'copy1.img'}"
        screen.query_one("#kept-at", Input).value = "随案卷"

        await pilot.press("p")
        await pilot.pause()
        assert "1 张光盘" in text_of(screen.query_one("#job .job-line", Static))
        await pilot.press("b")
        await settle(pilot, lambda: not screen.busy and screen.query_one("#register", RegisterTable).row_count == 1)
        assert "光盘组" in text_of(screen.query_one("#job .job-line", Static))
        register = screen.query_one("#register", RegisterTable)
        register.focus()
        await pilot.pause()
        assert screen.check_action("burn", ()) is True

        await pilot.press("k")
        await settle(pilot, lambda: not screen.busy and demo.discs.list()[0].discs[0].copies)
        assert "已刻录并核验" in text_of(screen.query_one("#job .job-line", Static))
        assert demo.discs.next_copy(demo.discs.list()[0].discs[0]) == 2  # what k burns next
        screen.query_one("#drive", Input).value = f"stdio:{tmp_path / 'copy2.img'}"
        screen.query_one("#kept-at", Input).value = "档案室"
        register.focus()
        await pilot.press("k")
        await settle(pilot, lambda: not screen.busy and len(demo.discs.list()[0].discs[0].copies) == 2)
        disc = demo.discs.list()[0].discs[0]
        assert [(c.copy, c.kept_at, c.verified) for c in disc.copies] == [(1, "随案卷", True), (2, "档案室", True)]
        assert screen.check_action("burn", ()) is None  # both copies done
        assert demo.discs.next_copy(disc) is None
        assert "已完成" in str(targets.get_row(str(target.activity_id))[2])

        await pilot.press("v")
        await settle(pilot, lambda: not screen.busy and len(demo.discs.list()[0].discs[0].checks) == 3)
        assert "光盘完好" in text_of(screen.query_one("#job .job-line", Static))

        # four years on, the home screen asks for a re-check
        later = demo.ctx.clock() + dt.timedelta(days=4 * 366)
        demo.ctx.clock = lambda: later
        await pilot.press(section("home").key)
        await pilot.pause()
        assert "光盘到期复检：1 张" in text_of(demo_app.screen.query_one("#alerts", Static))
