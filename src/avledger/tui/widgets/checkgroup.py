"""A set of check boxes for a vocabulary (roles, abilities), wrapped into as many columns as fit."""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import Container
from textual.widgets import Checkbox

from avledger.tui.widgets.tick import Tick
from avledger.vocab import label

BOX = 5  # cells the check box takes besides its label ("▐X▌ " and a space after)


class CheckGroup(Container):
    """One compact check box per id of ``vocab``; ``selected`` lists the ids ticked."""

    DEFAULT_CSS = """
    CheckGroup {
        layout: grid;
        grid-size: 3;
        grid-gutter: 0 2;
        grid-rows: 1;
        height: auto;
        width: 1fr;
    }
    """

    def __init__(self, vocab: dict[str, str], selected=(), *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.vocab = vocab
        self._initial = set(selected)

    def compose(self) -> ComposeResult:
        for key in self.vocab:
            yield Tick(label(self.vocab, key), key in self._initial, compact=True, name=key)

    def on_resize(self) -> None:
        # Column width from the widest label in terminal cells, so CJK and Latin labels line up.
        column = max(cell_len(label(self.vocab, k)) for k in self.vocab) + BOX
        columns = max(1, min(len(self.vocab), (self.size.width + 2) // (column + 2)))
        if self.styles.grid_size_columns != columns:
            self.styles.grid_size_columns = columns
        self.styles.grid_columns = str(column)

    @property
    def selected(self) -> tuple[str, ...]:
        return tuple(box.name for box in self.query(Checkbox) if box.value and box.name)
