"""Departments (执法队) and the allocation standard."""

from __future__ import annotations

import click

from avledger.i18n import _
from avledger.services.views import to_json
from avledger.vocab import ALLOCATION_CLASSES, label

from .groups import Command, Group, json_option
from .output import emit_json, table
from .state import services


@click.group(cls=Group)
def dept() -> None:
    """科室（执法队）与配备类别。"""


@dept.command("add")
@click.argument("name")
@click.option("--class", "alloc_class", required=True, type=click.Choice(list(ALLOCATION_CLASSES)), help="配备类别")
def dept_add(name: str, alloc_class: str) -> None:
    """新增科室。"""
    view = services().departments.add(name, alloc_class)
    click.echo(_("已新增科室：{name}").format(name=view.name))


@dept.command("set-class")
@click.argument("name")
@click.option("--class", "alloc_class", required=True, type=click.Choice(list(ALLOCATION_CLASSES)))
def dept_set_class(name: str, alloc_class: str) -> None:
    """修改科室的配备类别。"""
    view = services().departments.set_class(name, alloc_class)
    click.echo(_("已修改：{name} → {cls}").format(name=view.name, cls=view.alloc_class))


@dept.command("list")
@json_option
def dept_list(as_json: bool) -> None:
    """列出科室。"""
    rows = services().departments.list()
    if as_json:
        emit_json([to_json(r) for r in rows])
        return
    table(
        [_("科室"), _("配备类别"), _("在职人数"), _("执法人员")],
        [[r.name, label(ALLOCATION_CLASSES, r.alloc_class), r.staff_count, r.officer_count] for r in rows],
    )


@click.command(cls=Command)
@json_option
def allocation(as_json: bool) -> None:
    """配备标准执行情况（各科室缺额）。"""
    rows = services().allocation.report()
    if as_json:
        emit_json([to_json(r) for r in rows])
        return
    table(
        [_("科室"), _("配备类别"), _("执法人员"), _("在用设备"), _("应配"), _("缺额")],
        [
            [
                r.department,
                label(ALLOCATION_CLASSES, r.alloc_class),
                r.officers,
                r.working_devices,
                _("按需") if r.required is None else r.required,
                r.shortfall or "",
            ]
            for r in rows
        ],
    )
