"""The Textual TUI. The only package that imports Textual."""

from __future__ import annotations

from avledger.home import Home
from avledger.identity import Identity, admit


def run_tui(home: Home, identity: Identity) -> int:
    """The TUI on ``home``'s register, acting as ``identity`` (refused before anything opens when the account
    does not own the data folder)."""
    admit(home, identity)
    from avledger.tui.app import make_app

    app = make_app(home, identity=identity)
    try:
        app.run()
    finally:
        app.close_services()
    return app.return_code or 0
