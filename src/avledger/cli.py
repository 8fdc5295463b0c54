"""The command line: every action of the TUI, scriptable.

``avledger`` alone opens the TUI. This module imports only click at load
time, so that ``--version`` is instant; services (peewee) are imported by the
commands that need them, and Textual only by the TUI.

Exit status: 0 done, 1 a check found a problem, 2 refused input (a reason on
stderr, nothing changed). ``--json`` prints JSON only, the same in every
language.
"""

from __future__ import annotations

import contextlib
import functools
import json
import sys
from typing import TYPE_CHECKING, Any

import click

from avledger import __version__
from avledger.i18n import _, set_language

if TYPE_CHECKING:
    from avledger.services import Services

EXIT_PROBLEM = 1
EXIT_REFUSED = 2


# --- plumbing -----------------------------------------------------------------
class AppState:
    def __init__(self, home_option: str | None):
        from avledger.home import resolve_home

        self.home = resolve_home(home_option)
        self._services: Services | None = None

    def services(self, *, need_init: bool = True) -> Services:
        from avledger.errors import UserError
        from avledger.services import Services

        if need_init and not self.home.initialised:
            raise UserError(
                "office.not_initialised",
                "数据目录 {path} 中还没有登记库，请先运行 avledger init 或 avledger demo",
                path=str(self.home.path),
            )
        if self._services is None:
            self._services = Services(self.home)
        return self._services


