"""审计日志: the log (newest first), before and after of the chosen entry, and the chain check."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from avledger.errors import UserError
from avledger.i18n import _
from avledger.services.auditlog import AuditQuery, describe_problem, describe_witness
from avledger.services.auditwords import summary_words
from avledger.services.printing import Filters
from avledger.services.views import AuditView
from avledger.timeutil import fmt_local
from avledger.tui.auditfmt import Names, action_label, entity_label
from avledger.tui.forms.audit import AnchorForm, AnchorFormScreen, HeadForm, HeadFormScreen
from avledger.tui.screens.base import FilteredRegisterScreen, InfoDialog, close_thread_connection
from avledger.tui.widgets import ChangeView, Listing, RegisterTable
from avledger.witness import parse_head


def load_names(services) -> Names:
    """Department and staff names by id, for reading the log."""
    return Names(
        departments={d.id: d.name for d in services.departments.list()},
        staff={s.id: f"{s.name}（{s.number}）" for s in services.staff.list()},
        devices={d.id: d.asset_no for d in services.devices.list()},
        tz=services.office.profile().tz,
    )


class AuditEntryScreen(InfoDialog):
    """One entry in full: who, when, what, and every changed field."""

    def __init__(self, entry: AuditView, names: Names, tz) -> None:
        super().__init__()
        self.entry = entry
        self.names = names
        self.tz = tz
        self.title_text = _("审计日志 第 {id} 条").format(id=entry.id)

    def compose_content(self) -> ComposeResult:
        e = self.entry
        head = Table.grid(padding=(0, 2))
        head.add_column(style="bold", no_wrap=True)
        head.add_column(overflow="fold")
        head.add_row(_("时间"), fmt_local(e.at, self.tz))
        head.add_row(_("操作人"), e.actor)
        head.add_row(_("操作"), f"{action_label(e.action)}  {entity_label(e.entity, e.entity_id)}")
        head.add_row(_("摘要"), summary_words(e.summary) if e.summary else "—")
        yield Static(head)
        with VerticalScroll(id="changes"):
            yield ChangeView()

    def on_mount(self) -> None:
        self.query_one(ChangeView).show(self.entry, self.names)
        super().on_mount()


class VerifyScreen(InfoDialog):
    """The result of walking the audit chain and comparing every register row with the log."""

    title_text = _("核验审计链")

    def __init__(self, result, names: dict | None = None) -> None:
        super().__init__()
        self.result = result
        self.names = names or {}  # the records the problems concern, in words

    def compose_content(self) -> ComposeResult:
        r = self.result
        if r.ok:
            yield Static(
                Text(
                    _("审计链完整：{events} 条日志，{rows} 条登记记录均与日志一致").format(
                        events=r.events, rows=r.rows
                    ),
                    style="bold green",
                ),
                id="verdict",
            )
        else:
            yield Static(Text(_("发现 {n} 处问题：").format(n=len(r.problems)), style="bold red"), id="verdict")
            with VerticalScroll(id="problems"):
                for problem in r.problems:
                    yield Static("• " + describe_problem(problem, self.names), markup=False, classes="problem")
        how = _("从第一条起") if r.start is None else _("从{seen}起").format(seen=describe_witness(r.start))
        lines = [_("重算了 {n} 条日志的哈希（{how}）").format(n=r.checked, how=how)]
        for source in r.sources:
            if source.place == "typed":
                continue
            if source.reachable:
                lines.append(_("见证文件 {path}：比对 {n} 条").format(path=source.path, n=source.checked))
            else:
                lines.append(_("见证文件不可达（未检查）：{path}").format(path=source.path))
        lines.append(_("当前审计头：{head}").format(head=r.head.short))
        yield Static(Text("\n".join(lines), style="dim"), id="witnesses")


class AuditScreen(FilteredRegisterScreen):
    SECTION = "audit"
    FILTER_HINT = _("筛选：操作人、操作、对象、摘要")
    TABLE_ID = "log"
    COLUMNS = (
        ("id", "#"),
        ("at", _("时间")),
        ("actor", _("操作人")),
        ("action", _("操作")),
        ("entity", _("对象")),
        ("summary", _("摘要")),
    )
    FREE_COLUMNS = ("summary", "entity", "actor")
    KEEP_COLUMNS = ("id", "at", "action")
    BINDINGS = [
        Binding("v", "verify", _("核验"), tooltip=_("核验审计链和登记数据是否被改动")),
        Binding("n", "anchor", _("锚定"), tooltip=_("把审计头写到数据目录以外（U 盘或另一台电脑）")),
        Binding("h", "check_head", _("核对审计头"), tooltip=_("输入纸质登记表页脚或光盘上的审计头，与日志比对")),
        Binding("slash", "focus_filter", _("筛选"), key_display="/"),
    ]

    NO_MATCH = _("没有符合筛选条件的日志。")

    def __init__(self, services) -> None:
        super().__init__(services)
        self.refusal = ""
        self.names = Names()

    def compose_body(self) -> ComposeResult:
        yield from self.compose_filter_bar()
        yield Static(_("所选日志的前后对比"), classes="subtitle")
        with VerticalScroll(id="change-pane"):
            yield ChangeView()

    def listing(self) -> Listing:
        audit = self.services.audit
        query = AuditQuery(newest_first=True, text=self.filter_text)
        tz = self.tz
        return Listing(
            lambda after, n: audit.page(query, after, n),
            lambda: audit.count(query),
            lambda e: str(e.id),
            lambda e: (
                str(e.id),
                fmt_local(e.at, tz),
                e.actor,
                action_label(e.action),
                entity_label(e.entity, e.entity_id),
                summary_words(e.summary),
            ),
            quick=lambda after, n: audit.page(query, after, n, quick=True),
        )

    def reload(self) -> None:
        self.names = load_names(self.services)
        try:  # the log is for those who may read it (the permission table): a refusal is shown, and logged
            self.services.audit.count(AuditQuery(entity_id=0))
        except UserError as exc:
            self.refusal = exc.render()
            self.table.clear()
            self.shown()
            return
        self.refusal = ""
        super().reload()

    def count_text(self) -> str:
        return self.refusal or super().count_text()

    def shown(self) -> None:
        super().shown()
        self.show_change()

    def current(self) -> AuditView | None:
        return self.table.current_row

    def show_change(self) -> None:
        self.query_one(ChangeView).show(self.current(), self.names)

    @on(RegisterTable.RowHighlighted)
    def _highlighted(self) -> None:
        self.show_change()

    @on(RegisterTable.RowSelected)
    def _selected(self) -> None:
        entry = self.current()
        if entry is not None:
            self.app.push_screen(AuditEntryScreen(entry, self.names, self.tz))

    def action_verify(self, heads: tuple = ()) -> None:
        self.app.notify(_("正在核验审计链…"), title=_("核验审计链"))
        self.run_verify(heads)

    @work(thread=True, exclusive=True, group="audit-verify")
    def run_verify(self, heads: tuple) -> None:
        try:
            result = self.services.audit.verify(heads=heads)
            names = self.services.audit.record_names(result.problems)
        except UserError as exc:
            self.app.call_from_thread(self.app.notify, exc.render(), severity="error")
            return
        finally:
            close_thread_connection(self.services)
        self.app.call_from_thread(self.app.push_screen, VerifyScreen(result, names))

    def action_check_head(self, initial: HeadForm | None = None, error: str | None = None) -> None:
        def done(form: HeadForm | None) -> None:
            if form is None:
                return
            try:
                head = parse_head(form.head)
            except UserError as exc:
                self.action_check_head(form, exc.render())
                return
            self.action_verify((head,))

        self.app.push_screen(HeadFormScreen(initial, error=error, error_field="head" if error else None), done)

    def action_anchor(self, initial: AnchorForm | None = None, error: str | None = None, field: str | None = None):
        def done(form: AnchorForm | None) -> None:
            if form is None:
                return
            try:
                result = self.services.audit.anchor(form.to or None, remember=form.remember)
            except UserError as exc:
                self.action_anchor(form, exc.render(), exc.field)
                return
            written = "；".join(result.written)
            failed = "；".join(f.place for f in result.failed)
            message = _("审计头 {head} 已写入：{written}").format(head=result.head.short, written=written)
            if failed:
                message += "\n" + _("未能写入：{places}").format(places=failed)
            self.app.notify(message, title=_("锚定"), severity="warning" if failed else "information", timeout=20)
            self.reload()

        places = [str(p) for p in self.services.audit.anchor_places()]
        self.app.push_screen(AnchorFormScreen(places, initial, error=error, error_field=field), done)

    def print_targets(self):
        return [("audit", Filters())]

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand(_("核验审计链"), _("核验审计链和登记数据是否被改动"), self.action_verify)
        yield SystemCommand(_("锚定审计头"), _("把审计头写到数据目录以外（U 盘或另一台电脑）"), self.action_anchor)
        yield SystemCommand(
            _("核对审计头"), _("输入纸质登记表页脚或光盘上的审计头，与日志比对"), self.action_check_head
        )
        yield SystemCommand(_("筛选审计日志"), _("在审计日志中筛选"), self.action_focus_filter)
