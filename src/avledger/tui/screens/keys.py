"""SSH 密钥: the colleagues' keys, each bound to a staff number; register one (a) or withdraw it (x).

A person who logs in to this PC over SSH with a registered key gets avledger as that person and nothing
else (the lines are written to the owner account's authorized_keys by the key service)."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.widgets import Static

from avledger.errors import UserError
from avledger.i18n import _
from avledger.services.keys import read_key_file
from avledger.services.views import KeyView
from avledger.timeutil import fmt_local
from avledger.tui.forms.keys import KeyForm, KeyFormScreen
from avledger.tui.screens.base import Confirm, SubScreen
from avledger.tui.widgets import RegisterTable
from avledger.vocab import KEY_STATES, label

KEY_PREFIXES = ("ssh-", "ecdsa-", "sk-")


class KeysScreen(SubScreen):
    SECTION = "staff"
    BINDINGS = [
        Binding("a", "add", _("登记密钥"), tooltip=_("把同事的 SSH 公钥登记到其工号")),
        Binding("x", "remove", _("撤销"), tooltip=_("撤销所选密钥：它再也打不开 avledger")),
    ]

    def __init__(self, services, number: str = "") -> None:
        super().__init__(services)
        self.number = number  # the person the screen was opened for (their number, to start the form with)
        self.keys: dict[str, KeyView] = {}

    def compose_body(self) -> ComposeResult:
        yield Static(_("SSH 密钥"), classes="title")
        yield Static(
            _("同事用登记的密钥通过 SSH 登录本机，只能以本人身份使用 avledger，不能打开命令行。"), classes="subtitle"
        )
        yield RegisterTable(id="keys")
        yield Static("", id="empty", classes="empty")

    def on_mount(self) -> None:
        table = self.query_one(RegisterTable)
        for title in ("#", _("工号"), _("姓名"), _("状态"), _("类型"), _("指纹"), _("登记时间"), _("备注")):
            table.add_column(title)

    def reload(self) -> None:
        table = self.query_one(RegisterTable)
        keep = table.current_key
        table.clear()
        try:
            keys = self.services.keys.list()
        except UserError as exc:
            self.query_one("#empty", Static).update(Text(exc.render(), style="yellow"))
            return
        self.keys = {str(k.id): k for k in keys}
        tz = self.tz
        for k in keys:
            style = "" if k.state == "active" else "dim"
            table.add_row(
                str(k.id),
                k.staff_number,
                k.staff_name,
                Text(label(KEY_STATES, k.state), style="green" if k.state == "active" else "dim"),
                k.kind,
                Text(k.fingerprint, style=style),
                fmt_local(k.added_at, tz),
                k.comment,
                key=str(k.id),
            )
        table.select_key(keep)
        self.query_one("#empty", Static).update(_("还没有登记的密钥。按 a 登记。") if not keys else "")

    def current(self) -> KeyView | None:
        return self.keys.get(self.query_one(RegisterTable).current_key or "")

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "remove" and self.is_mounted:
            key = self.current()
            return True if key is not None and key.state != "removed" else None
        return super().check_action(action, parameters)

    def action_add(self, initial: KeyForm | None = None, error: str | None = None, field: str | None = None) -> None:
        def done(form: KeyForm | None) -> None:
            if form is None:
                return
            try:
                text = form.key if form.key.startswith(KEY_PREFIXES) else read_key_file(form.key)
                key = self.services.keys.add(form.number, text)
            except UserError as exc:
                self.action_add(form, exc.render(), exc.field)
                return
            self.app.notify(
                _("已登记 {name}（{number}）的密钥 {id}").format(
                    name=key.staff_name, number=key.staff_number, id=key.id
                )
            )
            self.reload()
            self.query_one(RegisterTable).select_key(str(key.id))

        start = initial or KeyForm(self.number, "")
        self.app.push_screen(KeyFormScreen(start, error=error, error_field=field), done)

    def action_remove(self) -> None:
        key = self.current()
        if key is None or key.state == "removed":
            return

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            try:
                self.services.keys.remove(key.id)
            except UserError as exc:
                self.app.notify(exc.render(), severity="error")
                return
            self.app.notify(_("已撤销密钥 {id}").format(id=key.id))
            self.reload()

        question = _("撤销 {name}（{number}）的密钥 {id}？撤销后用它登录将打不开 avledger。").format(
            name=key.staff_name, number=key.staff_number, id=key.id
        )
        self.app.push_screen(Confirm(question, yes=_("撤销")), confirmed)

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand(_("登记密钥"), _("把同事的 SSH 公钥登记到其工号"), self.action_add)
