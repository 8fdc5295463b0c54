"""Cards plugged in, offered on the ingest screen (issue 18): a list of the cards mounted, looked for again
every few seconds beside the screen, a notification when one appears with the key that collects it; and folder
completion in the path box."""

from __future__ import annotations

import os
from collections.abc import Sequence

from textual import work
from textual.suggester import Suggester
from textual.widgets import Input

from avledger.i18n import _
from avledger.present import size_text
from avledger.services.cards import Card, find_cards
from avledger.tui.widgets import RegisterTable

CARD_REFRESH = 3.0  # seconds between two looks for cards plugged in


class FolderSuggester(Suggester):
    """Completes the folder being typed in a path box: the first folder (in name order) of the typed parent
    whose name starts with what follows the last ``/``, with a ``/`` after it."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)  # folders come and go (a card plugged in)

    async def get_suggestion(self, value: str) -> str | None:
        return complete_folder(value)


def complete_folder(value: str) -> str | None:
    if not value or "/" not in value:
        return None
    parent, _sep, start = value.rpartition("/")
    try:
        with os.scandir(parent or "/") as entries:
            names = sorted(
                e.name
                for e in entries
                if e.name.startswith(start)
                and (start.startswith(".") or not e.name.startswith("."))
                and e.is_dir()
                and e.name != start
            )
    except OSError:
        return None
    return f"{parent}/{names[0]}/" if names else None


class CardOffer:
    """A screen mixin (before the screen's class): the cards table, refreshed, and Ctrl+O. The screen has a
    ``#source`` Input, a ``state`` and ``action_scan``; it calls :meth:`init_cards` in ``__init__``, yields
    :meth:`cards_table` and calls :meth:`start_looking_for_cards` once mounted."""

    def init_cards(self, places: tuple[Sequence[str], Sequence[str]]) -> None:
        """``places``: where cards are looked for (:func:`avledger.services.cards.find_cards`)."""
        self.card_places = places
        self.cards: list[Card] = []
        self.cards_seen: set[str] | None = None  # the mount points seen at the last look (None: not looked yet)
        self.new_card: Card | None = None  # the card that appeared last while the screen was open

    def cards_table(self) -> RegisterTable:
        cards = RegisterTable(id="cards")
        cards.display = False
        return cards

    def start_looking_for_cards(self) -> None:
        cards = self.query_one("#cards", RegisterTable)  # type: ignore[attr-defined]
        for key, title in (
            ("label", _("存储卡")),
            ("path", _("挂载位置")),
            ("size", _("大小")),
            ("media", _("音像文件数")),
        ):
            cards.add_column(title, key=key)
        cards.styles.height = "auto"
        cards.styles.max_height = 5
        self.look_for_cards()
        self.set_interval(CARD_REFRESH, self.look_for_cards)  # type: ignore[attr-defined]

    # --- cards plugged in ---------------------------------------------------------
    @work(thread=True, exclusive=True, group="cards")
    def look_for_cards(self) -> None:
        """Look for cards beside the screen (counting a card's files may take a second)."""
        cards = find_cards(*self.card_places)
        self.app.call_from_thread(self.show_cards, cards)

    def show_cards(self, cards: list[Card]) -> None:
        """The cards mounted now, the newest first; a card that appeared since the last look is offered."""
        if not self.is_mounted:  # the screen closed while looking
            return
        seen = {c.path for c in cards}
        appeared = [c for c in cards if self.cards_seen is not None and c.path not in self.cards_seen]
        self.cards_seen = seen
        if cards == self.cards:
            return
        self.cards = cards
        table = self.query_one("#cards", RegisterTable)
        key = table.current_key
        table.clear()
        for c in cards:
            table.add_row(c.label, c.path, size_text(c.size), f"{c.media}+" if c.more else str(c.media), key=c.path)
        table.select_key(key)
        table.display = bool(cards)
        if self.new_card is not None and self.new_card.path not in seen:
            self.new_card = None
        if appeared:
            self.new_card = appeared[0]
            table.select_key(self.new_card.path)
            self.notify(
                _("发现存储卡 {label}（{path}，{n} 个音像文件）：按 Ctrl+O 采集").format(
                    label=self.new_card.label, path=self.new_card.path, n=self.new_card.media
                ),
                title=_("存储卡"),
                timeout=15,
            )
        self.refresh_bindings()

    def on_data_table_row_selected(self, event: RegisterTable.RowSelected) -> None:
        """Enter on a card scans it (a handler by name: ``on`` decorators of a mixin are not seen)."""
        if event.data_table.id == "cards":
            self.collect_from(str(event.row_key.value))

    def action_collect_card(self) -> None:
        table = self.query_one("#cards", RegisterTable)
        path = self.new_card.path if self.new_card is not None and not table.has_focus else table.current_key
        if path is not None:
            self.collect_from(path)

    def collect_from(self, path: str) -> None:
        """Scan a card: its path in the box, as if typed."""
        if self.state in ("scanning", "copying"):
            return
        self.new_card = None
        self.query_one("#source", Input).value = path
        self.action_scan()
