"""A clip's page: what the register knows of it, the approval it may be viewed under, and, on request,
a few pictures from it (a registered viewing)."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.widgets import Static

from avledger.errors import UserError
from avledger.i18n import _
from avledger.present import duration_text, or_dash, size_text
from avledger.services.footage import ClipView
from avledger.timeutil import fmt_local
from avledger.tui.actions.footage import FootageActions
from avledger.tui.screens.base import SubScreen, close_thread_connection
from avledger.tui.screens.disposal import retention_pairs
from avledger.tui.text import clip_flags, pairs_table
from avledger.vocab import CLIP_KINDS, TIME_SOURCES, label


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
            *retention_pairs(self.services.retention.show(clip=c.id)),  # keep-until and holds (F11)
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
