"""Printed registers (A4 PDF through typst) and spreadsheet export (F21).

A register (see :mod:`avledger.services.sheets`) is a data function that
turns a :class:`Scope` into a :class:`Sheet` of rows, its columns, and a
typst template ``templates/NAME.typ``. The data functions live in the
``printforms*`` modules, imported here in the order the registers are listed.

Printing reads the register and changes nothing (no audit entry). Every page's
footer carries the audit head at the time of printing (``审计 N:hhhh hhhh hhhh hhhh``), a
witness on paper of the log's state (avledger.witness).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, BinaryIO

from avledger.errors import UserError
from avledger.fsutil import require_writable_folder
from avledger.i18n import N_, _
from avledger.plaintext import visible
from avledger.services import (  # noqa: F401 - they fill REGISTERS
    printforms,
    printforms_activities,
    printforms_devices,
    printforms_discs,
    printforms_retention,
    printforms_stats,
    printforms_supervision,
)
from avledger.services.base import Context, check_text
from avledger.services.clearance import require_cleared
from avledger.services.sheets import FILTER_OPTIONS, REGISTERS, Register, RegisterSources, Scope, Sheet, Table
from avledger.services.typeset import Typesetter, safe_output
from avledger.timeutil import parse_date


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


# --- the service ------------------------------------------------------------------------
@dataclass(frozen=True)
class RegisterInfo:
    name: str
    title: str  # translated
    filters: tuple[str, ...]  # CLI options that apply
    landscape: bool


class PrintService:
    def __init__(self, ctx: Context, typesetter: Typesetter, sources: RegisterSources):
        """``sources``: the services the registers read (and the filters are looked up in)."""
        self.ctx = ctx
        self.typesetter = typesetter
        self.sources = sources

    # --- what can be printed ---------------------------------------------------
    def registers(self) -> list[RegisterInfo]:
        return [
            RegisterInfo(
                r.name, _(r.title), tuple(FILTER_OPTIONS[f] for f in FILTER_OPTIONS if f in r.filters), r.landscape
            )
            for r in REGISTERS.values()
        ]

    def get(self, name: str) -> Register:
        check_text(name, N_("登记表"), field="name")
        if name not in REGISTERS:
            raise UserError(
                "print.unknown_register",
                "没有这个登记表：{name}（可选：{choices}）",
                field="name",
                name=name,
                choices=" ".join(REGISTERS),
            )
        return REGISTERS[name]

    def scope(self, reg: Register, filters: Filters) -> Scope:
        """Check the filters against the register and the database."""
        not_here = [f for f in FILTER_OPTIONS if f in filters.given() - reg.filters]
        if not_here:
            allowed = " ".join(FILTER_OPTIONS[f] for f in FILTER_OPTIONS if f in reg.filters) or _("（无）")
            raise UserError(
                "print.bad_filter",
                "{register} 不能按 {options} 筛选（可用：{allowed}）",
                field=not_here[0],
                register=reg.name,
                options=" ".join(FILTER_OPTIONS[f] for f in not_here),
                allowed=allowed,
            )
        given = filters.given()
        for key in sorted(given):  # the option's name (--dept) labels the refusal
            check_text(getattr(filters, key), FILTER_OPTIONS[key], field=key)
        date_from = parse_date(filters.date_from, label="开始日期", field="date_from") if "date_from" in given else None
        date_to = parse_date(filters.date_to, label="结束日期", field="date_to") if "date_to" in given else None
        if date_from and date_to and date_from > date_to:
            raise UserError(
                "input.end_before_start",
                "开始日期 {start} 晚于结束日期 {end}",
                field="date_to",
                start=date_from.isoformat(),
                end=date_to.isoformat(),
            )
        sources = self.sources
        return Scope(
            self.ctx,
            sources,
            date_from,
            date_to,
            dept=sources.departments.get(filters.dept, field="dept") if "dept" in given else None,
            device=sources.devices.get(filters.device, field="device") if "device" in given else None,
            staff=sources.staff.get(filters.staff, field="staff") if "staff" in given else None,
            activity=sources.activities.get(filters.activity, field="activity") if "activity" in given else None,
            disc=sources.discs.get(filters.disc, field="disc").volume_id if "disc" in given else None,
        )

    def sheet(self, name: str, filters: Filters = Filters()) -> tuple[Register, Scope, Sheet]:
        self.ctx.office()
        reg = self.get(name)
        self.ctx.require("audit.read" if name == "audit" else "register.read")
        scope = self.scope(reg, filters)
        if scope.activity is not None:  # a confidential activity's forms only for those cleared (F17)
            require_cleared(self.ctx, [scope.activity])
        return reg, scope, reg.data(scope)

    # --- PDF ---------------------------------------------------------------------
    def audit_head_text(self) -> str:
        """The audit head as the footer of every printed page shows it (:meth:`Typesetter.audit_head_text`)."""
        return self.typesetter.audit_head_text()

    def render_pdf(self, name: str, filters: Filters = Filters(), out_path: str | Path = "") -> Path:
        """Print a register to an A4 PDF; returns the path written. The rows are read once, as typst
        needs them (a long register is printed in parts: :meth:`Typesetter.print_register`)."""
        out = _output_path(out_path, (".pdf",))
        reg, scope, sheet = self.sheet(name, filters)
        head = self.typesetter.head(
            reg.title, scope.describe(), reg.columns, landscape=reg.landscape, signatures=reg.signatures
        )
        self.typesetter.print_register(name, head, reg.columns, sheet.rows, sheet.extra, out)
        return out

    # --- spreadsheets ---------------------------------------------------------------
    def export(self, name: str, filters: Filters = Filters(), out_path: str | Path = "") -> tuple[Path, int]:
        """Export a register to .xlsx or .csv (UTF-8 with BOM); returns the path and the number of rows.

        The rows are written as they are read (openpyxl's write-only mode): memory does not grow with them.
        """
        out = _output_path(out_path, (".xlsx", ".csv"))
        reg, scope, sheet = self.sheet(name, filters)
        columns = [c for c in reg.columns if not c.blank]
        header = [_(c.title) for c in columns]
        rows = ([_typed(row.get(c.key), c.kind) for c in columns] for row in sheet.rows)
        with safe_output(out) as fh:
            if out.suffix.lower() == ".csv":
                count = _csv(fh, header, rows)
            else:
                title = f"{self.ctx.office().unit}　{_(reg.title)}（{scope.describe()}）"
                widths = [c.xlsx_width for c in columns]
                count = _xlsx(fh, title, _(reg.title), header, rows, widths, landscape=reg.landscape, also=sheet.also)
        return out, count


# --- helpers -------------------------------------------------------------------------------
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what Excel and WPS would read as a formula
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _cell_value(value: Any) -> Any:
    """Numbers stay numbers in a spreadsheet; everything else is text, never a formula (a device named
    ``=HYPERLINK(…)`` is that text, not a link) and never a character a spreadsheet file cannot hold, nor one
    that would make it read otherwise than stored (:func:`avledger.plaintext.visible`)."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    # a control or bidirectional character a register kept from an older version: shown as its escape
    return _XML_ILLEGAL.sub("\ufffd", visible(str(value), keep="\n\t"))


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")
_DURATION = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{2})")
XLSX_FORMATS = {dt.date: "yyyy-mm-dd", dt.datetime: "yyyy-mm-dd hh:mm", dt.timedelta: "[h]:mm:ss"}


