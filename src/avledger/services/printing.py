"""Printed registers (A4 PDF through typst) and spreadsheet export (F21).

A register is three things:

* a data function, decorated with :func:`register`, that turns a
  :class:`Scope` (the validated filters) into a :class:`Sheet` of plain rows;
* its columns (:class:`Column`), shared by the PDF and the export;
* a typst template ``templates/NAME.typ`` that lays the sheet out, mostly
  with the helpers of ``templates/common.typ``.

The data reaches typst as JSON in ``sys.inputs`` (never as typst source),
so nothing a user typed can run as template code. An office may copy a
template into ``<data folder>/templates/`` and edit it: a local file there
overrides the built-in one of the same name.

Printing reads the register and changes nothing (no audit entry). Every page's
footer carries the audit head at the time of printing (``审计 N:hhhh hhhh hhhh hhhh``), a
witness on paper of the log's state (avledger.witness).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import struct
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from avledger.errors import UserError
from avledger.fsutil import write_whole
from avledger.i18n import N_, _, language
from avledger.models import audit
from avledger.models.schema import Activity, Department, Device, Staff
from avledger.services.activities import ActivityService
from avledger.services.base import Context
from avledger.services.register import DepartmentService, DeviceService, StaffService
from avledger.timeutil import from_local, local_today, parse_date

FONT_FAMILY = "Noto Sans CJK SC"
FONT_PACKAGE = "fonts-noto-cjk"
# Where distributions put Noto Sans CJK (Debian/Ubuntu first); fontconfig is asked after these.
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
)

# Filter name -> the CLI option that sets it (for messages).
FILTER_OPTIONS = {
    "date_from": "--from",
    "date_to": "--to",
    "dept": "--dept",
    "device": "--device",
    "staff": "--staff",
    "activity": "--activity",
    "disc": "--disc",
}
DATES = frozenset({"date_from", "date_to"})


# --- what a register is -------------------------------------------------------
@dataclass(frozen=True)
class Column:
    key: str
    title: str  # message id, translated when printed
    width: float | str = 1  # share of the table's width (typst fr), or "auto"
    align: str = "left"  # left | center | right
    xlsx_width: float = 12  # spreadsheet column width, in characters
    blank: bool = False  # left empty for a handwritten entry (a signature); not exported


SEQ = Column("seq", N_("序号"), "auto", "center", 6)  # the running number most registers start with


@dataclass
class Sheet:
    """What a data function returns: rows keyed by column key, and extras for its template."""

    rows: list[dict[str, Any]]
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Register:
    name: str
    title: str  # message id
    columns: tuple[Column, ...]
    filters: frozenset[str]
    landscape: bool
    signatures: tuple[str, ...]  # message ids, e.g. "经办人："
    data: Callable[[Scope], Sheet]


REGISTERS: dict[str, Register] = {}


def register(
    name: str,
    title: str,
    *,
    columns: list[Column],
    filters: set[str] | frozenset[str] = frozenset(),
    landscape: bool = False,
    signatures: tuple[str, ...] = (),
):
    """Declare a printable register; decorate its data function ``(scope) -> Sheet``."""
    unknown = set(filters) - set(FILTER_OPTIONS)
    if unknown:
        raise ValueError(unknown)

    def decorate(func: Callable[[Scope], Sheet]) -> Callable[[Scope], Sheet]:
        REGISTERS[name] = Register(name, title, tuple(columns), frozenset(filters), landscape, tuple(signatures), func)
        return func

    return decorate


def _registers() -> dict[str, Register]:
    import importlib

    importlib.import_module("avledger.services.printforms")  # its decorators fill REGISTERS
    return REGISTERS


# --- filters ---------------------------------------------------------------------
@dataclass(frozen=True)
class Filters:
    """The filters as typed (CLI options or a TUI form); validated by :meth:`PrintService.scope`."""

    date_from: str | None = None
    date_to: str | None = None
    dept: str | None = None
    device: str | None = None
    staff: str | None = None
    activity: str | None = None
    disc: str | None = None  # a disc's volume id

    def given(self) -> set[str]:
        return {name for name in FILTER_OPTIONS if (getattr(self, name) or "").strip()}


@dataclass(frozen=True)
class Scope:
    """Validated filters, with the database rows they name, handed to a data function."""

    ctx: Context
    date_from: dt.date | None = None
    date_to: dt.date | None = None  # inclusive
    dept: Department | None = None
    device: Device | None = None
    staff: Staff | None = None
    activity: Activity | None = None
    disc: str | None = None  # a registered disc's volume id

    @property
    def tz(self):
        return self.ctx.profile().tz

    @property
    def start_utc(self) -> dt.datetime | None:
        """The first moment of the period, as naive UTC (None: from the beginning)."""
        return from_local(dt.datetime.combine(self.date_from, dt.time()), self.tz) if self.date_from else None

    @property
    def end_utc(self) -> dt.datetime | None:
        """The first moment after the period, as naive UTC (None: up to now)."""
        if self.date_to is None:
            return None
        return from_local(dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time()), self.tz)

    def in_period(self, query, column):
        """``query`` narrowed to rows whose ``column`` (naive UTC) lies in the period."""
        if self.start_utc is not None:
            query = query.where(column >= self.start_utc)
        if self.end_utc is not None:
            query = query.where(column < self.end_utc)
        return query

    def describe(self) -> str:
        """One line naming the period and the filters, in the user's language."""
        parts = []
        if self.date_from or self.date_to:
            parts.append(
                _("期间：{start} 至 {end}").format(
                    start=self.date_from.isoformat() if self.date_from else _("最早"),
                    end=self.date_to.isoformat() if self.date_to else _("今天"),
                )
            )
        if self.dept is not None:
            parts.append(_("科室：{name}").format(name=self.dept.name))
        if self.device is not None:
            parts.append(_("设备：{asset}").format(asset=self.device.asset_no))
        if self.staff is not None:
            parts.append(_("人员：{name}（{number}）").format(name=self.staff.name, number=self.staff.number))
        if self.disc is not None:
            parts.append(_("光盘：{volume}").format(volume=self.disc))
        if self.activity is not None:
            parts.append(
                _("执法活动：{id} {name}").format(
                    id=self.activity.id, name=self.activity.case_name or self.activity.title
                )
            )
        return _("；").join(parts) if parts else _("范围：全部")


