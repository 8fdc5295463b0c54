"""采集入库: collect footage from a camera's storage or a folder (F07, F08).

Three steps on one screen: scan (what is there, which device, officer and
activity each file belongs to, what was skipped and why), the manager's
answers to what could not be decided, then the copy with a progress bar.
Cancelling stops after the file being copied; what is registered stays
registered, and running the same folder again finishes the job.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalGroup
from textual.widgets import Button, Input, Static

from avledger.errors import UserError
from avledger.i18n import _
from avledger.present import size_text
from avledger.services.cards import CARD_PATTERNS, DCIM_PATTERNS
from avledger.services.ingest import FAULT_REASONS, shown
from avledger.timeutil import fmt_local
from avledger.tui.forms.base import activity_options
from avledger.tui.forms.footage import AssignChoices, AssignForm, AssignFormScreen
from avledger.tui.screens.base import Confirm, SubScreen, close_thread_connection
from avledger.tui.screens.cards import CardOffer, FolderSuggester
from avledger.tui.widgets import JobProgress, RegisterTable, ZhSelect
from avledger.vocab import CLIP_KINDS, SKIP_REASONS, label

QUESTIONS = {"no_activity": _("没有对应的执法活动"), "several_activities": _("对应多个执法活动，请指定")}


class IngestScreen(CardOffer, SubScreen):
    SECTION = "footage"
    BINDINGS = [
        Binding("ctrl+s", "start", _("开始采集"), tooltip=_("复制、校验并登记扫描到的文件")),
        Binding("a", "choose_activity", _("指定活动"), tooltip=_("为所选文件指定执法活动")),
        Binding("ctrl+o", "collect_card", _("采集此卡"), tooltip=_("扫描最近插入的存储卡（或存储卡列表中所选的一张）")),
        Binding("escape", "back", _("返回/取消"), tooltip=_("采集中按下则在当前文件完成后停止")),
    ]

    def __init__(
        self,
        services,
        source: str = "",
        *,
        card_places: tuple[Sequence[str], Sequence[str]] = (CARD_PATTERNS, DCIM_PATTERNS),
    ) -> None:
        """``card_places``: where cards are looked for (:func:`avledger.services.cards.find_cards`)."""
        super().__init__(services)
        self.source = source
        self.init_cards(card_places)
        self.plan = None
        self.state = "idle"  # idle | scanning | planned | copying | done
        self.activity_names: dict[int, str] = {}

    def compose_body(self) -> ComposeResult:
        yield Static(_("采集音像文件入库"), classes="title")
        yield self.cards_table()
        with HorizontalGroup(classes="toolbar"):
            yield Input(
                self.source,
                placeholder=_("执法记录仪存储或文件夹的路径，例如 /media/usb/DCIM"),
                id="source",
                compact=True,
                suggester=FolderSuggester(),
            )
            yield Button(_("扫描"), id="scan", compact=True)
        with HorizontalGroup(classes="toolbar"):
            devices = [(f"{d.asset_no}  {d.model}", d.asset_no) for d in self.services.devices.list()]
            yield ZhSelect(devices, prompt=_("设备：自动识别"), id="device", compact=True)
            tz = self.tz
            activities = activity_options(self.services.activities.recent(), tz)
            yield ZhSelect(activities, prompt=_("执法活动：按时间自动对应"), id="activity", compact=True)
        yield Static("", id="summary")
        yield RegisterTable(id="plan")
        yield JobProgress(id="job")

    def on_mount(self) -> None:
        table = self.query_one("#plan", RegisterTable)
        titles = (_("文件"), _("类型"), _("大小"), _("开始"), _("设备"), _("执法人员"), _("执法活动"), _("提醒"))
        self.note_column = [table.add_column(title) for title in titles][-1]
        self.query_one("#source", Input).focus()
        self.start_looking_for_cards()

    def reload(self) -> None:
        """Nothing to reload: the plan is this screen's own."""

    # --- scan ---------------------------------------------------------------------
    @on(Input.Submitted, "#source")
    @on(Button.Pressed, "#scan")
    def action_scan(self) -> None:
        if self.state in ("scanning", "copying"):
            return
        source = self.query_one("#source", Input).value.strip()
        if not source:
            self.notify(_("请填写要采集的文件夹"), severity="error")
            return
        device = self.query_one("#device", ZhSelect).chosen
        activity = self.query_one("#activity", ZhSelect).chosen
        self.state = "scanning"
        self.query_one("#summary", Static).update(Text(_("正在扫描 {path} …").format(path=source), style="dim"))
        self.scan(source, device, activity)

    @work(thread=True, exclusive=True, group="ingest")
    def scan(self, source: str, device: str | None, activity: str | None) -> None:
        try:
            plan = self.services.ingest.scan(source, device=device, activity=activity)
        except UserError as exc:
            self.app.call_from_thread(self.scan_failed, exc.render())
            return
        finally:
            close_thread_connection(self.services)
        self.app.call_from_thread(self.show_plan, plan)

    def scan_failed(self, message: str) -> None:
        self.state = "idle"
        self.query_one("#summary", Static).update(Text(message, style="bold red"))

    def show_plan(self, plan) -> None:
        self.plan = plan
        self.state = "planned"
        tz = self.tz
        devices = {d.id: d.asset_no for d in self.services.devices.list()}
        staff = {s.id: f"{s.name}（{s.number}）" for s in self.services.staff.list()}
        table = self.query_one("#plan", RegisterTable)
        table.clear()
        self.activity_names = self.services.activities.names(f.activity_id for f in plan.files)
        for index, f in enumerate(plan.files):
            note = Text()
            if f.info.corrupt:
                note.append(_("文件损坏，将原样保存并标记"), style="bold red")
            activity: str | Text = (
                self.activity_names.get(f.activity_id, "")
                if f.activity_id
                else Text(QUESTIONS.get(f.question or "", _("未归入")), style="yellow")
            )
            table.add_row(
                f.name,
                label(CLIP_KINDS, f.kind),
                size_text(f.size),
                fmt_local(f.start_at, tz) or "—",
                devices.get(f.device_id, "—"),
                staff.get(f.holder_id, "—"),
                activity,
                note,
                key=str(index),
            )
        self.show_summary()
        table.focus()
        self.refresh_bindings()

    def show_summary(self) -> None:
        plan = self.plan
        skipped: dict[str, int] = {}
        for s in plan.skipped:
            skipped[s.reason] = skipped.get(s.reason, 0) + 1
        open_questions = sum(1 for f in plan.files if f.activity_id is None)
        text = Text.assemble(
            (_("找到 {n} 个音像文件，共 {size}").format(n=len(plan.files), size=size_text(plan.total_bytes)), "bold")
        )
        if skipped:
            text.append(
                "  " + _("跳过：") + _("、").join(f"{label(SKIP_REASONS, k)} {n}" for k, n in skipped.items()),
                style="dim",
            )
        if open_questions:
            text.append(
                "\n" + _("{n} 个文件未能对应执法活动：选中后按 a 指定，或入库后再归入").format(n=open_questions),
                style="yellow",
            )
        if plan.files:
            text.append("\n" + _("按 Ctrl+S 开始采集（原文件不会被改动）"), style="dim")
        self.query_one("#summary", Static).update(text)

    def action_choose_activity(self) -> None:
        if self.state != "planned" or not self.plan or not self.plan.files:
            return
        table = self.query_one("#plan", RegisterTable)
        key = table.current_key
        if key is None:
            return
        planned = self.plan.files[int(key)]
        tz = self.tz
        activities = activity_options(self.services.activities.recent(), tz)
        if not activities:
            self.notify(_("还没有执法活动：请先登记执法活动"), severity="error")
            return

        class _Clip:  # what the assign form shows of a planned file
            original_name = planned.name
            activity_id = planned.activity_id

        def done(form: AssignForm | None) -> None:
            if form is None or not form.activity:
                return
            try:  # planned again with the answer: its holder and deadline follow
                self.services.ingest.resolve(self.plan, int(key), activity=form.activity)
            except UserError as exc:
                self.notify(exc.render(), severity="error")
                return
            self.show_plan(self.plan)
            table.select_key(key)

        self.app.push_screen(AssignFormScreen(_Clip(), AssignChoices(activities), with_reason=False), done)

    # --- copy ---------------------------------------------------------------------
    def action_start(self) -> None:
        if self.state != "planned" or not self.plan or not self.plan.files:
            return
        undecided = sum(1 for f in self.plan.files if f.activity_id is None)
        if undecided:
            question = _(
                "有 {n} 个文件未能对应执法活动，将作为“未归入”入库，之后可在“音像资料”中归入。继续采集？"
            ).format(n=undecided)
            self.app.push_screen(Confirm(question, yes=_("开始采集")), lambda yes: yes and self.start_copy())
        else:
            self.start_copy()

    def start_copy(self) -> None:
        self.state = "copying"
        self.query_one(JobProgress).start()
        self.refresh_bindings()
        self.copy(self.plan)

    @work(thread=True, exclusive=True, group="ingest")
    def copy(self, plan) -> None:
        job = self.query_one(JobProgress)
        try:
            result = self.services.ingest.apply(plan, progress=job.sink(), cancel=job.token)
        except UserError as exc:
            self.app.call_from_thread(self.copy_failed, exc.render())
            return
        finally:
            close_thread_connection(self.services)
        self.app.call_from_thread(self.show_result, result)

    def copy_failed(self, message: str) -> None:
        self.state = "planned"
        self.query_one(JobProgress).finish(message, ok=False)
        self.refresh_bindings()

    def show_result(self, result) -> None:
        self.state = "done"
        late = sum(1 for c in result.archived if c.late)
        corrupt = sum(1 for c in result.archived if "corrupt" in c.flags)
        text = Text.assemble(
            ((_("采集已停止") if result.cancelled else _("采集完成")) + "：", "bold"),
            _("入库 {n} 个").format(n=len(result.archived)),
            "，",
            _("已在库跳过 {n} 个").format(n=len(result.duplicates)),
            "，",
            _("未采集 {n} 个").format(n=len(result.refused)),
        )
        if late:
            text.append(
                "\n" + _("{n} 个文件逾期采集，需说明原因（在“音像资料”中按 l）").format(n=late), style="bold red"
            )
        if corrupt:
            text.append("\n" + _("{n} 个文件已损坏，已原样保存并标记").format(n=corrupt), style="bold red")
        if result.faults:
            text.append(
                "\n"
                + _("{n} 个文件因故未采集（仍在写入或无法读取），见下表；稍后再次采集同一文件夹即可。").format(
                    n=len(result.faults)
                ),
                style="bold red",
            )
        if result.cancelled:
            text.append("\n" + _("已入库的文件都已校验登记；再次采集同一文件夹即可完成余下的文件。"), style="yellow")
        self.show_outcomes(result)
        self.query_one(JobProgress).finish(text, ok=not (result.cancelled or result.faults))
        self.refresh_bindings()
        self.app.notify(text.plain.split("\n")[0], title=_("采集入库"))

    def show_outcomes(self, result) -> None:
        """Each file's outcome in the plan's last column, and a row for each file the scan passed over, so that
        every file of the card not collected is listed with its reason."""
        table = self.query_one("#plan", RegisterTable)
        plan = self.plan
        outcomes: dict[str, Text] = {c.source: Text(_("已入库"), style="green") for c in result.archived}
        outcomes.update((d.source, Text(label(SKIP_REASONS, "duplicate"), style="dim")) for d in result.duplicates)
        refused = {s.path: s for s in result.refused}
        for index, f in enumerate(plan.files):
            note = outcomes.get(shown(str(f.source)))
            skipped = refused.pop(shown(str(f.source.relative_to(plan.source))), None)
            if skipped is not None:
                style = "bold red" if skipped.reason in FAULT_REASONS else "yellow"
                note = Text(label(SKIP_REASONS, skipped.reason), style=style)
            if note is None and result.cancelled:
                note = Text(_("未采集（已停止）"), style="yellow")
            if note is not None:
                table.update_cell(str(index), self.note_column, note)
        for n, skipped in enumerate(refused.values()):
            style = "bold red" if skipped.reason in FAULT_REASONS else "dim"
            table.add_row(
                skipped.path,
                "—",
                "—",
                "—",
                "—",
                "—",
                "—",
                Text(label(SKIP_REASONS, skipped.reason), style=style),
                key=f"skipped-{n}",
            )

    # --- keys -----------------------------------------------------------------------
    def check_action(self, action: str, parameters) -> bool | None:
        if action == "start":
            return True if self.state == "planned" and self.plan and self.plan.files else None
        if action == "choose_activity":
            return self.state == "planned"
        if action == "collect_card":
            return bool(self.cards) and self.state not in ("scanning", "copying")
        return super().check_action(action, parameters)

    def action_back(self) -> None:
        if self.state == "copying":
            self.query_one(JobProgress).cancel()
            self.notify(_("将在当前文件完成后停止"), title=_("采集入库"))
            return
        if self.state == "scanning":
            return
        super().action_back()
