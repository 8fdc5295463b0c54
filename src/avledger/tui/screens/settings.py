"""界面语言: the language of this PC's interface (config.toml), applied on restart."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalGroup, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, RadioButton, RadioSet, Static

from avledger.i18n import LANGUAGES, _, language
from avledger.tui.keys import EssentialKeysFirst, keys_footer

# Each language named in itself, so that a user who cannot read the current one finds theirs.
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}


class LanguageScreen(EssentialKeysFirst, ModalScreen[str | None]):
    """Dismisses with the chosen language id, or None."""

    BINDINGS = [Binding("escape", "cancel", _("取消"))]

    def __init__(self, current: str | None = None) -> None:
        super().__init__()
        self.current = current or language()

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(_("界面语言") + " / Language", id="form-title")
            with RadioSet(id="languages"):
                for lang in LANGUAGES:
                    yield RadioButton(LANGUAGE_NAMES.get(lang, lang), value=lang == self.current, name=lang)
            yield Static(_("新的语言在重新启动程序后生效。"), classes="note")
            with HorizontalGroup(id="form-buttons"):
                yield Button(_("保存"), variant="primary", id="save", compact=True)
                yield Button(_("取消"), id="cancel", compact=True)
        yield keys_footer()

    def on_mount(self) -> None:
        self.query_one(RadioSet).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            pressed = self.query_one(RadioSet).pressed_button
            self.dismiss(pressed.name if pressed is not None else None)
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