# --- the font ------------------------------------------------------------------------
def find_cjk_font(candidates: tuple[str, ...] | list[str] = FONT_CANDIDATES, fc_match: str = "fc-match") -> Path:
    """The font file of Noto Sans CJK SC, by known paths, then fontconfig; else a UserError.

    typst gets the file's folder (the Bold face sits beside the Regular one)."""
    for candidate in candidates:
        path = Path(candidate)
        if path.is_file():
            return path
    if shutil.which(fc_match):
        try:
            out = subprocess.run(
                [fc_match, "-f", "%{family}\t%{file}", FONT_FAMILY], capture_output=True, text=True, timeout=10
            ).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        family, _sep, file = out.partition("\t")
        # fc-match always answers; only a Noto Sans CJK answer counts (not a fallback font).
        if "Noto Sans CJK" in family and file and Path(file).is_file():
            return Path(file)
    raise UserError(
        "找不到中文字体 {font}，打印需要它。请安装 Debian 软件包 {package}：sudo apt-get install {package}",
        font=FONT_FAMILY,
        package=FONT_PACKAGE,
    )


@cache
def _font_file() -> Path:
    return find_cjk_font()


def check_glyphs(text: str, font: Path) -> None:
    """Refuse to print characters the font cannot draw (typst would print empty boxes)."""
    from avledger.fontcover import coverage

    try:
        missing = coverage(font).missing(text)
    except (OSError, ValueError, struct.error):
        return  # an unreadable character map: let typst try
    if missing:
        raise UserError(
            "字体 {font} 中没有这些字，印出来会是空框：{chars}",
            font=FONT_FAMILY,
            chars=" ".join(f"{c}（U+{ord(c):04X}）" for c in missing),
        )


# --- the service ------------------------------------------------------------------------
@dataclass(frozen=True)
class RegisterInfo:
    name: str
    title: str  # translated
    filters: tuple[str, ...]  # CLI options that apply
    landscape: bool


