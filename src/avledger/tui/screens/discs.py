"""光盘归档: the activities that must go to disc, building the images, burning copy 1 and copy 2,
verifying a disc, and the disc register with its re-checks (F12 to F14).

Building, burning and verifying run in a worker thread; the services report
progress events, which reach the progress bar through ``call_from_thread``.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import HorizontalGroup
from textual.widgets import Input, Static

from avledger.errors import UserError
from avledger.i18n import A_, _
from avledger.present import size_text
from avledger.progress import Cancelled
from avledger.services.discs import DISC_TARGET_STATES, same_place_text
from avledger.timeutil import fmt_local
from avledger.tui.screens.base import Confirm, SectionScreen, close_thread_connection
from avledger.tui.widgets import JobProgress, Listing, PagedTable, RegisterTable, ZhSelect
from avledger.vocab import DISC_CHECK_RESULTS, DISC_MEDIA, LONG_TERM_REASONS, label, labels

STATE_STYLES = {"none": "bold red", "built": "yellow", "partly": "yellow", "done": "green"}


def target_cells(t) -> tuple:
    return (
        str(t.activity_id),
        t.title,
        Text(_(DISC_TARGET_STATES[t.state]), style=STATE_STYLES[t.state]),
        str(t.clips),
        t.case_no,
        labels(LONG_TERM_REASONS, t.reasons),
    )


def register_cells(d, tz) -> tuple:
    copies = Text()
    for number, kept_at, verified in d.copies:
        if copies:
            copies.append("；")
        copies.append(f"{number}：{kept_at or '-'}", style="" if verified else "bold red")
    for number in d.burning:  # a burn running, or interrupted (disc verify ends it)
        if copies:
            copies.append("；")
        copies.append(f"{number}：" + _("刻录未结束"), style="yellow")
    check = (
        Text(
            f"{fmt_local(d.last_check_at, tz)} {label(DISC_CHECK_RESULTS, d.last_check_result)}",
            style="green" if d.last_check_result == "ok" else "bold red",
        )
        if d.last_check_at
        else Text("")
    )
    return (
        str(d.set_id),
        f"{d.number}/{d.discs}",
        d.volume_id,
        d.title,
        label(DISC_MEDIA, d.media),
        size_text(d.size) if d.size else Text(_("未制作"), style="dim"),
        copies,
        check,
    )


class DiscsScreen(SectionScreen):
    SECTION = "discs"
    BINDINGS = [
        Binding("p", "plan", _("规划"), tooltip=_("所选执法活动需要几张光盘、每张放哪些文件")),
        Binding("b", "build", A_("制作镜像"), tooltip=_("为所选执法活动制作光盘镜像")),
        Binding("k", "burn", _("刻录下一份"), tooltip=_("刻录所选光盘的下一份（先第 1 份，再第 2 份）并回读核验")),
        Binding("v", "verify", _("核验光盘"), tooltip=_("识别刻录机中的光盘并逐个文件核验")),
        Binding("s", "stop", _("停止"), tooltip=_("停止正在进行的制作、刻录或核验（正在进行的一步撤销，不作登记）")),
    ]

    def __init__(self, services) -> None:
        super().__init__(services)
        self.busy = False
        self._disc: tuple[str, object] | None = None  # the selected disc's key and DiscView, once asked for

    def compose_body(self) -> ComposeResult:
        yield Static(_("须刻录光盘长期保存的执法活动"), classes="title", id="targets-title")
        yield PagedTable(id="targets")
        with HorizontalGroup(classes="toolbar"):
            yield Static(_("光盘类型"), classes="label")
            yield ZhSelect(
                [(_(text), key) for key, text in DISC_MEDIA.items()],
                prompt=_("光盘类型"),
                id="media",
                compact=True,
                value="dvd",
            )
            yield Static(_("镜像目录"), classes="label")
            yield Input(str(self.services.home.path / "discs"), placeholder=_("镜像输出目录"), id="out", compact=True)
        with HorizontalGroup(classes="toolbar"):
            yield Static(_("刻录机"), classes="label")
            yield Input("/dev/sr0", placeholder=_("刻录机设备（如 /dev/sr0）或 stdio:文件"), id="drive", compact=True)
            yield Static(_("存放位置"), classes="label")
            yield Input("", placeholder=_("如：档案室 2 号柜"), id="kept-at", compact=True)
        yield JobProgress(id="job")
        yield Static(_("光盘登记"), classes="title", id="register-title")
        yield PagedTable(id="register")
        yield Static("", id="disc-info")
        yield Static("", id="due")

    def on_mount(self) -> None:
        targets = self.query_one("#targets", RegisterTable)
        for title in ("#", _("标题"), _("状态"), _("音像"), _("案号"), _("长期保存情形")):
            targets.add_column(title)
        register = self.query_one("#register", RegisterTable)
        for title in (
            _("组"),
            _("光盘"),
            _("卷标"),
            _("名称"),
            _("类型"),
            _("大小"),
            _("份数与存放位置"),
            _("最近检测"),
        ):
            register.add_column(title)

    def reload(self) -> None:
        discs = self.services.discs
        targets = self.query_one("#targets", PagedTable)
        targets.show(Listing(discs.page_targets, discs.count_targets, lambda t: str(t.activity_id), target_cells))
        tz = self.tz
        register = self.query_one("#register", PagedTable)
        self._disc = None
        register.show(
            Listing(discs.page_register, discs.count_register, lambda d: str(d.id), lambda d: register_cells(d, tz))
        )
        due = discs.rechecks()
        self.query_one("#due", Static).update(
            Text(
                _("到期待复检 {n} 张，本次至少检测 {m} 张：{ids}").format(
                    n=len(due.due), m=due.required, ids=" ".join(d.volume_id for d in due.due)
                ),
                style="yellow",
            )
            if due.due
            else Text(_("暂无到期复检的光盘。"), style="dim")
        )
        self.refresh_bindings()

    @on(PagedTable.Paged)
    def _paged(self, event: PagedTable.Paged) -> None:
        title = _("须刻录光盘长期保存的执法活动") if event.table.id == "targets" else _("光盘登记")
        self.query_one(f"#{event.table.id}-title", Static).update(f"{title}  {event.table.summary()}")

    # --- what is selected -------------------------------------------------------------
    def selected_disc(self):
        """The disc under the register's cursor (a DiscView, with its copies), or None."""
        key = self.query_one("#register", PagedTable).current_key
        if key is None:
            return None
        if self._disc is None or self._disc[0] != key:
            self._disc = (key, self.services.discs.view_disc(int(key)))
        return self._disc[1]

    def value(self, selector: str) -> str:
        return self.query_one(selector, Input).value.strip()

    # --- actions ------------------------------------------------------------------------------
    def action_plan(self) -> None:
        activity = self.query_one("#targets", RegisterTable).current_key
        if activity is None:
            self.notify(_("请先选择执法活动"), severity="error")
            return
        media = self.query_one("#media", ZhSelect).chosen or "dvd"
        line = self.query_one(JobProgress)
        try:
            plan = self.services.discs.plan(activity=activity, media=media)
        except UserError as exc:
            line.note(Text(exc.render(), style="bold red"))
            return
        text = Text(
            _("{n} 张光盘，{files} 个文件，共 {size}").format(
                n=len(plan.discs), files=plan.files, size=size_text(plan.payload_bytes)
            ),
            style="bold",
        )
        for d in plan.discs:
            text.append(
                f"\n{d.number}/{len(plan.discs)}  {size_text(d.payload_bytes)}  "
                + _("、").join(f.name for f in d.files[:6])
                + (" …" if len(d.files) > 6 else "")
            )
        line.note(text)

    def action_build(self) -> None:
        if self.busy:
            return
        activity = self.query_one("#targets", RegisterTable).current_key
        if activity is None:
            self.notify(_("请先选择执法活动"), severity="error")
            return
        media = self.query_one("#media", ZhSelect).chosen or "dvd"
        self.start()
        self.run_build(activity, media, self.value("#out"))

    def action_burn(self) -> None:
        """Burn the selected disc's next copy, once confirmed: a write-once disc cannot be taken back."""
        disc = self.selected_disc()
        if self.busy or disc is None or not disc.built:
            return
        copy = self.services.discs.next_copy(disc)
        if copy is None:
            return
        drive, kept_at = self.value("#drive"), self.value("#kept-at")
        lines = [
            _("刻录 {volume} 第 {copy} 份到 {drive}？").format(volume=disc.volume_id, copy=copy, drive=drive),
            _("镜像：{path}").format(path=disc.image_path),
            _("存放位置：{place}").format(place=kept_at or _("未填存放位置")),
            _("一次性光盘写入后不能更改；刻完后回读核验并登记。"),
        ]
        other = self.services.discs.same_place(disc, copy, kept_at)
        if other is not None:
            lines.append(_("注意：{caution}").format(caution=same_place_text(other)))

        def burn(yes: bool | None) -> None:
            if yes and not self.busy:
                self.start()
                self.run_burn(disc.image_path, drive, copy, kept_at)

        self.app.push_screen(Confirm("\n".join(lines), yes=_("刻录")), burn)

    def action_verify(self) -> None:
        if self.busy:
            return
        self.start()
        self.run_verify(self.value("#drive"))

    def print_targets(self):
        """F2: the disc register; then the selected disc's label (or every disc's labels)."""
        from avledger.services.printing import Filters

        disc = self.selected_disc() if self.is_mounted else None
        return [("discs", Filters()), ("disc-label", Filters(disc=disc.volume_id if disc is not None else None))]

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand(_("规划光盘"), _("所选执法活动需要几张光盘、每张放哪些文件"), self.action_plan)
        yield SystemCommand(_("制作光盘镜像"), _("为所选执法活动制作光盘镜像"), self.action_build)
        if self.check_action("burn", ()) is True:
            yield SystemCommand(_("刻录下一份光盘"), _("刻录所选光盘的下一份并回读核验"), self.action_burn)
        yield SystemCommand(_("核验光盘"), _("识别刻录机中的光盘并逐个文件核验"), self.action_verify)

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "print":
            return super().check_action(action, parameters)
        if action == "burn":
            if self.busy:
                return None
            disc = self.selected_disc() if self.is_mounted else None
            # grey until the image is built, and once every copy is burned
            return True if disc is not None and disc.built and self.services.discs.next_copy(disc) is not None else None
        if action in ("plan", "build", "verify"):
            return None if self.busy else True
        if action == "stop":
            return True if self.busy else None
        return True

    def on_data_table_row_highlighted(self, event) -> None:
        self.refresh_bindings()
        self.show_disc()

    def show_disc(self) -> None:
        """Where the selected disc's image is, and where each of its copies is kept."""
        disc = self.selected_disc() if self.is_mounted else None
        info = self.query_one("#disc-info", Static)
        if disc is None:
            info.update("")
            return
        text = Text(_("镜像：") + (disc.image_path or _("未制作")), style="dim" if not disc.built else "")
        for c in disc.copies:
            text.append(
                "\n"
                + _("第 {copy} 份：{place}（{state}）").format(
                    copy=c.copy, place=c.kept_at or _("未填存放位置"), state=_("已核验") if c.verified else _("未核验")
                )
            )
        info.update(text)

    # --- workers -----------------------------------------------------------------------------
    def start(self) -> None:
        self.busy = True
        self.query_one(JobProgress).start()
        self.refresh_bindings()

    def action_stop(self) -> None:
        if self.query_one(JobProgress).cancel():
            self.notify(_("正在停止：正在进行的一步将撤销，不作登记"), title=_("光盘归档"))

    def finished(self, message: str, ok: bool) -> None:
        self.busy = False
        self.query_one(JobProgress).finish(message, ok)
        self.notify(message, severity="information" if ok else "error", title=_("光盘归档"))
        self.refresh_bindings()
        self.reload()

    def _job(self, call, describe) -> None:
        """Run one disc job in this worker thread; its outcome in words (or its refusal, or that it was stopped)
        goes to :meth:`finished`. ``call`` receives the progress sink and the cancel token."""
        job = self.query_one(JobProgress)
        try:
            message, ok = describe(call(job.sink(), job.token))
        except UserError as exc:
            message, ok = exc.render(), False
        except Cancelled:
            message, ok = _("已停止：正在进行的一步已撤销，未作登记；此前完成的部分已登记。"), False
        finally:
            close_thread_connection(self.services)
        self.app.call_from_thread(self.finished, message, ok)

    @work(thread=True, exclusive=True, group="discs")
    def run_build(self, activity: str, media: str, out: str) -> None:
        self._job(
            lambda progress, cancel: self.services.discs.build(
                out, activity=activity, media=media, progress=progress, cancel=cancel
            ),
            lambda result: (_("光盘组 {id}：{n} 张").format(id=result.id, n=len(result.discs)), True),
        )

    @work(thread=True, exclusive=True, group="discs")
    def run_burn(self, image: str, drive: str, copy: int, kept_at: str) -> None:
        def describe(result) -> tuple[str, bool]:
            if result.ok:
                return _("已刻录并核验：{volume} 第 {copy} 份（{place}）").format(
                    volume=result.disc.volume_id, copy=copy, place=kept_at or _("未填存放位置")
                ), True
            return _("回读核验不一致：{volume} 第 {copy} 份").format(
                volume=result.disc.volume_id, copy=copy
            ) + " " + " ".join(p.path for p in result.problems), False

        self._job(
            lambda progress, cancel: self.services.discs.burn(
                image, drive, copy, kept_at=kept_at, progress=progress, cancel=cancel
            ),
            describe,
        )

    @work(thread=True, exclusive=True, group="discs")
    def run_verify(self, drive: str) -> None:
        def describe(result) -> tuple[str, bool]:
            if result.resumed == "completed":
                return _("中断的刻录已完成：{volume} 第 {copy} 份回读与镜像一致，已登记为已刻录并核验").format(
                    volume=result.disc.volume_id, copy=result.copy
                ), True
            if result.resumed == "failed":
                return _(
                    "中断的刻录未完成：{volume} 第 {copy} 份回读与镜像不一致，已登记为刻录失败；请另用一张光盘重新刻录"
                ).format(volume=result.disc.volume_id, copy=result.copy), False
            if result.ok:
                return _("光盘完好：{volume}（第 {n} 张，共 {count} 张），{files} 个文件均与清单一致").format(
                    volume=result.disc.volume_id, n=result.disc.number, count=result.disc.discs, files=result.checked
                ), True
            return _("光盘 {volume} 发现 {n} 处问题：").format(
                volume=result.disc.volume_id, n=len(result.problems)
            ) + " ".join(p.path for p in result.problems), False

        self._job(
            lambda progress, cancel: self.services.discs.verify(drive, progress=progress, cancel=cancel), describe
        )