def _typed(value: Any, kind: str) -> Any:
    """A register's cell as its spreadsheet cell holds it: for a column of numbers, dates, times (local, as
    printed) or lengths of time (``m:ss``), the number, date, time or timedelta its printed text says, so
    that a spreadsheet sorts and sums them; text otherwise, and whatever does not read as its kind (``—``,
    ``2026-11-27 16:45（逾期）``) stays the printed text (:func:`_cell_value`)."""
    if kind != "text" and value not in (None, ""):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        text = str(value).strip()
        try:
            if kind == "number":
                number = Decimal(text.replace(",", ""))
                if number.is_finite():
                    return int(number) if number == number.to_integral_value() and "." not in text else float(number)
            elif kind == "date" and _DATE.fullmatch(text):
                return dt.date.fromisoformat(text)
            elif kind == "datetime" and _DATETIME.fullmatch(text):
                return dt.datetime.strptime(text, "%Y-%m-%d %H:%M")
            elif kind == "duration" and (match := _DURATION.fullmatch(text)):
                hours, minutes, seconds = (int(g or 0) for g in match.groups())
                return dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)
        except (InvalidOperation, ValueError):
            pass
    return _cell_value(value)


def _csv_text(value: Any) -> Any:
    """A CSV cell: a time as ``YYYY-MM-DD HH:MM``, a length of time as ``h:mm:ss`` (Excel and LibreOffice
    read ``0:02`` as two minutes, ``0:00:02`` as two seconds); a text that a spreadsheet would take for a
    formula gets a leading apostrophe (OWASP's advice)."""
    if isinstance(value, dt.timedelta):
        whole = int(value.total_seconds())
        return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv(fh: BinaryIO, header: list[str], rows: Iterator[list[Any]]) -> int:
    text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")  # the BOM first: Excel and WPS read UTF-8
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([_csv_text(v) for v in header])
    count = 0
    for row in rows:
        writer.writerow([_csv_text(v) for v in row])
        count += 1
    text.flush()
    text.detach()  # the caller's file stays open, to be flushed to disk
    return count


