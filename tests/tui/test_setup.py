"""First run: the setup screen creates the register, or the sample office."""

from __future__ import annotations

from textual.widgets import Input

from avledger.home import Home
from avledger.identity import Identity
from avledger.services import Services
from avledger.tui.app import make_app
from avledger.tui.screens.home import HomeScreen
from avledger.tui.screens.setup import SetupScreen
from avledger.tui.widgets import FormRow

from .conftest import SIZE, choose, text_of, type_text


async def test_setup_creates_the_register(home: Home):
    app = make_app(home, identity=Identity.console("tester"))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, SetupScreen)
            assert not home.db_path.exists()  # nothing is written before the user chooses

            await pilot.press("ctrl+s")  # nothing filled in: refused, with the reasons
            await pilot.pause()
            assert isinstance(app.screen, SetupScreen)
            assert "单位名称不能为空" in text_of(app.screen.query_one("#row-unit", FormRow).query_one(".form-error"))
            assert not home.db_path.exists()

            await type_text(pilot, "测试县市场监督管理局")
            await choose(pilot, "preset", "ruzhou")
            assert "汝州市市场监督管理局" in text_of(app.screen.query_one("#preset-info"))
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)
            assert "测试县市场监督管理局" in text_of(app.screen.query_one("#unit"))
    finally:
        app.close_services()
    with Services(home, Identity.console("tester")) as services:
        assert services.office.unit() == "测试县市场监督管理局"
        assert services.office.profile().preset == "ruzhou"
        assert [e.entity for e in services.audit.list()] == ["office"]


async def test_setup_sample_office(home: Home):
    app = make_app(home, identity=Identity.console("tester"))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.click("#demo")
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)
            assert len(app.services.devices.list()) == 10
            assert app.services.audit.verify().ok
    finally:
        app.close_services()


async def test_setup_shown_for_an_empty_register_file(home: Home):
    """A database without an office (e.g. an earlier start that was quit) still asks for the office."""
    services = Services(home, Identity.console("tester"))
    try:
        app = make_app(home, services=services)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, SetupScreen)
            app.screen.query_one("#unit", Input).value = "某单位"
            await choose(pilot, "preset", "wanzhou")
            await pilot.click("#create")
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)
        assert services.office.unit() == "某单位"
    finally:
        services.close()
