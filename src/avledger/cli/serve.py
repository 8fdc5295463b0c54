"""``avledger ssh-serve KEY_ID``: what sshd runs for a colleague who logged in with a registered key.

Written into the owner account's ``authorized_keys`` by ``avledger ssh add`` (see
:mod:`avledger.services.keys`), never typed by a person, so hidden from help. It acts as the key's member
of staff, checked in the register now: a key removed, not registered, or of someone who has left opens
nothing (the attempt is logged). Then:

- no ``SSH_ORIGINAL_COMMAND`` (``ssh office-pc``): the TUI, on the terminal sshd gave (``ssh -t``);
- a command (``ssh office-pc 'loan list --open'``): exactly one avledger command, split as a shell would
  (``shlex``) but run by no shell. A leading ``avledger`` is allowed. Refused, and logged: an option that
  would change the data folder (``--home``), this command itself, the settings of the office PC
  (``language``, ``init``, ``demo``), anything that is not an avledger command, and a command with a
  line break.

What the command may then do is the permission table's business, as everywhere.

The owner account could run ``ssh-serve`` by hand and act as any key's member of staff: it owns the
register's files and is trusted with them anyway (at the console it is the administrator, or the manager
mapped to it); the log still names the account and the key.
"""

from __future__ import annotations

import os
import shlex
import sys

import click

from avledger.errors import UserError
from avledger.i18n import LANGUAGES, set_language

from . import COMMANDS, cli
from .groups import Command
from .state import act_as, home, identity, services

NOT_OVER_SSH = frozenset({"ssh-serve", "language", "init", "demo"})
OPTIONS_WITH_VALUE = frozenset({"--lang"})
OPTIONS_ALONE = frozenset({"--version", "--help", "-h"})


@click.command(cls=Command, hidden=True)
@click.argument("key_id", type=int)
def ssh_serve(key_id: int) -> None:
    """SSH 登录入口（由 authorized_keys 调用）。"""
    act_as(identity().over_ssh(key_id))
    opened = services()
    command = os.environ.get("SSH_ORIGINAL_COMMAND") or ""  # what the person asked sshd to run: input
    if opened.ctx.acting().how == "nobody":  # the key is not in the register now: nothing at all, logged
        raise opened.keys.refused_command(
            command,
            UserError(
                "ssh.key_not_active",
                "SSH 密钥 {id} 没有对应的在职人员（未登记、已撤销，或人员已离职），不能使用",
                id=key_id,
            ),
        )
    opened.ctx.require("register.read")  # a member of staff with no role at all: nothing either
    args = remote_arguments(command, opened) if command.strip() else []
    if not any(word in COMMANDS or word in OPTIONS_ALONE for word in args):
        lang = language_of(args)  # only --lang: the TUI in that language (ssh -t office-pc --lang en)
        if lang:
            set_language(lang)
        serve_tui(opened)
        return
    ctx = click.get_current_context()
    with cli.make_context("avledger", ["--home", str(home().path), *args], parent=ctx) as sub:
        cli.invoke(sub)


def language_of(args: list[str]) -> str | None:
    for i, word in enumerate(args):
        if word.startswith("--lang="):
            value = word.split("=", 1)[1]
        elif word == "--lang" and i + 1 < len(args):
            value = args[i + 1]
        else:
            continue
        return value if value in LANGUAGES else None
    return None


def serve_tui(opened) -> None:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UserError(
            "ssh.no_terminal", "界面需要终端：请用 ssh -t 登录，或在登录命令后写一条 avledger 命令（如 whoami）"
        )
    identity_ = opened.ctx.identity
    folder = opened.home
    opened.close()  # the TUI opens its own (its workers run in threads)
    from avledger.tui import run_tui

    sys.exit(run_tui(folder, identity_))


def remote_arguments(command: str, opened) -> list[str]:
    """The arguments of the one avledger command asked for, or a refusal (logged)."""

    def refuse(error: UserError) -> UserError:
        return opened.keys.refused_command(command, error)

    if any(ch in command for ch in "\r\n\0"):
        raise refuse(UserError("ssh.command_refused", "通过 SSH 运行的命令中不能有换行"))
    try:
        words = shlex.split(command)
    except ValueError:
        raise refuse(UserError("ssh.command_refused", "通过 SSH 运行的命令引号不配对")) from None
    if words and words[0] == "avledger":
        words = words[1:]
    i = 0
    while i < len(words) and words[i].startswith("-"):
        name = words[i].split("=", 1)[0]
        if name in OPTIONS_WITH_VALUE:
            i += 1 if "=" in words[i] else 2
        elif name in OPTIONS_ALONE:
            i += 1
        else:
            raise refuse(UserError("ssh.command_refused", "通过 SSH 不能使用选项 {option}", option=name))
    if i >= len(words):
        if not words:
            raise refuse(UserError("ssh.command_refused", "通过 SSH 运行的命令中没有 avledger 命令"))
        return words  # options alone: --help, --version, or --lang for the TUI
    name = words[i]
    if name not in COMMANDS or name in NOT_OVER_SSH:
        raise refuse(UserError("ssh.command_refused", "{name} 不是可以通过 SSH 使用的 avledger 命令", name=name))
    return words
