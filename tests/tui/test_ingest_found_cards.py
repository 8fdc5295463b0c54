"""The ingest screen offers the cards plugged in (issue 18): a list to pick from, refreshed while the screen is
open, a notification when a card appears with the key that collects it, and folder completion in the path box.
The cards are real folders under the test's own folder (the screen is told where to look)."""

from __future__ import annotations

import glob

from textual.widgets import Input

from avledger.tui.screens import cards as cards_screen
from avledger.tui.screens.cards import complete_folder
from avledger.tui.screens.ingest import IngestScreen
from avledger.tui.widgets import RegisterTable
from conftest import write_video

from .conftest import SIZE, type_text
from .test_footage import go, settle


async def test_a_card_plugged_in_is_offered_and_collected(demo, demo_app, tmp_path, monkeypatch):
    monkeypatch.setattr(cards_screen, "CARD_REFRESH", 0.2)
    base = glob.escape(str(tmp_path))
    write_video(tmp_path / "media/zhang/OLD/DCIM/VID_0001.MP4", 1, creation_time="2026-01-10T01:01:00Z")
    async with demo_app.run_test(size=(80, 24)) as pilot:
        await go(pilot, "footage")
        screen = IngestScreen(demo, card_places=([f"{base}/media/*/*"], []))
        demo_app.push_screen(screen)
        await pilot.pause()
        cards = screen.query_one("#cards", RegisterTable)
        await settle(pilot, lambda: cards.row_count == 1)
        assert cards.display and not demo_app._notifications  # there when the screen opened: not announced
        # a camera plugged in while the screen is open
        write_video(tmp_path / "media/zhang/CAM_B/DCIM/100/VID_0002.MP4", 1, creation_time="2026-01-10T01:02:00Z")
        await settle(pilot, lambda: cards.row_count == 2)
        await settle(pilot, lambda: any("CAM_B" in str(n.message) for n in demo_app._notifications))
        note = next(str(n.message) for n in demo_app._notifications if "CAM_B" in str(n.message))
        assert "Ctrl+O" in note and "1 个音像文件" in note
        assert screen.query_one("#source", Input).has_focus
        await pilot.press("ctrl+o")  # even while the path box has the focus
        await settle(pilot, lambda: screen.state == "planned")
        assert screen.query_one("#source", Input).value == str(tmp_path / "media/zhang/CAM_B")
        assert [f.name for f in screen.plan.files] == ["VID_0002.MP4"]
        # the card pulled out: no longer listed
        (tmp_path / "media/zhang/CAM_B/DCIM/100/VID_0002.MP4").unlink()
        for folder in ("DCIM/100", "DCIM", ""):
            (tmp_path / "media/zhang/CAM_B" / folder).rmdir()
        await settle(pilot, lambda: cards.row_count == 1)
        # picking a card in the list scans it
        cards.focus()
        cards.move_cursor(row=0)
        await pilot.press("enter")
        await settle(pilot, lambda: screen.state == "planned" and screen.plan.files[0].name == "VID_0001.MP4")


async def test_the_path_box_completes_folder_names(demo, demo_app, tmp_path):
    (tmp_path / "media/zhang/CAM_A").mkdir(parents=True)
    (tmp_path / "media/zhang/notes.txt").write_text("x")
    (tmp_path / "media/zhang/.hidden").mkdir()
    assert complete_folder(f"{tmp_path}/med") == f"{tmp_path}/media/"
    assert complete_folder(f"{tmp_path}/media/zhang/") == f"{tmp_path}/media/zhang/CAM_A/"
    assert complete_folder(f"{tmp_path}/media/zhang/n") is None  # a file is not completed
    assert complete_folder(f"{tmp_path}/nowhere/x") is None
    async with demo_app.run_test(size=SIZE) as pilot:
        await go(pilot, "footage")
        await pilot.press("i")
        await pilot.pause()
        screen = demo_app.screen
        assert isinstance(screen, IngestScreen)
        await type_text(pilot, f"{tmp_path}/me")
        await pilot.pause(0.2)
        await pilot.press("right")  # takes the suggestion
        await type_text(pilot, "z")
        await pilot.pause(0.2)
        await pilot.press("right")
        await pilot.pause()
        assert screen.query_one("#source", Input).value == f"{tmp_path}/media/zhang/"
