"""身份与权限: who is acting (as ``avledger whoami``), and the office's permission table, in words."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from avledger.i18n import _
from avledger.services.permissions import ROLE_WORDS
from avledger.services.views import WhoView
from avledger.tui.screens.base import InfoDialog
from avledger.vocab import ACTING_HOW, label


def who_label(who: WhoView) -> str:
    """The person acting, short (the section bar): "王建国（1001）", "张伟（2001）· SSH", "office（所有者）"."""
    if who.how == "administrator":
        return _("{account}（所有者）").format(account=who.account)
    if who.staff_number is None:
        return _("无身份")
    person = f"{who.staff_name}（{who.staff_number}）"
    return f"{person} · SSH" if who.how == "ssh" else person


class WhoScreen(InfoDialog):
    """Who am I and what may I do; below, who may do what in this office."""

    BINDINGS = [Binding("f3", "close", show=False)]
    title_text = _("身份与权限")

    def __init__(self, who: WhoView, table: list) -> None:
        super().__init__()
        self.who = who
        self.rows = table

    def compose_content(self) -> ComposeResult:
        who = self.who
        me = Table(box=None, pad_edge=False, show_header=False, expand=True)
        me.add_column(no_wrap=True, style="bold")
        me.add_column(ratio=1)
        how = label(ACTING_HOW, who.how) + (_("（密钥 {id}）").format(id=who.key_id) if who.key_id is not None else "")
        me.add_row(_("身份"), who_label(who))
        me.add_row(_("身份来源"), how)
        me.add_row(_("系统账户"), who.account)
        me.add_row(_("角色"), _("、").join(label(ROLE_WORDS, r) for r in who.roles) or _("（无）"))
        everyone = Table(box=None, pad_edge=False, expand=True)
        everyone.add_column("", no_wrap=True, width=2)
        everyone.add_column(_("操作"), ratio=3)
        everyone.add_column(_("谁可以"), ratio=2)
        for row in self.rows:
            mine = row.action in who.actions
            everyone.add_row(
                "✓" if mine else "",
                Text(_(row.words), style="" if mine else "dim"),
                _("、").join(label(ROLE_WORDS, r) for r in row.roles),
            )
        with VerticalScroll(id="who-table"):
            yield Static(me, id="who-me")
            yield Static(Text(_("权限表（✓：您可以）"), style="bold underline"))
            yield Static(everyone, id="who-permissions")
