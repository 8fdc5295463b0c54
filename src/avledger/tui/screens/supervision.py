"""Supervision (F18, F19): spot checks (draw, the drawn activities, findings per item, close) and the register
of violations (record, decide), reached from the staff section and the command palette."""

from __future__ import annotations

from collections.abc import Iterable

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.widgets import Static

from avledger.errors import UserError
from avledger.i18n import _
from avledger.services.printing import Filters
from avledger.timeutil import fmt_local, local_today
from avledger.tui.forms.supervision import (
    DrawForm,
    DrawFormScreen,
    FindingsForm,
    FindingsFormScreen,
    ViolationForm,
)
from avledger.tui.screens.base import InfoDialog, SubScreen
from avledger.tui.screens.violations import ViolationsScreen, open_violation_form
from avledger.tui.widgets import RegisterTable
from avledger.vocab import SPOTCHECK_STATUSES, label

MARKS = {"ok": "✓", "fail": "✗"}


class SupervisionScreen(SubScreen):
    """监督抽查: the checks (newest first) and, below, the activities drawn in the one under the cursor."""

    SECTION = "staff"
    BINDINGS = [
        Binding("d", "draw", _("抽取"), tooltip=_("抽取抽查样本（登记随机种子，可复现）")),
        Binding("r", "record", _("登记结果"), tooltip=_("逐项登记所选执法活动的抽查结果和评分")),
        Binding("c", "close_check", _("结束"), tooltip=_("结束所选的监督抽查")),
        Binding("f", "file", _("追究"), tooltip=_("把所选执法活动的不符合项登记为过错责任")),
        Binding(
            "o", "view_footage", _("查阅"), tooltip=_("查阅所选执法活动的音像资料（监督抽查申请，经批准后查阅并登记）")
        ),
        Binding("v", "violations", _("过错责任"), tooltip=_("过错责任追究登记")),
    ]

    def __init__(self, services) -> None:
        super().__init__(services)
        self.check_id: str | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(_("监督抽查"), classes="title", id="checks-title")
        yield RegisterTable(id="checks")
        yield Static(_("抽取的执法活动"), classes="title", id="drawn-title")
        yield RegisterTable(id="drawn")

    def on_mount(self) -> None:
        checks = self.query_one("#checks", RegisterTable)
        for key, title in (
            ("id", _("编号")),
            ("period", _("期间")),
            ("drawn", _("抽取")),
            ("checked", _("已检查")),
            ("failed", _("不符合")),
            ("score", _("平均分")),
            ("status", _("状态")),
        ):
            checks.add_column(title, key=key)
        checks.fit_columns(keep={"id", "period"})
        checks.styles.max_height = 7
        checks.focus()

    def _drawn_columns(self, items: tuple[str, ...]) -> None:
        drawn = self.query_one("#drawn", RegisterTable)
        drawn.clear(columns=True)
        drawn.add_column(_("执法活动"), key="activity")
        drawn.add_column(_("标题"), key="title")
        for n, key in enumerate(items, start=1):
            drawn.add_column(f"{n}", key=f"item_{key}")
        drawn.add_column(_("评分"), key="score")
        drawn.add_column(_("执法人员"), key="officers")
        drawn.fit_columns(free={"title", "officers"}, keep={"activity", "score"})

    def reload(self) -> None:
        checks = self.query_one("#checks", RegisterTable)
        keep = checks.current_key or self.check_id
        checks.clear()
        views = self.services.spotchecks.list()
        for v in views:
            checks.add_row(
                str(v.id),
                f"{v.period_from.isoformat()}～{v.period_to.isoformat()}",
                f"{len(v.drawn)}/{v.population}",
                str(v.checked),
                str(v.failures),
                "" if v.mean_score is None else f"{v.mean_score:g}",
                label(SPOTCHECK_STATUSES, v.status),
                key=str(v.id),
            )
        if keep and any(str(v.id) == keep for v in views):
            checks.move_cursor(row=checks.get_row_index(keep))
        self.query_one("#checks-title", Static).update(
            _("监督抽查  {n} 次").format(n=len(views)) if views else _("还没有监督抽查。按 d 抽取样本。")
        )
        self.show_drawn(checks.current_key)

    def show_drawn(self, check_id: str | None) -> None:
        self.check_id = check_id
        drawn = self.query_one("#drawn", RegisterTable)
        if check_id is None:
            drawn.clear(columns=True)
            self.query_one("#drawn-title", Static).update("")
            return
        view = self.services.spotchecks.view(check_id)
        keep = drawn.current_key
        self._drawn_columns(view.items)
        tz = self.tz
        for d in view.drawn:
            drawn.add_row(
                str(d.activity_id),
                f"{fmt_local(d.start_at, tz)} {d.title}",
                *(MARKS.get(d.findings.get(k, ""), "·") for k in view.items),
                "" if d.score is None else str(d.score),
                "、".join(d.officers),
                key=str(d.activity_id),
            )
        if keep and any(str(d.activity_id) == keep for d in view.drawn):
            drawn.move_cursor(row=drawn.get_row_index(keep))
        legend = "  ".join(f"{n}={self.services.spotchecks.item_label(k)}" for n, k in enumerate(view.items, start=1))
        self.query_one("#drawn-title", Static).update(
            _("抽查 {id} · 随机种子 {seed} · {status}").format(
                id=view.id, seed=view.seed, status=label(SPOTCHECK_STATUSES, view.status)
            )
            + "\n"
            + legend
        )

    @on(RegisterTable.RowHighlighted, "#checks")
    def _check_highlighted(self, event: RegisterTable.RowHighlighted) -> None:
        key = event.row_key.value if event.row_key is not None else None
        if key != self.check_id:
            self.show_drawn(key)

    @on(RegisterTable.RowSelected, "#checks")
    def _check_selected(self) -> None:
        self.query_one("#drawn", RegisterTable).focus()

    @on(RegisterTable.RowSelected, "#drawn")
    def _drawn_selected(self) -> None:
        self.action_record()

    # --- actions ----------------------------------------------------------------
    def _me(self) -> str:
        return self.services.who.whoami().staff_number or ""

    def action_draw(self, initial: DrawForm | None = None, error: UserError | None = None) -> None:
        today = local_today(self.services.ctx.clock(), self.tz)
        first = today.replace(day=1)
        initial = initial or DrawForm(first.isoformat(), today.isoformat(), "", "5", "", self._me(), "")
        departments = [d.name for d in self.services.departments.list()]

        def chosen(form: DrawForm | None) -> None:
            if form is None:
                return
            try:
                view = self.services.spotchecks.draw(
                    form.date_from,
                    form.date_to,
                    by=form.by,
                    share=form.share or None,
                    count=form.count or None,
                    dept=form.dept or None,
                    seed=form.seed or None,
                )
            except UserError as exc:
                self.action_draw(form, exc)
                return
            self.app.notify(
                _("已抽取监督抽查 {id}：{n}/{population} 项执法活动（随机种子 {seed}）").format(
                    id=view.id, n=len(view.drawn), population=view.population, seed=view.seed
                )
            )
            self.check_id = str(view.id)
            self.query_one("#checks", RegisterTable).clear()
            self.reload()

        self.app.push_screen(
            DrawFormScreen(
                departments=departments,
                initial=initial,
                error=error.render() if error else None,
                error_field=error.field if error else None,
            ),
            chosen,
        )

    def action_record(self, initial: FindingsForm | None = None, error: UserError | None = None) -> None:
        activity = self.query_one("#drawn", RegisterTable).current_key
        if self.check_id is None or activity is None:
            return
        view = self.services.spotchecks.view(self.check_id)
        drawn = next(d for d in view.drawn if str(d.activity_id) == activity)
        initial = initial or FindingsForm(
            dict(drawn.findings), drawn.note, "" if drawn.score is None else str(drawn.score)
        )
        items = {k: self.services.spotchecks.item_label(k) for k in view.items}
        check_id = self.check_id

        def chosen(form: FindingsForm | None) -> None:
            if form is None:
                return
            try:
                self.services.spotchecks.record(check_id, activity, form.items, note=form.note, score=form.score)
            except UserError as exc:
                self.action_record(form, exc)
                return
            self.reload()

        self.app.push_screen(
            FindingsFormScreen(
                heading=f"{drawn.activity_id} {drawn.title}",
                items=items,
                initial=initial,
                error=error.render() if error else None,
                error_field=error.field if error else None,
            ),
            chosen,
        )

    def action_close_check(self) -> None:
        if self.check_id is None:
            return
        try:
            view = self.services.spotchecks.close(self.check_id)
        except UserError as exc:
            self.app.notify(exc.render(), severity="error")
            return
        self.app.notify(_("监督抽查 {id} 已结束").format(id=view.id))
        self.reload()

    def action_file(self) -> None:
        activity = self.query_one("#drawn", RegisterTable).current_key
        if self.check_id is None or activity is None:
            return
        candidates = [
            c
            for c in self.services.spotchecks.candidates()
            if str(c.check_id) == self.check_id and str(c.activity_id) == activity
        ]
        if not candidates:
            self.app.notify(_("所选执法活动没有待追究的不符合项"), severity="warning")
            return
        c = candidates[0]
        what = _("监督抽查 {id} 不符合：{items}").format(
            id=c.check_id, items="、".join(self.services.spotchecks.item_label(k) for k in c.failed)
        )
        open_violation_form(self, ViolationForm(c.staff_number, "", what, str(c.activity_id), str(c.check_id)))

    def action_view_footage(self) -> None:
        """The footage of the drawn activity under the cursor, through the viewing rules (F15): under the
        person's approved request for this check, a registered viewing listed in a dialog (its end registered
        when it closes); with none yet, the request is made for the approver."""
        from avledger.services.access import Opened

        activity = self.query_one("#drawn", RegisterTable).current_key
        if self.check_id is None or activity is None:
            return
        try:
            got = self.services.access.view_for_check(self.check_id, activity, how="details")
        except UserError as exc:
            self.app.notify(exc.render(), severity="error")
            return
        if isinstance(got, Opened):
            self.app.push_screen(
                ViewingDialog(got, self.tz), lambda _closed: self.services.access.finish(got.viewing.id)
            )
            return
        self.app.notify(
            _("已提交查阅申请 {id}（{reason}），待审批人批准后再按 o 查阅").format(id=got.id, reason=got.reason)
        )

    def action_violations(self) -> None:
        self.app.push_screen(ViolationsScreen(self.services))

    def check_action(self, action: str, parameters) -> bool | None:
        if action in ("record", "close_check", "file", "view_footage") and self.is_mounted:
            if self.check_id is None:
                return None
            if action in ("file", "record", "view_footage"):
                return None if self.query_one("#drawn", RegisterTable).current_key is None else True
        return super().check_action(action, parameters)

    def print_targets(self):
        return [("spotchecks", Filters()), ("assessments", Filters())]

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand(_("抽取抽查样本"), _("抽取抽查样本（登记随机种子，可复现）"), self.action_draw)
        if self.check_id is not None:
            yield SystemCommand(_("结束所选的监督抽查"), _("每项执法活动都须逐项检查"), self.action_close_check)
        yield SystemCommand(_("过错责任追究登记"), _("登记、决定过错责任"), self.action_violations)


class ViewingDialog(InfoDialog):
    """A registered viewing under a spot check: the request, and each file (name, start, length, SHA-256, path)."""

    def __init__(self, opened, tz) -> None:
        super().__init__()
        self.opened = opened
        self.tz = tz
        self.title_text = _("已登记查阅 {id}（申请 {request}：{reason}）").format(
            id=opened.viewing.id, request=opened.request.id, reason=opened.request.reason
        )

    def compose_content(self) -> ComposeResult:
        lines = [
            f"#{clip.id} {clip.original_name}  {fmt_local(clip.start_at, self.tz)}"
            f"{'' if clip.duration_s is None else f'  {clip.duration_s:.0f}s'}\n  SHA-256 {clip.sha256[:16]}…\n  {path}"
            for clip, path in zip(self.opened.clips, self.opened.paths, strict=True)
        ]
        yield Static("\n".join(lines), id="viewing-files")
