"""音像资料: the footage browser (F07, F08); Enter opens a clip's page (:mod:`.clip_detail`).

The list can be narrowed as you type by activity, case, party, officer,
device and date, and switched (``t``) between all footage, footage not yet
assigned to an activity, and footage collected late. ``i`` collects footage
from a camera or folder; ``v`` re-checks the archive's fingerprints.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.widgets import Static

from avledger.errors import UserError
from avledger.i18n import _
from avledger.present import duration_text, or_dash
from avledger.progress import Cancelled
from avledger.services.footage import ClipView, FootageQuery
from avledger.services.printing import Filters
from avledger.timeutil import fmt_local
from avledger.tui.actions.footage import FootageActions
from avledger.tui.forms.footage import several
from avledger.tui.screens.base import FilteredRegisterScreen, close_thread_connection
from avledger.tui.screens.clip_detail import ClipDetailScreen
from avledger.tui.screens.disposal import DisposalScreen
from avledger.tui.screens.ingest import IngestScreen
from avledger.tui.text import clip_flags
from avledger.tui.widgets import JobProgress, Listing, RegisterTable
from avledger.vocab import CLIP_KINDS, VERIFY_PROBLEMS, label

MODES = ("all", "unassigned", "late")
MODE_LABELS = {"all": _("全部音像资料"), "unassigned": _("未归入执法活动的"), "late": _("逾期采集的")}


class FootageScreen(FootageActions, FilteredRegisterScreen):
    SECTION = "footage"
    FILTER_HINT = _("筛选：活动、案号、当事人、执法人员、设备、日期、文件名")
    TABLE_ID = "clips"
    COLUMNS = (
        ("mark", " "),  # ✓ on a row marked with space
        ("id", _("编号")),
        ("start", _("开始")),
        ("name", _("文件名")),
        ("duration", _("时长")),
        ("flags", _("提醒")),
        ("activity", _("执法活动/案件")),
        ("device", _("设备")),
        ("holder", _("执法人员")),
        ("kind", _("类型")),
    )
    FREE_COLUMNS = ("name", "holder", "device")
    KEEP_COLUMNS = ("id", "start", "duration", "flags", "activity")
    BINDINGS = [
        Binding("i", "ingest", _("采集"), tooltip=_("从执法记录仪或文件夹采集音像文件入库")),
        Binding("a", "assign", _("归入活动"), tooltip=_("把所选文件归入执法活动")),
        Binding("l", "late", _("逾期说明"), tooltip=_("说明所选文件逾期采集的原因")),
        Binding("space", "mark", _("选定"), tooltip=_("选定或取消所选的一行：归入活动和逾期说明对选定的各行一次办理")),
        Binding("t", "next_mode", _("全部/未归入/逾期"), tooltip=_("切换显示范围")),
        Binding("v", "verify", _("核验存储"), tooltip=_("重新计算每个存储文件的 SHA-256，发现缺失或被改动的文件")),
        Binding("s", "stop", _("停止"), tooltip=_("停止核验存储")),
        Binding("d", "disposal", _("清除处理"), tooltip=_("保存期限已满的音像资料：拟定、批准和执行清除计划")),
        Binding("slash", "focus_filter", _("筛选"), key_display="/"),
    ]

    EMPTY = _("还没有音像资料。按 i 从执法记录仪采集。")
    NO_MATCH = _("没有符合筛选条件的音像资料。")

    def __init__(self, services) -> None:
        super().__init__(services)
        self.mode = "all"
        self.marked: dict[str, ClipView] = {}  # the rows marked with space, by key (kept across filters)

    def compose_body(self) -> ComposeResult:
        yield Static("", id="mode", classes="subtitle")
        yield from self.compose_filter_bar()
        yield Static("", id="empty", classes="empty")
        yield JobProgress(id="job")

    def listing(self) -> Listing:
        footage = self.services.footage
        query = FootageQuery(
            unassigned=self.mode == "unassigned", late=self.mode == "late", text=self.filter_text, newest_first=True
        )
        return Listing(
            lambda after, n: footage.page(query, after, n),
            lambda: footage.count(query),
            lambda c: str(c.id),
            self.cells,
            quick=lambda after, n: footage.page(query, after, n, quick=True),
        )

    def cells(self, c: ClipView) -> tuple:
        tz = self.tz
        return (
            "✓" if str(c.id) in self.marked else "",
            str(c.id),
            fmt_local(c.start_at, tz) or "—",
            c.original_name,
            or_dash(duration_text(c.duration_s)),
            clip_flags(c),
            c.activity or "—",
            c.asset_no or "—",
            f"{c.holder}（{c.holder_number}）" if c.holder else "—",
            label(CLIP_KINDS, c.kind),
        )

    def shown(self) -> None:
        self.query_one("#mode", Static).update(
            Text.assemble((MODE_LABELS[self.mode], "bold"), "  ", (_("（按 t 切换）"), "dim"))
        )
        super().shown()

    def current(self) -> ClipView | None:
        return self.table.current_row

    def count_text(self) -> str:
        text = super().count_text()
        if self.marked:
            text += _("，已选定 {n} 个（空格键选定或取消）").format(n=len(self.marked))
        return text

    def chosen(self) -> list[ClipView]:
        """The marked clips in the order of their ids, else the clip under the cursor."""
        if self.marked:
            return [self.marked[k] for k in sorted(self.marked, key=int)]
        clip = self.current()
        return [] if clip is None else [clip]

    def action_mark(self) -> None:
        """Mark the row under the cursor, or unmark it, and go to the next row."""
        clip = self.current()
        if clip is None:
            return
        key = str(clip.id)
        if self.marked.pop(key, None) is None:
            self.marked[key] = clip
        self.table.update_cell(key, "mark", "✓" if key in self.marked else "")
        self.table.action_cursor_down()
        self.query_one("#count", Static).update(self.count_text())
        self.refresh_bindings()

    def check_action(self, action: str, parameters) -> bool | None:
        if action in ("verify", "stop") and self.is_mounted:
            running = self.query_one(JobProgress).running
            return None if running == (action == "verify") else True
        if action in ("assign", "late") and self.is_mounted:
            clips = self.chosen()
            if not clips or (action == "late" and not all(c.late for c in clips)):
                return None
        return super().check_action(action, parameters)

    @on(RegisterTable.RowSelected)
    def _open(self) -> None:
        clip = self.current()
        if clip is not None:
            self.app.push_screen(ClipDetailScreen(self.services, clip.id))

    def action_next_mode(self) -> None:
        self.mode = MODES[(MODES.index(self.mode) + 1) % len(MODES)]
        self.marked.clear()
        self.reload()

    def action_assign(self) -> None:
        clips = self.chosen()
        if clips:
            self.open_assign(clips)

    def action_late(self) -> None:
        clips = self.chosen()
        if clips and all(c.late for c in clips):
            self.open_late_reason(clips)

    def action_ingest(self) -> None:
        self.app.push_screen(IngestScreen(self.services))

    def action_disposal(self) -> None:
        self.app.push_screen(DisposalScreen(self.services))

    def footage_changed(self, clip_id: int) -> None:
        self.marked.clear()  # done for the marked rows
        self.show_rows(keep=str(clip_id))

    def action_verify(self) -> None:
        if self.query_one(JobProgress).running:
            return
        self.query_one(JobProgress).start()
        self.refresh_bindings()
        self.run_verify()

    def action_stop(self) -> None:
        self.query_one(JobProgress).cancel()

    @work(thread=True, exclusive=True, group="verify")
    def run_verify(self) -> None:
        job = self.query_one(JobProgress)
        try:
            check = self.services.footage.verify(progress=job.sink(), cancel=job.token)
        except UserError as exc:
            self.app.call_from_thread(self.verified, exc.render(), False)
            return
        except Cancelled:
            self.app.call_from_thread(self.verified, _("核验已停止，未作记录"), False)
            return
        finally:
            close_thread_connection(self.services)
        if check.ok:
            message = _("存储完好：{n} 个文件的 SHA-256 均与登记一致").format(n=check.checked)
        else:
            lines = [f"{label(VERIFY_PROBLEMS, p.kind)}：{p.path}" for p in check.problems[:8]]
            message = _("发现 {n} 个问题：").format(n=len(check.problems)) + "\n" + "\n".join(lines)
        self.app.call_from_thread(self.verified, message, check.ok)

    def verified(self, message: str, ok: bool) -> None:
        self.query_one(JobProgress).finish(message.split("\n")[0], ok)
        self.app.notify(message, title=_("核验存储"), severity="information" if ok else "error", timeout=30)
        self.refresh_bindings()

    def print_targets(self):
        return [("footage", Filters())]

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand(_("采集音像文件"), _("从执法记录仪或文件夹采集音像文件入库"), self.action_ingest)
        yield SystemCommand(
            _("核验存储"), _("重新计算每个存储文件的 SHA-256，发现缺失或被改动的文件"), self.action_verify
        )
        clips = self.chosen()
        if clips:
            yield SystemCommand(_("归入执法活动"), several(clips), self.action_assign)
            if all(c.late for c in clips):
                yield SystemCommand(_("逾期说明"), several(clips), self.action_late)
        yield SystemCommand(_("全部/未归入/逾期"), _("切换显示范围"), self.action_next_mode)
        yield SystemCommand(_("清除处理"), _("保存期限已满的音像资料：拟定、批准和执行清除计划"), self.action_disposal)
