"""Run the TUI headless in one language and print, as JSON, the texts Textual would otherwise show in English.

Usage: python lang_probe.py LANG DATA_DIR. The language is installed before the
TUI modules are imported, as ``avledger`` does (Textual builds BINDINGS when
the classes are created), so this runs in its own process.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from avledger.identity import Identity


async def probe(lang: str, data: Path) -> dict:
    from avledger.i18n import set_language

    set_language(lang)

    from textual.command import CommandInput
    from textual.widgets import Select
    from textual.widgets._footer import FooterKey, FooterLabel

    from avledger.home import Home
    from avledger.services import Services
    from avledger.services.demo import populate
    from avledger.tui.app import make_app
    from avledger.tui.sections import section

    services = Services(Home(data), Identity.console("probe"))
    with services.ctx.change():
        populate(services)
    app = make_app(services.home, services=services)
    out: dict = {}

    def footer() -> list[str]:
        texts = [k.description for k in app.screen.query(FooterKey)]
        texts += [str(label.content) for label in app.screen.query(FooterLabel)]
        return [t for t in texts if t]

    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        home = app.screen
        out["quit"] = [a.binding.description for a in home.active_bindings.values() if a.binding.action == "quit"]
        out["palette_binding"] = [
            a.binding.description for a in home.active_bindings.values() if a.binding.action == "command_palette"
        ]
        out["home_footer"] = footer()
        out["commands"] = [c.title for c in app.get_system_commands(home)]
        out["command_help"] = [c.help for c in app.get_system_commands(home)]
        await pilot.press("ctrl+p")
        await pilot.pause()
        out["palette_placeholder"] = app.screen.query_one(CommandInput).placeholder
        await pilot.press("escape")
        await pilot.press(section("devices").key)
        await pilot.pause()
        out["devices_footer"] = footer()
        await pilot.press("a")
        await pilot.pause()
        out["form_footer"] = footer()
        out["select_prompts"] = sorted({s.prompt for s in app.screen.query(Select)})
        out["form_labels"] = [str(label.content) for label in app.screen.query(".form-label")]
    out["cut_at_80"] = await cut_at_80(services)
    services.close()
    return out


async def cut_at_80(services) -> list[str]:
    """At 80×24, the cells of the columns that matter that do not show whole: 提醒 (activities), 执法活动/案件
    (footage), 有效期至 and 审批人 (approvals), as in tests/tui/test_fit.py, in this process's language."""
    from avledger.tui.app import make_app
    from avledger.tui.sections import section

    def act_as(number: str) -> None:
        user = f"user{number}"
        services.ctx.identity = Identity.console("probe")
        if services.staff.view(number).os_user != user:
            services.staff.update(number, os_user=user)
        services.ctx.identity = Identity.console(user)

    activity = next(c.activity_id for c in services.footage.list() if c.activity_id)
    act_as("2002")
    request = services.access.request("2002", "诉讼证据", reason_kind="court_evidence", kind="copy", activity=activity)
    act_as("1002")
    services.access.approve(request.id, "1002")
    act_as("1001")
    app = make_app(services.home, services=services)
    cut = []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for section_id, columns in (
            ("activities", ["attention"]),
            ("footage", ["activity"]),
            ("access", ["until", "decided"]),
        ):
            await pilot.press(section(section_id).key)
            await pilot.pause()
            await pilot.pause(0.1)
            table = app.screen.table
            shown = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
            keys = [str(c.key.value) for c in table.ordered_columns]
            for column in columns:
                for i in range(table.row_count):
                    text = str(table.get_row_at(i)[keys.index(column)].plain)
                    if text and text not in shown:
                        cut.append(f"{section_id}.{column}: {text}")
    return cut


if __name__ == "__main__":
    print(json.dumps(asyncio.run(probe(sys.argv[1], Path(sys.argv[2]))), ensure_ascii=False))
