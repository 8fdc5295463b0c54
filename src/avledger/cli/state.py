"""The data folder and the services of the running command (one :class:`Services` per run)."""

from __future__ import annotations

import click

from avledger.errors import UserError
from avledger.home import Home, tightened_notice
from avledger.services import Services

from .groups import JSON_KEY
from .output import notice

_SERVICES = "avledger.services"  # ctx.meta (shared by every context of the run)


def home() -> Home:
    """The data folder chosen by the root group (``--home``, ``AVLEDGER_HOME`` or the default)."""
    return click.get_current_context().find_object(Home)


def services(*, need_init: bool = True) -> Services:
    """The services over the data folder's register, opened once and closed when the run ends."""
    ctx = click.get_current_context()
    folder = home()
    if need_init and not folder.initialised:
        raise UserError(
            "office.not_initialised",
            "数据目录 {path} 中还没有登记库，请先运行 avledger init 或 avledger demo",
            path=str(folder.path),
        )
    opened = ctx.meta.get(_SERVICES)
    if opened is None:
        opened = ctx.meta[_SERVICES] = Services(folder)
        ctx.find_root().call_on_close(opened.close)
        if opened.tightened:
            notice("home.tightened", tightened_notice(folder, opened.tightened), as_json=bool(ctx.meta.get(JSON_KEY)))
    return opened
