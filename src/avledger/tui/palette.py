"""Textual's command palette with its own texts in the user's language."""

from __future__ import annotations

from rich.align import Align
from rich.text import Text
from textual.binding import Binding
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.widgets.option_list import Option

from avledger.i18n import _


class Palette(CommandPalette):
    """The command palette: translated placeholder, bindings and "no matches" line."""

    BINDINGS = [
        Binding("ctrl+end, shift+end", "command_list('last')", _("到最后"), show=False),
        Binding("ctrl+home, shift+home", "command_list('first')", _("到最前"), show=False),
        Binding("down", "cursor_down", _("下一个命令"), show=False),
        Binding("escape", "escape", _("关闭命令面板")),
        Binding("pagedown", "command_list('page_down')", _("下一页"), show=False),
        Binding("pageup", "command_list('page_up')", _("上一页"), show=False),
        Binding("up", "command_list('cursor_up')", _("上一个命令"), show=False),
    ]

    def __init__(self, providers=None, *, placeholder: str | None = None, id: str | None = None) -> None:
        super().__init__(providers, placeholder=_("搜索命令…") if placeholder is None else placeholder, id=id)

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # As Textual's, with the message translated.
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(
                        Align.center(Text(_("没有匹配的命令"), style="not bold")), disabled=True, id=self._NO_MATCHES
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)


class AppCommands(Provider):
    """The app's commands (``App.get_system_commands``) in the order given: sections first.

    Textual's own provider sorts them by title, which in Chinese is no order
    a reader knows. A search matches the title or the help line, so that
    typing a section's number key finds it too.
    """

    async def discover(self) -> Hits:
        for title, help_text, callback, discover in self.app.get_system_commands(self.screen):
            if discover:
                yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback, *_rest in self.app.get_system_commands(self.screen):
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
            elif (help_score := matcher.match(help_text)) > 0:
                yield Hit(help_score * 0.5, title, callback, text=title, help=help_text)
