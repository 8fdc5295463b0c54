"""Footage forms (F08): assign a clip to an activity, and why a clip was collected late."""

from __future__ import annotations

from dataclasses import dataclass

from avledger.i18n import _
from avledger.services.footage import ClipView
from avledger.tui.forms.base import Field, FormScreen, required_text, select, text_input


@dataclass(frozen=True)
class AssignChoices:
    activities: list[tuple[str, str]]  # (label, id)


class AssignFormScreen(FormScreen[str | None]):
    """归入执法活动: the archived file stays where it is; its register entry names the activity."""

    PARAM_FIELDS = {"activity_id": "activity"}  # FootageService.assign(clip_id, activity_id)

    def __init__(
        self, clip: ClipView, choices: AssignChoices, *, error: str | None = None, error_field: str | None = None
    ) -> None:
        super().__init__(error=error, error_field=error_field)
        self.clip = clip
        self.choices = choices
        self.title_text = _("归入执法活动：{name}").format(name=clip.original_name)

    def fields(self) -> list[Field]:
        current = str(self.clip.activity_id) if self.clip.activity_id else None
        return [
            Field("activity", _("执法活动"), select(self.choices.activities, current, allow_blank=True), required=True)
        ]

    def check(self, name: str) -> str | None:
        return None if self.value(name) else _("请选择执法活动")

    def result(self) -> str:
        return self.value("activity")


class LateReasonFormScreen(FormScreen[str | None]):
    """逾期说明: why the footage reached the archive after the deadline."""

    def __init__(
        self,
        clip: ClipView,
        deadline: str,
        *,
        initial: str = "",
        error: str | None = None,
        error_field: str | None = None,
    ) -> None:
        super().__init__(error=error, error_field=error_field)
        self.initial = initial or clip.late_reason or ""
        self.title_text = _("逾期采集说明：{name}（应于 {deadline} 前采集）").format(
            name=clip.original_name, deadline=deadline
        )

    def fields(self) -> list[Field]:
        return [
            Field(
                "reason",
                _("逾期原因"),
                text_input(self.initial, placeholder=_("例如 外出执法未能按时返回单位")),
                required=True,
            )
        ]

    def check(self, name: str) -> str | None:
        return required_text(self.value(name), _("逾期原因"))

    def result(self) -> str:
        return self.value("reason")