def refusals(func):
    """Turn a UserError into a message on stderr and exit status 2."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from avledger.errors import UserError

        try:
            return func(*args, **kwargs)
        except UserError as exc:
            click.echo(_("错误：{message}").format(message=exc.render()), err=True)
            sys.exit(EXIT_REFUSED)

    return wrapper


def state() -> AppState:
    return click.get_current_context().find_object(AppState)


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def table(headers: list[str], rows: list[list[Any]]) -> None:
    """Print a table whose columns line up in terminal cells (CJK is two cells wide)."""
    from rich.cells import cell_len

    text_rows = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [cell_len(h) for h in headers]
    for row in text_rows:
        widths = [max(w, cell_len(v)) for w, v in zip(widths, row)]

    def line(cells: list[str]) -> str:
        return "  ".join(v + " " * (w - cell_len(v)) for v, w in zip(cells, widths)).rstrip()

    click.echo(line(headers))
    click.echo("  ".join("-" * w for w in widths))
    for row in text_rows:
        click.echo(line(row))
    if not rows:
        click.echo(_("（无）"))


@contextlib.contextmanager
def _translated(command: click.Command):
    """The command's help texts (Chinese message ids in the source) in the user's language, while printed."""
    saved = [(command, "help", command.help), (command, "short_help", command.short_help)]
    saved += [(param, "help", getattr(param, "help", None)) for param in command.params]
    try:
        for obj, attr, value in saved:
            if value:
                setattr(obj, attr, _(value))
        yield
    finally:
        for obj, attr, value in saved:
            setattr(obj, attr, value)


class Command(click.Command):
    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with _translated(self):
            super().format_help(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        with _translated(self):
            return super().get_short_help_str(limit)


class Group(click.Group):
    command_class = Command
    group_class = type  # subgroups are of this class too

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with _translated(self):
            super().format_help(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        with _translated(self):
            return super().get_short_help_str(limit)


def json_option(func):
    return click.option("--json", "as_json", is_flag=True, help="输出 JSON")(func)


@click.group(cls=Group, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="avledger", message="%(prog)s %(version)s")
@click.option(
    "--home", "home_option", metavar="DIR", help="数据目录（默认：环境变量 AVLEDGER_HOME，或本机用户的数据目录）"
)
@click.option("--lang", type=click.Choice(["zh", "en"]), help="界面语言：zh 中文，en English")
@click.pass_context
def cli(ctx: click.Context, home_option: str | None, lang: str | None) -> None:
    """avledger：行政执法音像记录管理。不带命令时打开界面。"""
    app_state = AppState(home_option)
    ctx.obj = app_state
    choose_language(app_state.home, lang)
    if ctx.invoked_subcommand is None:
        from avledger.tui import run_tui

        sys.exit(run_tui(app_state.home))


def choose_language(home, lang: str | None) -> None:
    """--lang, else the data folder's setting, else Chinese; click's own texts follow."""
    chosen = lang
    if chosen is None:
        try:
            chosen = home.language()
        except Exception:  # a broken config.toml must not stop the program
            chosen = None
    set_language(chosen or "zh")
    from avledger.clicklocale import install as install_click_locale

    install_click_locale()


def _language_before_parsing(args: list[str]) -> None:
    """Choose the language before click parses, so that ``--help`` and usage errors are in it.

    Only the options before the command name are read: ``--lang`` and ``--home``.
    """
    from avledger.home import resolve_home

    lang = home_option = None
    i = 0
    while i < len(args) and args[i].startswith("-"):
        arg = args[i]
        name, eq, value = arg.partition("=")
        if name in ("--lang", "--home"):
            if not eq:
                i += 1
                value = args[i] if i < len(args) else ""
            if name == "--lang":
                lang = value if value in ("zh", "en") else None
            else:
                home_option = value or None
        i += 1
    try:
        home = resolve_home(home_option)
    except Exception:
        home = None
    choose_language(home, lang) if home is not None else set_language(lang or "zh")


def main() -> None:
    _language_before_parsing(sys.argv[1:])
    cli(prog_name="avledger")


# --- init and demo ---------------------------------------------------------
@cli.command()
@click.option("--unit", required=True, help="单位名称")
@click.option("--profile", "preset", required=True, help="预设：wanzhou dalian ruzhou lingchuan pingdingshan")
@refusals
def init(unit: str, preset: str) -> None:
    """初始化登记库（单位名称与办公室配置）。"""
    from avledger.errors import UserError
    from avledger.profile import load_preset

    st = state()
    load_preset(preset)  # refuse an unknown preset before creating anything
    if st.home.initialised:
        services = st.services()
        raise UserError(
            "office.already_initialised", "登记库已经初始化（{unit}），不能再次初始化", unit=services.office.unit()
        )
    services = st.services(need_init=False)
    services.office.init(unit, preset)
    click.echo(_("已初始化：{unit}（{preset}），数据目录 {path}").format(unit=unit, preset=preset, path=st.home.path))


@cli.command()
@refusals
def demo() -> None:
    """在空数据目录中建立示例办公室。"""
    from avledger.errors import UserError
    from avledger.services.demo import UNIT, populate

    st = state()
    if st.home.initialised:
        raise UserError(
            "office.already_initialised",
            "数据目录 {path} 中已有登记库，示例办公室只能建在空的数据目录中",
            path=str(st.home.path),
        )
    services = st.services(need_init=False)
    try:
        with services.ctx.change():
            populate(services)
    except BaseException:
        services.close()
        for suffix in ("", "-wal", "-shm"):
            st.home.db_path.with_name(st.home.db_path.name + suffix).unlink(missing_ok=True)
        raise
    click.echo(_("已建立示例办公室：{unit}，数据目录 {path}").format(unit=UNIT, path=st.home.path))


# --- departments -----------------------------------------------------------
@cli.group()
def dept() -> None:
    """科室（执法队）与配备类别。"""


@dept.command("add")
@click.argument("name")
@click.option("--class", "alloc_class", required=True, type=click.Choice(["A", "B", "C", "FULL"]), help="配备类别")
@refusals
def dept_add(name: str, alloc_class: str) -> None:
    """新增科室。"""
    view = state().services().departments.add(name, alloc_class)
    click.echo(_("已新增科室：{name}").format(name=view.name))


@dept.command("set-class")
@click.argument("name")
@click.option("--class", "alloc_class", required=True, type=click.Choice(["A", "B", "C", "FULL"]))
@refusals
def dept_set_class(name: str, alloc_class: str) -> None:
    """修改科室的配备类别。"""
    view = state().services().departments.set_class(name, alloc_class)
    click.echo(_("已修改：{name} → {cls}").format(name=view.name, cls=view.alloc_class))


@dept.command("list")
@json_option
@refusals
def dept_list(as_json: bool) -> None:
    """列出科室。"""
    from avledger.services.views import to_json
    from avledger.vocab import ALLOCATION_CLASSES, label

    rows = state().services().departments.list()
    if as_json:
        emit_json([to_json(r) for r in rows])
        return
    table(
        [_("科室"), _("配备类别"), _("在职人数"), _("执法人员")],
        [[r.name, label(ALLOCATION_CLASSES, r.alloc_class), r.staff_count, r.officer_count] for r in rows],
    )


# --- staff -------------------------------------------------------------------
@cli.group()
def staff() -> None:
    """人员：工号、科室、执法证号、角色。"""


@staff.command("add")
@click.argument("name")
@click.option("--number", required=True, help="工号")
@click.option("--dept", required=True, help="科室")
@click.option("--cert", help="执法证号")
@click.option("--role", "roles", multiple=True, help="角色（可多次）：officer approver manager auditor leader")
@click.option("--os-user", help="系统用户名")
@refusals
def staff_add(name: str, number: str, dept: str, cert: str | None, roles: tuple[str, ...], os_user: str | None) -> None:
    """新增人员。"""
    view = state().services().staff.add(name, number, dept, cert_no=cert, roles=list(roles), os_user=os_user)
    click.echo(_("已新增人员：{name}（{number}）").format(name=view.name, number=view.number))


@staff.command("edit")
@click.argument("number")
@click.option("--name")
@click.option("--dept")
@click.option("--cert", help="执法证号（空字符串表示无）")
@click.option("--role", "roles", multiple=True)
@click.option("--os-user")
@refusals
def staff_edit(number: str, name, dept, cert, roles, os_user) -> None:
    """修改人员信息。"""
    view = (
        state()
        .services()
        .staff.update(number, name=name, dept=dept, cert_no=cert, roles=list(roles) if roles else None, os_user=os_user)
    )
    click.echo(_("已修改人员：{name}（{number}）").format(name=view.name, number=view.number))


@staff.command("leave")
@click.argument("number")
@refusals
def staff_leave(number: str) -> None:
    """登记人员离职（记录保留）。"""
    view = state().services().staff.update(number, active=False)
    click.echo(_("已登记离职：{name}（{number}）").format(name=view.name, number=view.number))


@staff.command("list")
@click.option("--active", "active_only", is_flag=True, help="只列在职人员")
@json_option
@refusals
def staff_list(active_only: bool, as_json: bool) -> None:
    """列出人员。"""
    from avledger.services.views import to_json
    from avledger.vocab import ROLES, labels

    rows = state().services().staff.list(include_left=not active_only)
    if as_json:
        emit_json([to_json(r) for r in rows])
        return
    table(
        [_("工号"), _("姓名"), _("科室"), _("执法证号"), _("角色"), _("状态")],
        [
            [
                r.number,
                r.name,
                r.department,
                r.cert_no or "—",
                labels(ROLES, r.roles),
                _("在职") if r.active else _("离职"),
            ]
            for r in rows
        ],
    )


# --- devices -------------------------------------------------------------------
KINDS = ["bodycam", "terminal", "camera", "recorder", "camcorder", "cctv", "storage"]


@cli.group()
def device() -> None:
    """设备台账。"""


@device.command("add")
@click.argument("asset_no")
@click.option("--kind", required=True, type=click.Choice(KINDS), help="设备类型")
@click.option("--dept", required=True, help="科室")
@click.option("--custodian", required=True, metavar="STAFF_NUMBER", help="保管人工号")
@click.option("--model", default="", help="型号")
@click.option("--serial", default="", help="序列号")
@click.option("--fixed-asset", "fixed_asset_no", default="", help="固定资产编号")
@click.option("--purchased", metavar="YYYY-MM-DD", help="购置日期")
@click.option("--price", metavar="YUAN", help="原价（元）")
@click.option("--ability", "abilities", multiple=True, help="功能（可多次）：explosion_proof infrared gps wireless")
@click.option("--media-time", default="utc", type=click.Choice(["utc", "local"]), help="媒体文件时间的写法")
@click.option("--notes", default="", help="备注")
@refusals
def device_add(
    asset_no, kind, dept, custodian, model, serial, fixed_asset_no, purchased, price, abilities, media_time, notes
) -> None:
    """登记设备。"""
    view = (
        state()
        .services()
        .devices.add(
            asset_no,
            kind,
            dept,
            custodian,
            model=model,
            serial=serial,
            fixed_asset_no=fixed_asset_no,
            purchased=purchased,
            price=price,
            abilities=list(abilities),
            media_time=media_time,
            notes=notes,
        )
    )
    click.echo(_("已登记设备：{asset}").format(asset=view.asset_no))


@device.command("edit")
@click.argument("asset_no")
@click.option("--kind", type=click.Choice(KINDS))
@click.option("--dept")
@click.option("--custodian", metavar="STAFF_NUMBER")
@click.option("--model")
@click.option("--serial")
@click.option("--fixed-asset", "fixed_asset_no")
@click.option("--purchased", metavar="YYYY-MM-DD")
@click.option("--price", metavar="YUAN")
@click.option("--ability", "abilities", multiple=True)
@click.option("--media-time", type=click.Choice(["utc", "local"]))
@click.option("--notes")
@refusals
def device_edit(asset_no, abilities, **changes) -> None:
    """修改设备登记信息。"""
    if abilities:
        changes["abilities"] = list(abilities)
    view = state().services().devices.update(asset_no, **changes)
    click.echo(_("已修改设备：{asset}").format(asset=view.asset_no))


def _device_row(d) -> list[Any]:
    from avledger.vocab import DEVICE_KINDS, DEVICE_STATUSES, label

    return [
        d.asset_no,
        label(DEVICE_KINDS, d.kind),
        d.model,
        d.department,
        f"{d.custodian}（{d.custodian_number}）",
        label(DEVICE_STATUSES, d.status),
    ]


@device.command("list")
@click.option("--status", type=click.Choice(["in_store", "issued", "in_repair", "lost", "retired"]))
@click.option("--dept")
@click.option("--kind", type=click.Choice(KINDS))
@json_option
@refusals
def device_list(status, dept, kind, as_json: bool) -> None:
    """列出设备。"""
    from avledger.services.views import to_json

    rows = state().services().devices.list(status=status, dept=dept, kind=kind)
    if as_json:
        emit_json([to_json(r) for r in rows])
        return
    table([_("资产编号"), _("类型"), _("型号"), _("科室"), _("保管人"), _("状态")], [_device_row(d) for d in rows])


@device.command("show")
@click.argument("asset_no")
@json_option
@refusals
def device_show(asset_no: str, as_json: bool) -> None:
    """显示一台设备的详细信息。"""
    from avledger.services.views import to_json
    from avledger.vocab import ABILITIES, DEVICE_KINDS, DEVICE_STATUSES, MEDIA_TIME, label, labels

    services = state().services()
    services.devices.get(asset_no)
    d = services.devices.view(asset_no)
    if as_json:
        emit_json(to_json(d))
        return
    pairs = [
        (_("资产编号"), d.asset_no),
        (_("类型"), label(DEVICE_KINDS, d.kind)),
        (_("型号"), d.model),
        (_("序列号"), d.serial),
        (_("固定资产编号"), d.fixed_asset_no),
        (_("购置日期"), d.purchased.isoformat() if d.purchased else ""),
        (_("原价（元）"), d.price_yuan or ""),
        (_("科室"), d.department),
        (_("保管人"), f"{d.custodian}（{d.custodian_number}）"),
        (_("当前使用人"), f"{d.holder}（{d.holder_number}）" if d.holder else "—"),
        (_("状态"), label(DEVICE_STATUSES, d.status)),
        (_("功能"), labels(ABILITIES, d.abilities) or "—"),
        (_("媒体时间"), label(MEDIA_TIME, d.media_time)),
        (_("备注"), d.notes),
    ]
    from rich.cells import cell_len

    width = max(cell_len(k) for k, _v in pairs)
    for key, value in pairs:
        click.echo(f"{key}{' ' * (width - cell_len(key))}  {value}")
    history = services.lending.history(asset_no)
    if history:
        from avledger.timeutil import fmt_local

        tz = services.office.profile().tz
        click.echo()
        click.echo(_("使用与维修记录"))
        for entry in history:
            click.echo(f"  {fmt_local(entry.at, tz)}  {entry.text}")


@device.command("history")
@click.argument("asset_no")
@json_option
@refusals
def device_history(asset_no: str, as_json: bool) -> None:
    """设备的使用、交接、故障、维修和责任记录（按时间先后）。"""
    from avledger.timeutil import fmt_local
    from avledger.vocab import HISTORY_KINDS, label

    services = state().services()
    history = services.lending.history(asset_no)
    tz = services.office.profile().tz
    if as_json:
        emit_json([{"at": fmt_local(e.at, tz), "kind": e.kind, "text": e.text} for e in history])
        return
    table(
        [_("时间"), _("事项"), _("内容")],
        [[fmt_local(e.at, tz), label(HISTORY_KINDS, e.kind), e.text] for e in history],
    )


# --- allocation ------------------------------------------------------------------
@cli.command()
@json_option
@refusals
def allocation(as_json: bool) -> None:
    """配备标准执行情况（各科室缺额）。"""
    from avledger.services.views import to_json
    from avledger.vocab import ALLOCATION_CLASSES, label

    rows = state().services().allocation.report()
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


# --- office profile ------------------------------------------------------------------
@cli.group()
def profile() -> None:
    """办公室配置（本单位制度规定的期限、标准和审批）。"""


@profile.command("show")
@json_option
@refusals
def profile_show(as_json: bool) -> None:
    """显示办公室配置。"""
    services = state().services()
    prof = services.office.profile()
    if as_json:
        emit_json({"unit": services.office.unit(), "profile": prof.data})
        return
    click.echo(f"{_('单位名称')}: {services.office.unit()}")
    click.echo(f"{_('制度')}: {prof.issuer} {prof.get('office.regulation')}")
    for field in services.office.editable_fields():
        click.echo(f"{_(field.label)} [{field.path}]: {prof.get(field.path)}")


@profile.command("set")
@click.argument("path")
@click.argument("value")
@refusals
def profile_set(path: str, value: str) -> None:
    """修改一项配置，例如：avledger profile set ingest.deadline_hours 24"""
    services = state().services()
    if path == "unit":
        services.office.set_unit(value)
    else:
        services.office.set_value(path, value)
    click.echo(_("已修改：{path} = {value}").format(path=path, value=value))


# --- audit -------------------------------------------------------------------------
@cli.group()
def audit() -> None:
    """审计日志（防篡改）。"""


@audit.command("list")
@click.option("--limit", type=int, help="只列最近的若干条")
@json_option
@refusals
def audit_list(limit: int | None, as_json: bool) -> None:
    """列出审计日志。"""
    from avledger.services.views import to_json

    services = state().services()
    rows = services.audit.list(limit=limit, newest_first=bool(limit))
    if limit:
        rows.reverse()
    if as_json:
        emit_json([to_json(r) for r in rows])
        return
    from avledger.timeutil import fmt_local
    from avledger.vocab import AUDIT_ACTIONS, label

    tz = services.office.profile().tz
    table(
        ["#", _("时间"), _("操作人"), _("操作"), _("对象"), _("摘要")],
        [
            [r.id, fmt_local(r.at, tz), r.actor, label(AUDIT_ACTIONS, r.action), f"{r.entity}#{r.entity_id}", r.summary]
            for r in rows
        ],
    )


@audit.command("verify")
@json_option
@refusals
def audit_verify(as_json: bool) -> None:
    """核验审计链和登记数据是否被改动。"""
    from dataclasses import asdict

    from avledger.services.auditlog import describe_problem

    result = state().services().audit.verify()
    if as_json:
        emit_json(
            {
                "ok": result.ok,
                "events": result.events,
                "rows": result.rows,
                "first_bad_event": result.first_bad_event,
                "problems": [asdict(p) for p in result.problems],
            }
        )
    else:
        if result.ok:
            click.echo(
                _("审计链完整：{events} 条日志，{rows} 条登记记录均与日志一致").format(
                    events=result.events, rows=result.rows
                )
            )
        else:
            click.echo(_("发现 {n} 处问题：").format(n=len(result.problems)))
            for problem in result.problems:
                click.echo("  - " + describe_problem(problem))
    if not result.ok:
        sys.exit(EXIT_PROBLEM)


# --- settings ------------------------------------------------------------------------
@cli.command()
@click.argument("lang", type=click.Choice(["zh", "en"]))
@refusals
def language(lang: str) -> None:
    """设置本机界面语言（zh 或 en）。"""
    state().home.set_language(lang)
    set_language(lang)
    click.echo(_("界面语言已设为：{lang}").format(lang=lang))


# --- lending and handover ledger ------------------------------------------------
@cli.group()
def loan() -> None:
    """使用与交接登记（领用、归还、交接）。"""


@loan.command("out")
@click.argument("asset_no")
@click.option("--to", "holder", required=True, metavar="STAFF_NUMBER", help="领用人工号")
@click.option("--battery", required=True, type=int, metavar="PCT", help="电量（%）")
@click.option("--free-gb", required=True, type=float, metavar="GB", help="剩余存储（GB）")
@click.option("--clock-offset", required=True, type=int, metavar="SECONDS", help="设备时钟与电脑时钟之差（秒）")
@click.option("--notice-given", is_flag=True, help="已提醒告知用语")
@click.option("--due", metavar="YYYY-MM-DD HH:MM", help="应还时间")
@click.option("--purpose", default="", help="用途")
@click.option("--despite", metavar="REASON", help="检查未通过仍领用的原因")
@click.option("--at", metavar="YYYY-MM-DD HH:MM", help="补登过去的时间")
@refusals
def loan_out(asset_no, holder, battery, free_gb, clock_offset, notice_given, due, purpose, despite, at) -> None:
    """领用：使用前检查后发放给执法人员。"""
    from avledger.services.lending import PreCheck

    view = (
        state()
        .services()
        .lending.issue(
            asset_no,
            holder,
            PreCheck(battery, free_gb, clock_offset, notice_given),
            due=due,
            purpose=purpose,
            despite=despite,
            at=at,
        )
    )
    click.echo(
        _("已领用：{asset} → {holder}（{number}）").format(
            asset=view.asset_no, holder=view.holder, number=view.holder_number
        )
    )


@loan.command("in")
@click.argument("asset_no")
@click.option("--content", default="", help="记录内容")
@click.option("--condition", default="ok", type=click.Choice(["ok", "damaged"]), help="设备状况")
@click.option("--at", metavar="YYYY-MM-DD HH:MM", help="补登过去的时间")
@refusals
def loan_in(asset_no, content, condition, at) -> None:
    """归还。"""
    view = state().services().lending.give_back(asset_no, content=content, condition=condition, at=at)
    click.echo(_("已归还：{asset}（{holder}）").format(asset=view.asset_no, holder=view.holder))


@loan.command("handover")
@click.argument("asset_no")
@click.option("--to", "holder", required=True, metavar="STAFF_NUMBER", help="接收人工号")
@click.option("--at", metavar="YYYY-MM-DD HH:MM", help="补登过去的时间")
@refusals
def loan_handover(asset_no, holder, at) -> None:
    """交接：不经入库，直接交给另一名执法人员。"""
    view = state().services().lending.handover(asset_no, holder, at=at)
    click.echo(
        _("已交接：{asset} {giver} → {holder}").format(asset=view.asset_no, giver=view.from_holder, holder=view.holder)
    )


@loan.command("list")
@click.option("--open", "open_only", is_flag=True, help="只列在外的")
@click.option("--overdue", is_flag=True, help="只列逾期未还的")
@click.option("--device", "asset_no", metavar="ASSET_NO")
@click.option("--staff", "staff_number", metavar="STAFF_NUMBER")
@json_option
@refusals
def loan_list(open_only, overdue, asset_no, staff_number, as_json) -> None:
    """使用情况台账。"""
    from avledger.services.views import to_json
    from avledger.timeutil import fmt_local

    services = state().services()
    rows = services.lending.list(open_only=open_only, overdue=overdue, asset_no=asset_no, staff_number=staff_number)
    if as_json:
        emit_json([to_json(r) for r in rows])
        return
    tz = services.office.profile().tz
    table(
        [_("资产编号"), _("使用人"), _("领用/交接"), _("应还"), _("检查"), _("归还"), _("记录内容")],
        [
            [
                r.asset_no,
                f"{r.holder}（{r.holder_number}）",
                fmt_local(r.start_at, tz) + ("" if r.start_kind == "issue" else _("（交接）")),
                fmt_local(r.due_at, tz) + (_("（逾期）") if r.overdue else ""),
                (
                    "—"
                    if r.start_kind != "issue"
                    else (_("未通过：") + (r.despite or ""))
                    if r.check_failures
                    else _("通过")
                ),
                fmt_local(r.end_at, tz)
                + (_("（交接）") if r.end_kind == "handover" else _("（丢失）") if r.end_kind == "lost" else ""),
                r.content,
            ]
            for r in rows
        ],
    )


@device.command("fault")
@click.argument("asset_no")
@click.option("--desc", required=True, help="故障描述")
@click.option("--at", metavar="YYYY-MM-DD HH:MM")
@refusals
def device_fault(asset_no, desc, at) -> None:
    """故障登记（设备转为维修中）。"""
    view = state().services().lending.report_fault(asset_no, desc, at=at)
    click.echo(_("已登记故障：{asset}").format(asset=view.asset_no))


@device.command("repair")
@click.argument("asset_no")
@click.option("--sent", "step", flag_value="sent", help="送厂维修")
@click.option("--back", "step", flag_value="back", help="修复返回")
@click.option("--at", metavar="YYYY-MM-DD HH:MM")
@refusals
def device_repair(asset_no, step, at) -> None:
    """送修或修复返回。"""
    from avledger.errors import UserError

    if step is None:
        raise UserError("input.one_of", "请指定 --sent 或 --back", field="step")
    view = state().services().lending.repair(asset_no, step, at=at)
    click.echo(_("已登记：{asset}").format(asset=view.asset_no))


@device.command("lost")
@click.argument("asset_no")
@click.option("--liable", required=True, metavar="STAFF_NUMBER", help="责任人工号")
@click.option("--amount", metavar="YUAN", help="赔偿金额（默认原价）")
@click.option("--at", metavar="YYYY-MM-DD HH:MM")
@refusals
def device_lost(asset_no, liable, amount, at) -> None:
    """登记丢失（按原价赔偿，设备退出使用）。"""
    view = state().services().lending.record_liability(asset_no, "lost", liable, amount=amount, at=at)
    click.echo(
        _("已登记丢失：{asset}，责任人 {name}，赔偿 {amount} 元").format(
            asset=view.asset_no, name=view.staff, amount=view.amount_yuan
        )
    )


# --- enforcement activities and cases ---------------------------------------------
ACTIVITY_KINDS = ["inspection", "complaint", "investigation", "preservation", "service", "coercion", "hearing", "other"]
LONG_TERM = ["objection", "obstruction", "mass_incident", "major"]
CIRCUMSTANCES = ["personal_freedom", "life_health", "major_property", "obstruction", "criminal_referral"]


@cli.group()
def activity() -> None:
    """执法活动与案件。"""


@activity.command("add")
@click.option("--kind", required=True, type=click.Choice(ACTIVITY_KINDS), help="执法活动类型")
@click.option("--title", required=True, help="标题")
@click.option("--start", required=True, metavar="YYYY-MM-DD HH:MM", help="开始时间")
@click.option("--end", metavar="YYYY-MM-DD HH:MM", help="结束时间")
@click.option("--case-no", default="", help="案号")
@click.option("--case-name", default="", help="案件名称")
@click.option("--party", default="", help="当事人（个人或单位）")
@click.option("--place", default="", help="地点")
@click.option("--officer", "officers", multiple=True, metavar="STAFF_NUMBER", help="执法人员工号（可重复）")
@click.option("--full-record", is_flag=True, help="须全程记录")
@click.option(
    "--circumstance", "circumstances", multiple=True, type=click.Choice(CIRCUMSTANCES), help="须全程记录的情形"
)
@click.option("--confidential", is_flag=True, help="涉及秘密或隐私")
@click.option("--long-term", "long_term", multiple=True, type=click.Choice(LONG_TERM), help="长期保存情形")
@json_option
@refusals
def activity_add(
    kind,
    title,
    start,
    end,
    case_no,
    case_name,
    party,
    place,
    officers,
    full_record,
    circumstances,
    confidential,
    long_term,
    as_json,
) -> None:
    """登记执法活动（有案号即为案件）。"""
    from avledger.services.views import to_json

    view = (
        state()
        .services()
        .activities.add(
            kind,
            title,
            start,
            end=end,
            officers=list(officers),
            case_no=case_no,
            case_name=case_name,
            party=party,
            place=place,
            full_record=full_record,
            circumstances=list(circumstances),
            confidential=confidential,
            long_term=list(long_term),
        )
    )
    if as_json:
        emit_json(to_json(view))
        return
    click.echo(_("已登记执法活动 {id}：{title}").format(id=view.id, title=view.title))


@activity.command("list")
@click.option("--open", "open_only", is_flag=True, help="只列未结案的")
@json_option
@refusals
def activity_list(open_only: bool, as_json: bool) -> None:
    """列出执法活动。"""
    from avledger.services.views import to_json
    from avledger.timeutil import fmt_local
    from avledger.vocab import ACTIVITY_KINDS as KINDS
    from avledger.vocab import CASE_STATUSES, label

    services = state().services()
    rows = services.activities.list(open_only=open_only)
    if as_json:
        emit_json([{**to_json(r), "missing_record": r.missing_record} for r in rows])
        return
    tz = services.office.profile().tz
    table(
        [
            "#",
            _("类型"),
            _("标题"),
            _("案号"),
            _("当事人"),
            _("开始"),
            _("结束"),
            _("执法人员"),
            _("音像"),
            _("状态"),
            _("问题"),
        ],
        [
            [
                r.id,
                label(KINDS, r.kind),
                r.title,
                r.case_no,
                r.party,
                fmt_local(r.start_at, tz),
                fmt_local(r.end_at, tz),
                _("、").join(r.officer_names),
                r.clips,
                label(CASE_STATUSES, r.status) + (f" {r.closed_at.isoformat()}" if r.closed_at else ""),
                _("；").join(
                    p
                    for p in (
                        _("须全程记录但无音像也无工作记录") if r.missing_record else "",
                        _("{n} 处中断待说明").format(n=r.open_gaps) if r.open_gaps else "",
                    )
                    if p
                ),
            ]
            for r in rows
        ],
    )


@activity.command("show")
@click.argument("activity_id")
@json_option
@refusals
def activity_show(activity_id: str, as_json: bool) -> None:
    """显示一项执法活动及其音像、中断和工作记录。"""
    from avledger.services.views import to_json
    from avledger.timeutil import fmt_local
    from avledger.vocab import (
        ACTIVITY_KINDS as KINDS,
    )
    from avledger.vocab import (
        CASE_STATUSES,
        GAP_REASONS,
        LONG_TERM_REASONS,
        NORECORD_REASONS,
        label,
        labels,
    )
    from avledger.vocab import (
        CIRCUMSTANCES as CIRC,
    )

    services = state().services()
    view = services.activities.open(activity_id)
    clips = services.footage.list(activity=view.id)
    gaps = services.gaps.list(activity=view.id)
    records = services.norecords.list(activity=view.id)
    if as_json:
        emit_json(
            {
                **to_json(view),
                "missing_record": view.missing_record,
                "clips": [to_json(c) for c in clips],
                "gaps": [to_json(g) for g in gaps],
                "norecords": [to_json(r) for r in records],
            }
        )
        return
    tz = services.office.profile().tz
    pairs = [
        ("#", str(view.id)),
        (_("类型"), label(KINDS, view.kind)),
        (_("标题"), view.title),
        (_("案号"), view.case_no),
        (_("案件名"), view.case_name),
        (_("当事人"), view.party),
        (_("执法地点"), view.place),
        (_("执法人员"), _("、").join(f"{n}（{num}）" for n, num in zip(view.officer_names, view.officers))),
        (_("开始"), fmt_local(view.start_at, tz)),
        (_("结束"), fmt_local(view.end_at, tz)),
        (_("是否须全程记录"), _("是") if view.full_record else _("否")),
        (_("情形"), labels(CIRC, view.circumstances)),
        (_("是否涉密"), _("是") if view.confidential else _("否")),
        (_("长期保存情形"), labels(LONG_TERM_REASONS, view.long_term)),
        (_("状态"), label(CASE_STATUSES, view.status) + (f" {view.closed_at.isoformat()}" if view.closed_at else "")),
    ]
    from rich.cells import cell_len

    width = max(cell_len(k) for k, _v in pairs)
    for key, value in pairs:
        click.echo(f"{key}{' ' * (width - cell_len(key))}  {value}")
    if view.missing_record:
        click.echo(_("须全程记录但无音像也无工作记录"))
    click.echo("")
    table(
        ["#", _("文件名"), _("录制时间"), _("设备"), _("使用人"), _("存储路径")],
        [
            [c.id, c.original_name, fmt_local(c.start_at, tz), c.asset_no or "", c.holder or "", c.archive_path]
            for c in clips
        ],
    )
    if gaps:
        click.echo("")
        table(
            ["#", _("中断开始"), _("恢复"), _("分钟"), _("原因")],
            [
                [
                    g.id,
                    fmt_local(g.start_at, tz),
                    fmt_local(g.end_at, tz),
                    g.minutes,
                    label(GAP_REASONS, g.reason) if g.reason else _("待说明"),
                ]
                for g in gaps
            ],
        )
    if records:
        click.echo("")
        table(
            ["#", _("原因"), _("依据"), _("签字"), _("报告")],
            [
                [r.id, label(NORECORD_REASONS, r.reason), r.basis, _("、").join(r.signers), r.reported_to]
                for r in records
            ],
        )


@activity.command("confidential")
@click.argument("activity_id")
@click.option("--off", is_flag=True, help="取消保密标记（仅涉密资料审批角色）")
@refusals
def activity_confidential(activity_id: str, off: bool) -> None:
    """标记执法活动的音像记录为保密（或取消）。"""
    view = state().services().activities.set_confidential(activity_id, not off)
    click.echo(
        (_("已标记保密：{id} {title}") if view.confidential else _("已取消保密标记：{id} {title}")).format(
            id=view.id, title=view.title
        )
    )


@activity.command("close")
@click.argument("activity_id")
@click.option("--at", metavar="YYYY-MM-DD", help="结案日期（默认今天）")
@refusals
def activity_close(activity_id: str, at: str | None) -> None:
    """结案（保存期限自结案起算）。"""
    view = state().services().activities.close(activity_id, at=at)
    click.echo(_("已结案：{id} {title}（{date}）").format(id=view.id, title=view.title, date=view.closed_at))


# --- ingest --------------------------------------------------------------------------
class _ProgressLine:
    """A throttled progress line on stderr, only when stderr is a terminal. Subclasses word one event."""

    width = 120

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.last = 0.0

    def __call__(self, event) -> None:
        import time

        if not self.enabled:
            return
        now = time.monotonic()
        if event.phase != "done" and now - self.last < 0.2:
            return
        self.last = now
        click.echo("\r" + self.text(event)[: self.width].ljust(self.width), err=True, nl=event.phase == "done")

    def text(self, event) -> str:
        raise NotImplementedError


class _IngestProgressLine(_ProgressLine):
    def text(self, event) -> str:
        mib = 1024 * 1024
        return _("采集 {files}/{total} 个文件，{done:.0f}/{size:.0f} MiB {name}").format(
            files=event.files_done,
            total=event.files_total,
            done=event.bytes_done / mib,
            size=event.bytes_total / mib,
            name=event.current,
        )


@cli.command()
@click.argument("source_dir", type=click.Path(file_okay=False))
@click.option("--device", "asset_no", metavar="ASSET_NO", help="设备资产编号")
@click.option("--activity", "activity_id", metavar="ACTIVITY_ID", help="执法活动编号")
@click.option("--dry-run", is_flag=True, help="只列出采集计划，不复制")
@json_option
@refusals
def ingest(source_dir: str, asset_no: str | None, activity_id: str | None, dry_run: bool, as_json: bool) -> None:
    """采集音像文件入库（复制、校验、登记；原文件不改动）。"""
    services = state().services()
    plan = services.ingest.scan(source_dir, device=asset_no, activity=activity_id)
    if dry_run:
        _print_plan(services, plan, as_json)
        return
    result = services.ingest.apply(plan, progress=_IngestProgressLine())
    if as_json:
        emit_json(
            {
                "archived": [
                    {
                        "id": c.id,
                        "source": c.source,
                        "archive_path": c.archive_path,
                        "sha256": c.sha256,
                        "activity_id": c.activity_id,
                        "flags": list(c.flags),
                        "late": c.late,
                    }
                    for c in result.archived
                ],
                "duplicates": [
                    {"source": d.source, "sha256": d.sha256, "clip_id": d.clip_id} for d in result.duplicates
                ],
                "flagged": [
                    {"id": c.id, "flags": list(c.flags) + (["late"] if c.late else [])} for c in result.flagged
                ],
                "refused": [{"path": s.path, "reason": s.reason} for s in result.refused],
                "unassigned": [c.id for c in result.archived if c.activity_id is None],
                "cancelled": result.cancelled,
            }
        )
        return
    from avledger.vocab import CLIP_FLAGS, label

    reasons = {"empty": _("空文件"), "not_media": _("不是音像文件"), "unreadable": _("无法读取")}
    click.echo(
        _("已入库 {archived} 个，重复跳过 {duplicates} 个，有问题 {flagged} 个，未采集 {refused} 个").format(
            archived=len(result.archived),
            duplicates=len(result.duplicates),
            flagged=len(result.flagged),
            refused=len(result.refused),
        )
    )
    for clip in result.archived:
        notes = (
            [label(CLIP_FLAGS, f) for f in clip.flags]
            + ([_("逾期")] if clip.late else [])
            + ([_("未分配执法活动")] if clip.activity_id is None else [])
        )
        click.echo(
            f"  #{clip.id} {clip.archive_path}" + (_("（{notes}）").format(notes=_("；").join(notes)) if notes else "")
        )
    for skipped in result.refused:
        click.echo(f"  - {skipped.path}：{reasons.get(skipped.reason, skipped.reason)}")


def _print_plan(services, plan, as_json: bool) -> None:
    from avledger.timeutil import fmt_local
    from avledger.vocab import CLIP_KINDS, TIME_SOURCES, label

    questions = {"no_activity": _("没有时间相符的执法活动"), "several_activities": _("有多个时间相符的执法活动")}
    if as_json:
        emit_json(
            {
                "files": [
                    {
                        "source": str(f.source),
                        "kind": f.kind,
                        "size": f.size,
                        "start_at": f.start_at.isoformat(),
                        "time_source": f.time_source,
                        "device_id": f.device_id,
                        "holder_id": f.holder_id,
                        "activity_id": f.activity_id,
                        "flags": list(f.flags),
                        "question": f.question,
                    }
                    for f in plan.files
                ],
                "refused": [{"path": s.path, "reason": s.reason} for s in plan.skipped],
            }
        )
        return
    tz = services.office.profile().tz
    table(
        [_("文件名"), _("类型"), _("录制时间"), _("时间来源"), _("执法活动"), _("问题")],
        [
            [
                f.name,
                label(CLIP_KINDS, f.kind),
                fmt_local(f.start_at, tz),
                label(TIME_SOURCES, f.time_source),
                f.activity_id or _("未分配"),
                _("；").join(
                    ([questions[f.question]] if f.question and f.activity_id is None else [])
                    + ([_("无法读取或已损坏")] if f.flags else [])
                ),
            ]
            for f in plan.files
        ],
    )


# --- footage -----------------------------------------------------------------------------
@cli.group()
def footage() -> None:
    """已入库的音像资料。"""


@footage.command("list")
@click.option("--activity", "activity_id", metavar="ACTIVITY_ID")
@click.option("--unassigned", is_flag=True, help="只列未分配执法活动的")
@click.option("--late", is_flag=True, help="只列逾期采集的")
@json_option
@refusals
def footage_list(activity_id, unassigned, late, as_json) -> None:
    """列出音像资料。"""
    from avledger.services.views import to_json
    from avledger.timeutil import fmt_local
    from avledger.vocab import CLIP_FLAGS, CLIP_KINDS, label

    services = state().services()
    rows = services.footage.list(activity=activity_id, unassigned=unassigned, late=late)
    if as_json:
        emit_json([to_json(r) for r in rows])
        return
    tz = services.office.profile().tz
    table(
        [
            "#",
            _("文件名"),
            _("类型"),
            _("录制时间"),
            _("时长（秒）"),
            _("设备"),
            _("使用人"),
            _("执法活动"),
            _("入库时间"),
            _("问题"),
        ],
        [
            [
                r.id,
                r.original_name,
                label(CLIP_KINDS, r.kind),
                fmt_local(r.start_at, tz),
                "" if r.duration_s is None else f"{r.duration_s:.0f}",
                r.asset_no or "",
                r.holder or "",
                f"{r.activity_id} {r.activity}" if r.activity_id else _("未分配"),
                fmt_local(r.ingested_at, tz),
                _("；").join(
                    [label(CLIP_FLAGS, f) for f in r.flags]
                    + ([_("逾期：") + (r.late_reason or _("待说明"))] if r.late else [])
                ),
            ]
            for r in rows
        ],
    )


@footage.command("show")
@click.argument("clip_id")
@json_option
@refusals
def footage_show(clip_id: str, as_json: bool) -> None:
    """显示一个音像文件的详细信息（指纹、时间来源、采集时限）。"""
    from avledger.services.views import to_json
    from avledger.timeutil import fmt_local
    from avledger.vocab import CLIP_FLAGS, CLIP_KINDS, TIME_SOURCES, label, labels

    services = state().services()
    c = services.footage.view(clip_id)
    if as_json:
        emit_json(to_json(c))
        return
    tz = services.office.profile().tz
    pairs = [
        ("#", str(c.id)),
        (_("文件名"), c.original_name),
        (_("存储路径"), c.archive_path),
        ("SHA-256", c.sha256),
        (_("类型"), label(CLIP_KINDS, c.kind)),
        (_("录制时间"), fmt_local(c.start_at, tz)),
        (_("时间来源"), label(TIME_SOURCES, c.time_source)),
        (_("时长（秒）"), "" if c.duration_s is None else f"{c.duration_s:.1f}"),
        (_("分辨率"), f"{c.width}×{c.height}" if c.width else ""),
        (_("音视频编码"), c.codecs),
        (_("设备"), c.asset_no or ""),
        (_("使用人"), f"{c.holder}（{c.holder_number}）" if c.holder else ""),
        (_("执法活动"), f"{c.activity_id} {c.activity}" if c.activity_id else _("未分配")),
        (_("入库时间"), fmt_local(c.ingested_at, tz)),
        (_("采集时限"), fmt_local(c.deadline_at, tz)),
        (_("逾期"), (_("是") + ("：" + c.late_reason if c.late_reason else "")) if c.late else _("否")),
        (_("问题"), labels(CLIP_FLAGS, c.flags)),
    ]
    from rich.cells import cell_len

    width = max(cell_len(k) for k, _v in pairs)
    for key, value in pairs:
        click.echo(f"{key}{' ' * (width - cell_len(key))}  {value}")


@footage.command("waiting")
@json_option
@refusals
def footage_waiting(as_json: bool) -> None:
    """等待采集：已归还但尚无音像入库的设备、已结束但尚无音像的执法活动，以及剩余时间。"""
    from avledger.services.views import to_json
    from avledger.timeutil import fmt_local

    services = state().services()
    rows = services.footage.waiting()
    if as_json:
        emit_json([to_json(r) for r in rows])
        return
    tz = services.office.profile().tz
    table(
        [_("设备"), _("使用人"), _("执法活动"), _("归还/结束"), _("采集时限"), _("剩余（小时）")],
        [
            [
                r.asset_no or "",
                r.holder or "",
                f"{r.id} {r.activity}" if r.kind == "activity" else "",
                fmt_local(r.since, tz),
                fmt_local(r.deadline_at, tz),
                f"{r.hours_left:.1f}" if r.hours_left >= 0 else _("已逾期 {hours:.1f}").format(hours=-r.hours_left),
            ]
            for r in rows
        ],
    )


@footage.command("assign")
@click.argument("clip_id")
@click.option("--activity", "activity_id", required=True, metavar="ACTIVITY_ID")
@refusals
def footage_assign(clip_id: str, activity_id: str) -> None:
    """把音像文件归入执法活动（存储中的文件不移动）。"""
    view = state().services().footage.assign(clip_id, activity_id)
    click.echo(_("已归入执法活动 {activity}：{name}").format(activity=view.activity_id, name=view.original_name))


@footage.command("late-reason")
@click.argument("clip_id")
@click.option("--reason", required=True, help="逾期原因")
@refusals
def footage_late_reason(clip_id: str, reason: str) -> None:
    """说明逾期采集的原因。"""
    view = state().services().footage.explain_late(clip_id, reason)
    click.echo(_("已登记逾期说明：{name}").format(name=view.original_name))


# --- gaps ----------------------------------------------------------------------------------
@cli.command()
@click.option("--activity", "activity_id", metavar="ACTIVITY_ID")
@click.option("--open", "open_only", is_flag=True, help="只列待说明的")
@json_option
@refusals
def gaps(activity_id, open_only, as_json) -> None:
    """记录中断（同一设备在同一执法活动中前后两段之间的间隔）。"""
    from avledger.services.views import to_json
    from avledger.timeutil import fmt_local
    from avledger.vocab import GAP_REASONS, label

    services = state().services()
    rows = services.gaps.list(activity=activity_id, open_only=open_only)
    if as_json:
        emit_json([to_json(r) for r in rows])
        return
    tz = services.office.profile().tz
    table(
        ["#", _("执法活动"), _("设备"), _("中断开始"), _("恢复"), _("分钟"), _("原因"), _("书面报告")],
        [
            [
                r.id,
                f"{r.activity_id} {r.activity}",
                r.asset_no,
                fmt_local(r.start_at, tz),
                fmt_local(r.end_at, tz),
                r.minutes,
                label(GAP_REASONS, r.reason) if r.reason else _("待说明"),
                _("是") if r.reported else "",
            ]
            for r in rows
        ],
    )


@cli.group()
def gap() -> None:
    """记录中断说明。"""


@gap.command("explain")
@click.argument("gap_id")
@click.option(
    "--reason", required=True, metavar="REASON", help="原因：fault weather battery storage place_change other"
)
@click.option("--note", default="", help="补充说明")
@click.option("--report", is_flag=True, help="已作书面报告")
@refusals
def gap_explain(gap_id: str, reason: str, note: str, report: bool) -> None:
    """登记中断原因。"""
    view = state().services().gaps.explain(gap_id, reason, note=note, reported=report)
    click.echo(_("已登记中断说明：{id}").format(id=view.id))


# --- not-recorded work records -----------------------------------------------------------------
@cli.group()
def norecord() -> None:
    """无法记录工作记录。"""


@norecord.command("add")
@click.option("--activity", "activity_id", required=True, metavar="ACTIVITY_ID")
@click.option("--reason", required=True, metavar="REASON", help="办公室配置中的原因")
@click.option("--basis", required=True, help="依据")
@click.option("--signed-by", "signers", multiple=True, metavar="STAFF_NUMBER", help="签字执法人员工号（可重复）")
@click.option("--reported-to", required=True, metavar="STAFF_NUMBER", help="报告的负责人工号")
@click.option("--at", metavar="YYYY-MM-DD HH:MM")
@refusals
def norecord_add(activity_id, reason, basis, signers, reported_to, at) -> None:
    """登记无法记录的工作记录。"""
    view = state().services().norecords.add(activity_id, reason, basis, list(signers), reported_to, at=at)
    click.echo(_("已登记工作记录 {id}（执法活动 {activity}）").format(id=view.id, activity=view.activity_id))


@norecord.command("list")
@click.option("--activity", "activity_id", metavar="ACTIVITY_ID")
@json_option
@refusals
def norecord_list(activity_id, as_json) -> None:
    """列出无法记录工作记录。"""
    from avledger.services.views import to_json
    from avledger.timeutil import fmt_local
    from avledger.vocab import NORECORD_REASONS, label

    services = state().services()
    rows = services.norecords.list(activity=activity_id)
    if as_json:
        emit_json([to_json(r) for r in rows])
        return
    tz = services.office.profile().tz
    table(
        ["#", _("执法活动"), _("原因"), _("依据"), _("签字"), _("报告"), _("时间")],
        [
            [
                r.id,
                r.activity_id,
                label(NORECORD_REASONS, r.reason),
                r.basis,
                _("、").join(r.signers),
                r.reported_to,
                fmt_local(r.at, tz),
            ]
            for r in rows
        ],
    )


# --- verify ----------------------------------------------------------------------------------------
@cli.command()
@click.option("--activity", "activity_id", metavar="ACTIVITY_ID")
@json_option
@refusals
def verify(activity_id, as_json) -> None:
    """重新计算存储中每个文件的 SHA-256，报告缺失、被改动和多出的文件。"""
    from dataclasses import asdict

    result = state().services().footage.verify(activity=activity_id)
    if as_json:
        emit_json(
            {
                "ok": result.ok,
                "checked": result.checked,
                "bytes": result.bytes,
                "problems": [asdict(p) for p in result.problems],
            }
        )
    else:
        kinds = {"missing": _("缺失"), "changed": _("已被改动"), "extra": _("未登记的文件")}
        if result.ok:
            click.echo(_("存储完整：{n} 个文件均与登记的指纹一致").format(n=result.checked))
        else:
            click.echo(_("发现 {n} 处问题：").format(n=len(result.problems)))
            for problem in result.problems:
                click.echo(
                    f"  - {kinds[problem.kind]}：{problem.path}"
                    + (f"（#{problem.clip_id}）" if problem.clip_id else "")
                )
    if not result.ok:
        sys.exit(EXIT_PROBLEM)


# --- disc archives ----------------------------------------------------------------------------
MEDIA_CHOICES = ["cd", "dvd", "dvd-dl", "bd25", "bd50", "bd100"]


def disc_source(func):
    options = [
        click.option("--activity", "activity_id", metavar="ACTIVITY_ID", help="执法活动编号"),
        click.option("--case-no", "case_no", metavar="NO", help="案号（该案件的全部执法活动）"),
        click.option("--media", default="dvd", show_default=True, type=click.Choice(MEDIA_CHOICES), help="光盘类型"),
    ]
    for option in reversed(options):
        func = option(func)
    return func


class _DiscProgressLine(_ProgressLine):
    """Building, burning and verifying a disc."""

    width = 100

    def text(self, event) -> str:
        return event.describe()


def _plan_json(plan) -> dict:
    return {
        "media": plan.media,
        "capacity": plan.capacity,
        "discs": [
            {
                "number": d.number,
                "payload_bytes": d.payload_bytes,
                "files": [{"clip_id": f.clip_id, "name": f.name, "size": f.size, "sha256": f.sha256} for f in d.files],
            }
            for d in plan.discs
        ],
    }


def _disc_json(d) -> dict:
    from avledger.services.views import to_json

    data = to_json(d)
    data["copies"] = [to_json(c) for c in d.copies]
    data["checks"] = [to_json(c) for c in d.checks]
    return data


def _set_json(s) -> dict:
    from avledger.services.views import to_json

    data = to_json(s)
    data["discs"] = [_disc_json(d) for d in s.discs]
    return data


@cli.group()
def disc() -> None:
    """光盘归档（一式两份刻录、回读核验、定期复检）。"""


@disc.command("plan")
@disc_source
@json_option
@refusals
def disc_plan(activity_id, case_no, media, as_json) -> None:
    """规划光盘：每张光盘放哪些文件（不写入任何东西）。"""
    from avledger.present import size_text

    plan = state().services().discs.plan(activity=activity_id, case_no=case_no, media=media)
    if as_json:
        emit_json(_plan_json(plan))
        return
    click.echo(
        _("{n} 张光盘，{files} 个文件，共 {size}").format(
            n=len(plan.discs), files=plan.files, size=size_text(plan.payload_bytes)
        )
    )
    table(
        [_("光盘"), _("文件"), _("大小")],
        [[f"{d.number}/{len(plan.discs)}", len(d.files), size_text(d.payload_bytes)] for d in plan.discs],
    )


@disc.command("build")
@disc_source
@click.option("--out", required=True, type=click.Path(file_okay=False), help="镜像输出目录")
@json_option
@refusals
def disc_build(activity_id, case_no, media, out, as_json) -> None:
    """制作光盘镜像（ISO 9660 + Joliet + Rock Ridge + UDF，BagIt 包与中文说明）。"""
    result = (
        state()
        .services()
        .discs.build(out, activity=activity_id, case_no=case_no, media=media, progress=_DiscProgressLine())
    )
    if as_json:
        emit_json(
            {
                "set_id": result.id,
                "media": result.media,
                "images": [
                    {
                        "disc_id": d.id,
                        "number": d.number,
                        "discs": d.discs,
                        "path": d.image_path,
                        "size": d.size,
                        "volume_id": d.volume_id,
                        "sha256": d.image_sha256,
                        "files": d.files,
                    }
                    for d in result.discs
                ],
            }
        )
        return
    click.echo(_("光盘组 {id}：{n} 张").format(id=result.id, n=len(result.discs)))
    for d in result.discs:
        click.echo(f"  {d.number}/{d.discs} {d.volume_id} {d.image_path} {d.size} {d.image_sha256}")


def _problem_lines(problems) -> None:
    kinds = {
        "missing": _("缺失"),
        "changed": _("已被改动"),
        "extra": _("未登记的文件"),
        "manifest": _("清单被改动"),
        "image": _("镜像不一致"),
    }
    for p in problems:
        click.echo(f"  - {kinds.get(p.kind, p.kind)}：{p.path}")


@disc.command("burn")
@click.argument("iso_path", type=click.Path(dir_okay=False))
@click.option("--drive", required=True, metavar="DRIVE", help="刻录机设备（如 /dev/sr0）或 stdio:文件")
@click.option("--copy", "copy_no", required=True, type=click.IntRange(1, 9), help="第几份（1 或 2）")
@click.option("--kept-at", default="", metavar="PLACE", help="存放位置")
@json_option
@refusals
def disc_burn(iso_path, drive, copy_no, kept_at, as_json) -> None:
    """刻录一份光盘，回读核验后登记。"""
    from dataclasses import asdict

    result = state().services().discs.burn(iso_path, drive, copy_no, kept_at=kept_at, progress=_DiscProgressLine())
    if as_json:
        emit_json(
            {
                "ok": result.ok,
                "disc_id": result.disc.id,
                "volume_id": result.disc.volume_id,
                "copy": result.copy.copy,
                "drive": drive,
                "kept_at": result.copy.kept_at,
                "problems": [asdict(p) for p in result.problems],
            }
        )
    elif result.ok:
        click.echo(
            _("已刻录并核验：{volume} 第 {copy} 份（{place}）").format(
                volume=result.disc.volume_id, copy=result.copy.copy, place=result.copy.kept_at or _("未填存放位置")
            )
        )
    else:
        click.echo(
            _("回读核验不一致：{volume} 第 {copy} 份").format(volume=result.disc.volume_id, copy=result.copy.copy)
        )
        _problem_lines(result.problems)
    if not result.ok:
        sys.exit(EXIT_PROBLEM)


@disc.command("verify")
@click.option("--drive", required=True, metavar="DRIVE", help="刻录机设备（如 /dev/sr0）或 stdio:文件")
@click.option("--copy", "copy_no", type=click.IntRange(1, 9), help="第几份（登记到这一份）")
@json_option
@refusals
def disc_verify(drive, copy_no, as_json) -> None:
    """核验光盘：从盘上内容识别是哪张光盘，逐个文件比对清单，并登记结果。"""
    from dataclasses import asdict

    result = state().services().discs.verify(drive, copy=copy_no, progress=_DiscProgressLine())
    if as_json:
        emit_json(
            {
                "ok": result.ok,
                "disc_id": result.disc.id,
                "volume_id": result.disc.volume_id,
                "set_id": result.disc.set_id,
                "number": result.disc.number,
                "discs": result.disc.discs,
                "checked": result.checked,
                "problems": [asdict(p) for p in result.problems],
            }
        )
    elif result.ok:
        click.echo(
            _("光盘完好：{volume}（第 {n} 张，共 {count} 张），{files} 个文件均与清单一致").format(
                volume=result.disc.volume_id, n=result.disc.number, count=result.disc.discs, files=result.checked
            )
        )
    else:
        click.echo(_("光盘 {volume} 发现 {n} 处问题：").format(volume=result.disc.volume_id, n=len(result.problems)))
        _problem_lines(result.problems)
    if not result.ok:
        sys.exit(EXIT_PROBLEM)


@disc.command("keep")
@click.argument("volume_id")
@click.option("--copy", "copy_no", required=True, type=click.IntRange(1, 9), help="第几份（1 或 2）")
@click.option("--kept-at", required=True, metavar="PLACE", help="存放位置")
@refusals
def disc_keep(volume_id, copy_no, kept_at) -> None:
    """登记一份光盘的新存放位置。"""
    view = state().services().discs.keep(volume_id, copy_no, kept_at)
    click.echo(
        _("已登记存放位置：{volume} 第 {copy} 份（{place}）").format(
            volume=volume_id, copy=view.copy, place=view.kept_at
        )
    )


@disc.command("list")
@json_option
@refusals
def disc_list(as_json) -> None:
    """光盘登记：每组、每张、每份光盘，存放位置与检测记录。"""
    from avledger.services.discs import DISC_TARGET_STATES
    from avledger.services.views import to_json
    from avledger.timeutil import fmt_local
    from avledger.vocab import DISC_CHECK_RESULTS, DISC_MEDIA, LONG_TERM_REASONS, label, labels

    services = state().services()
    sets = services.discs.list()
    due = services.discs.rechecks()
    targets = services.discs.targets()
    if as_json:
        emit_json(
            {
                "targets": [to_json(t) for t in targets],
                "sets": [_set_json(s) for s in sets],
                "due": [d.disc_id for d in due.due],
                "due_required": due.required,
            }
        )
        return
    click.echo(_("须刻录光盘长期保存的执法活动"))
    table(
        ["#", _("标题"), _("案号"), _("长期保存情形"), _("音像"), _("状态")],
        [
            [
                t.activity_id,
                t.title,
                t.case_no,
                labels(LONG_TERM_REASONS, t.reasons),
                t.clips,
                label(DISC_TARGET_STATES, t.state),
            ]
            for t in targets
        ],
    )
    click.echo("")
    click.echo(_("光盘登记"))
    tz = services.office.profile().tz
    rows = []
    for s in sets:
        for d in s.discs:
            copies = _("；").join(
                f"{c.copy}：{c.kept_at or '-'}" + ("" if c.verified else _("（未通过核验）")) for c in d.copies
            )
            last = d.last_check
            rows.append(
                [
                    f"{s.id}",
                    f"{d.number}/{d.discs}",
                    d.volume_id,
                    s.case_no or "",
                    s.title,
                    label(DISC_MEDIA, s.media),
                    _("是") if d.built else "",
                    copies,
                    f"{fmt_local(last.at, tz)} {label(DISC_CHECK_RESULTS, last.result)}" if last else "",
                ]
            )
    table(
        [
            _("组"),
            _("光盘"),
            _("卷标"),
            _("案号"),
            _("名称"),
            _("类型"),
            _("已制作"),
            _("份数与存放位置"),
            _("最近检测"),
        ],
        rows,
    )
    if due.due:
        click.echo(
            _("到期待复检 {n} 张，本次至少检测 {m} 张：{ids}").format(
                n=len(due.due), m=due.required, ids=" ".join(d.volume_id for d in due.due)
            )
        )


# --- printed registers and export --------------------------------------------------
def register_filters(func):
    """The filters shared by ``print`` and ``export`` (each register accepts those that fit it)."""
    options = [
        click.option("--from", "date_from", metavar="YYYY-MM-DD", help="开始日期（含）"),
        click.option("--to", "date_to", metavar="YYYY-MM-DD", help="结束日期（含）"),
        click.option("--dept", metavar="DEPT", help="科室"),
        click.option("--device", metavar="ASSET_NO", help="资产编号"),
        click.option("--staff", metavar="STAFF_NUMBER", help="人员工号"),
        click.option("--activity", metavar="ACTIVITY_ID", help="执法活动编号"),
        click.option("--disc", metavar="VOLUME_ID", help="光盘卷标"),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@cli.command("print")
@click.argument("register_name", metavar="REGISTER")
@register_filters
@click.option("-o", "--output", required=True, metavar="FILE.pdf", help="输出的 PDF 文件")
@refusals
def print_register(register_name, date_from, date_to, dept, device, staff, activity, disc, output) -> None:
    """打印登记表（A4 PDF）。REGISTER：devices allocation loans activities footage interruptions norecords explanation discs disc-label audit viewings"""  # noqa: E501 (a message id)
    from avledger.services.printing import Filters

    filters = Filters(
        date_from=date_from, date_to=date_to, dept=dept, device=device, staff=staff, activity=activity, disc=disc
    )
    path = state().services().printing.render_pdf(register_name, filters, output)
    click.echo(_("已生成：{path}").format(path=path))


@cli.command("export")
@click.argument("register_name", metavar="REGISTER")
@register_filters
@click.option("-o", "--output", required=True, metavar="FILE.xlsx|FILE.csv", help="输出的表格文件")
@refusals
def export_register(register_name, date_from, date_to, dept, device, staff, activity, disc, output) -> None:
    """导出登记表为 .xlsx 或 .csv。REGISTER：devices allocation loans activities footage interruptions norecords explanation discs disc-label audit viewings"""  # noqa: E501 (a message id)
    from avledger.services.printing import Filters

    filters = Filters(
        date_from=date_from, date_to=date_to, dept=dept, device=device, staff=staff, activity=activity, disc=disc
    )
    path, count = state().services().printing.export(register_name, filters, output)
    click.echo(_("已导出 {n} 行：{path}").format(n=count, path=path))


# --- viewing approvals and evidence extraction (F14-F17) ------------------------------------
def _access_json(r) -> dict:
    from avledger.services.views import to_json

    return to_json(r) | {"on_paper": r.on_paper}


def _access_line(r) -> str:
    from avledger.vocab import ACCESS_KINDS, ACCESS_STATUSES, label

    return _("查阅申请 {id}：{status}（{kind}，有效期至 {until}，{n} 个文件）").format(
        id=r.id,
        status=label(ACCESS_STATUSES, r.status),
        kind=label(ACCESS_KINDS, r.kind),
        until=r.until.isoformat(),
        n=len(r.clip_ids),
    )


@cli.group()
def access() -> None:
    """查阅审批与查阅登记。"""


@access.command("request")
@click.option("--activity", "activity_id", metavar="ACTIVITY_ID", help="执法活动编号")
@click.option("--case-no", metavar="NO", help="案件编号")
@click.option("--clip", "clips", multiple=True, metavar="CLIP_ID", help="音像文件编号（可重复）")
@click.option("--requester", required=True, metavar="STAFF_NUMBER", help="申请人工号")
@click.option("--reason", required=True, help="事由说明")
@click.option(
    "--reason-kind",
    default="case_handling",
    show_default=True,
    metavar="KIND",
    help="事由：case_handling complaint supervision case_review court_evidence other",
)
@click.option(
    "--kind", type=click.Choice(["view", "copy"]), default="view", show_default=True, help="view 查阅，copy 复制调取"
)
@click.option("--until", metavar="YYYY-MM-DD", help="有效期至（含当日，默认 7 天）")
@json_option
@refusals
def access_request(activity_id, case_no, clips, requester, reason, reason_kind, kind, until, as_json) -> None:
    """申请查阅或复制音像资料。"""

    view = (
        state()
        .services()
        .access.request(
            requester,
            reason,
            activity=activity_id,
            case_no=case_no,
            clips=list(clips),
            reason_kind=reason_kind,
            kind=kind,
            until=until,
        )
    )
    if as_json:
        emit_json(_access_json(view))
        return
    click.echo(_access_line(view))


@access.command("approve")
@click.argument("request_id")
@click.option("--by", "by", required=True, metavar="STAFF_NUMBER", help="审批人工号")
@click.option("--paper-form", metavar="NO", help="纸质审批表编号（管理员代为登记时必填）")
@json_option
@refusals
def access_approve(request_id, by, paper_form, as_json) -> None:
    """批准查阅申请。"""

    view = state().services().access.approve(request_id, by, paper_form=paper_form)
    if as_json:
        emit_json(_access_json(view))
        return
    click.echo(_access_line(view))
    if view.on_paper:
        click.echo(
            _("纸质审批表 {no}，{recorder} 代为登记").format(
                no=view.paper_form_no, recorder=view.recorded_by or view.decided_by
            )
        )


@access.command("refuse")
@click.argument("request_id")
@click.option("--by", "by", required=True, metavar="STAFF_NUMBER", help="审批人工号")
@click.option("--reason", required=True, help="不予批准理由")
@json_option
@refusals
def access_refuse(request_id, by, reason, as_json) -> None:
    """不予批准查阅申请。"""

    view = state().services().access.refuse(request_id, by, reason)
    if as_json:
        emit_json(_access_json(view))
        return
    click.echo(_access_line(view))


def display_available() -> bool:
    import os
    import shutil

    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) and bool(shutil.which("xdg-open"))


@access.command("view")
@click.argument("request_id")
@click.option("--clip", "clip_id", metavar="CLIP_ID", help="只查阅其中一个文件")
@click.option("--no-player", is_flag=True, help="不打开播放器，只显示文件信息")
@json_option
@refusals
def access_view(request_id, clip_id, no_player, as_json) -> None:
    """按批准的申请查阅音像资料（每次查阅都登记）。"""
    import subprocess

    from avledger.services.views import to_json
    from avledger.timeutil import fmt_local

    services = state().services()
    player = not no_player and not as_json and display_available()
    opened = services.access.view_clips(request_id, clip=clip_id, how="player" if player else "details")
    if as_json:
        emit_json(
            {
                "viewing": to_json(opened.viewing),
                "request": to_json(opened.request),
                "clips": [to_json(c) for c in opened.clips],
                "paths": [str(p) for p in opened.paths],
            }
        )
        return
    tz = services.office.profile().tz
    click.echo(_("已登记查阅 {id}（申请 {request}）").format(id=opened.viewing.id, request=opened.request.id))
    for clip, path in zip(opened.clips, opened.paths):
        click.echo(
            f"  #{clip.id} {clip.original_name}  {fmt_local(clip.start_at, tz)}  "
            f"{'' if clip.duration_s is None else f'{clip.duration_s:.0f}s'}  {clip.sha256}"
        )
        click.echo(f"      {path}")
        if player:
            subprocess.Popen(["xdg-open", str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@access.command("list")
@click.option("--open", "open_only", is_flag=True, help="只列待审批的")
@json_option
@refusals
def access_list(open_only, as_json) -> None:
    """列出查阅申请与审批（查阅登记）。"""
    from avledger.timeutil import fmt_local
    from avledger.vocab import ACCESS_KINDS, ACCESS_REASONS, ACCESS_STATUSES, label

    services = state().services()
    rows = services.access.list(open_only=open_only)
    if as_json:
        emit_json([_access_json(r) for r in rows])
        return
    tz = services.office.profile().tz
    table(
        [
            "#",
            _("申请人"),
            _("事由"),
            _("方式"),
            _("文件数"),
            _("有效期至"),
            _("状态"),
            _("审批人"),
            _("审批时间"),
            _("查阅次数"),
            _("调取次数"),
        ],
        [
            [
                r.id,
                f"{r.requester}（{r.requester_number}）",
                f"{label(ACCESS_REASONS, r.reason_kind)}：{r.reason}",
                label(ACCESS_KINDS, r.kind) + (_("（保密）") if r.confidential else ""),
                len(r.clip_ids),
                r.until.isoformat(),
                label(ACCESS_STATUSES, r.status),
                (f"{r.decided_by}（{r.decided_by_number}）" if r.decided_by else "")
                + (_("（纸质 {no}）").format(no=r.paper_form_no) if r.on_paper else ""),
                fmt_local(r.decided_at, tz),
                r.viewings,
                r.extractions,
            ]
            for r in rows
        ],
    )


@access.command("viewings")
@click.option("--request", "request_id", metavar="REQUEST_ID", help="只列这个申请的")
@json_option
@refusals
def access_viewings(request_id, as_json) -> None:
    """查阅登记：每次查阅的人员、时间、时长和文件。"""
    from avledger.services.views import to_json
    from avledger.timeutil import fmt_local

    services = state().services()
    rows = services.access.viewings(request=request_id)
    if as_json:
        emit_json([to_json(r) for r in rows])
        return
    tz = services.office.profile().tz
    table(
        ["#", _("申请"), _("查阅人"), _("时间"), _("时长（秒）"), _("文件")],
        [
            [
                r.id,
                r.request_id,
                f"{r.viewer}（{r.viewer_number}）",
                fmt_local(r.at, tz),
                "" if r.duration_s is None else f"{r.duration_s:.0f}",
                " ".join(f"#{c}" for c in r.clip_ids),
            ]
            for r in rows
        ],
    )


@cli.group()
def evidence() -> None:
    """作为证据调取音像资料。"""


@evidence.command("extract")
@click.argument("request_id")
@click.option("--extractor", required=True, metavar="STAFF_NUMBER", help="提取人工号")
@click.option("--out", "out_dir", required=True, metavar="DIR", help="输出目录（新建或空目录）")
@click.option("--7z", "seven_zip", is_flag=True, help="打包为 7z")
@click.option("--password-file", metavar="FILE", help="7z 密码文件（AES-256，文件名列表也加密）")
@json_option
@refusals
def evidence_extract(request_id, extractor, out_dir, seven_zip, password_file, as_json) -> None:
    """按批准复制的申请调取证据：核对 SHA-256，生成文字说明材料并登记。"""
    from avledger.services.views import to_json

    view = (
        state()
        .services()
        .access.extract(request_id, extractor, out_dir, seven_zip=seven_zip, password_file=password_file)
    )
    if as_json:
        emit_json(to_json(view) | {"files": [f.__dict__ for f in view.files]})
        return
    click.echo(_("已调取 {n} 个文件：{path}").format(n=len(view.files), path=view.package or view.out_dir))
    for f in view.files:
        click.echo(f"  {f.name}  {f.sha256}")
    if view.encrypted:
        click.echo(_("7z 包已用 AES-256 加密（含文件名列表）"))


@evidence.command("check")
@click.argument("package")
@click.option("--password-file", metavar="FILE", help="7z 密码文件")
@refusals
def evidence_check(package, password_file) -> None:
    """检查证据 7z 包能否用密码打开、文件是否完好。"""
    from avledger.services.access import package_names, read_password

    names = package_names(package, read_password(password_file))
    click.echo(_("7z 包完好：{n} 个文件").format(n=len(names)))
    for name in names:
        click.echo(f"  {name}")
