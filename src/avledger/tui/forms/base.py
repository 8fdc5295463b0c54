"""The base of every form: a modal that validates as you type and dismisses with a dataclass.

A form does no I/O. It is given what it needs to check (the asset numbers
already taken, today's date, the choices, the services' pure rules) and
returns plain values; the calling screen runs the service. When the service
refuses, the caller opens the form again with the same values and the reason
(``error``), shown next to the field it concerns or under the form.
``error_field`` is the refusal's :attr:`~avledger.errors.UserError.field`:
the name of the service parameter that held the bad value. A form whose
field has another name says which in ``PARAM_FIELDS`` (stable names, never
the message's text).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from rich.cells import cell_len
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalGroup, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Select, Static

from avledger.i18n import _
from avledger.timeutil import fmt_local
from avledger.tui.forms.confirm import Confirm
from avledger.tui.keys import EssentialKeysFirst, keys_footer
from avledger.tui.widgets import CheckGroup, FormRow, ZhSelect

T = TypeVar("T")


@dataclass
class Field:
    name: str
    label: str
    control: Widget
    required: bool = False


class FormScreen(EssentialKeysFirst, ModalScreen[T], Generic[T]):
    """Subclasses give ``title``, ``fields()``, ``check(name)`` and ``result()``."""

    BINDINGS = [
        Binding("escape", "cancel", _("取消")),
        Binding("ctrl+s", "submit", _("保存")),
    ]

    title_text = ""
    # The form gives the focus to its first field itself (and, until then, keys typed for it wait for that field).
    AUTO_FOCUS = ""
    # Service parameter (UserError.field) -> this form's field, where the names differ.
    PARAM_FIELDS: ClassVar[dict[str, str]] = {}

    def __init__(self, *, error: str | None = None, error_field: str | None = None) -> None:
        super().__init__()
        self._service_error = error
        self._service_error_field = self.PARAM_FIELDS.get(error_field or "", error_field)
        self._rows: dict[str, FormRow] = {}
        self._seen: dict[str, Any] = {}  # each field's value when last checked
        self._typing_into: Widget | None = None  # the field given the focus when the form opened
        self._opened = False
        self._early_keys: list[events.Key] = []  # typed for the form before it was on screen
        self._opening_values: dict[str, Any] = {}  # each field's value when the form opened
        self._own_keys: deque[events.Key] = deque(maxlen=32)  # the last keys typed in the form itself

    # --- for subclasses ------------------------------------------------
    def fields(self) -> list[Field]:
        raise NotImplementedError

    def check(self, name: str) -> str | None:
        """Why the field's current value is refused, or None."""
        return None

    def result(self) -> T:
        raise NotImplementedError

    def compose_note(self) -> ComposeResult:
        """Hook: what shows between the title and the fields (e.g. the PC's clock)."""
        yield from ()

    # --- layout ----------------------------------------------------------
    def compose(self) -> ComposeResult:
        fields = self.fields()
        width = max(cell_len(f.label) for f in fields)
        with Vertical(id="dialog"):
            yield Static(self.title_text, id="form-title")
            yield from self.compose_note()
            with VerticalScroll(id="form-fields"):
                for f in fields:
                    f.control.id = f"f-{f.name}"
                    row = FormRow(
                        f.label, f.control, label_width=width, name=f.name, required=f.required, id=f"row-{f.name}"
                    )
                    self._rows[f.name] = row
                    yield row
            yield Static("", id="form-error", markup=False)
            with HorizontalGroup(id="form-buttons"):
                yield Button(_("保存"), variant="primary", id="save", compact=True)
                yield Button(_("取消"), id="cancel", compact=True)
        yield keys_footer()

    def on_mount(self) -> None:
        self._seen = {name: self.value(name) for name in self._rows}
        self._opening_values = dict(self._seen)
        first = next((name for name, row in self._rows.items() if not row.control.disabled), None)
        if self._service_error and self._service_error_field in self._rows:
            first = self._service_error_field
        if first is not None:
            self.focus_field(first)
            control = self.control(first)
            self._typing_into = control if isinstance(control, Input) else None
        self._opened = True
        for key in self._early_keys:
            self.take_stray_key(key)
        self._early_keys.clear()
        if self._service_error:
            if self._service_error_field in self._rows:
                self._rows[self._service_error_field].set_error(self._service_error)
            else:
                self.query_one("#form-error", Static).update(self._service_error)
                self.query_one("#form-error").add_class("-shown")

    # --- values ----------------------------------------------------------
    def control(self, name: str) -> Widget:
        return self._rows[name].control

    def value(self, name: str) -> Any:
        control = self.control(name)
        if isinstance(control, Input):
            return control.value.strip()
        if isinstance(control, Select):
            return None if control.value is Select.NULL else control.value
        if isinstance(control, CheckGroup):
            return control.selected
        if isinstance(control, Checkbox):
            return control.value
        raise TypeError(control)

    def focus_field(self, name: str) -> None:
        control = self.control(name)
        if control.focusable:
            control.focus()
        else:
            for child in control.query("*"):
                if child.focusable:
                    child.focus()
                    break

    def _field_of(self, widget: Widget) -> str | None:
        for node in widget.ancestors_with_self:
            if isinstance(node, FormRow):
                return node.field_name
        return None

    def recheck(self, name: str) -> str | None:
        error = self.check(name)
        self._rows[name].set_error(error)
        return error

    # --- events ----------------------------------------------------------
    def take_stray_key(self, event: events.Key) -> bool:
        """Type a key that did not reach a field into the field the form opened on.

        A barcode scanner types an asset number right after the key that opens the
        form (``o``), in one burst: those keys are already on their way to the screen
        beneath (or to this form, before its first field has the focus) when the form
        opens. They are kept until the form is on screen; then, while the focus is still
        on that field (or nowhere), they are typed into it, in order, Enter included.
        True when the key was taken.
        """
        if not self._opened:
            if not (event.is_printable or event.key == "enter"):
                return False
            self._early_keys.append(event)
            event.stop()
            event.prevent_default()
            return True
        target = self._typing_into
        if target is None or self.focused not in (None, target) or not target.is_attached:
            return False
        if event.is_printable and event.character is not None:
            target.insert_text_at_cursor(event.character)
        elif event.key == "enter":
            target.call_later(target.action_submit)
        else:
            return False
        event.stop()
        event.prevent_default()
        return True

    def on_key(self, event: events.Key) -> None:
        if self.focused is None:
            self.take_stray_key(event)  # typed before the first field had the focus
        else:
            self._own_keys.append(event)  # on its way to the bindings, from one of the form's fields

    def typed_here(self, event: events.Key) -> bool:
        """Whether the key was typed in this form (else it was typed for a screen beneath)."""
        return any(key is event for key in self._own_keys)

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _changed(self, event) -> None:
        name = self._field_of(event.control)
        if name not in self._rows or self.value(name) == self._seen.get(name):
            return  # e.g. a control announcing its initial value: keep a refusal shown with it
        self._seen[name] = self.value(name)
        self.recheck(name)
        self.on_field_changed(name)
        error = self.query_one("#form-error", Static)
        error.update("")
        error.remove_class("-shown")

    def on_field_changed(self, name: str) -> None:
        """Hook: a field changed (e.g. to recheck a field that depends on it)."""

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.input_submitted(self._field_of(event.input))

    def input_submitted(self, name: str | None) -> None:
        """Enter in a text field: save the form (a subclass may move on to the next field instead)."""
        self.action_submit()

    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    def changed(self) -> bool:
        """Whether a field holds another value than when the form opened."""
        return any(self.value(name) != value for name, value in self._opening_values.items())

    def action_cancel(self) -> None:
        """Close without saving; what was typed since the form opened is given up only when the manager says so."""
        if not self.changed():
            self.dismiss(None)
            return

        def chosen(give_up: bool | None) -> None:
            if give_up:
                self.dismiss(None)

        self.app.push_screen(Confirm(_("放弃填写的内容？"), yes=_("放弃"), no=_("继续填写")), chosen)

    def action_submit(self) -> None:
        first_bad = None
        for name in self._rows:
            if self.recheck(name) and first_bad is None:
                first_bad = name
        if first_bad is not None:
            self.focus_field(first_bad)
            return
        self.dismiss(self.result())


