"""查阅登记: every viewing (who, when, how long, which clips) and every extraction (F16)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widgets import Static

from avledger.i18n import _
from avledger.timeutil import fmt_local
from avledger.tui.screens.base import SubScreen
from avledger.tui.widgets import Listing, PagedTable, RegisterTable


class ViewingsScreen(SubScreen):
    """查阅登记: every viewing (who, when, how long, which clips) and every extraction."""

    SECTION = "access"

    def compose_body(self) -> ComposeResult:
        yield Static(_("查阅登记"), classes="title", id="viewings-title")
        yield PagedTable(id="viewings")
        yield Static(_("证据调取"), classes="title", id="extractions-title")
        yield PagedTable(id="extractions")

    def on_mount(self) -> None:
        viewings = self.query_one("#viewings", RegisterTable)
        for key, title in (
            ("id", _("编号")),
            ("request", _("申请")),
            ("viewer", _("查阅人")),
            ("at", _("时间")),
            ("duration", _("时长（秒）")),
            ("clips", _("文件")),
        ):
            viewings.add_column(title, key=key)
        extractions = self.query_one("#extractions", RegisterTable)
        for key, title in (
            ("id", _("编号")),
            ("request", _("申请")),
            ("extractor", _("提取人")),
            ("at", _("时间")),
            ("files", _("文件数")),
            ("where", _("位置")),
        ):
            extractions.add_column(title, key=key)
        viewings.focus()

    def reload(self) -> None:
        tz = self.tz
        access = self.services.access
        self.query_one("#viewings", PagedTable).show(
            Listing(
                lambda after, n: access.page_viewings(None, after, n),
                access.count_viewings,
                lambda v: str(v.id),
                lambda v: (
                    str(v.id),
                    str(v.request_id),
                    f"{v.viewer}（{v.viewer_number}）",
                    fmt_local(v.at, tz),
                    "—" if v.duration_s is None else f"{v.duration_s:.0f}",
                    " ".join(f"#{c}" for c in v.clip_ids),
                ),
            )
        )
        self.query_one("#extractions", PagedTable).show(
            Listing(
                lambda after, n: access.page_extractions(None, after, n),
                access.count_extractions,
                lambda e: str(e.id),
                lambda e: (
                    str(e.id),
                    str(e.request_id),
                    f"{e.extractor}（{e.extractor_number}）",
                    fmt_local(e.at, tz),
                    str(len(e.files)),
                    e.package or e.out_dir,
                ),
            )
        )

    @on(PagedTable.Paged)
    def _paged(self, event: PagedTable.Paged) -> None:
        title = _("查阅登记") if event.table.id == "viewings" else _("证据调取")
        self.query_one(f"#{event.table.id}-title", Static).update(f"{title}  {event.table.summary()}")
