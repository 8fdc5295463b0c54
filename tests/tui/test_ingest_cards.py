"""A strange card in the TUI's ingest screen (issue 17): every file not collected is in the table with its reason,
and a file that changed before its copy is named as a fault for a later run."""

from __future__ import annotations

import os
import shutil

from avledger.models.schema import Clip
from avledger.tui.screens.base import Confirm
from avledger.tui.screens.footage import FootageScreen
from avledger.tui.screens.ingest import IngestScreen
from avledger.tui.widgets import JobProgress, RegisterTable
from conftest import write_video

from .conftest import SIZE, text_of, type_text
from .test_footage import go, settle


def cell_text(cell) -> str:
    return cell.plain if hasattr(cell, "plain") else str(cell)


async def test_the_result_lists_each_file_not_collected_with_its_reason(demo, demo_app, tmp_path):
    card = tmp_path / "card"
    write_video(card / "VID_0001.MP4", 1, creation_time="2026-01-10T01:01:00Z")
    shutil.copy(card / "VID_0001.MP4", card / "VID_0001_copy.MP4")  # the same content twice
    growing = write_video(card / "VID_0002.MP4", 1, creation_time="2026-01-10T01:02:00Z", size=(32, 32))
    write_video(card / ".hidden.mp4", 1, creation_time="2026-01-10T01:03:00Z", size=(48, 32))
    os.mkfifo(card / "pipe.mp4")
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
        assert "隐藏文件或文件夹（不进入） 1" in summary and "命名管道（不读取） 1" in summary
        with open(growing, "ab") as out:  # the camera wrote on after the scan
            out.write(b"\0" * 1000)
        await pilot.press("ctrl+s")
        await pilot.pause()
        if isinstance(demo_app.screen, Confirm):  # files without an activity: collected as unassigned
            await pilot.press("y")
        await settle(pilot, lambda: ingest.state == "done")
        line = text_of(ingest.query_one(JobProgress).query_one(".job-line"))
        assert "入库 1 个" in line and "已在库跳过 1 个" in line and "未采集 3 个" in line
        assert "1 个文件因故未采集（仍在写入或无法读取）" in line
        table = ingest.query_one("#plan", RegisterTable)
        rows = {cell_text(row[0]): cell_text(row[-1]) for row in (table.get_row_at(i) for i in range(table.row_count))}
        assert rows == {
            "VID_0001.MP4": "已入库",
            "VID_0001_copy.MP4": "已采集（已在库）",
            "VID_0002.MP4": "仍在写入，请稍后重新采集",
            ".hidden.mp4": "隐藏文件或文件夹（不进入）",
            "pipe.mp4": "命名管道（不读取）",
        }
    assert not Clip.select().where(Clip.source_path == str(growing)).exists()
    assert demo.footage.verify().ok and demo.audit.verify().ok
