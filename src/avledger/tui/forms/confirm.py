"""A yes-or-no question, for actions that cannot be taken back lightly (and for giving up a filled form)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalGroup, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from avledger.i18n import _
from avledger.tui.keys import EssentialKeysFirst, keys_footer


class Confirm(EssentialKeysFirst, ModalScreen[bool]):
    """Yes or no, for actions that cannot be taken back lightly."""

    BINDINGS = [Binding("escape", "no", _("取消")), Binding("y", "yes", _("确定"))]

    def __init__(self, question: str, *, yes: str | None = None, no: str | None = None) -> None:
        super().__init__()
        self.question = question
        self.yes_label = yes or _("确定")
        self.no_label = no or _("取消")

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.question, id="question", markup=False)
            with HorizontalGroup(id="form-buttons"):
                yield Button(self.yes_label, variant="warning", id="yes", compact=True)
                yield Button(self.no_label, id="no", compact=True)
        yield keys_footer()

    def on_mount(self) -> None:
        self.query_one("#no").focus()

    def on_button_pressed(self, event) -> None:
        self.dismiss(event.button.id == "yes")

    def action_yes(self) -> None:
        self.dismiss(True)

    def action_no(self) -> None:
        self.dismiss(False)
