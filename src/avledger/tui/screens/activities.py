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

from avledger.i18n import A_, _
from avledger.services.activities import ActivityQuery, ActivityView, activity_name
from avledger.services.printing import Filters
from avledger.timeutil import fmt_local
from avledger.tui.actions.activities import ActivityActions
from avledger.tui.screens.activity_detail import ActivityDetailScreen
from avledger.tui.screens.base import FilteredRegisterScreen
from avledger.tui.text import attention
from avledger.tui.widgets import Listing, RegisterTable
from avledger.vocab import ACTIVITY_KINDS, CASE_STATUSES, label


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
    FREE_COLUMNS = ("name", "party", "officers", "case_no", "kind")  # (a kind's English words are long)
    KEEP_COLUMNS = ("id", "start", "attention")
    COLUMN_MINIMUM = {"kind": 7, "name": 8}
    BINDINGS = [
        Binding("a", "add", _("登记"), tooltip=_("登记执法活动或案件")),
        Binding("e", "edit", _("修改"), tooltip=_("修改所选执法活动（须说明修改原因）")),
        Binding("c", "close_case", A_("结案"), tooltip=_("登记所选案件结案（保存期限自结案起算）")),
        Binding("n", "norecord", A_("无法记录"), tooltip=_("登记所选活动的无法记录工作记录")),
        Binding("slash", "focus_filter", _("筛选"), key_display="/"),
    ]

    EMPTY = _("还没有执法活动。按 a 登记。")
    NO_MATCH = _("没有符合筛选条件的执法活动。")
    missing = 0  # activities that must be recorded in full and have no record at all

    def compose_body(self) -> ComposeResult:
        yield from self.compose_filter_bar()
        yield Static("", id="empty", classes="empty")

    def listing(self) -> Listing:
        activities = self.services.activities
        query = ActivityQuery(text=self.filter_text)
        return Listing(
            lambda after, n: activities.page(query, after, n),
            lambda: activities.count(query),
            lambda a: str(a.id),
            self.cells,
            quick=lambda after, n: activities.page(query, after, n, quick=True),
        )

    def cells(self, a: ActivityView) -> tuple:
        status = Text(label(CASE_STATUSES, a.status), style="dim" if a.status == "closed" else "")
        return (
            str(a.id),
            fmt_local(a.start_at, self.tz),
            label(ACTIVITY_KINDS, a.kind),
            a.case_name or a.title,
            str(a.clips),
            attention(a),
            a.party or "—",
            status,
            a.case_no or "—",
            _("、").join(a.officer_names),
        )

    def reload(self) -> None:
        self.missing = self.services.activities.count_missing_records()
        super().reload()

    def count_text(self) -> str:
        missing = self.missing
        return super().count_text() + (_("，缺音像记录 {n} 项").format(n=missing) if missing else "")

    def current(self) -> ActivityView | None:
        return self.table.current_row

    def action_add(self) -> None:
        self.open_activity_form()

    def action_edit(self) -> None:
        activity = self.current()
        if activity is not None:
            self.open_edit_form(activity)

    def action_close_case(self) -> None:
        activity = self.current()
        if activity is not None and activity.status == "open":
            self.open_close_form(activity)

    def action_norecord(self) -> None:
        activity = self.current()
        if activity is not None:
            self.open_norecord_form(activity)

    def activities_changed(self, activity_id: int) -> None:
        self.query_one("#filter", Input).value = ""
        self.missing = self.services.activities.count_missing_records()
        self.show_rows(keep=str(activity_id))
        self.table.focus()

    def check_action(self, action: str, parameters) -> bool | None:
        if action in ("close_case", "norecord", "edit") and self.is_mounted:
            activity = self.current()
            if activity is None or (action == "close_case" and activity.status != "open"):
                return None
        return super().check_action(action, parameters)

    @on(RegisterTable.RowSelected)
    def _open(self) -> None:
        activity = self.current()
        if activity is not None:
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
            yield SystemCommand(_("修改执法活动"), activity_name(activity), self.action_edit)
        yield SystemCommand(_("筛选执法活动"), _("在执法活动列表中筛选"), self.action_focus_filter)
