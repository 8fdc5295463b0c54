"""Staff: numbers, departments, certificates, roles and the login each one uses."""

from __future__ import annotations

import click

from avledger.i18n import _
from avledger.services.register import StaffQuery
from avledger.vocab import ROLES, labels

from .groups import Group, VocabOption, json_option
from .output import json_out, table
from .state import services


@click.group(cls=Group)
def staff() -> None:
    """人员：工号、科室、执法证号、角色。"""


@staff.command("add")
@click.argument("name")
@click.option("--number", required=True, help="工号")
@click.option("--dept", required=True, help="科室")
@click.option("--cert", help="执法证号")
@click.option("--role", "roles", multiple=True, cls=VocabOption, vocab=ROLES, help="角色（可多次）：{choices}")
@click.option("--os-user", help="系统用户名")
def staff_add(name: str, number: str, dept: str, cert: str | None, roles: tuple[str, ...], os_user: str | None) -> None:
    """新增人员。"""
    view = services().staff.add(name, number, dept, cert_no=cert, roles=list(roles), os_user=os_user)
    click.echo(_("已新增人员：{name}（{number}）").format(name=view.name, number=view.number))


@staff.command("edit")
@click.argument("number")
@click.option("--name")
@click.option("--dept")
@click.option("--cert", help="执法证号（空字符串表示无）")
@click.option("--role", "roles", multiple=True, cls=VocabOption, vocab=ROLES)
@click.option("--os-user")
def staff_edit(number: str, name, dept, cert, roles, os_user) -> None:
    """修改人员信息。"""
    view = services().staff.update(
        number, name=name, dept=dept, cert_no=cert, roles=list(roles) if roles else None, os_user=os_user
    )
    click.echo(_("已修改人员：{name}（{number}）").format(name=view.name, number=view.number))


@staff.command("leave")
@click.argument("number")
def staff_leave(number: str) -> None:
    """登记人员离职（记录保留）。"""
    view = services().staff.update(number, active=False)
    click.echo(_("已登记离职：{name}（{number}）").format(name=view.name, number=view.number))


@staff.command("list")
@click.option("--active", "active_only", is_flag=True, help="只列在职人员")
@json_option
def staff_list(active_only: bool, as_json: bool) -> None:
    """列出人员。"""
    query = StaffQuery(include_left=not active_only)
    if as_json:
        services().staff.write_json(query, json_out())
        return
    rows = services().staff.rows(query)
    table(
        [_("工号"), _("姓名"), _("科室"), _("执法证号"), _("角色"), _("状态")],
        (
            [
                r.number,
                r.name,
                r.department,
                r.cert_no or "—",
                labels(ROLES, r.roles),
                _("在职") if r.active else _("离职"),
            ]
            for r in rows
        ),
    )
