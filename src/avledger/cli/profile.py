"""The office profile: the periods, standards and approvals of the unit's own regulation."""

from __future__ import annotations

import click

from avledger.i18n import _
from avledger.vocab import label

from .groups import Group, json_option
from .output import emit_json
from .state import services


@click.group(cls=Group)
def profile() -> None:
    """办公室配置（本单位制度规定的期限、标准和审批）。"""


@profile.command("show")
@json_option
def profile_show(as_json: bool) -> None:
    """显示办公室配置。"""
    office = services().office
    prof = office.profile()
    limits = prof.limits()
    if as_json:
        emit_json(
            {
                "unit": office.unit(),
                "profile": prof.data,
                "limits": {p: {lim.bound: lim.value, "article": lim.article} for p, lim in limits.items()},
            }
        )
        return
    click.echo(f"{_('单位名称')}: {office.unit()}")
    click.echo(f"{_('制度')}: {prof.issuer} {prof.get('office.regulation')}")
    for field in office.editable_fields():
        limit = limits.get(field.path)
        bound = ""
        if limit is not None:
            text = _("（{article}：不低于 {value}）") if limit.bound == "min" else _("（{article}：不高于 {value}）")
            bound = "  " + text.format(article=limit.article, value=limit.value)
        value = prof.get(field.path)
        if field.choices is not None:
            value = _("{id}（{words}）").format(id=value, words=label(field.choices, value))
        click.echo(f"{_(field.label)} [{field.path}]: {value}{bound}")
    for limit, value in prof.loosened():
        click.echo(
            _("注意：{path} = {value}，已低于本单位制度 {article} 的要求（{limit}），请改回").format(
                path=limit.path, value=value, article=limit.article, limit=limit.value
            )
        )


@profile.command("set")
@click.argument("path")
@click.argument("value")
def profile_set(path: str, value: str) -> None:
    """修改一项配置，例如：avledger profile set ingest.deadline_hours 24"""
    office = services().office
    if path == "unit":
        office.set_unit(value)
    else:
        office.set_value(path, value)
    click.echo(_("已修改：{path} = {value}").format(path=path, value=value))