def activity_options(activities, tz) -> list[tuple[str, str]]:
    """Options naming each activity by its number, start (local time) and case name or title."""
    return [(f"{a.id}  {fmt_local(a.start_at, tz)}  {a.case_name or a.title}", str(a.id)) for a in activities]


def required_text(value: str, label: str) -> str | None:
    return None if value else _("{label}不能为空").format(label=label)


def staff_options(people: Iterable[Any]) -> list[tuple[str, str]]:
    """Members of staff (StaffView) as the options of a Select: the number first, so that typing it in the
    open list jumps to the person, then the name and the department."""
    return [(f"{s.number} {s.name}  {s.department}", s.number) for s in people]


def approval_fields(approvers: list[tuple[str, str]], by: str, paper_form: str) -> list[Field]:
    """批准人 and 纸质审批表编号: the approver among those the profile lets approve, and the number of the
    paper form they signed, which the service asks for when someone else records the approval for them."""
    return [
        Field("by", _("批准人"), select(approvers, by or None, allow_blank=True), required=True),
        Field("paper_form", _("纸质审批表编号"), text_input(paper_form, placeholder=_("代为登记时必填"))),
    ]


def check_approver(value: str) -> str | None:
    return None if value else _("请选择批准人")


def select(options: list[tuple[str, str]], value: str | None = None, *, allow_blank: bool = False) -> ZhSelect:
    """A compact Select of (label, id) pairs."""
    kwargs: dict[str, Any] = {}
    if value is not None and any(v == value for _l, v in options):
        kwargs["value"] = value
    return ZhSelect(options, allow_blank=allow_blank, compact=True, **kwargs)


def text_input(value: str = "", *, placeholder: str = "", max_length: int = 0, disabled: bool = False) -> Input:
    return Input(value or "", placeholder=placeholder, compact=True, max_length=max_length, disabled=disabled)
