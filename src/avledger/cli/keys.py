"""Who am I, and colleagues' SSH keys: ``avledger whoami``, ``avledger ssh add|list|remove``."""

from __future__ import annotations

import sys

import click

from avledger.i18n import _
from avledger.services.keys import read_key_file
from avledger.services.permissions import ACTIONS, ROLE_WORDS
from avledger.services.views import to_json
from avledger.timeutil import fmt_local
from avledger.vocab import ACTING_HOW, KEY_STATES, label

from .groups import Command, Group, json_option
from .output import emit_json, key_values, table
from .state import services


@click.command(cls=Command)
@json_option
def whoami(as_json: bool) -> None:
    """当前身份：以谁的身份操作、如何确定、角色和可以做的事。"""
    who = services().who.whoami()
    if as_json:
        emit_json(to_json(who))
        return
    person = f"{who.staff_name}（{who.staff_number}）" if who.staff_number else who.account
    how = label(ACTING_HOW, who.how) + (_("（密钥 {id}）").format(id=who.key_id) if who.key_id is not None else "")
    key_values(
        [
            (_("身份"), person),
            (_("身份来源"), how),
            (_("系统账户"), who.account),
            (_("角色"), _("、").join(label(ROLE_WORDS, r) for r in who.roles) or _("（无）")),
        ]
    )
    click.echo(_("可以："))
    for action in who.actions:
        click.echo(f"  - {_(ACTIONS[action])}")
    if not who.actions:
        click.echo("  " + _("（无）"))


@click.group(cls=Group)
def ssh() -> None:
    """同事的 SSH 密钥：登记后同事用自己的密钥登录本机，只能使用 avledger，且以本人身份操作。"""


@ssh.command("add")
@click.argument("number", metavar="STAFF_NUMBER")
@click.argument("keyfile", metavar="KEYFILE")
@json_option
def ssh_add(number: str, keyfile: str, as_json: bool) -> None:
    """登记同事的 SSH 公钥（.pub 文件；- 表示从标准输入读取），并写入 authorized_keys。"""
    text = sys.stdin.read(64 * 1024) if keyfile == "-" else read_key_file(keyfile)
    opened = services()
    view = opened.keys.add(number, text)
    if as_json:
        emit_json(to_json(view))
        return
    click.echo(
        _("已登记密钥 {id}：{name}（{number}），{fingerprint}").format(
            id=view.id, name=view.staff_name, number=view.staff_number, fingerprint=view.fingerprint
        )
    )
    click.echo(_("已写入 {path}").format(path=opened.keys.authorized_keys_path()))


@ssh.command("list")
@json_option
def ssh_list(as_json: bool) -> None:
    """列出登记的 SSH 密钥。"""
    opened = services()
    rows = opened.keys.list()
    if as_json:
        emit_json([to_json(r) for r in rows])
        return
    tz = opened.office.profile().tz
    table(
        [_("编号"), _("人员"), _("类型"), _("指纹"), _("备注"), _("添加时间"), _("状态")],
        [
            [
                r.id,
                f"{r.staff_name}（{r.staff_number}）",
                r.kind,
                r.fingerprint,
                r.comment,
                fmt_local(r.added_at, tz),
                label(KEY_STATES, r.state),
            ]
            for r in rows
        ],
    )


@ssh.command("remove")
@click.argument("key_id", metavar="KEY_ID")
@json_option
def ssh_remove(key_id: str, as_json: bool) -> None:
    """撤销一把 SSH 密钥（记录保留），并从 authorized_keys 中删去。"""
    view = services().keys.remove(key_id)
    if as_json:
        emit_json(to_json(view))
        return
    click.echo(
        _("已撤销密钥 {id}：{name}（{number}）").format(id=view.id, name=view.staff_name, number=view.staff_number)
    )
