"""A Select whose own texts are in the user's language.

Textual's Select says "Select" when nothing is chosen and its pop-up list
binds escape as "Dismiss menu"; both are replaced here.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Select
from textual.widgets._select import SelectCurrent, SelectOverlay

from avledger.i18n import _


class ZhSelectOverlay(SelectOverlay):
    BINDINGS = [Binding("escape", "dismiss", _("关闭列表"), show=False)]


class ZhSelect(Select):
    """Select with a translated prompt and overlay binding."""

    def __init__(self, options, *, prompt: str | None = None, **kwargs: Any) -> None:
        super().__init__(options, prompt=_("请选择") if prompt is None else prompt, **kwargs)

    def compose(self) -> ComposeResult:
        yield SelectCurrent(self.prompt)
        yield ZhSelectOverlay(type_to_search=self._type_to_search).data_bind(compact=Select.compact)

    @property
    def chosen(self) -> Any:
        """The value, or None when nothing is chosen."""
        return None if self.value is Select.NULL else self.value
