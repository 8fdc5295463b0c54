"""The Textual TUI. The only package that imports Textual."""

from __future__ import annotations

from avledger.home import Home


def run_tui(home: Home) -> int:
    from avledger.tui.app import make_app

    app = make_app(home)
    try:
        app.run()
    finally:
        app.close_services()
    return app.return_code or 0
