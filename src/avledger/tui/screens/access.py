"""查阅审批: viewing requests waiting and decided, the request form, approve and refuse, the viewing register.

Who is acting is the member of staff of the console account or of the SSH key. An approver
approves (``y``) or refuses (``n``) as themselves; the manager records an
approval signed on a paper form on the approver's behalf (the approver's
number and the form's number are asked). ``r`` files a request, ``v`` opens
the viewing register (查阅登记).
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual import work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.widgets import Input, Static

from avledger.errors import UserError
from avledger.i18n import _
from avledger.services.access import AccessQuery, AccessView
from avledger.tui.forms.access import (
    DecisionForm,
    DecisionFormScreen,
    ExtractForm,
    ExtractFormScreen,
    RequestForm,
    RequestFormScreen,
)
from avledger.tui.forms.base import activity_options, staff_options
from avledger.tui.screens.base import Confirm, FilteredRegisterScreen, close_thread_connection
from avledger.tui.screens.viewings import ViewingsScreen
from avledger.tui.text import access_status
from avledger.tui.widgets import Listing
from avledger.vocab import ACCESS_KINDS, ACCESS_REASONS, label


def cells(r: AccessView) -> tuple:
    decided = f"{r.decided_by}（{r.decided_by_number}）" if r.decided_by else "—"
    if r.on_paper:
        decided += _("（纸质 {no}）").format(no=r.paper_form_no)
    kind = label(ACCESS_KINDS, r.kind) + (_("（保密）") if r.confidential else "")
    return (
        str(r.id),
        access_status(r),
        f"{r.requester}（{r.requester_number}）",
        f"{label(ACCESS_REASONS, r.reason_kind)}：{r.reason}",
        kind,
        str(len(r.clip_ids)),
        r.until.isoformat(),
        decided,
        str(r.viewings),
        str(r.extractions),
    )


class AccessScreen(FilteredRegisterScreen):
    SECTION = "access"
    FILTER_HINT = _("筛选：申请人、事由、状态、审批人")
    TABLE_ID = "requests"
    COLUMNS = (
        ("id", _("编号")),
        ("status", _("状态")),
        ("requester", _("申请人")),
        ("reason", _("事由")),
        ("kind", _("方式")),
        ("files", _("文件数")),
        ("until", _("有效期至")),
        ("decided", _("审批人")),
        ("viewings", _("查阅次数")),
        ("extractions", _("调取次数")),
    )
    FREE_COLUMNS = ("reason", "requester")
    KEEP_COLUMNS = ("id", "status", "until", "decided")
    BINDINGS = [
        Binding("r", "request", _("申请"), tooltip=_("登记查阅或复制申请")),
        Binding("y", "approve", _("批准"), tooltip=_("批准所选申请（管理员：登记纸质审批）")),
        Binding("n", "refuse", _("不批准"), tooltip=_("不予批准所选申请")),
        Binding("v", "viewings", _("查阅登记"), tooltip=_("每次查阅的人员、时间、时长和文件")),
        Binding("e", "extract", _("证据调取"), tooltip=_("按批准的复制申请调取文件，生成文字说明材料")),
        Binding("slash", "focus_filter", _("筛选"), key_display="/"),
    ]

    EMPTY = _("还没有查阅申请。按 r 登记。")
    NO_MATCH = _("没有符合筛选条件的查阅申请。")
    waiting = 0  # requests waiting for a decision

    def compose_body(self) -> ComposeResult:
        yield Static("", id="who")
        yield from self.compose_filter_bar()
        yield Static("", id="empty", classes="empty")

    def listing(self) -> Listing:
        access = self.services.access
        query = AccessQuery(waiting_first=True, text=self.filter_text)
        return Listing(
            lambda after, n: access.page(query, after, n), lambda: access.count(query), lambda r: str(r.id), cells
        )

    def reload(self) -> None:
        self.waiting = self.services.access.count(AccessQuery(open_only=True))
        me = self.services.access.me()
        mode = self.services.access.approval_mode()
        if me:
            who = _("当前人员：{name}").format(name=f"{me.name}（{me.number}）")
        elif mode.on_paper:  # the owner account, unmapped: the administrator
            who = _("当前身份：{account}（数据目录所有者，按管理员）").format(
                account=self.services.who.whoami().account
            )
        else:
            who = _("当前身份没有对应的在职人员，不能审批和查阅")
        self.query_one("#who", Static).update(Text(who, style="dim" if me or mode.on_paper else "yellow"))
        super().reload()

    def count_text(self) -> str:
        waiting = self.waiting
        return super().count_text() + (_("，待审批 {n} 项").format(n=waiting) if waiting else "")

    def current(self) -> AccessView | None:
        return self.table.current_row

    def changed(self, request_id: int) -> None:
        self.query_one("#filter", Input).value = ""
        self.waiting = self.services.access.count(AccessQuery(open_only=True))
        self.show_rows(keep=str(request_id))
        self.table.focus()

    # --- request -----------------------------------------------------------------
    def action_request(
        self, initial: RequestForm | None = None, error: str | None = None, field: str | None = None
    ) -> None:
        tz = self.tz
        activities = activity_options([a for a in self.services.activities.recent() if a.clips], tz)
        if initial is None:
            me = self.services.access.me()
            initial = RequestForm(
                "activity",
                activities[0][1] if activities else "",
                me.number if me else "",
                "case_handling",
                "",
                "view",
                "",
            )

        def done(form: RequestForm | None) -> None:
            if form is None:
                return
            scope = {
                "activity": form.target if form.scope == "activity" else None,
                "case_no": form.target if form.scope == "case" else None,
                "clips": form.target.split() if form.scope == "clips" else (),
            }
            try:
                view = self.services.access.request(
                    form.requester,
                    form.reason,
                    reason_kind=form.reason_kind,
                    kind=form.kind,
                    until=form.until or None,
                    **scope,
                )
            except UserError as exc:
                self.action_request(form, exc.render(), exc.field)
                return
            self.app.notify(_("已登记查阅申请 {id}").format(id=view.id))
            self.changed(view.id)

        self.app.push_screen(RequestFormScreen(activities, initial, error=error, error_field=field), done)

    # --- decide ------------------------------------------------------------------
    def _decide(
        self,
        refuse: bool,
        initial: DecisionForm | None = None,
        error: str | None = None,
        field: str | None = None,
    ) -> None:
        request = self.current()
        if request is None or request.status != "requested":
            return
        mode = self.services.access.approval_mode()
        if mode.how is None:
            self.app.notify(mode.refusal.render(), severity="error")
            return
        on_paper = mode.on_paper  # the manager records an approval signed on paper
        me = self.services.access.me()
        if not refuse and not on_paper:  # the approver approves as themselves, no form
            self._run(request.id, DecisionForm(me.number, "", ""), refuse=False)
            return
        initial = initial or DecisionForm("" if on_paper else me.number, "", "")
        title = (_("不予批准查阅申请 {id}") if refuse else _("登记纸质审批：查阅申请 {id}")).format(id=request.id)

        def done(form: DecisionForm | None) -> None:
            if form is not None:
                self._run(request.id, form, refuse=refuse, in_form=True)

        self.app.push_screen(
            DecisionFormScreen(
                title, refuse=refuse, on_paper=on_paper, initial=initial, error=error, error_field=field
            ),
            done,
        )

    def _run(self, request_id: int, form: DecisionForm, *, refuse: bool, in_form: bool = False) -> None:
        """Decide; a refusal of what was typed in the form opens it again as typed, the reason beside its field."""
        try:
            if refuse:
                self.services.access.refuse(request_id, form.by, form.reason)
            else:
                self.services.access.approve(request_id, form.by, paper_form=form.paper_form or None)
        except UserError as exc:
            if in_form:
                self._decide(refuse, initial=form, error=exc.render(), field=exc.field)
            else:
                self.app.notify(exc.render(), severity="error")
            return
        self.app.notify((_("已不予批准查阅申请 {id}") if refuse else _("已批准查阅申请 {id}")).format(id=request_id))
        self.changed(request_id)

    def action_approve(self) -> None:
        self._decide(refuse=False)

    def action_refuse(self) -> None:
        self._decide(refuse=True)

    def action_viewings(self) -> None:
        self.app.push_screen(ViewingsScreen(self.services))

    # --- extract -----------------------------------------------------------------
    def action_extract(
        self, initial: ExtractForm | None = None, error: str | None = None, field: str | None = None
    ) -> None:
        request = self.current()
        if request is None or not request.usable or request.kind != "copy":
            return
        people = staff_options(self.services.staff.list(include_left=False))
        if initial is None:
            me = self.services.access.me()
            from avledger.timeutil import to_local

            stamp = to_local(self.services.ctx.clock(), self.tz).strftime("%Y%m%d-%H%M")
            out = self.services.home.path / "evidence" / f"request-{request.id}-{stamp}"
            initial = ExtractForm(me.number if me else "", str(out), False, "")

        def extract(form: ExtractForm) -> None:
            self.app.notify(_("正在调取…"), title=_("证据调取"))
            self.run_extract(request.id, form)

        def done(form: ExtractForm | None) -> None:
            if form is None:
                return
            damaged = self.services.access.damaged_clips(request.id)
            if not damaged:
                extract(form)
                return
            question = "\n".join(
                [
                    _("以下 {n} 个音像文件采集时标记为损坏，调取的是损坏的文件：").format(n=len(damaged)),
                    *("  " + d.describe() for d in damaged),
                    _("仍然调取？"),
                ]
            )
            self.app.push_screen(
                Confirm(question, yes=_("仍然调取")), lambda yes: extract(form) if yes else self.action_extract(form)
            )

        self.app.push_screen(ExtractFormScreen(request, people, initial, error=error, error_field=field), done)

    @work(thread=True, exclusive=True, group="extract")
    def run_extract(self, request_id: int, form: ExtractForm) -> None:
        try:
            done = self.services.access.extract(
                request_id, form.extractor, form.out, seven_zip=form.seven_zip, password=form.password or None
            )
        except UserError as exc:
            self.app.call_from_thread(self.action_extract, form, exc.render(), exc.field)
            return
        finally:
            close_thread_connection(self.services)
        where = done.package or done.out_dir
        message = _("已调取 {n} 个文件，SHA-256 均已核对：{path}").format(n=len(done.files), path=where)
        self.app.call_from_thread(self.app.notify, message, title=_("证据调取"), timeout=20)
        self.app.call_from_thread(self.changed, request_id)

    def check_action(self, action: str, parameters) -> bool | None:
        if action in ("approve", "refuse") and self.is_mounted:
            request = self.current()
            if request is None or request.status != "requested":
                return None
        if action == "extract" and self.is_mounted:
            request = self.current()
            if request is None or not request.usable or request.kind != "copy":
                return None
        return super().check_action(action, parameters)

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand(_("查阅申请"), _("登记查阅或复制申请"), self.action_request)
        request = self.current()
        if request is not None and request.status == "requested":
            yield SystemCommand(_("批准"), _("批准所选申请（管理员：登记纸质审批）"), self.action_approve)
            yield SystemCommand(_("不批准"), _("不予批准所选申请"), self.action_refuse)
        yield SystemCommand(_("查阅登记"), _("每次查阅的人员、时间、时长和文件"), self.action_viewings)
        if request is not None and request.usable and request.kind == "copy":
            yield SystemCommand(_("证据调取"), _("按批准的复制申请调取文件，生成文字说明材料"), self.action_extract)
