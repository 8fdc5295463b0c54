"""执法活动: enforcement activities and cases (F06), their records and what is missing.

The list shows each activity with what the rules ask of it: a full record
that has neither footage nor a not-recorded work record, interruptions
waiting for their reason, long-term keeping (to disc). ``a`` registers an
activity, ``c`` closes a case, ``n`` records why an activity could not be
recorded; Enter opens the activity's page.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.widgets import Input, Static

from avledger.errors import UserError
from avledger.i18n import A_, _
from avledger.services.activities import ActivityView, activity_name
from avledger.services.printing import Filters
from avledger.timeutil import fmt_local, local_today
from avledger.tui.filtering import matches
from avledger.tui.screens.activity_forms import (
    ActivityChoices,
    ActivityForm,
    ActivityFormScreen,
    CloseFormScreen,
    NoRecordForm,
    NoRecordFormScreen,
    error_field,
)
from avledger.tui.screens.base import FilteredRegisterScreen
from avledger.tui.widgets import RegisterTable
from avledger.vocab import ACTIVITY_KINDS, CASE_STATUSES, LONG_TERM_REASONS, ROLES, label, labels


def attention(a: ActivityView) -> Text:
    """What the rules still ask of this activity."""
    parts: list[tuple[str, str]] = []
    if a.missing_record:
        parts.append((_("缺音像记录"), "bold red"))
    if a.open_gaps:
        parts.append((_("中断待说明 {n}").format(n=a.open_gaps), "yellow"))
    if a.long_term:
        parts.append((_("长期保存"), "cyan"))
    if a.confidential:
        parts.append((_("涉密"), "magenta"))
    text = Text()
    for i, (words, style) in enumerate(parts):
        if i:
            text.append(" ")
        text.append(words, style=style)
    return text


class ActivityActions:
    """Registering activities, closing cases and not-recorded work records (the list and an activity's page)."""

    def activity_choices(self) -> ActivityChoices:
        services = self.services  # type: ignore[attr-defined]
        profile = services.office.profile()
        staff = services.staff.list(include_left=False)
        role = profile.get("norecord.report_role")
        leaders = [(f"{s.number} {s.name}  {s.department}", s.number) for s in staff if role in s.roles]
        return ActivityChoices(
            tz=profile.tz,
            now=services.ctx.clock(),
            officers={s.number: s.name for s in staff if s.is_enforcement},
            leaders=leaders,
            reasons=tuple(profile.get("norecord.reasons")),
            min_signers=profile.get("norecord.min_signers"),
        )

    def open_activity_form(
        self, initial: ActivityForm | None = None, error: str | None = None, field: str | None = None
    ) -> None:
        app = self.app  # type: ignore[attr-defined]

        def done(form: ActivityForm | None) -> None:
            if form is None:
                return
            try:
                view = self.services.activities.add(  # type: ignore[attr-defined]
                    form.kind,
                    form.title,
                    form.start,
                    end=form.end or None,
                    officers=form.officer_numbers,
                    case_no=form.case_no,
                    case_name=form.case_name,
                    party=form.party,
                    place=form.place,
                    full_record=form.full_record,
                    circumstances=form.circumstances,
                    confidential=form.confidential,
                    long_term=form.long_term,
                )
            except UserError as exc:
                self.open_activity_form(form, exc.render(), error_field(exc))
                return
            app.notify(_("已登记执法活动 {id}：{title}").format(id=view.id, title=view.title))
            self.activities_changed(view.id)

        app.push_screen(
            ActivityFormScreen(self.activity_choices(), initial=initial, error=error, error_field=field), done
        )

    def open_close_form(self, activity: ActivityView, initial: str = "", error: str | None = None) -> None:
        app = self.app  # type: ignore[attr-defined]
        services = self.services  # type: ignore[attr-defined]
        today = local_today(services.ctx.clock(), services.office.profile().tz)

        def done(date: str | None) -> None:
            if date is None:
                return
            try:
                services.activities.close(activity.id, at=date)
            except UserError as exc:
                self.open_close_form(activity, date, exc.render())
                return
            app.notify(_("已结案：{name}").format(name=activity_name(activity)))
            self.activities_changed(activity.id)

        app.push_screen(
            CloseFormScreen(
                activity_name(activity), today, initial=initial, error=error, error_field="date" if error else None
            ),
            done,
        )

    def open_norecord_form(
        self,
        activity: ActivityView,
        initial: NoRecordForm | None = None,
        error: str | None = None,
        field: str | None = None,
    ) -> None:
        app = self.app  # type: ignore[attr-defined]
        services = self.services  # type: ignore[attr-defined]
        choices = self.activity_choices()
        if not choices.leaders:
            role = services.office.profile().get("norecord.report_role")
            app.notify(
                _("还没有在职的{role}接收工作记录报告：请先在“人员”中设定角色").format(role=label(ROLES, role)),
                severity="error",
            )
            return
        if initial is None:
            initial = NoRecordForm("", "", " ".join(activity.officers), "")

        def done(form: NoRecordForm | None) -> None:
            if form is None:
                return
            from avledger.tui.screens.activity_forms import split_numbers

            try:
                services.norecords.add(
                    activity.id,
                    form.reason,
                    form.basis,
                    split_numbers(form.signers),
                    form.reported_to,
                    at=form.at or None,
                )
            except UserError as exc:
                self.open_norecord_form(activity, form, exc.render(), error_field(exc))
                return
            app.notify(_("已登记无法记录工作记录：{name}").format(name=activity_name(activity)))
            self.activities_changed(activity.id)

        app.push_screen(
            NoRecordFormScreen(activity_name(activity), choices, initial=initial, error=error, error_field=field), done
        )

    def activities_changed(self, activity_id: int) -> None:
        """Hook: an activity was registered or changed."""


class ActivitiesScreen(ActivityActions, FilteredRegisterScreen):
    SECTION = "activities"
    FILTER_HINT = _("筛选：标题、案号、案件名称、当事人、地点、执法人员、类型")
    TABLE_ID = "activities"
    # What needs attention first; the case number and the officers further right.
    COLUMNS = (
        ("id", _("编号")),
        ("start", _("开始")),
        ("kind", _("类型")),
        ("name", _("标题/案件")),
        ("clips", _("资料")),
        ("attention", _("提醒")),
        ("party", _("当事人")),
        ("status", _("状态")),
        ("case_no", _("案号")),
        ("officers", _("执法人员")),
    )
    BINDINGS = [
        Binding("a", "add", _("登记"), tooltip=_("登记执法活动或案件")),
        Binding("c", "close_case", A_("结案"), tooltip=_("登记所选案件结案（保存期限自结案起算）")),
        Binding("n", "norecord", A_("无法记录"), tooltip=_("登记所选活动的无法记录工作记录")),
        Binding("slash", "focus_filter", _("筛选"), key_display="/"),
    ]

    def __init__(self, services) -> None:
        super().__init__(services)
        self.rows: list[ActivityView] = []
        self._select_after_load: str | None = None

    def compose_body(self) -> ComposeResult:
        yield from self.compose_filter_bar()
        yield Static("", id="empty", classes="empty")

    def reload(self) -> None:
        self.rows = self.services.activities.list()
        self.show_rows()

    @staticmethod
    def haystack(a: ActivityView) -> list[str]:
        return [
            str(a.id),
            a.title,
            a.case_no,
            a.case_name,
            a.party,
            a.place,
            " ".join(a.officer_names),
            " ".join(a.officers),
            label(ACTIVITY_KINDS, a.kind),
            label(CASE_STATUSES, a.status),
            labels(LONG_TERM_REASONS, a.long_term),
            str(attention(a)),
        ]

    def show_rows(self) -> None:
        tz = self.tz
        table = self.query_one(RegisterTable)
        keep = self._select_after_load or table.current_key
        self._select_after_load = None
        query = self.query_one("#filter", Input).value
        shown = [a for a in self.rows if matches(query, self.haystack(a))]
        table.clear()
        for a in shown:
            status = Text(label(CASE_STATUSES, a.status), style="dim" if a.status == "closed" else "")
            table.add_row(
                str(a.id),
                fmt_local(a.start_at, tz),
                label(ACTIVITY_KINDS, a.kind),
                a.case_name or a.title,
                str(a.clips),
                attention(a),
                a.party or "—",
                status,
                a.case_no or "—",
                _("、").join(a.officer_names),
                key=str(a.id),
            )
        table.select_key(keep)
        missing = sum(1 for a in self.rows if a.missing_record)
        self.query_one("#count", Static).update(
            _("显示 {shown} / 共 {total} 项").format(shown=len(shown), total=len(self.rows))
            + (_("，缺音像记录 {n} 项").format(n=missing) if missing else "")
        )
        empty = self.query_one("#empty", Static)
        empty.update(_("还没有执法活动。按 a 登记。") if not self.rows else _("没有符合筛选条件的执法活动。"))
        empty.display = not shown
        table.styles.height = "auto" if not shown else "1fr"
        self.refresh_bindings()

    def current(self) -> ActivityView | None:
        key = self.query_one(RegisterTable).current_key
        return next((a for a in self.rows if str(a.id) == key), None)

    def action_add(self) -> None:
        self.open_activity_form()

    def action_close_case(self) -> None:
        activity = self.current()
        if activity is not None and activity.status == "open":
            self.open_close_form(activity)

    def action_norecord(self) -> None:
        activity = self.current()
        if activity is not None:
            self.open_norecord_form(activity)

    def activities_changed(self, activity_id: int) -> None:
        self._select_after_load = str(activity_id)
        self.query_one("#filter", Input).value = ""
        self.reload()
        self.query_one(RegisterTable).focus()

    def check_action(self, action: str, parameters) -> bool | None:
        if action in ("close_case", "norecord") and self.is_mounted:
            activity = self.current()
            if activity is None or (action == "close_case" and activity.status != "open"):
                return None
        return super().check_action(action, parameters)

    @on(RegisterTable.RowSelected)
    def _open(self) -> None:
        activity = self.current()
        if activity is not None:
            from avledger.tui.screens.activity_detail import ActivityDetailScreen

            self.app.push_screen(ActivityDetailScreen(self.services, activity.id))

    def print_targets(self):
        return [
            ("activities", Filters()),
            ("footage", Filters()),
            ("interruptions", Filters()),
            ("norecords", Filters()),
        ]

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand(_("登记执法活动"), _("登记执法活动或案件"), self.action_add)
        activity = self.current()
        if activity is not None:
            if activity.status == "open":
                yield SystemCommand(_("结案"), activity_name(activity), self.action_close_case)
            yield SystemCommand(_("无法记录工作记录"), activity_name(activity), self.action_norecord)
        yield SystemCommand(_("筛选执法活动"), _("在执法活动列表中筛选"), self.action_focus_filter)
