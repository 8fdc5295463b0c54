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
    services.close()
    return out


if __name__ == "__main__":
    print(json.dumps(asyncio.run(probe(sys.argv[1], Path(sys.argv[2]))), ensure_ascii=False))