class PrintService:
    def __init__(self, ctx: Context, local_templates: Path | None = None):
        self.ctx = ctx
        self.local_templates = local_templates

    # --- what can be printed ---------------------------------------------------
    def registers(self) -> list[RegisterInfo]:
        return [
            RegisterInfo(
                r.name, _(r.title), tuple(FILTER_OPTIONS[f] for f in FILTER_OPTIONS if f in r.filters), r.landscape
            )
            for r in _registers().values()
        ]

    def get(self, name: str) -> Register:
        registers = _registers()
        if name not in registers:
            raise UserError("没有这个登记表：{name}（可选：{choices}）", name=name, choices=" ".join(registers))
        return registers[name]

    def scope(self, reg: Register, filters: Filters) -> Scope:
        """Check the filters against the register and the database."""
        not_here = [FILTER_OPTIONS[f] for f in FILTER_OPTIONS if f in filters.given() - reg.filters]
        if not_here:
            allowed = " ".join(FILTER_OPTIONS[f] for f in FILTER_OPTIONS if f in reg.filters) or _("（无）")
            raise UserError(
                "{register} 不能按 {options} 筛选（可用：{allowed}）",
                register=reg.name,
                options=" ".join(not_here),
                allowed=allowed,
            )
        given = filters.given()
        date_from = parse_date(filters.date_from, label="开始日期") if "date_from" in given else None
        date_to = parse_date(filters.date_to, label="结束日期") if "date_to" in given else None
        if date_from and date_to and date_from > date_to:
            raise UserError("开始日期 {start} 晚于结束日期 {end}", start=date_from.isoformat(), end=date_to.isoformat())
        return Scope(
            self.ctx,
            date_from,
            date_to,
            dept=DepartmentService(self.ctx).get(filters.dept) if "dept" in given else None,
            device=DeviceService(self.ctx).get(filters.device) if "device" in given else None,
            staff=StaffService(self.ctx).get(filters.staff) if "staff" in given else None,
            activity=ActivityService(self.ctx).get(filters.activity) if "activity" in given else None,
            disc=self._disc(filters.disc) if "disc" in given else None,
        )

    @staticmethod
    def _disc(volume_id: str) -> str:
        from avledger.models.schema import Disc

        wanted = volume_id.strip()
        if Disc.get_or_none(Disc.volume_id == wanted) is None:
            raise UserError("没有这个卷标的光盘：{volume}", volume=wanted)
        return wanted

    def sheet(self, name: str, filters: Filters = Filters()) -> tuple[Register, Scope, Sheet]:
        self.ctx.office()
        reg = self.get(name)
        scope = self.scope(reg, filters)
        return reg, scope, reg.data(scope)

    # --- PDF ---------------------------------------------------------------------
    def audit_head_text(self) -> str:
        """The audit head as the footer of every printed page shows it (``审计 N:hhhh hhhh hhhh hhhh``): a witness
        on paper that ``audit verify --head N:HASH`` takes back."""
        return _("审计 {head}").format(head=audit.head(self.ctx.db).short)

    def document(self, name: str, filters: Filters = Filters()) -> dict[str, Any]:
        """The JSON handed to the register's template."""
        reg, scope, sheet = self.sheet(name, filters)
        today = local_today(self.ctx.clock(), scope.tz).isoformat()
        return {
            "font": FONT_FAMILY,
            "lang": language(),
            "unit": self.ctx.office().unit,
            "title": _(reg.title),
            "landscape": reg.landscape,
            "scope": scope.describe(),
            "printed": _("打印日期：{date}").format(date=today),
            "audit": self.audit_head_text(),
            "labels": {"page": _("第 {page} 页 共 {total} 页"), "none": _("（无记录）"), "date": _("日期：")},
            "columns": [
                {"key": c.key, "title": _(c.title), "width": c.width, "align": c.align, "blank": c.blank}
                for c in reg.columns
            ],
            "rows": [[_cell_text(row.get(c.key)) for c in reg.columns] for row in sheet.rows],
            "signatures": [_(s) for s in reg.signatures],
            "extra": sheet.extra,
        }

    def render_pdf(self, name: str, filters: Filters = Filters(), out_path: str | Path = "") -> Path:
        """Print a register to an A4 PDF; returns the path written."""
        out = _output_path(out_path, (".pdf",))
        data = self.document(name, filters)
        pdf = self._compile(name, data)
        _write_atomic(out, pdf)
        return out

    def form_pdf(
        self,
        template: str,
        title: str,
        subtitle: str,
        columns: list[Column],
        rows: list[dict[str, Any]],
        out_path: str | Path,
        *,
        signatures: tuple[str, ...] = (),
        extra: dict[str, Any] | None = None,
    ) -> Path:
        """Print a one-off form (not a register), e.g. an extraction's explanation sheet, with ``template``."""
        today = local_today(self.ctx.clock(), self.ctx.profile().tz).isoformat()
        data = {
            "font": FONT_FAMILY,
            "lang": language(),
            "unit": self.ctx.office().unit,
            "title": _(title),
            "landscape": False,
            "scope": subtitle,
            "printed": _("打印日期：{date}").format(date=today),
            "audit": self.audit_head_text(),
            "labels": {"page": _("第 {page} 页 共 {total} 页"), "none": _("（无记录）"), "date": _("日期：")},
            "columns": [
                {"key": c.key, "title": _(c.title), "width": c.width, "align": c.align, "blank": c.blank}
                for c in columns
            ],
            "rows": [[_cell_text(row.get(c.key)) for c in columns] for row in rows],
            "signatures": [_(s) for s in signatures],
            "extra": extra or {},
        }
        out = Path(out_path)
        _write_atomic(out, self._compile(template, data))
        return out

    def render_form(self, name: str, data: dict[str, Any]) -> bytes:
        """A PDF of a form that is not a register (the description written onto a disc), as bytes."""
        return self._compile(name, {"font": FONT_FAMILY, **data})

    def _compile(self, name: str, data: dict[str, Any]) -> bytes:
        import typst

        font = _font_file()
        payload = json.dumps(data, ensure_ascii=False)
        check_glyphs(payload, font)
        with tempfile.TemporaryDirectory(prefix="avledger-print-") as tmp:
            root = Path(tmp)
            builtin = resources.files("avledger").joinpath("templates")
            for item in builtin.iterdir():
                if item.is_file() and item.name.endswith(".typ"):
                    (root / item.name).write_bytes(item.read_bytes())
            if self.local_templates is not None and self.local_templates.is_dir():
                for item in self.local_templates.iterdir():
                    if item.is_file():
                        shutil.copyfile(item, root / item.name)
            main = root / f"{name}.typ"
            if not main.is_file():
                raise UserError("找不到登记表 {name} 的模板 {file}", name=name, file=main.name)
            try:
                return typst.compile(
                    str(main),
                    root=str(root),
                    font_paths=[str(font.parent)],
                    ignore_system_fonts=True,
                    sys_inputs={"data": payload},
                )
            except typst.TypstError as exc:
                raise UserError("模板 {file} 有误：{error}", file=main.name, error=str(exc).strip()) from None

    # --- spreadsheets ---------------------------------------------------------------
    def export(self, name: str, filters: Filters = Filters(), out_path: str | Path = "") -> tuple[Path, int]:
        """Export a register to .xlsx or .csv (UTF-8 with BOM); returns the path and the number of rows."""
        out = _output_path(out_path, (".xlsx", ".csv"))
        reg, scope, sheet = self.sheet(name, filters)
        columns = [c for c in reg.columns if not c.blank]
        header = [_(c.title) for c in columns]
        rows = [[_cell_value(row.get(c.key)) for c in columns] for row in sheet.rows]
        if out.suffix.lower() == ".csv":
            buf = io.StringIO()
            writer = csv.writer(buf, lineterminator="\r\n")
            writer.writerow(header)
            writer.writerows(rows)
            payload = buf.getvalue().encode("utf-8-sig")
        else:
            title = f"{self.ctx.office().unit}　{_(reg.title)}（{scope.describe()}）"
            payload = _xlsx(title, _(reg.title), header, rows, [c.xlsx_width for c in columns])
        _write_atomic(out, payload)
        return out, len(rows)


