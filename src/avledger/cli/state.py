"""The data folder, who is acting, and the services of the running command (one :class:`Services` per run).

Who is acting is established once per run from the operating system (:meth:`Identity.of_process`), or,
under ``avledger ssh-serve KEY_ID``, from the key the person logged in with; never from the environment.
"""

from __future__ import annotations

import click

from avledger.errors import UserError
from avledger.home import Home, tightened_notice
from avledger.identity import Identity, admit
from avledger.services import Services

from .groups import JSON_KEY
from .output import notice

_SERVICES = "avledger.services"  # ctx.meta (shared by every context of the run)
_IDENTITY = "avledger.identity"


def home() -> Home:
    """The data folder chosen by the root group (``--home``, ``AVLEDGER_HOME`` or the default)."""
    return click.get_current_context().find_object(Home)


def identity() -> Identity:
    """Who runs this command: the process's account, established on first use (ssh-serve sets its own)."""
    meta = click.get_current_context().meta
    if _IDENTITY not in meta:
        meta[_IDENTITY] = Identity.of_process()
    return meta[_IDENTITY]


def act_as(who: Identity) -> None:
    """Run the rest of this command as ``who`` (ssh-serve: the owner account serving an SSH key)."""
    meta = click.get_current_context().meta
    if _SERVICES in meta:
        raise RuntimeError("the services are open already")
    meta[_IDENTITY] = who


def services(*, need_init: bool = True) -> Services:
    """The services over the data folder's register, opened once and closed when the run ends."""
    ctx = click.get_current_context()
    folder = home()
    admit(folder, identity())  # another account's data folder: refused before anything in it is looked at
    if need_init and not folder.initialised:
        raise UserError(
            "office.not_initialised",
            "数据目录 {path} 中还没有登记库，请先运行 avledger init 或 avledger demo",
            path=str(folder.path),
        )
    opened = ctx.meta.get(_SERVICES)
    if opened is None:
        opened = ctx.meta[_SERVICES] = Services(folder, identity())
        ctx.find_root().call_on_close(opened.close)
        if opened.tightened:
            notice("home.tightened", tightened_notice(folder, opened.tightened), as_json=bool(ctx.meta.get(JSON_KEY)))
    return opened
