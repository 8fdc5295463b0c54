"""One form field: its label, its control, and the reason it is refused, next to it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import HorizontalGroup, VerticalGroup
from textual.widget import Widget
from textual.widgets import Label, Static


class FormRow(VerticalGroup):
    """``label  [control]`` with an error line under the control (hidden while valid).

    ``label_width`` is in terminal cells (measure with ``rich.cells.cell_len``),
    so that the controls of a form line up whatever the language.
    """

    DEFAULT_CSS = """
    FormRow {
        height: auto;
    }
    FormRow > HorizontalGroup {
        height: auto;
    }
    FormRow .form-label {
        padding-right: 1;
        height: 1;
        color: $text-muted;
        text-align: right;
    }
    FormRow.-required .form-label {
        color: $text;
    }
    FormRow .form-error {
        color: $text-error;
        display: none;
        height: auto;
    }
    FormRow.-invalid .form-error {
        display: block;
    }
    FormRow.-hint .form-error {
        display: block;
        color: $text-muted;
    }
    FormRow.-invalid.-hint .form-error {
        color: $text-error;
    }
    FormRow.-invalid .form-label {
        color: $text-error;
    }
    FormRow > HorizontalGroup > Input, FormRow > HorizontalGroup > Select {
        width: 1fr;
    }
    FormRow Input.-textual-compact, FormRow Select.-textual-compact > SelectCurrent {
        background: $panel;
    }
    FormRow Input.-textual-compact:focus, FormRow Select.-textual-compact:focus > SelectCurrent {
        background: $primary-muted;
    }
    FormRow Input.-textual-compact:disabled {
        background: $surface;
    }
    """

    def __init__(
        self,
        label: str,
        control: Widget,
        *,
        label_width: int,
        name: str = "",
        required: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="-required" if required else "")
        self.label_text = label
        self.control = control
        self.label_width = label_width
        self.field_name = name
        self._error: str | None = None

    def compose(self) -> ComposeResult:
        with HorizontalGroup():
            label = Label(self.label_text, classes="form-label", markup=False)
            label.styles.width = self.label_width + 1
            yield label
            yield self.control
        error = Static("", classes="form-error", markup=False)
        error.styles.padding = (0, 0, 0, self.label_width + 1)
        yield error

    def set_label_width(self, width: int) -> None:
        """Give the label another width (in cells); a longer label wraps if its height is auto."""
        self.label_width = width
        if self.is_mounted:
            self.query_one(".form-label", Label).styles.width = width + 1
            self.query_one(".form-error", Static).styles.padding = (0, 0, 0, width + 1)

    def on_mount(self) -> None:
        if self._error:
            self.query_one(".form-error", Static).update(self._error)

    @property
    def error(self) -> str | None:
        """The reason shown, or None."""
        return self._error

    def set_hint(self, text: str) -> None:
        """A note under the control while the value is valid (e.g. the names of the staff numbers typed)."""
        if self._error:
            return
        self.set_class(bool(text), "-hint")
        if self.is_mounted:
            self.query_one(".form-error", Static).update(text)

    def set_error(self, message: str | None) -> None:
        """Show why the value is refused, or clear it."""
        self._error = message
        self.set_class(False, "-hint")
        self.set_class(bool(message), "-invalid")
        if self.is_mounted:
            self.query_one(".form-error", Static).update(message or "")
