"""What the office has to do now (待办提醒): the home screen's reminders, for a terminal or a script."""

from __future__ import annotations

import click

from avledger.i18n import _
from avledger.services.reminders import LIMIT, Reminder, left_out_text, reminder_text

from .groups import Command, json_option
from .output import emit_json
from .state import services


def next_step(r: Reminder) -> str:
    """The command that acts on a reminder (the TUI names a key instead)."""
    return {
        "no_departments": "avledger dept add NAME --class A",
        "no_staff": "avledger staff add NAME --number N --dept DEPT",
        "no_devices": "avledger device add ASSET_NO --kind bodycam --dept DEPT --custodian N",
        "overdue_loan": f"avledger loan in {r.asset_no}",
        "disc_recheck": "avledger disc verify --drive /dev/sr0",
        "collection": f"avledger ingest CARD --device {r.asset_no}" if r.asset_no else "avledger ingest CARD",
        "open_gaps": "avledger gaps --open",
        "late_clips": "avledger footage list --late",
        "disposal_due": "avledger dispose plan",
        "hold_review": "avledger hold list",
        "allocation_shortfall": "avledger allocation",
        "disc_due": "avledger disc list",
    }[r.kind]


@click.command(cls=Command)
@click.option("--limit", type=click.IntRange(1, 1000), default=LIMIT, show_default=True, help="每类最多列出几项")
@json_option
def todo(limit: int, as_json: bool) -> None:
    """待办提醒：逾期未还、待采集、待说明的中断和逾期采集、到期复检的光盘、配备缺额。"""
    opened = services()
    result = opened.reminders.todo(limit=limit)
    if as_json:
        emit_json(result.as_json())
        return
    if not result.reminders:
        click.echo(_("没有待办事项"))
        return
    tz = opened.office.profile().tz
    for index, r in enumerate(result.reminders):
        click.echo(f"- {reminder_text(r, tz)}")
        click.echo(f"    {next_step(r)}")
        last_of_kind = index + 1 == len(result.reminders) or result.reminders[index + 1].kind != r.kind
        if last_of_kind and result.left_out.get(r.kind):
            click.echo("  " + left_out_text(result.left_out[r.kind]))
