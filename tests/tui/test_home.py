"""The home screen's reminders: never hidden without saying so."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from avledger.tui.screens.home import HomeScreen, RemindersDialog

from .conftest import text_of


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_reminders_that_do_not_fit_say_how_many_more_and_t_shows_them_all(demo, demo_app, size):
    async with demo_app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.pause()
        screen = demo_app.screen
        assert isinstance(screen, HomeScreen)
        shown = text_of(screen.query_one("#alerts", Static))
        every = [line for line in str(screen._reminders).splitlines()]
        assert len(every) >= 5  # the demo register's reminders
        panel = screen.query_one("#alerts-panel")
        assert len(shown.rstrip("\n").splitlines()) <= panel.content_region.height - 1  # within its lines (and title)
        assert ("还有" in shown) == (size == (80, 24))  # the demo's six reminders fit at 120×40, not at 80×24
        if "还有" in shown:
            more = int(shown.split("还有 ")[1].split(" 项")[0])
            listed = [line for line in every if line in shown]
            assert more == len(every) - len(listed) > 0
        else:
            assert all(line in shown for line in every)
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(demo_app.screen, RemindersDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(demo_app.screen, HomeScreen)


async def test_every_footer_starts_with_help_commands_and_quit(demo, demo_app):
    """At 80 columns the footer cuts what does not fit: on a section F1 (every key of the screen), Ctrl+P and
    Ctrl+Q come first; a form or a dialog shows its own few keys; no footer has a command-palette corner
    (it overlapped wide characters at the right edge)."""
    from textual.widgets import Footer

    from avledger.tui.forms.base import FormScreen
    from avledger.tui.screens.base import SectionScreen

    async with demo_app.run_test(size=(80, 24)) as pilot:
        steps = (
            ("a", FormScreen),
            ("escape", SectionScreen),
            ("1", HomeScreen),
            ("t", RemindersDialog),
            ("escape", HomeScreen),
        )
        for key, kind in steps:
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(demo_app.screen, kind), (key, type(demo_app.screen).__name__)
            assert not demo_app.screen.query_one(Footer).show_command_palette
        for key in ("2", "4", "1"):
            await pilot.press(key)
            await pilot.pause()
            shown = [k for k, b in demo_app.screen.active_bindings.items() if b.binding.show]
            assert shown[:3] == ["f1", "ctrl+p", "ctrl+q"], (type(demo_app.screen).__name__, shown)
            assert not demo_app.screen.query_one(Footer).show_command_palette
