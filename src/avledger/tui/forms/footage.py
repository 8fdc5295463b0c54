"""Footage forms (F08): assign a clip to an activity, and why a clip was collected late."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from avledger.i18n import _
from avledger.services.footage import ClipView
from avledger.tui.forms.base import Field, FormScreen, required_text, select, text_input


@dataclass(frozen=True)
class AssignChoices:
    activities: list[tuple[str, str]]  # (label, id)


@dataclass(frozen=True)
class AssignForm:
    activity: str  # the activity's id
    reason: str = ""  # 归属原因: needed for a clip recorded outside the activity's time


class AssignFormScreen(FormScreen[AssignForm | None]):
    """归入执法活动: the archived file stays where it is; its register entry names the activity. A clip recorded
    outside the activity's time needs the reason (归属原因); ``with_reason`` False leaves that field out (a
    file still being planned for ingest)."""

    PARAM_FIELDS = {"activity_id": "activity"}  # FootageService.assign(clip_id, activity_id, *, reason)

    def __init__(
        self,
        clip: ClipView | Sequence[ClipView],
        choices: AssignChoices,
        *,
        initial: AssignForm | None = None,
        with_reason: bool = True,
        error: str | None = None,
        error_field: str | None = None,
    ) -> None:
        super().__init__(error=error, error_field=error_field)
        self.clips = list(clip) if isinstance(clip, (list, tuple)) else [clip]
        self.choices = choices
        self.initial = initial
        self.with_reason = with_reason
        self.title_text = _("归入执法活动：{name}").format(name=several(self.clips))

    def fields(self) -> list[Field]:
        activities = {c.activity_id for c in self.clips}
        current = str(next(iter(activities))) if len(activities) == 1 and None not in activities else None
        if self.initial is not None:
            current = self.initial.activity or current
        fields = [
            Field("activity", _("执法活动"), select(self.choices.activities, current, allow_blank=True), required=True)
        ]
        if self.with_reason:
            reason = self.initial.reason if self.initial else ""
            hint = _("录制时间不在执法活动时间内的须填写")
            fields.append(Field("reason", _("归属原因"), text_input(reason, placeholder=hint)))
        return fields

    def check(self, name: str) -> str | None:
        if name == "activity":
            return None if self.value(name) else _("请选择执法活动")
        return None

    def result(self) -> AssignForm:
        return AssignForm(self.value("activity"), self.value("reason") if self.with_reason else "")


class LateReasonFormScreen(FormScreen[str | None]):
    """逾期说明: why the footage reached the archive after the deadline."""

    def __init__(
        self,
        clip: ClipView | Sequence[ClipView],
        deadline: str,
        *,
        initial: str = "",
        error: str | None = None,
        error_field: str | None = None,
    ) -> None:
        """``deadline``: when the clip was to be collected (the earliest of them, for several)."""
        super().__init__(error=error, error_field=error_field)
        clips = list(clip) if isinstance(clip, (list, tuple)) else [clip]
        reasons = {c.late_reason or "" for c in clips}
        self.initial = initial or (next(iter(reasons)) if len(reasons) == 1 else "")
        self.title_text = _("逾期采集说明：{name}（应于 {deadline} 前采集）").format(
            name=several(clips), deadline=deadline
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


def several(clips: Sequence[ClipView]) -> str:
    """A clip's name, or how many clips and the first names (a form's title for the marked rows)."""
    if len(clips) == 1:
        return clips[0].original_name
    names = _("、").join(c.original_name for c in clips[:2]) + ("…" if len(clips) > 2 else "")
    return _("{n} 个文件（{names}）").format(n=len(clips), names=names)
