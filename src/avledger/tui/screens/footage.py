"""音像资料: the footage browser (F07, F08) and a clip's page.

The list can be narrowed as you type by activity, case, party, officer,
device and date, and switched (``t``) between all footage, footage not yet
assigned to an activity, and footage collected late. ``i`` collects footage
from a camera or folder; ``v`` re-checks the archive's fingerprints.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.widgets import Input, Static

from avledger.errors import UserError
from avledger.i18n import _
from avledger.present import duration_text, or_dash, size_text
from avledger.progress import Cancelled
from avledger.services.footage import ClipView
from avledger.services.printing import Filters
from avledger.timeutil import fmt_local
from avledger.tui.filtering import matches
from avledger.tui.screens.base import FilteredRegisterScreen, SubScreen, close_thread_connection
from avledger.tui.screens.device_detail import pairs_table
from avledger.tui.screens.form import Field, FormScreen, activity_options, required_text, select, text_input
from avledger.tui.widgets import JobProgress, RegisterTable
from avledger.vocab import CLIP_KINDS, TIME_SOURCES, VERIFY_PROBLEMS, label

MODES = ("all", "unassigned", "late")
MODE_LABELS = {"all": _("全部音像资料"), "unassigned": _("未归入执法活动的"), "late": _("逾期采集的")}


def clip_flags(c: ClipView) -> Text:
    text = Text()

    def add(words: str, style: str) -> None:
        if text:
            text.append(" ")
        text.append(words, style=style)

    if c.activity_id is None:
        add(_("未归入活动"), "yellow")
    if c.late:
        add(_("逾期采集") if c.late_reason else _("逾期待说明"), "yellow" if c.late_reason else "bold red")
    if "corrupt" in c.flags:
        add(_("文件损坏"), "bold red")
    return text


def thumbnail_text(thumb) -> Text:
    """Two pixel rows per cell with the upper-half block: works in any colour terminal, over SSH too."""
    text = Text()
    for y in range(0, thumb.height - 1, 2):
        for x in range(thumb.width):
            top = "#{:02x}{:02x}{:02x}".format(*thumb.pixel(x, y))
            bottom = "#{:02x}{:02x}{:02x}".format(*thumb.pixel(x, y + 1))
            text.append("▀", style=f"{top} on {bottom}")
        text.append("\n")
    return text


@dataclass(frozen=True)
class AssignChoices:
    activities: list[tuple[str, str]]  # (label, id)


class AssignFormScreen(FormScreen[str | None]):
    """归入执法活动: the archived file stays where it is; its register entry names the activity."""

    def __init__(self, clip: ClipView, choices: AssignChoices, *, error: str | None = None) -> None:
        super().__init__(error=error)
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

    def __init__(self, clip: ClipView, deadline: str, *, initial: str = "", error: str | None = None) -> None:
        super().__init__(error=error)
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


class FootageActions:
    """Assigning a clip and explaining a late one (the list and a clip's page)."""

    def open_assign(self, clip: ClipView, error: str | None = None) -> None:
        services = self.services  # type: ignore[attr-defined]
        tz = services.office.profile().tz
        activities = activity_options(services.activities.list(), tz)
        if not activities:
            self.app.notify(_("还没有执法活动：请先登记执法活动"), severity="error")  # type: ignore[attr-defined]
            return

        def done(activity_id: str | None) -> None:
            if activity_id is None:
                return
            try:
                services.footage.assign(clip.id, activity_id)
            except UserError as exc:
                self.open_assign(clip, exc.render())
                return
            self.app.notify(_("已归入执法活动 {id}：{name}").format(id=activity_id, name=clip.original_name))  # type: ignore
            self.footage_changed(clip.id)

        self.app.push_screen(AssignFormScreen(clip, AssignChoices(activities), error=error), done)  # type: ignore

    def open_late_reason(self, clip: ClipView, initial: str = "", error: str | None = None) -> None:
        services = self.services  # type: ignore[attr-defined]
        deadline = fmt_local(clip.deadline_at, services.office.profile().tz)

        def done(reason: str | None) -> None:
            if reason is None:
                return
            try:
                services.footage.explain_late(clip.id, reason)
            except UserError as exc:
                self.open_late_reason(clip, reason, exc.render())
                return
            self.app.notify(_("已登记逾期原因：{name}").format(name=clip.original_name))  # type: ignore
            self.footage_changed(clip.id)

        self.app.push_screen(LateReasonFormScreen(clip, deadline, initial=initial, error=error), done)  # type: ignore

    def footage_changed(self, clip_id: int) -> None:
        """Hook: a clip's register entry changed."""


class FootageScreen(FootageActions, FilteredRegisterScreen):
    SECTION = "footage"
    FILTER_HINT = _("筛选：活动、案号、当事人、执法人员、设备、日期、文件名")
    TABLE_ID = "clips"
    COLUMNS = (
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
    BINDINGS = [
        Binding("i", "ingest", _("采集"), tooltip=_("从执法记录仪或文件夹采集音像文件入库")),
        Binding("a", "assign", _("归入活动"), tooltip=_("把所选文件归入执法活动")),
        Binding("l", "late", _("逾期说明"), tooltip=_("说明所选文件逾期采集的原因")),
        Binding("t", "next_mode", _("全部/未归入/逾期"), tooltip=_("切换显示范围")),
        Binding("v", "verify", _("核验存储"), tooltip=_("重新计算每个存储文件的 SHA-256，发现缺失或被改动的文件")),
        Binding("s", "stop", _("停止"), tooltip=_("停止核验存储")),
        Binding("slash", "focus_filter", _("筛选"), key_display="/"),
    ]

    def __init__(self, services) -> None:
        super().__init__(services)
        self.rows: list[ClipView] = []
        self.activity_info: dict[int, str] = {}
        self.mode = "all"
        self._select_after_load: str | None = None

    def compose_body(self) -> ComposeResult:
        yield Static("", id="mode", classes="subtitle")
        yield from self.compose_filter_bar()
        yield Static("", id="empty", classes="empty")
        yield JobProgress(id="job")

    def reload(self) -> None:
        self.rows = self.services.footage.list(unassigned=self.mode == "unassigned", late=self.mode == "late")
        self.activity_info = {
            a.id: " ".join([a.title, a.case_name, a.case_no, a.party, a.place, " ".join(a.officer_names)])
            for a in self.services.activities.list()
        }
        self.show_rows()

    def haystack(self, c: ClipView) -> list[str]:
        tz = self.tz
        return [
            str(c.id),
            c.original_name,
            c.activity,
            self.activity_info.get(c.activity_id or 0, ""),
            c.asset_no,
            c.holder,
            c.holder_number,
            fmt_local(c.start_at, tz),
            label(CLIP_KINDS, c.kind),
            str(clip_flags(c)),
        ]

    def show_rows(self) -> None:
        tz = self.tz
        table = self.query_one(RegisterTable)
        keep = self._select_after_load or table.current_key
        self._select_after_load = None
        query = self.query_one("#filter", Input).value
        shown = [c for c in reversed(self.rows) if matches(query, self.haystack(c))]  # newest first
        table.clear()
        for c in shown:
            table.add_row(
                str(c.id),
                fmt_local(c.start_at, tz) or "—",
                c.original_name,
                or_dash(duration_text(c.duration_s)),
                clip_flags(c),
                c.activity or "—",
                c.asset_no or "—",
                f"{c.holder}（{c.holder_number}）" if c.holder else "—",
                label(CLIP_KINDS, c.kind),
                key=str(c.id),
            )
        table.select_key(keep)
        self.query_one("#mode", Static).update(
            Text.assemble((MODE_LABELS[self.mode], "bold"), "  ", (_("（按 t 切换）"), "dim"))
        )
        self.query_one("#count", Static).update(
            _("显示 {shown} / 共 {total} 个文件").format(shown=len(shown), total=len(self.rows))
        )
        empty = self.query_one("#empty", Static)
        empty.update(
            _("还没有音像资料。按 i 从执法记录仪采集。") if not self.rows else _("没有符合筛选条件的音像资料。")
        )
        empty.display = not shown
        table.styles.height = "auto" if not shown else "1fr"
        self.refresh_bindings()

    def current(self) -> ClipView | None:
        key = self.query_one(RegisterTable).current_key
        return next((c for c in self.rows if str(c.id) == key), None)

    def check_action(self, action: str, parameters) -> bool | None:
        if action in ("verify", "stop") and self.is_mounted:
            running = self.query_one(JobProgress).running
            return None if running == (action == "verify") else True
        if action in ("assign", "late") and self.is_mounted:
            clip = self.current()
            if clip is None or (action == "late" and not clip.late):
                return None
        return super().check_action(action, parameters)

    @on(RegisterTable.RowSelected)
    def _open(self) -> None:
        clip = self.current()
        if clip is not None:
            self.app.push_screen(ClipDetailScreen(self.services, clip.id))

    def action_next_mode(self) -> None:
        self.mode = MODES[(MODES.index(self.mode) + 1) % len(MODES)]
        self.reload()

    def action_assign(self) -> None:
        clip = self.current()
        if clip is not None:
            self.open_assign(clip)

    def action_late(self) -> None:
        clip = self.current()
        if clip is not None and clip.late:
            self.open_late_reason(clip)

    def action_ingest(self) -> None:
        from avledger.tui.screens.ingest import IngestScreen

        self.app.push_screen(IngestScreen(self.services))

    def footage_changed(self, clip_id: int) -> None:
        self._select_after_load = str(clip_id)
        self.reload()

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
        clip = self.current()
        if clip is not None:
            yield SystemCommand(_("归入执法活动"), clip.original_name, self.action_assign)
            if clip.late:
                yield SystemCommand(_("逾期说明"), clip.original_name, self.action_late)
        yield SystemCommand(_("全部/未归入/逾期"), _("切换显示范围"), self.action_next_mode)


class ClipDetailScreen(FootageActions, SubScreen):
    """One clip: what the register knows of it, and, on request, a few pictures from it."""

    SECTION = "footage"
    BINDINGS = [
        Binding("p", "pictures", _("缩略图"), tooltip=_("显示几幅画面（须经批准，查看记入查阅登记）")),
        Binding("a", "assign", _("归入活动"), tooltip=_("把本文件归入执法活动")),
        Binding("l", "late", _("逾期说明"), tooltip=_("说明逾期采集的原因")),
    ]

    def __init__(self, services, clip_id: int) -> None:
        super().__init__(services)
        self.clip_id = clip_id
        self.clip: ClipView | None = None
        self.viewing_id: int | None = None

    def compose_body(self) -> ComposeResult:
        yield Static("", id="title", classes="title")
        yield Static("", id="approval")
        yield Static("", id="fields")
        yield Static("", id="pictures")

    def reload(self) -> None:
        self.clip = self.services.footage.view(self.clip_id)
        self.show_fields()
        self.show_approval()
        self.refresh_bindings()

    def show_approval(self) -> None:
        """The approval banner: under which approval this clip may be viewed, or that it may not."""
        approval = self.services.access.banner(self.clip_id)
        target = self.query_one("#approval", Static)
        if approval is None:
            target.update(
                Text(_("未经批准：查看画面须有批准的查阅申请（管理员可查看非保密资料，记入审计日志）"), style="yellow")
            )
            return
        who = approval.decided_by or ""
        paper = (
            _("（纸质审批表 {no}，{recorder} 代为登记）").format(
                no=approval.paper_form_no, recorder=approval.recorded_by
            )
            if approval.on_paper
            else ""
        )
        target.update(
            Text(
                _("已批准查阅：申请 {id}，{approver} 批准{paper}，有效期至 {until}").format(
                    id=approval.id, approver=who, paper=paper, until=approval.until.isoformat()
                ),
                style="green",
            )
        )

    def on_unmount(self) -> None:
        if self.viewing_id is not None:  # the viewing ends: its duration goes into the register
            try:
                self.services.access.finish(self.viewing_id)
            except Exception:  # the register may be closing with the app
                pass

    def on_resize(self) -> None:
        self.show_fields()

    def show_fields(self) -> None:
        c = self.clip
        if c is None:
            return
        tz = self.tz
        self.query_one("#title", Static).update(
            Text.assemble((_("音像文件"), "bold"), " ", (c.original_name, "bold"), "  ", clip_flags(c))
        )
        pairs = [
            (_("编号"), str(c.id)),
            (_("类型"), label(CLIP_KINDS, c.kind)),
            (_("开始"), (fmt_local(c.start_at, tz) or "—") + f"（{label(TIME_SOURCES, c.time_source)}）"),
            (_("时长"), or_dash(duration_text(c.duration_s))),
            (_("画面"), f"{c.width}×{c.height}" if c.width else "—"),
            (_("编码"), c.codecs or "—"),
            (_("大小"), size_text(c.size)),
            (_("设备"), c.asset_no or "—"),
            (_("执法人员"), f"{c.holder}（{c.holder_number}）" if c.holder else "—"),
            (_("执法活动"), c.activity or _("未归入")),
            (_("入库时间"), fmt_local(c.ingested_at, tz)),
            (_("采集期限"), fmt_local(c.deadline_at, tz) or "—"),
            (_("逾期原因"), c.late_reason or ("—" if not c.late else _("待说明"))),
            (_("存储位置"), c.archive_path),
            ("SHA-256", c.sha256),
        ]
        columns = 2 if self.size.width >= 100 else 1
        self.query_one("#fields", Static).update(pairs_table(pairs, columns))

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "late":
            return bool(self.clip and self.clip.late)
        if action == "pictures":
            return bool(self.clip and self.clip.kind in ("video", "photo"))
        return super().check_action(action, parameters)

    def action_pictures(self) -> None:
        self.query_one("#pictures", Static).update(Text(_("正在读取画面…"), style="dim"))
        self.load_pictures(max(16, min(40, (self.size.width - 6) // 3)))

    @work(thread=True, exclusive=True, group="pictures")
    def load_pictures(self, width: int) -> None:
        try:
            look = self.services.access.look(self.clip_id, width=width)
        except UserError as exc:
            self.app.call_from_thread(self.refused, exc.render())
            return
        finally:
            close_thread_connection(self.services)
        self.app.call_from_thread(self.show_pictures, look.pictures, look.viewing_id)

    def refused(self, message: str) -> None:
        self.query_one("#pictures", Static).update(Text(message, style="red"))
        self.app.notify(message, severity="error")

    def show_pictures(self, pictures, viewing_id: int | None = None) -> None:
        if viewing_id is not None:
            if self.viewing_id is not None and self.viewing_id != viewing_id:
                self.services.access.finish(self.viewing_id)
            self.viewing_id = viewing_id
        target = self.query_one("#pictures", Static)
        if not pictures:
            target.update(Text(_("无法读取画面（文件可能已损坏）。"), style="yellow"))
            return
        grid = Table.grid(padding=(0, 2))
        for _p in pictures:
            grid.add_column()
        grid.add_row(*[thumbnail_text(p) for p in pictures])
        grid.add_row(*[Text(duration_text(p.at_s), style="dim") for p in pictures])
        target.update(Group(Text(_("画面（查看已记入审计日志）"), style="bold"), grid))

    def action_assign(self) -> None:
        if self.clip is not None:
            self.open_assign(self.clip)

    def action_late(self) -> None:
        if self.clip is not None and self.clip.late:
            self.open_late_reason(self.clip)

    def footage_changed(self, clip_id: int) -> None:
        self.reload()

    def palette_commands(self) -> Iterable[SystemCommand]:
        if self.clip is not None and self.clip.kind in ("video", "photo"):
            yield SystemCommand(_("缩略图"), _("显示几幅画面（须经批准，查看记入查阅登记）"), self.action_pictures)
        yield SystemCommand(_("归入执法活动"), _("把本文件归入执法活动"), self.action_assign)
        yield SystemCommand(_("返回音像资料"), _("回到音像资料列表"), self.action_back)
