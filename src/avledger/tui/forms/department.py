"""A department: its name and allocation class (F02), or a new class for one."""

from __future__ import annotations

from dataclasses import dataclass

from avledger.i18n import _
from avledger.tui.forms.base import Field, FormScreen, required_text, select, text_input
from avledger.vocab import ALLOCATION_CLASSES, label


@dataclass(frozen=True)
class DepartmentForm:
    name: str
    alloc_class: str


class DepartmentFormScreen(FormScreen[DepartmentForm | None]):
    """A new department (name and class), or (``rename=False``) a new class for one."""

    def __init__(
        self,
        *,
        taken: frozenset[str],
        initial: DepartmentForm | None = None,
        editing: bool = False,
        error: str | None = None,
        error_field: str | None = None,
    ) -> None:
        super().__init__(error=error, error_field=error_field)
        self.taken = taken
        self.initial = initial
        self.editing = editing
        self.title_text = _("修改配备类别：{name}").format(name=initial.name) if editing and initial else _("新增科室")

    def fields(self) -> list[Field]:
        d = self.initial or DepartmentForm("", "A")
        classes = [(label(ALLOCATION_CLASSES, c), c) for c in ALLOCATION_CLASSES]
        return [
            Field("name", _("科室名称"), text_input(d.name, disabled=self.editing), required=True),
            Field("alloc_class", _("配备类别"), select(classes, d.alloc_class), required=True),
        ]

    def on_mount(self) -> None:
        super().on_mount()
        if self.editing:
            self.focus_field("alloc_class")

    def check(self, name: str) -> str | None:
        value = self.value(name)
        if name == "name" and not self.editing:
            if not value:
                return required_text(value, _("科室名称"))
            if value in self.taken:
                return _("科室已存在：{name}").format(name=value)
        return None

    def result(self) -> DepartmentForm:
        return DepartmentForm(
            self.initial.name if self.editing and self.initial else self.value("name"), self.value("alloc_class")
        )
