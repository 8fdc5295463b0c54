"""An enforcement activity's page: its fields, its footage, its interruptions and its work records."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.widgets import Static, TabbedContent, TabPane

from avledger.errors import UserError
from avledger.i18n import A_, _
from avledger.present import duration_text, or_dash
from avledger.services.activities import ActivityView, activity_name
from avledger.services.footage import FootageQuery
from avledger.services.printing import Filters
from avledger.timeutil import fmt_local
from avledger.tui.actions.activities import ActivityActions
from avledger.tui.actions.holds import HoldActions
from avledger.tui.forms.activity import GapForm, GapFormScreen
from avledger.tui.screens.base import SubScreen
from avledger.tui.screens.disposal import retention_pairs
from avledger.tui.text import attention, pairs_table
from avledger.tui.widgets import Listing, PagedTable, RegisterTable
from avledger.vocab import (
    ACTIVITY_KINDS,
    CASE_STATUSES,
    CIRCUMSTANCES,
    CLIP_KINDS,
    GAP_REASONS,
    LONG_TERM_REASONS,
    NORECORD_REASONS,
    label,
    labels,
)


def activity_pairs(a: ActivityView, tz) -> list[tuple[str, str | Text]]:
    officers = _("、").join(f"{name}（{number}）" for name, number in zip(a.officer_names, a.officers))
    return [
        (_("编号"), str(a.id)),
        (_("类型"), label(ACTIVITY_KINDS, a.kind)),
        (_("标题"), a.title),
        (_("案号"), a.case_no or "—"),
        (_("案件名称"), a.case_name or "—"),
        (_("状态"), label(CASE_STATUSES, a.status) + (f" {a.closed_at.isoformat()}" if a.closed_at else "")),
        (_("当事人"), a.party or "—"),
        (_("地点"), a.place or "—"),
        (_("执法人员"), officers),
        (_("开始时间"), fmt_local(a.start_at, tz)),
        (_("结束时间"), fmt_local(a.end_at, tz) or "—"),
        (
            _("全程记录"),
            (_("须全程记录") if a.full_record else _("否"))
            + (f"（{labels(CIRCUMSTANCES, a.circumstances)}）" if a.circumstances else ""),
        ),
        (_("涉密"), _("是") if a.confidential else _("否")),
        (_("长期保存"), labels(LONG_TERM_REASONS, a.long_term) or _("否")),
    ]


def clip_cells(c, tz) -> tuple:
    flags = Text()
    if c.late:
        flags.append(_("逾期采集"), style="bold red" if not c.late_reason else "yellow")
    if "corrupt" in c.flags:
        flags.append((" " if flags else "") + _("文件损坏"), style="bold red")
    return (
        str(c.id),
        c.original_name,
        label(CLIP_KINDS, c.kind),
        c.asset_no or "—",
        f"{c.holder}（{c.holder_number}）" if c.holder else "—",
        fmt_local(c.start_at, tz) or "—",
        or_dash(duration_text(c.duration_s)),
        fmt_local(c.ingested_at, tz),
        flags,
    )


class ActivityDetailScreen(HoldActions, ActivityActions, SubScreen):
    SECTION = "activities"
    BINDINGS = [
        Binding("e", "edit", _("修改"), tooltip=_("修改执法活动（须说明修改原因）")),
        Binding("c", "close_case", A_("结案"), tooltip=_("登记结案（保存期限自结案起算）")),
        Binding("n", "norecord", A_("无法记录"), tooltip=_("登记无法记录工作记录")),
        Binding("g", "explain_gap", A_("中断说明"), tooltip=_("说明所选中断的原因")),
        Binding("k", "tick_item", A_("勾选事项"), tooltip=_("勾选事项清单中所选的一项：音像记录已反映")),
        Binding("h", "hold", A_("冻结"), tooltip=_("设置保存冻结；在冻结页选中一项则解除它")),
        Binding("f", "case_file", A_("案卷期限"), tooltip=_("登记案卷保管期限（作为证据的音像资料随案卷保存）")),
    ]

    def __init__(self, services, activity_id: int) -> None:
        super().__init__(services)
        self.activity_id = activity_id
        self.activity: ActivityView | None = None
        self.gaps = []
        self.checklist = []
        self.holds = []

    def compose_body(self) -> ComposeResult:
        yield Static("", id="title", classes="title")
        yield Static("", id="fields")
        with TabbedContent(id="tabs"):
            with TabPane(_("音像资料"), id="tab-clips"):
                yield Static("", id="clips-count", classes="subtitle")
                yield PagedTable(id="clips")
            with TabPane(_("记录中断"), id="tab-gaps"):
                yield RegisterTable(id="gaps")
            with TabPane(_("无法记录工作记录"), id="tab-norecords"):
                yield RegisterTable(id="norecords")
            with TabPane(_("事项清单"), id="tab-checklist"):
                yield Static("", id="checklist-missing", classes="subtitle")
                yield RegisterTable(id="checklist")
            with TabPane(_("保存冻结"), id="tab-holds"):
                yield RegisterTable(id="holds")

    def on_mount(self) -> None:
        for table_id, columns in (
            (
                "clips",
                (
                    _("编号"),
                    _("文件名"),
                    _("类型"),
                    _("设备"),
                    _("执法人员"),
                    _("开始"),
                    _("时长"),
                    _("入库"),
                    _("提醒"),
                ),
            ),
            ("gaps", (_("编号"), _("设备"), _("中断开始"), _("恢复"), _("分钟"), _("原因"), _("书面报告"))),
            ("norecords", (_("时间"), _("原因"), _("情况说明"), _("签字"), _("报告负责人"))),
            ("checklist", (_("勾选"), _("记录内容"), _("依据"), _("勾选人"), _("时间"), _("备注"), _("事项"))),
            ("holds", (_("编号"), _("范围"), _("原因"), _("设置人"), _("设置时间"), _("解除"))),
        ):
            table = self.query_one(f"#{table_id}", RegisterTable)
            for title in columns:
                table.add_column(title)

    def on_resize(self) -> None:
        self.show_fields()

    def reload(self) -> None:
        tz = self.tz
        if self.activity is None:  # opened: a confidential activity's opening is logged, or refused
            try:
                self.activity = self.services.activities.open(self.activity_id)
            except UserError as exc:
                self.app.notify(exc.render(), severity="error")
                self.app.pop_screen()
                return
        else:
            self.activity = self.services.activities.view(self.activity_id)
        self.show_fields()
        footage = self.services.footage
        query = FootageQuery(activity=self.activity_id)
        self.query_one("#clips", PagedTable).show(
            Listing(
                lambda after, n: footage.page(query, after, n),
                lambda: footage.count(query),
                lambda c: str(c.id),
                lambda c: clip_cells(c, tz),
            )
        )
        self.gaps = self.services.gaps.list(activity=self.activity_id)
        gaps = self.query_one("#gaps", RegisterTable)
        gaps.clear()
        for g in self.gaps:
            reason = Text(label(GAP_REASONS, g.reason)) if g.reason else Text(_("待说明"), style="bold yellow")
            gaps.add_row(
                str(g.id),
                g.asset_no,
                fmt_local(g.start_at, tz),
                fmt_local(g.end_at, tz),
                str(g.minutes),
                reason,
                _("是") if g.reported else "—",
                key=str(g.id),
            )
        names = {s.number: s.name for s in self.services.staff.list()}
        records = self.query_one("#norecords", RegisterTable)
        records.clear()
        for r in self.services.norecords.list(activity=self.activity_id):
            records.add_row(
                fmt_local(r.at, tz),
                label(NORECORD_REASONS, r.reason),
                r.basis,
                _("、").join(names.get(n, n) for n in r.signers),
                names.get(r.reported_to, r.reported_to),
                key=str(r.id),
            )
        self.show_checklist()
        self.show_holds()
        self.refresh_bindings()

    def show_holds(self) -> None:
        """The manual holds on the activity or its case, released ones too (with who and why)."""
        tz = self.tz
        self.holds = self.services.retention.holds(open_only=False, activity=self.activity_id)
        table = self.query_one("#holds", RegisterTable)
        table.clear()
        for h in self.holds:
            released = (
                Text(f"{fmt_local(h.released_at, tz)} {h.released_by}：{h.release_reason}", style="dim")
                if h.released_at
                else Text(_("冻结中"), style="bold yellow")
            )
            table.add_row(
                str(h.id),
                _("案件 {no}").format(no=h.case_no) if h.case_no else _("本执法活动"),
                h.reason,
                h.set_by,
                fmt_local(h.set_at, tz),
                released,
                key=str(h.id),
            )

    def selected_hold(self):
        """The open hold under the cursor of the holds tab (None on another tab)."""
        if self.query_one("#tabs", TabbedContent).active != "tab-holds":
            return None
        key = self.query_one("#holds", RegisterTable).current_key
        return next((h for h in self.holds if str(h.id) == key and h.released_at is None), None)

    def show_checklist(self) -> None:
        """The record checklist of the activity's kind: each item ticked or missing (F20)."""
        tz = self.tz
        self.checklist = self.services.checklist.entries(self.activity_id)
        table = self.query_one("#checklist", RegisterTable)
        table.clear()
        for e in self.checklist:
            table.add_row(
                Text(_("已记录"), style="green") if e.ticked else Text(_("缺"), style="bold yellow"),
                e.item.content,
                e.item.article or "—",
                e.ticked_by or "—",
                fmt_local(e.ticked_at, tz) if e.ticked_at else "—",
                e.note or "—",
                e.item.key,
                key=e.item.key,
            )
        missing = [e for e in self.checklist if not e.ticked]
        self.query_one("#checklist-missing", Static).update(
            Text(
                _("缺 {n} 项：{items}").format(n=len(missing), items=_("、").join(e.item.content for e in missing)),
                "yellow",
            )
            if missing
            else Text(_("各事项均已记录") if self.checklist else _("办公室配置未列出这类执法活动的事项"), "green")
        )
        self.show_fields()

    def show_fields(self) -> None:
        if self.activity is None:
            return
        a = self.activity
        missing = sum(1 for e in self.checklist if not e.ticked)
        self.query_one("#title", Static).update(
            Text.assemble(
                (_("执法活动"), "bold"),
                " ",
                (activity_name(a), "bold"),
                "  ",
                attention(a),
                ("  " + _("事项缺 {n}").format(n=missing), "yellow") if missing else "",
            )
        )
        columns = 2 if self.size.width >= 70 else 1
        kept = retention_pairs(self.services.retention.show(activity=a.id))  # keep-until and holds (F11)
        self.query_one("#fields", Static).update(pairs_table(activity_pairs(a, self.tz) + kept, columns))

    @on(PagedTable.Paged, "#clips")
    def _clips_paged(self, event: PagedTable.Paged) -> None:
        self.query_one("#clips-count", Static).update(event.table.summary())

    def selected_gap(self):
        table = self.query_one("#gaps", RegisterTable)
        key = table.current_key
        return next((g for g in self.gaps if str(g.id) == key), None)

    def check_action(self, action: str, parameters) -> bool | None:
        if self.activity is None:
            return True
        if action == "close_case":
            return self.activity.status == "open"
        if action == "explain_gap":
            return bool(self.gaps)
        if action == "tick_item":
            return any(not e.ticked for e in self.checklist)
        if action == "case_file":
            return bool(self.activity.case_no)
        return super().check_action(action, parameters)

    def action_edit(self) -> None:
        if self.activity is not None:
            self.open_edit_form(self.activity)

    def action_close_case(self) -> None:
        if self.activity is not None:
            self.open_close_form(self.activity)

    def action_norecord(self) -> None:
        if self.activity is not None:
            self.open_norecord_form(self.activity)

    def action_explain_gap(
        self, initial: GapForm | None = None, error: str | None = None, field: str | None = None
    ) -> None:
        gap = self.selected_gap() or next((g for g in self.gaps if g.reason is None), None)
        if gap is None:
            return
        reasons = list(self.services.office.profile().get("ingest.gap_reasons"))
        title = _("中断说明：{asset} {start} 起 {minutes} 分钟").format(
            asset=gap.asset_no, start=fmt_local(gap.start_at, self.tz), minutes=gap.minutes
        )
        if initial is None and gap.reason:
            initial = GapForm(gap.reason, gap.note, gap.reported)

        def done(form: GapForm | None) -> None:
            if form is None:
                return
            try:
                self.services.gaps.explain(gap.id, form.reason, note=form.note, reported=form.reported)
            except UserError as exc:
                self.action_explain_gap(form, exc.render(), exc.field)
                return
            self.app.notify(_("已登记中断说明"))
            self.reload()

        self.app.push_screen(GapFormScreen(title, reasons, initial=initial, error=error, error_field=field), done)

    def action_tick_item(self) -> None:
        """Tick the checklist item under the cursor (or the first missing one, from another tab)."""
        table = self.query_one("#checklist", RegisterTable)
        tabs = self.query_one("#tabs", TabbedContent)
        key = table.current_key if tabs.active == "tab-checklist" else None
        entry = next((e for e in self.checklist if e.item.key == key), None)
        if entry is None or entry.ticked:
            entry = next((e for e in self.checklist if not e.ticked), None)
        if entry is None:
            return
        try:
            self.services.checklist.tick(self.activity_id, entry.item.key)
        except UserError as exc:
            self.app.notify(exc.render(), severity="error")
            return
        self.app.notify(_("已勾选：{item} {content}").format(item=entry.item.key, content=entry.item.content))
        tabs.active = "tab-checklist"
        self.show_checklist()
        self.refresh_bindings()

    def activities_changed(self, activity_id: int) -> None:
        self.reload()

    @on(RegisterTable.RowSelected, "#checklist")
    def _item_selected(self) -> None:
        self.action_tick_item()

    @on(RegisterTable.RowSelected, "#gaps")
    def _gap_selected(self) -> None:
        self.action_explain_gap()

    def print_targets(self):
        scope = Filters(activity=str(self.activity_id))
        return [
            ("explanation", scope),
            ("footage", scope),
            ("interruptions", scope),
            ("norecords", scope),
            ("checklist", scope),
            ("activities", scope),
        ]

    def palette_commands(self) -> Iterable[SystemCommand]:
        if self.activity is not None and self.activity.status == "open":
            yield SystemCommand(_("结案"), _("登记结案（保存期限自结案起算）"), self.action_close_case)
        yield SystemCommand(_("无法记录工作记录"), _("登记无法记录工作记录"), self.action_norecord)
        if any(not e.ticked for e in self.checklist):
            yield SystemCommand(_("勾选事项"), _("勾选事项清单中所选的一项：音像记录已反映"), self.action_tick_item)
        yield SystemCommand(_("修改执法活动"), _("修改执法活动（须说明修改原因）"), self.action_edit)
        yield SystemCommand(_("设置保存冻结"), _("设置保存冻结；在冻结页选中一项则解除它"), self.action_hold)
        if self.activity is not None and self.activity.case_no:
            yield SystemCommand(
                _("案卷保管期限"), _("登记案卷保管期限（作为证据的音像资料随案卷保存）"), self.action_case_file
            )
        if self.gaps:
            yield SystemCommand(_("中断说明"), _("说明所选中断的原因"), self.action_explain_gap)
        yield SystemCommand(_("返回执法活动"), _("回到执法活动列表"), self.action_back)
