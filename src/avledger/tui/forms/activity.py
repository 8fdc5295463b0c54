"""Forms for enforcement activities (F06): register one, close a case, a not-recorded work record (F10),
the reason of an interruption (F09).

Officers are typed as staff numbers (the manager reads them off the
assignment slip); the form names each person as the numbers go in, and
refuses a number that is not an enforcement officer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from avledger.errors import UserError
from avledger.i18n import _
from avledger.timeutil import fmt_local, parse_date, parse_local_datetime
from avledger.tui.forms.base import Field, FormScreen, required_text, select, text_input
from avledger.tui.widgets import CheckGroup
from avledger.tui.widgets.tick import Tick
from avledger.vocab import ACTIVITY_KINDS, CIRCUMSTANCES, GAP_REASONS, LONG_TERM_REASONS, NORECORD_REASONS, label


@dataclass(frozen=True)
class ActivityForm:
    kind: str
    title: str
    start: str
    officers: str  # staff numbers separated by spaces or commas
    end: str = ""
    case_no: str = ""
    case_name: str = ""
    party: str = ""
    place: str = ""
    full_record: bool = False
    circumstances: tuple[str, ...] = ()
    confidential: bool = False
    long_term: tuple[str, ...] = ()

    @property
    def officer_numbers(self) -> list[str]:
        return split_numbers(self.officers)


@dataclass(frozen=True)
class NoRecordForm:
    reason: str
    basis: str
    signers: str  # staff numbers
    reported_to: str
    at: str = ""


@dataclass(frozen=True)
class ActivityChoices:
    tz: ZoneInfo
    now: dt.datetime  # naive UTC
    officers: dict[str, str]  # staff number -> name, active enforcement officers
    leaders: list[tuple[str, str]] = ()  # (label, number) who may receive not-recorded reports
    reasons: tuple[str, ...] = ()  # the profile's not-recorded reasons
    min_signers: int = 2


def split_numbers(text: str) -> list[str]:
    return list(dict.fromkeys(t for t in text.replace(",", " ").replace("，", " ").replace("、", " ").split() if t))


def check_numbers(text: str, choices: ActivityChoices, minimum: int) -> str | None:
    numbers = split_numbers(text)
    unknown = [n for n in numbers if n not in choices.officers]
    if unknown:
        return _("不是在职执法人员的工号：{numbers}").format(numbers=" ".join(unknown))
    if len(numbers) < minimum:
        return _("请至少填写 {n} 名执法人员的工号").format(n=minimum)
    return None


def names_of(text: str, choices: ActivityChoices) -> str:
    return _("、").join(f"{choices.officers[n]}（{n}）" for n in split_numbers(text) if n in choices.officers)


def check_local_time(text: str, choices: ActivityChoices, label_text: str, *, required: bool) -> str | None:
    if not text:
        return _("{label}不能为空").format(label=label_text) if required else None
    try:
        when = parse_local_datetime(text, choices.tz, label=label_text)
    except UserError as exc:
        return exc.render()
    if when > choices.now:
        return _("{label}不能晚于现在：{value}").format(label=label_text, value=fmt_local(when, choices.tz))
    return None


class ActivityFormScreen(FormScreen[ActivityForm | None]):
    title_text = _("登记执法活动")

    def __init__(
        self,
        choices: ActivityChoices,
        *,
        initial: ActivityForm | None = None,
        error: str | None = None,
        error_field: str | None = None,
    ) -> None:
        super().__init__(error=error, error_field=error_field)
        self.choices = choices
        self.initial = initial

    def fields(self) -> list[Field]:
        now = fmt_local(self.choices.now, self.choices.tz)
        d = self.initial or ActivityForm("inspection", "", now, "")
        kinds = [(label(ACTIVITY_KINDS, k), k) for k in ACTIVITY_KINDS]
        return [
            Field("kind", _("类型"), select(kinds, d.kind), required=True),
            Field("title", _("标题"), text_input(d.title, placeholder=_("例如 检查某农贸市场")), required=True),
            Field(
                "officers",
                _("执法人员"),
                text_input(d.officers, placeholder=_("工号，用空格分隔，例如 2001 2002")),
                required=True,
            ),
            Field("start", _("开始时间"), text_input(d.start, placeholder="YYYY-MM-DD HH:MM"), required=True),
            Field("end", _("结束时间"), text_input(d.end, placeholder=_("可留空，结束后补填"))),
            Field("case_no", _("案号"), text_input(d.case_no, placeholder=_("有案号即为案件"))),
            Field("case_name", _("案件名称"), text_input(d.case_name)),
            Field("party", _("当事人"), text_input(d.party, placeholder=_("个人或单位"))),
            Field("place", _("地点"), text_input(d.place)),
            Field("full_record", _("全程记录"), Tick(_("须全程音像记录"), d.full_record, compact=True)),
            Field("circumstances", _("情形"), CheckGroup(CIRCUMSTANCES, d.circumstances)),
            Field("confidential", _("涉密"), Tick(_("涉及国家秘密、商业秘密或个人隐私"), d.confidential, compact=True)),
            Field("long_term", _("长期保存"), CheckGroup(LONG_TERM_REASONS, d.long_term)),
        ]

    def on_mount(self) -> None:
        super().on_mount()
        self.show_names()

    def show_names(self) -> None:
        self._rows["officers"].set_hint(names_of(self.value("officers"), self.choices))

    def check(self, name: str) -> str | None:
        value = self.value(name)
        if name == "title":
            return required_text(value, _("标题"))
        if name == "officers":
            return check_numbers(value, self.choices, 1)
        if name == "start":
            return check_local_time(value, self.choices, _("开始时间"), required=True)
        if name == "end" and value:
            error = check_local_time(value, self.choices, _("结束时间"), required=False)
            if error is None and not self.check("start"):
                if parse_local_datetime(value, self.choices.tz) <= parse_local_datetime(
                    self.value("start"), self.choices.tz
                ):
                    return _("结束时间应晚于开始时间")
            return error
        return None

    def on_field_changed(self, name: str) -> None:
        if name == "officers":
            self.show_names()
        if name == "start":
            self.recheck("end")

    def result(self) -> ActivityForm:
        return ActivityForm(
            kind=self.value("kind"),
            title=self.value("title"),
            start=self.value("start"),
            officers=self.value("officers"),
            end=self.value("end"),
            case_no=self.value("case_no"),
            case_name=self.value("case_name"),
            party=self.value("party"),
            place=self.value("place"),
            full_record=self.value("full_record"),
            circumstances=self.value("circumstances"),
            confidential=self.value("confidential"),
            long_term=self.value("long_term"),
        )


class CloseFormScreen(FormScreen[str | None]):
    """结案: the date retention counts from."""

    PARAM_FIELDS = {"at": "date"}  # ActivityService.close(activity_id, *, at)

    def __init__(
        self, title: str, today: dt.date, *, initial: str = "", error: str | None = None, error_field: str | None = None
    ) -> None:
        super().__init__(error=error, error_field=error_field)
        self.today = today
        self.initial = initial or today.isoformat()
        self.title_text = _("结案：{title}").format(title=title)

    def fields(self) -> list[Field]:
        return [Field("date", _("结案日期"), text_input(self.initial, placeholder="YYYY-MM-DD"), required=True)]

    def check(self, name: str) -> str | None:
        try:
            date = parse_date(self.value(name), label=_("结案日期"))
        except UserError as exc:
            return exc.render()
        if date > self.today:
            return _("{label}不能晚于现在：{value}").format(label=_("结案日期"), value=date.isoformat())
        return None

    def result(self) -> str:
        return self.value("date")


class NoRecordFormScreen(FormScreen[NoRecordForm | None]):
    """无法记录工作记录: why it could not be recorded, signed by the officers, reported to the leader."""

    def __init__(
        self,
        title: str,
        choices: ActivityChoices,
        *,
        initial: NoRecordForm | None = None,
        error: str | None = None,
        error_field: str | None = None,
    ) -> None:
        super().__init__(error=error, error_field=error_field)
        self.choices = choices
        self.initial = initial
        self.title_text = _("无法记录工作记录：{title}").format(title=title)

    def fields(self) -> list[Field]:
        d = self.initial or NoRecordForm("", "", "", "")
        reasons = [(label(NORECORD_REASONS, r), r) for r in self.choices.reasons]
        return [
            Field("reason", _("原因"), select(reasons, d.reason or None, allow_blank=True), required=True),
            Field(
                "basis", _("情况说明"), text_input(d.basis, placeholder=_("何时、何地、为何无法记录")), required=True
            ),
            Field(
                "signers",
                _("签字执法人员"),
                text_input(
                    d.signers, placeholder=_("至少 {n} 人的工号，用空格分隔").format(n=self.choices.min_signers)
                ),
                required=True,
            ),
            Field(
                "reported_to",
                _("报告负责人"),
                select(list(self.choices.leaders), d.reported_to or None, allow_blank=True),
                required=True,
            ),
            Field("at", _("时间"), text_input(d.at, placeholder=_("留空为现在；补录填 YYYY-MM-DD HH:MM"))),
        ]

    def on_mount(self) -> None:
        super().on_mount()
        self.show_names()

    def show_names(self) -> None:
        self._rows["signers"].set_hint(names_of(self.value("signers"), self.choices))

    def on_field_changed(self, name: str) -> None:
        if name == "signers":
            self.show_names()

    def check(self, name: str) -> str | None:
        value = self.value(name)
        if name == "reason" and not value:
            return _("请选择原因")
        if name == "basis":
            return required_text(value, _("情况说明"))
        if name == "signers":
            return check_numbers(value, self.choices, self.choices.min_signers)
        if name == "reported_to" and not value:
            return _("请选择报告的负责人")
        if name == "at":
            return check_local_time(value, self.choices, _("时间"), required=False)
        return None

    def result(self) -> NoRecordForm:
        return NoRecordForm(
            self.value("reason"),
            self.value("basis"),
            self.value("signers"),
            self.value("reported_to"),
            self.value("at"),
        )


@dataclass(frozen=True)
class GapForm:
    reason: str
    note: str = ""
    reported: bool = False


class GapFormScreen(FormScreen[GapForm | None]):
    """中断说明: why the recording stopped, and whether a written report was made."""

    def __init__(
        self,
        title: str,
        reasons: list[str],
        *,
        initial: GapForm | None = None,
        error: str | None = None,
        error_field: str | None = None,
    ) -> None:
        super().__init__(error=error, error_field=error_field)
        self.reasons = reasons
        self.initial = initial
        self.title_text = title

    def fields(self) -> list[Field]:
        d = self.initial or GapForm("")
        options = [(label(GAP_REASONS, r), r) for r in self.reasons]
        return [
            Field("reason", _("中断原因"), select(options, d.reason or None, allow_blank=True), required=True),
            Field("note", _("补充说明"), text_input(d.note)),
            Field("reported", _("书面报告"), Tick(_("已作书面报告"), d.reported, compact=True)),
        ]

    def check(self, name: str) -> str | None:
        if name == "reason" and not self.value(name):
            return _("请选择原因")
        return None

    def result(self) -> GapForm:
        return GapForm(self.value("reason"), self.value("note"), self.value("reported"))
