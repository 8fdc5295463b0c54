"""In the TUI: a colleague's SSH key registered and withdrawn from the staff section (issue 13), and the
audit head anchored to a folder and checked against a head typed from paper (the audit log section)."""

from __future__ import annotations

import subprocess

from textual.widgets import Input

from avledger import witness
from avledger.tui.forms.audit import AnchorFormScreen, HeadFormScreen
from avledger.tui.forms.keys import KeyFormScreen
from avledger.tui.screens.audit import VerifyScreen
from avledger.tui.screens.base import Confirm
from avledger.tui.screens.keys import KeysScreen
from avledger.tui.widgets import RegisterTable

from .conftest import SIZE, refusal_beside, text_of, type_text
from .test_footage import go, settle


def keygen(folder, name: str) -> str:
    private = folder / f"id_{name}"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(private)], check=True)
    return str(private) + ".pub"


async def test_register_and_withdraw_a_colleagues_key(demo, demo_app, tmp_path):
    authorized = tmp_path / "authorized_keys"
    config = demo.home.read_config()
    config.setdefault("ssh", {})["authorized_keys"] = str(authorized)
    demo.home.write_config(config)
    pub = keygen(tmp_path, "zhang")
    async with demo_app.run_test(size=SIZE) as pilot:
        await go(pilot, "staff")
        await pilot.press("k")
        await pilot.pause()
        screen = demo_app.screen
        assert isinstance(screen, KeysScreen)
        assert "还没有登记的密钥" in text_of(screen.query_one("#empty"))
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(demo_app.screen, KeyFormScreen)
        demo_app.screen.query_one("#f-number", Input).value = "2001"
        demo_app.screen.query_one("#f-key", Input).focus()
        await type_text(pilot, pub)  # the path of the .pub file, as a manager would type it
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(demo_app.screen, KeysScreen))
        [key] = demo.keys.list()
        assert (key.staff_number, key.state) == ("2001", "active")
        assert f"ssh-serve {key.id}" in authorized.read_text()
        assert screen.query_one(RegisterTable).row_count == 1
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(demo_app.screen, Confirm)
        await pilot.press("y")
        await pilot.pause()
        assert demo.keys.list()[0].state == "removed"
        assert f"ssh-serve {key.id}" not in authorized.read_text()


async def test_a_key_refused_comes_back_beside_its_field(demo, demo_app, tmp_path):
    async with demo_app.run_test(size=SIZE) as pilot:
        await go(pilot, "staff")
        await pilot.press("k")
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        demo_app.screen.query_one("#f-number", Input).value = "2001"
        demo_app.screen.query_one("#f-key", Input).value = str(tmp_path / "missing.pub")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(demo_app.screen, KeyFormScreen))
        assert "missing.pub" in refusal_beside(demo_app.screen, "key")
        assert demo.keys.list() == []


async def test_anchor_the_head_and_check_a_head_from_paper(demo, demo_app, tmp_path):
    usb = tmp_path / "usb"
    usb.mkdir()
    printed = demo.printing.audit_head_text().split(" ", 1)[1]
    async with demo_app.run_test(size=SIZE) as pilot:
        await go(pilot, "audit")
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(demo_app.screen, AnchorFormScreen)
        await type_text(pilot, str(usb))
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: not isinstance(demo_app.screen, AnchorFormScreen))
        assert (usb / witness.ANCHOR_FILE).read_text().count("\n") == 1
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(demo_app.screen, HeadFormScreen)
        await type_text(pilot, printed)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(demo_app.screen, VerifyScreen), tries=600)
        verdict = text_of(demo_app.screen.query_one("#verdict"))
        assert "审计链完整" in verdict
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        await type_text(pilot, printed.split(":")[0] + ":" + "0" * 16)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(demo_app.screen, VerifyScreen), tries=600)
        assert "发现 1 处问题" in text_of(demo_app.screen.query_one("#verdict"))


async def test_a_section_number_after_the_command_palette_switches_section(demo_app):
    """ctrl+p then Esc gives the focus back to where it was (the table): a digit switches section, and is
    typed into no filter."""
    from textual.widgets import Input

    from avledger.tui.sections import section as section_of

    async with demo_app.run_test(size=(80, 24)) as pilot:
        for name, then in (("lending", "activities"), ("footage", "access"), ("audit", "devices")):
            await pilot.press(section_of(name).key)
            await pilot.pause()
            before = pilot.app.focused
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press("a", "escape")
            await pilot.pause()
            assert pilot.app.focused is before
            await pilot.press(section_of(then).key)
            await pilot.pause()
            assert pilot.app.screen.SECTION == then
            assert all(not i.value for i in pilot.app.screen.query(Input))
