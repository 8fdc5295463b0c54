"""F1 (issue 18): the screen's own keys first, then the sections, then the application's keys; it opens on
every screen (it opened the SSH keys page instead, and failed)."""

from __future__ import annotations

from avledger.tui.screens.help import KeyHelpScreen

from .conftest import SIZE, text_of
from .test_footage import go


def help_text(app) -> str:
    screen = app.screen
    assert isinstance(screen, KeyHelpScreen)
    return "\n".join(text_of(s) for s in screen.query("#keys Static"))


async def test_f1_lists_the_screens_own_keys_first(demo, demo_app):
    async with demo_app.run_test(size=(80, 24)) as pilot:
        await go(pilot, "footage")
        await pilot.press("f1")
        await pilot.pause()
        text = help_text(demo_app)
        order = [
            "本页",
            "从执法记录仪或文件夹采集音像文件入库",  # i, the footage screen's
            "选定或取消所选的一行",  # space
            "停止核验存储（此时不可用）",  # s, while nothing is verified
            "切换页面",
            "首页",
            "通用",
            "退出",
            "在列表中移动",
        ]
        places = [text.find(t) for t in order]
        assert -1 not in places, [t for t, p in zip(order, places, strict=True) if p < 0]
        assert places == sorted(places)
        assert text.count("首页") == 1
        await pilot.press("f1")  # F1 again closes it
        await pilot.pause()
        assert not isinstance(demo_app.screen, KeyHelpScreen)


async def test_f1_on_the_home_screen_and_a_page_over_a_section(demo, demo_app):
    async with demo_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        text = help_text(demo_app)
        assert text.index("本页") < text.index("切换页面") < text.index("通用")
        await pilot.press("escape")
        await go(pilot, "footage")
        await pilot.press("i")  # a page pushed over a section: its own keys first
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        text = help_text(demo_app)
        assert text.index("复制、校验并登记扫描到的文件（此时不可用）") < text.index("通用")
        assert "切换页面" not in text  # typing in the path box: the number keys go into it
