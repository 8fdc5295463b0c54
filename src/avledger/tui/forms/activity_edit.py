"""The activity edit form (修改执法活动, issue 15): times, place, party, case, officers and long-term reasons
(which can only be added), with the reason for the change (修改原因)."""

from __future__ import annotations

from dataclasses import dataclass

from avledger.i18n import _
from avledger.tui.forms.activity import ActivityChoices, ActivityFormScreen, split_numbers
from avledger.tui.forms.base import Field, required_text, text_input
from avledger.tui.widgets import CheckGroup
from avledger.vocab import LONG_TERM_REASONS, label


@dataclass(frozen=True)
class ActivityEditForm:
    """What the activity edit form gives back: every field as it now reads, and why it was changed."""

    start: str
    end: str
    officers: str
    case_no: str
    case_name: str
    party: str
    place: str
    long_term: tuple[str, ...]
    why: str = ""
    outside_reason: str = ""  # why clips the new times leave outside still belong to it (asked when there are)

    @property
    def officer_numbers(self) -> list[str]:
        return split_numbers(self.officers)


class ActivityEditFormScreen(ActivityFormScreen):
    """修改执法活动: times, place, party, case, officers and long-term reasons (which can only be added), with
    the reason for the change (修改原因)."""

    def __init__(
        self,
        title: str,
        choices: ActivityChoices,
        current: ActivityEditForm,
        *,
        initial: ActivityEditForm | None = None,
        error: str | None = None,
        error_field: str | None = None,
    ) -> None:
        super().__init__(choices, error=error, error_field=error_field)
        self.current = current
        self.edit_initial = initial or current
        self.title_text = _("修改执法活动：{title}").format(title=title)

    def fields(self) -> list[Field]:
        d = self.edit_initial
        return [
            Field("start", _("开始时间"), text_input(d.start, placeholder="YYYY-MM-DD HH:MM"), required=True),
            Field("end", _("结束时间"), text_input(d.end, placeholder=_("可留空，结束后补填"))),
            Field("place", _("地点"), text_input(d.place)),
            Field("party", _("当事人"), text_input(d.party, placeholder=_("个人或单位"))),
            Field("case_no", _("案号"), text_input(d.case_no, placeholder=_("有案号即为案件"))),
            Field("case_name", _("案件名称"), text_input(d.case_name)),
            Field(
                "officers",
                _("执法人员"),
                text_input(d.officers, placeholder=_("工号，用空格分隔，例如 2001 2002")),
                required=True,
            ),
            Field("long_term", _("长期保存"), CheckGroup(LONG_TERM_REASONS, d.long_term)),
            Field("why", _("修改原因"), text_input(d.why, placeholder=_("例如 当事人事后投诉")), required=True),
            Field(
                "outside_reason",
                _("归属原因"),
                text_input(d.outside_reason, placeholder=_("修改时间后不在活动时间内的音像文件仍属于该活动的原因")),
            ),
        ]

    def check(self, name: str) -> str | None:
        if name == "why":
            return required_text(self.value(name), _("修改原因"))
        if name == "long_term":
            dropped = [r for r in self.current.long_term if r not in self.value(name)]
            if dropped:
                return _("已登记的长期保存情形不能取消：{reasons}").format(
                    reasons=_("、").join(label(LONG_TERM_REASONS, r) for r in dropped)
                )
            return None
        return super().check(name)

    def result(self) -> ActivityEditForm:
        return ActivityEditForm(
            start=self.value("start"),
            end=self.value("end"),
            officers=self.value("officers"),
            case_no=self.value("case_no"),
            case_name=self.value("case_name"),
            party=self.value("party"),
            place=self.value("place"),
            long_term=tuple(self.value("long_term")),
            why=self.value("why"),
            outside_reason=self.value("outside_reason"),
        )