# --- helpers -------------------------------------------------------------------------------
def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _cell_value(value: Any) -> Any:
    """Numbers stay numbers in a spreadsheet; everything else is text."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return str(value)


def _xlsx(title: str, sheet_name: str, header: list[str], rows: list[list[Any]], widths: list[float]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "".join(ch for ch in sheet_name if ch not in "[]:*?/\\")[:31] or "Sheet1"
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(1, len(header)))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(header)
    thin = Side(style="thin")
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E6E6E6")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    for row in rows:
        ws.append(row)
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _output_path(out_path: str | Path, suffixes: tuple[str, ...]) -> Path:
    if not str(out_path).strip():
        raise UserError("请用 -o 指定输出文件")
    out = Path(out_path).expanduser()
    if out.suffix.lower() not in suffixes:
        raise UserError("输出文件 {path} 的扩展名应为 {suffixes}", path=str(out), suffixes=" ".join(suffixes))
    if not out.parent.resolve().is_dir():
        raise UserError("输出目录不存在：{path}", path=str(out.parent))
    if out.is_dir():
        raise UserError("{path} 是一个目录", path=str(out))
    return out


def _write_atomic(path: Path, payload: bytes) -> None:
    """Whole or not at all (avledger.fsutil.safe_write): a crash never leaves half a file."""
    try:
        write_whole(path, payload)
    except OSError as exc:
        raise UserError("无法写入 {path}：{err}", path=str(path), err=exc.strerror or str(exc)) from None