def _xlsx(
    fh: BinaryIO,
    title: str,
    sheet_name: str,
    header: list[str],
    rows: Iterator[list[Any]],
    widths: list[float],
    *,
    landscape: bool = False,
    also: Sequence[Table] = (),
) -> int:
    """The rows in a workbook written as they come (openpyxl's write-only mode): the title over the columns,
    a shaded header repeated on each printed page, the panes frozen under it, the columns' widths, A4 in
    the register's orientation and one page wide, dates, times and lengths of time as such (:data:`XLSX_FORMATS`),
    and every text cell stored as text (openpyxl would store "=…" as a formula). ``also``: more sheets after it,
    each with its title, shaded header and rows (written after the rows, so the count is the first sheet's)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    wb = Workbook(write_only=True)
    thin = Side(style="thin")
    bold, shade = Font(bold=True), PatternFill("solid", fgColor="E6E6E6")
    middle, box = Alignment(horizontal="center", vertical="center", wrap_text=True), Border(thin, thin, thin, thin)

    def start(name: str, title: str, header: list[str], widths: list[float]):
        ws = wb.create_sheet("".join(ch for ch in name if ch not in "[]:*?/\\")[:31] or "Sheet1")
        for index, width in enumerate(widths, start=1):  # (before any row: write-only)
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.freeze_panes = "A3"
        ws.print_title_rows = "2:2"
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if landscape else "portrait"
        ws.sheet_properties.pageSetUpPr.fitToPage = True  # one page wide, as many long as it takes
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.merged_cells.add(f"A1:{get_column_letter(max(1, len(header)))}1")
        heading = WriteOnlyCell(ws, title)
        heading.font, heading.alignment = Font(bold=True, size=14), Alignment(horizontal="center")
        ws.append([heading])
        titles = []
        for text in header:
            cell = WriteOnlyCell(ws, text)
            cell.font, cell.fill, cell.alignment, cell.border = bold, shade, middle, box
            titles.append(cell)
        ws.append(titles)
        return ws

    wb = Workbook(write_only=True)
    ws = start(sheet_name, title, header, widths)
    count = 0
    for values in rows:
        ws.append([_xlsx_cell(ws, v) for v in values])
        count += 1
    for table in also:
        ws = start(table.name, table.title, table.header, [max(10, 2 * len(h) + 2) for h in table.header])
        for values in table.rows:
            ws.append([_xlsx_cell(ws, _cell_value(v)) for v in values])
    wb.save(fh)
    return count


def _xlsx_cell(ws, value: Any) -> Any:
    """``value`` as written: a date or time with its format, a text starting with "=" as text (a formula to
    openpyxl), anything else as it is."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(ws, value)
        cell.data_type = "s"
        return cell
    number_format = XLSX_FORMATS.get(type(value))
    if number_format is None:
        return value
    cell = WriteOnlyCell(ws, value)
    cell.number_format = number_format
    return cell


def _output_path(out_path: str | Path, suffixes: tuple[str, ...]) -> Path:
    check_text(out_path if isinstance(out_path, str) else None, N_("输出文件"), field="out_path")
    if not str(out_path).strip():
        raise UserError("input.empty", "请用 -o 指定输出文件", field="out_path")
    out = Path(out_path).expanduser()
    if out.suffix.lower() not in suffixes:
        raise UserError(
            "output.bad_suffix",
            "输出文件 {path} 的扩展名应为 {suffixes}",
            field="out_path",
            path=str(out),
            suffixes=" ".join(suffixes),
        )
    if not out.parent.resolve().is_dir():
        raise UserError("output.no_folder", "输出目录不存在：{path}", field="out_path", path=str(out.parent))
    if out.is_dir():
        raise UserError("output.is_folder", "{path} 是一个目录", field="out_path", path=str(out))
    require_writable_folder(out.parent, field="out_path")
    return out
