"""The record checklist (音像记录事项清单) of an activity: what its recording must show, ticked item by item."""

from __future__ import annotations

import click

from avledger.i18n import _

from .groups import Group, json_option
from .output import emit_json, table
from .state import services


@click.group(cls=Group)
def checklist() -> None:
    """音像记录事项清单：执法活动的音像记录应当反映的事项。"""


@checklist.command("show")
@click.argument("activity_id")
@json_option
def checklist_show(activity_id: str, as_json: bool) -> None:
    """列出执法活动的事项清单，已勾选的和缺少的。"""
    opened = services()
    entries = opened.checklist.show(activity_id)
    if as_json:
        emit_json(
            {
                "activity_id": int(activity_id),
                "items": [e.as_json() for e in entries],
                "missing": [e.item.key for e in entries if not e.ticked],
            }
        )
        return
    tz = opened.office.profile().tz
    from avledger.timeutil import fmt_local

    table(
        [_("事项"), _("记录内容"), _("依据"), _("勾选"), _("勾选人"), _("时间"), _("备注")],
        [
            [
                e.item.key,
                e.item.content,
                e.item.article,
                _("已记录") if e.ticked else _("缺"),
                e.ticked_by,
                fmt_local(e.ticked_at, tz) if e.ticked_at else "",
                e.note,
            ]
            for e in entries
        ],
    )
    missing = [e for e in entries if not e.ticked]
    click.echo(
        _("缺 {n} 项：{items}").format(n=len(missing), items=" ".join(e.item.key for e in missing))
        if missing
        else _("各事项均已记录")
    )


@checklist.command("tick")
@click.argument("activity_id")
@click.argument("item")
@click.option("--note", default="", help="备注")
def checklist_tick(activity_id: str, item: str, note: str) -> None:
    """勾选一项：执法活动的音像记录已反映该事项。"""
    entry = services().checklist.tick(activity_id, item, note=note)
    click.echo(_("已勾选：{item} {content}").format(item=entry.item.key, content=entry.item.content))
