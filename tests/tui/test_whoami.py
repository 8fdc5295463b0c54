"""Who is acting, in the TUI (issue 13): on the section bar of every section, and F3 shows the person, how
they were established and the office's permission table, with what they may do ticked."""

from __future__ import annotations

from avledger.identity import Identity
from avledger.services.permissions import ACTIONS
from avledger.tui.screens.whoami import WhoScreen

from .conftest import SIZE, text_of
from .test_footage import go


async def test_the_section_bar_names_who_is_acting(demo, demo_app):
    async with demo_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert text_of(demo_app.screen.query_one("#acting")) == "王建国（1001）"
        assert demo_app.sub_title.endswith("· 王建国（1001）")
        screen = await go(pilot, "devices")
        assert text_of(screen.query_one("#acting")) == "王建国（1001）"


async def test_f3_shows_the_table_and_what_one_may_do(demo, demo_app):
    demo.staff.update("2002", os_user="liu")
    demo.ctx.identity = Identity.console("liu")
    async with demo_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f3")
        await pilot.pause()
        who = demo_app.screen
        assert isinstance(who, WhoScreen)
        me = text_of(who.query_one("#who-me"))
        assert "刘洋（2002）" in me and "执法人员" in me and "本机账户，对应人员" in me
        table = text_of(who.query_one("#who-permissions"))
        assert all(_words(a) in table for a in ACTIONS)  # every action, in words
        assert table.count("✓") == len(demo.who.whoami().actions) == 5  # an officer's: read, request, mark, tick, sign
        decide = next(line for line in table.splitlines() if "审批查阅申请" in line and "涉密" not in line)
        assert "审批人" in decide and "单位负责人" in decide and "✓" not in decide
        await pilot.press("f3")
        await pilot.pause()
        assert not isinstance(demo_app.screen, WhoScreen)


async def test_the_owner_unmapped_is_the_administrator(demo, demo_app):
    demo.staff.update("1001", os_user="")
    async with demo_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert text_of(demo_app.screen.query_one("#acting")) == "tester（所有者）"
        await pilot.click("#acting")
        await pilot.pause()
        assert isinstance(demo_app.screen, WhoScreen)
        # all but what goes only to the profile's roles: deciding viewing requests (confidential ones too),
        # lifting a confidential mark, deciding sanctions, approving disposal plans, retiring devices
        from avledger.services.permissions import ADMINISTRATOR, PROFILE_ROLES, TABLE

        only_by_profile = set().union(*PROFILE_ROLES.values()) - TABLE[ADMINISTRATOR]
        assert len(only_by_profile) >= 6
        assert text_of(demo_app.screen.query_one("#who-permissions")).count("✓") == len(ACTIONS) - len(only_by_profile)


def _words(action: str) -> str:
    return ACTIONS[action][:6]  # the start of the words: a long line wraps in its cell


async def test_a_click_on_the_section_bar_goes_there(demo, demo_app):
    async with demo_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        from avledger.tui.widgets.navbar import NavItem

        item = next(i for i in demo_app.screen.query(NavItem) if i.section_id == "devices")
        await pilot.click(item)
        await pilot.pause()
        assert demo_app.current_mode == "devices"


async def test_an_officer_walks_every_section_without_a_crash(demo, demo_app):
    """Over SSH an officer opens the same TUI: every section loads; what they may not do is refused where
    they try it (the audit log says so in its place), and the app keeps running."""
    from avledger.models.schema import AuditEvent
    from avledger.tui.sections import SECTIONS

    demo.staff.update("2002", os_user="liu")
    demo.ctx.identity = Identity.console("liu")
    async with demo_app.run_test(size=SIZE) as pilot:
        for s in SECTIONS:
            if not s.key:
                continue
            screen = await go(pilot, s.id)
            assert demo_app.current_mode == s.id and demo_app.is_running
        screen = await go(pilot, "audit")
        assert "刘洋（2002）无权查看和核验审计日志" in text_of(screen.query_one("#count"))
        before = AuditEvent.select().count()
        demo_app.screen.action_verify()
        await pilot.pause()
        assert AuditEvent.select().count() == before + 1 and demo_app.is_running
