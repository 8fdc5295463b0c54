"""A checkbox whose mark is there only when it is ticked.

Textual's Checkbox draws the same ``X`` ticked or not and tells them apart by colour alone: on a terminal
without colour (``NO_COLOR``, a black-and-white SSH session, a screenshot printed in grey) a ticked and an
unticked box look the same. This one shows ``X`` when ticked and a blank when not.
"""

from __future__ import annotations

from textual.widgets import Checkbox

TICKED, UNTICKED = "X", " "


class Tick(Checkbox):
    @property
    def _button(self):
        self.BUTTON_INNER = TICKED if self.value else UNTICKED  # this box's own, read by Checkbox's _button
        return super()._button
