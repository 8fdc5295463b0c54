"""The disc section (issue 5): build the images of a long-term activity with a progress bar, burn copy 1
then copy 2 to file-backed drives, verify a disc, the register and the due re-checks on the home screen."""

from __future__ import annotations

import datetime as dt

from textual.widgets import Input, Static

from avledger.services.demo import SAMPLE_CARD
from avledger.tui.screens.base import Confirm
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

        built = demo.discs.list()[0].discs[0]
        assert built.image_path in text_of(screen.query_one("#disc-info", Static))  # where the image is
        await pilot.press("k")  # a write-once disc: asked first, with the image and the place
        await pilot.pause()
        assert isinstance(demo_app.screen, Confirm)
        question = text_of(demo_app.screen.query_one("#question", Static))
        assert built.image_path in question and "随案卷" in question and "不能更改" in question
        await pilot.press("y")
        await settle(pilot, lambda: not screen.busy and demo.discs.list()[0].discs[0].copies)
        assert "已刻录并核验" in text_of(screen.query_one("#job .job-line", Static))
        assert demo.discs.next_copy(demo.discs.list()[0].discs[0]) == 2  # what k burns next
        screen.query_one("#drive", Input).value = f"stdio:{tmp_path / 'copy2.img'}"
        register.focus()
        await pilot.press("k")  # both copies at one place: said before burning; not burned when declined
        await pilot.pause()
        assert "第 1 份也存放在“随案卷”" in text_of(demo_app.screen.query_one("#question", Static))
        await pilot.press("escape")
        await pilot.pause()
        assert demo_app.screen is screen and not screen.busy and len(demo.discs.list()[0].discs[0].copies) == 1
        screen.query_one("#kept-at", Input).value = "档案室"
        register.focus()
        await pilot.press("k")
        await pilot.pause()
        assert "也存放在" not in text_of(demo_app.screen.query_one("#question", Static))
        await pilot.press("y")
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


async def test_f2_prints_the_disc_register_and_the_palette_has_the_disc_actions(demo, demo_app):
    """F2 in 光盘归档 prints its register (it printed nothing); the disc actions are in the command palette."""
    from pathlib import Path

    async with demo_app.run_test(size=SIZE) as pilot:
        await pilot.press(section("discs").key)
        await pilot.pause()
        screen = demo_app.screen
        assert screen.check_action("print", ()) is True
        assert [name for name, _filters in screen.print_targets()] == ["discs", "disc-label"]
        titles = [c.title for c in screen.palette_commands()]
        assert {"规划光盘", "制作光盘镜像", "核验光盘"} <= set(titles)
        await pilot.press("f2")
        await settle(pilot, lambda: list((demo.home.path / "prints").glob("*.pdf")))
        printed = next((demo.home.path / "prints").glob("*.pdf"))
        assert Path(printed).stat().st_size > 1000
