"""A4 PDFs through typst: the CJK font, the templates, and the document every form starts from.

Registers (:mod:`avledger.services.printing`), the explanation sheet of an
extraction (:mod:`avledger.services.access`) and the description written onto
a disc (:mod:`avledger.services.discs`) are all typeset here.

The data reaches typst as JSON in ``sys.inputs`` (never as typst source), so
nothing a user typed can run as template code. An office may copy a template
into ``<data folder>/templates/`` and edit it: a local file there overrides
the built-in one of the same name.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO

from avledger.errors import UserError
from avledger.frozen import TYPST_RUN, bundle_dir, bundled_fonts
from avledger.fsutil import PRIVATE_FILE, SHARED_FILE, safe_write, temp_path
from avledger.i18n import _, language
from avledger.models import audit
from avledger.plaintext import visible
from avledger.services.base import Context
from avledger.services.leftovers import SPILL_SUFFIX, stale_spills
from avledger.services.sheets import Column
from avledger.timeutil import local_today
from avledger.typstrun import WARM

FONT_FAMILY = "Noto Sans CJK SC"
FONT_PACKAGE = "fonts-noto-cjk"
# Where distributions put Noto Sans CJK (Debian/Ubuntu first); fontconfig is asked after these.
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
)


# --- the font ------------------------------------------------------------------------
def find_cjk_font(candidates: tuple[str, ...] | list[str] | None = None, fc_match: str = "fc-match") -> Path:
    """The font file of Noto Sans CJK SC: the frozen program's own (:mod:`avledger.frozen`), then by known
    paths (``candidates``, FONT_CANDIDATES by default), then fontconfig; else a UserError.

    typst gets the file's folder (the Bold face sits beside the Regular one)."""
    if candidates is None:
        candidates = (*bundled_fonts(), *FONT_CANDIDATES)
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
        "print.font_missing",
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
            "print.glyphs_missing",
            "字体 {font} 中没有这些字，印出来会是空框：{chars}",
            font=FONT_FAMILY,
            chars=" ".join(f"{c}（U+{ord(c):04X}）" for c in missing),
        )


# --- typesetting ---------------------------------------------------------------------------
PART_ROWS = 600  # rows per typst run of a long register: a run of 600 loans peaks near 210 MB (its
# memoised layouts, about 0.18 MB a row, on 90 MB), and its time per row falls as the runs grow longer (the
# newest 6,500 loans of a synthetic register: 400 rows 6.9 s of CPU, 600 rows 6.1 s, 800 rows 5.9 s but 290 MB
# with the printing process); see print_register. Every part measures the whole register's widest cells
# (_Widest), so the size of the parts does not change the pages
CARRY = "<avl-carry>"  # where register-table (common.typ) says the last page of a part begins


# --- column widths ------------------------------------------------------------------------
HEADER_PT = 9.0  # the header row's bold text (common.typ: register-table)
CELL_INSET_PT = 3.0  # each side of a cell
SIGNATURE_MIN_PT = 22 / 25.4 * 72  # a handwritten signature needs about 22 mm
_WIDEST_LATIN = set("%@MWmw")


def text_em(text: str) -> float:
    """How wide ``text`` is in Noto Sans CJK, in em of its size, a little generously (bold included): a CJK
    or full-width character 1 em, a Latin capital 0.7, other letters and digits 0.6, a space 0.25."""
    width = 0.0
    for ch in text:
        if unicodedata.east_asian_width(ch) in "WF" or ch in _WIDEST_LATIN:
            width += 1.0
        elif ch == " ":
            width += 0.25
        elif ch.isupper():
            width += 0.7
        else:
            width += 0.6
    return width


def title_pieces(title: str, *, pairs: bool = False) -> list[list[str]]:
    """A column title as the words it may break between: ``[word, after]``, ``after`` being ``" "`` (a
    space), ``"|"`` (a break without a space: after a slash, before a bracket) or ``""`` (the end):
    ``领用/交接时间`` is ``[["领用/", "|"], ["交接时间", ""]]``, ``电量（%）`` is ``[["电量", "|"], ["（%）", ""]]``;
    a title without any is one word. With ``pairs`` (a register of many narrow columns), a run of Chinese
    characters may break after every second one too: ``全程记录已履行`` is ``全程|记录|已履|行``."""
    pieces: list[list[str]] = []
    for word in title.split():
        parts = [p for p in re.split(r"(?<=/)|(?=[（(])", word) if p]
        if pairs:
            parts = [
                two
                for p in parts
                for two in ([p] if p[0] in "（(" else re.findall(r"[\u4e00-\u9fff]{1,2}|[^\u4e00-\u9fff]+", p))
            ]
        pieces += [[part, "|"] for part in parts[:-1]] + [[parts[-1], " "]]
    if pieces:
        pieces[-1][1] = ""
    return pieces


def min_width_pt(column: Column) -> float:
    """The narrowest a printed column may be: its title's longest word (bold) in one line, a whole date in a
    date column, 16 characters of a fingerprint, a signature's 22 mm; plus the cell's inset on both sides.
    (A column that keeps its cells' words whole, ``fit``, is widened to them when printed: common.typ,
    column-widths.) The rest of the page's width is shared by the columns' ``width`` (fr)."""
    words = [piece for piece, _after in title_pieces(_(column.title), pairs=column.narrow_title)]
    if column.kind in ("date", "datetime"):
        words.append("0000-00-00")
    elif column.kind == "hash":  # a line of 16 characters (common.typ: hash-text)
        words.append("0" * 16)
    widest = max((text_em(w) for w in words), default=0.0) * HEADER_PT + 2 * CELL_INSET_PT + 1
    return max(widest, SIGNATURE_MIN_PT) if column.blank else widest


def em_bounds(text: str) -> tuple[float, float]:
    """How wide ``text`` may be in Noto Sans CJK, in em of its size: at the least and at the most (its widest
    line). A CJK character is 1 em (its punctuation may be set in half), a digit 0.555 (the font's figures
    all have one width), other letters and signs between 0.15 and 0.75 em (1 em: M, W, m, w, %, @, and any
    letter outside ASCII or of ambiguous width, which the font may draw full width)."""
    widest = (0.0, 0.0)
    for line in text.split("\n"):
        low = high = 0.0
        for ch in line:
            kind = unicodedata.east_asian_width(ch)
            if kind in "WF":
                low, high = low + (0.5 if unicodedata.category(ch).startswith("P") else 1.0), high + 1.0
            elif "0" <= ch <= "9":
                low, high = low + 0.5, high + 0.6
            elif ch.isascii() and ch not in _WIDEST_LATIN:
                low, high = low + 0.15, high + 0.75
            else:
                low, high = low + 0.15, high + 1.0
        widest = (max(widest[0], low), max(widest[1], high))
    return widest


_DIGITS = re.compile("[0-9]")


class _Widest:
    """The texts a column sized to its cells is measured over, gathered from all of a register's rows, so
    that each part of a register printed in parts (and each page) gets the same widths: an ``auto``
    column's cells, a ``fit`` column's words (common.typ: column-widths). Not every text: one of each
    shape (the figures all having one width, ``4002`` stands for every four figures), and only those that
    may be the widest (:func:`em_bounds`: at the most as wide as the least another one is, it is not)."""

    PRUNE = 256  # shapes kept before the narrower ones are let go

    def __init__(self, columns: list[Column] | tuple[Column, ...]):
        # a column's index: whether its cells are split into words
        self.split = {x: c.width != "auto" for x, c in enumerate(columns) if c.width == "auto" or c.fit}
        self.shapes: dict[int, dict[str, tuple[str, float]]] = {x: {} for x in self.split}  # shape: text, most
        self.floor = dict.fromkeys(self.split, 0.0)  # the least width of the widest text so far
        self.limit = dict.fromkeys(self.split, self.PRUNE)
        self.count = len(columns)

    def add(self, row: list[str]) -> list[str]:
        """Gather the texts of ``row`` (a row's cells as printed); the row itself is returned."""
        for x, split in self.split.items():
            shapes = self.shapes[x]
            for text in row[x].split(" ") if split else (row[x],):
                shape = _DIGITS.sub("0", text)
                if shape in shapes:
                    continue
                low, high = em_bounds(text)
                if high < self.floor[x]:
                    continue
                shapes[shape] = (text, high)
                self.floor[x] = max(self.floor[x], low)
                if len(shapes) > self.limit[x]:
                    floor = self.floor[x]
                    self.shapes[x] = shapes = {k: v for k, v in shapes.items() if v[1] >= floor}
                    self.limit[x] = max(self.PRUNE, 2 * len(shapes))
        return row

    def texts(self) -> list[list[str]]:
        """For each column: the texts to measure (none for a column not sized to its cells)."""
        return [
            [text for text, high in self.shapes[x].values() if high >= self.floor[x]] if x in self.split else []
            for x in range(self.count)
        ]


class Typesetter:
    def __init__(self, ctx: Context, local_templates: Path | None = None, spill_dir: Path | None = None):
        self.ctx = ctx
        self.local_templates = local_templates
        self.spill_dir = spill_dir  # where a long register's rows wait for their part (_Spill): the data folder

    def head(
        self,
        title: str,
        subtitle: str,
        columns: list[Column] | tuple[Column, ...],
        *,
        landscape: bool = False,
        signatures: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        """What every page of a table form shows (``templates/common.typ``) in the user's language: unit,
        title, scope, columns, labels, signature lines; the rows and the extras are added to it."""
        today = local_today(self.ctx.clock(), self.ctx.profile().tz).isoformat()
        return {
            "font": FONT_FAMILY,
            "lang": language(),
            "unit": self.ctx.office().unit,
            "title": _(title),
            "landscape": landscape,
            "scope": subtitle,
            "printed": _("打印日期：{date}").format(date=today),
            "audit": self.audit_head_text(),
            "labels": {"page": _("第 {page} 页 共 {total} 页"), "none": _("（无记录）"), "date": _("日期：")},
            "columns": [
                {
                    "key": c.key,
                    "title": _(c.title),
                    "pieces": title_pieces(_(c.title), pairs=c.narrow_title),
                    "width": c.width,
                    "min": round(min_width_pt(c), 1),
                    "align": c.align,
                    "blank": c.blank,
                    "fit": c.fit,
                    "kind": c.kind,
                }
                for c in columns
            ],
            "signatures": [_(s) for s in signatures],
        }

    def audit_head_text(self) -> str:
        """The audit head as the footer of every printed page shows it (``审计 N:hhhh hhhh hhhh hhhh``): a witness
        on paper that ``audit verify --head N:HASH`` takes back."""
        return _("审计 {head}").format(head=audit.head(self.ctx.db).short)

    def document(
        self,
        title: str,
        subtitle: str,
        columns: list[Column] | tuple[Column, ...],
        rows: Iterable[dict[str, Any]],
        *,
        landscape: bool = False,
        signatures: tuple[str, ...] = (),
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The JSON a table form's template reads (``templates/common.typ``), all rows at once."""
        data = self.head(title, subtitle, columns, landscape=landscape, signatures=signatures)
        rows = list(rows)
        return {**data, "rows": [cells(row, columns) for row in rows], "extra": _extra(extra, rows)}

    def form_pdf(
        self,
        template: str,
        title: str,
        subtitle: str,
        columns: list[Column],
        rows: list[dict[str, Any]],
        *,
        signatures: tuple[str, ...] = (),
        extra: dict[str, Any] | None = None,
    ) -> bytes:
        """A one-off form (not a register), e.g. an extraction's explanation sheet, with ``template``, as PDF
        bytes (the caller decides where they go: a file, or straight into an encrypted package)."""
        data = self.document(title, subtitle, columns, rows, signatures=signatures, extra=extra)
        return self.compile(template, data)

    def render_form(self, name: str, data: dict[str, Any]) -> bytes:
        """A PDF of a form that is not a table (the description written onto a disc), as bytes."""
        return self.compile(name, {"font": FONT_FAMILY, **data})

    def check_form(self, name: str, data: dict[str, Any]) -> None:
        """Refuse now what :meth:`render_form` would refuse: no font, a character the font lacks, or (only
        for an office's own copy of the template; the built-in ones are tested) a template typst refuses."""
        data = {"font": FONT_FAMILY, **data}
        if self.overridden(name, "common"):
            self.compile(name, data)
        else:
            check_glyphs(json.dumps(data, ensure_ascii=False), _font_file())

    def overridden(self, *names: str) -> bool:
        """Whether the office has its own copy of one of these templates (``NAME.typ``)."""
        local = self.local_templates
        return local is not None and any((local / f"{name}.typ").is_file() for name in names)

    def compile(self, name: str, data: dict[str, Any]) -> bytes:
        """``templates/NAME.typ`` (the office's copy if there is one) with ``data``, as PDF bytes: one typst
        run, in a process of its own (:mod:`avledger.typstrun`)."""
        with _Workshop(self.local_templates, _font_file()) as shop:
            return shop.run(name, data).read_bytes()

    def print_register(
        self,
        name: str,
        head: dict[str, Any],
        columns: list[Column] | tuple[Column, ...],
        rows: Iterable[dict[str, Any]],
        extra: dict[str, Any],
        out: Path,
        *,
        part_rows: int | None = None,
    ) -> None:
        """Print a register to ``out`` (whole or not at all), reading ``rows`` once.

        The rows are read first (the first run's process imports typst and reads the fonts meanwhile), each
        as its cells' text, and the widest texts of the columns sized to their cells gathered on the way
        (:class:`_Widest`), so that every page gets the same widths of the columns. The first ``part_rows``
        rows (default :data:`PART_ROWS`) are kept; the rest go to a file of the data folder (:class:`_Spill`,
        a JSON line a row) and are read back a part at a time, so memory does not grow with the rows (a
        tenth year's footage register: a million rows). Up to ``part_rows`` rows it is one typst run. A
        longer one is printed in parts of that many rows, one run after the other (the next run's process
        starts while this one works): each part's last page is left out and its rows printed again at the
        top of the next part, so that every page but the last is full as in one run; the parts' pages are
        joined (pypdf) and their page numbers (第 X 页 共 Y 页, known once every part is done) laid over them
        from one more run that prints only those. A run's time and memory then stay those of its rows, and
        the whole grows linearly with the rows (one run over a quarter's ledger took time growing faster
        than its pages, and 1.5 GB). The office's own copy of the register's template or of common.typ is
        printed in one run, as before (all its rows at once).

        ``extra`` is read once the last row was read (a data function may complete it as it goes); a
        row's ``_record`` goes to its part's ``extra.records`` (the one-form-per-record registers).
        """
        part_rows = part_rows or PART_ROWS
        with _Workshop(self.local_templates, _font_file()) as shop, _Spill(self.spill_dir) as spill:
            shop.warm()
            widest = _Widest(columns)
            first: list[list[Any]] = []  # the first part's rows: [cells as printed (_printable), its _record?]
            count = with_record = 0
            chars: set[str] = set()
            for row in rows:
                printed = [visible(text, keep="\n") for text in cells(row, columns)]
                chars.update("".join(printed))
                widest.add(printed)
                line = [printed, row["_record"]] if "_record" in row else [printed]
                with_record += len(line) - 1
                count += 1
                if len(first) < part_rows:
                    first.append(line)
                else:
                    spill.write(line)
            if with_record and with_record != count:
                raise ValueError("a register of one form per record has a row without its record")
            check_glyphs("".join(sorted(chars)), _font_file())  # once for every run (start: rows_ready)
            data = {**head, "widest": widest.texts()}
            if count <= part_rows or self.overridden(name, "common"):
                table = [*first, *spill.lines()]
                data = {**data, "rows": [line[0] for line in table], "extra": _part_extra(extra, table)}
                pdf = shop.start(name, data, rows_ready=True).finish()[0]
                with safe_output(out) as fh, open(pdf, "rb") as src:
                    shutil.copyfileobj(src, fh)
            else:
                self._print_in_parts(shop, name, data, first, spill.lines(), count, extra, out, part_rows)

    @staticmethod
    def _print_in_parts(shop, name, data, first, rest, count, extra, out, part_rows) -> None:
        """:meth:`print_register` in parts: ``first`` the first part's rows, ``rest`` the others as they are
        read back, ``count`` how many rows in all."""
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter()
        per_form = len(first[0]) > 1  # one form per record: each numbers its own pages
        start = 0  # the first row of this part
        part = first  # the rows from ``start`` on read so far
        previous: tuple[Path, int | None] | None = None  # the part before: its PDF and the pages it keeps
        while True:
            for line in itertools.islice(rest, part_rows - len(part)):
                part.append(line)
            end = start + len(part)
            last = end == count
            job = shop.start(
                name,
                {
                    **data,
                    "rows": [line[0] for line in part],
                    "extra": _part_extra(extra, part),
                    "part": {"first": previous is None, "last": last, "numbered": per_form, "carry": not last},
                },
                query=None if last else CARRY,
                tags=False,
                ahead=True,
                rows_ready=True,
            )
            if previous is not None:  # while typst works: the pages of the part before
                for page in PdfReader(previous[0]).pages[: previous[1]]:
                    writer.add_page(page)
            pdf, found = job.finish()
            keep, after = None, end
            if not last and isinstance(found, dict) and found.get("row", 0) > 0 and found.get("page", 0) > 1:
                keep, after = found["page"] - 1, start + found["row"]  # the last page goes to the next part
            previous = (pdf, keep)
            if last:
                break
            part = part[after - start :]  # the rows of the page carried to the next part
            start = after
        pages = PdfReader(previous[0]).pages
        numbering = None
        if not per_form:  # the page numbers are typeset while the last part's pages are added
            numbering = shop.start("page-numbers", {**data, "pages": len(writer.pages) + len(pages)}, tags=False)
        for page in pages:
            writer.add_page(page)
        if numbering is not None:
            numbers, _found = numbering.finish()
            for page, label in zip(writer.pages, PdfReader(numbers).pages, strict=True):
                _stamp(writer, page, label)
        writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
        with safe_output(out) as fh:
            writer.write(fh)


def _stamp(writer, page, label) -> None:
    """Lay ``label`` (a page of another PDF: here its page number) over ``page`` of ``writer`` as a form
    XObject of its own, drawn after the page's content, which is left as it is (pypdf's ``merge_page``
    parses and rewrites every page's content to rename resources: a third of a long register's time)."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    form = DecodedStreamObject()
    form.set_data(label.get_contents().get_data() if label.get_contents() is not None else b"")
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = label.mediabox
    form[NameObject("/Resources")] = label["/Resources"].clone(writer)
    name = NameObject("/AvlStamp")
    resources = DictionaryObject(page.get("/Resources", DictionaryObject()).get_object())  # this page's own
    xobjects = DictionaryObject(resources.get("/XObject", DictionaryObject()).get_object())
    xobjects[name] = writer._add_object(form.flate_encode())
    resources[NameObject("/XObject")] = xobjects
    page[NameObject("/Resources")] = resources

    def stream(data: bytes):
        s = DecodedStreamObject()
        s.set_data(data)
        return writer._add_object(s)

    contents = page.get("/Contents")
    parts = contents.get_object() if contents is not None else ArrayObject()
    parts = list(parts) if isinstance(parts, ArrayObject) else [contents]
    # the page's own drawing in a saved graphics state, so that what it leaves set does not move the stamp
    page[NameObject("/Contents")] = ArrayObject([stream(b"q\n"), *parts, stream(b"\nQ q /AvlStamp Do Q\n")])


class _Workshop:
    """A folder holding the templates (the built-in ones, then the office's over them) where typst runs
    one after another, each in a child process (:mod:`avledger.typstrun`), which may be started before
    its job is ready."""

    def __init__(self, local_templates: Path | None, font: Path):
        self.local_templates, self.font = local_templates, font
        self._next: subprocess.Popen | None = None
        self._count = 0

    def __enter__(self) -> _Workshop:
        self._tmp = tempfile.TemporaryDirectory(prefix="avledger-print-")
        self.root = Path(self._tmp.name)
        builtin = resources.files("avledger").joinpath("templates")
        for item in builtin.iterdir():
            if item.is_file() and item.name.endswith(".typ"):
                (self.root / item.name).write_bytes(item.read_bytes())
        if self.local_templates is not None and self.local_templates.is_dir():
            for item in self.local_templates.iterdir():
                if item.is_file():
                    shutil.copyfile(item, self.root / item.name)
        (self.root / WARM).write_text(f'#set text(font: "{FONT_FAMILY}", lang: "zh")\n第 1 页 *共 1 页*\n', "utf-8")
        self._jobs: list[_Run] = []
        return self

    def __exit__(self, *exc) -> None:
        for job in self._jobs:
            job.stop()
        if self._next is not None:
            self._next.kill()
            self._next.wait()
        self._tmp.cleanup()

    def _process(self) -> subprocess.Popen:
        if bundle_dir() is not None:  # the frozen program runs the job itself (it has no python to run)
            command = [sys.executable, TYPST_RUN]
        else:
            command = [sys.executable, str(Path(__file__).resolve().parent.parent / "typstrun.py")]
        return subprocess.Popen(
            [*command, str(self.root), str(self.font.parent)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    def warm(self) -> None:
        """Start the process of the next run now (it imports typst and reads the fonts meanwhile)."""
        if self._next is None:
            self._next = self._process()

    def start(
        self,
        name: str,
        data: dict[str, Any],
        *,
        query: str | None = None,
        tags: bool = True,
        ahead: bool = False,
        rows_ready: bool = False,
    ) -> _Run:
        """Start ``NAME.typ`` with ``data`` (:meth:`_Run.finish` waits for its PDF). With ``ahead``, the
        process of the run after it is started too. With ``rows_ready``, ``data["rows"]`` is already as
        printed (:func:`_printable`) and its characters checked (:func:`check_glyphs`): a register's rows
        are, once for all its parts (:meth:`Typesetter.print_register`)."""
        main = self.root / f"{name}.typ"
        if not main.is_file():
            raise UserError("print.template_missing", "找不到登记表 {name} 的模板 {file}", name=name, file=main.name)
        if rows_ready:
            rest = _printable({k: v for k, v in data.items() if k != "rows"})
            check_glyphs(json.dumps(rest, ensure_ascii=False), self.font)
            payload = json.dumps({**rest, "rows": data["rows"]}, ensure_ascii=False)
        else:
            payload = json.dumps(_printable(data), ensure_ascii=False)
            check_glyphs(payload, self.font)
        self._count += 1
        out = self.root / f"run-{self._count}.pdf"
        job = json.dumps({"main": str(main), "data": payload, "out": str(out), "query": query, "tags": tags})
        proc, self._next = self._next or self._process(), None
        run = _Run(proc, main.name, out)
        self._jobs.append(run)
        run.send(job.encode("utf-8"))
        if ahead:
            self._next = self._process()
        return run

    def run(self, name: str, data: dict[str, Any]) -> Path:
        """``NAME.typ`` with ``data``: the PDF's path (in this workshop's folder, until it closes)."""
        return self.start(name, data).finish()[0]


class _Spill:
    """A file of a long register's rows beyond its first part (:meth:`Typesetter.print_register`), a JSON
    line a row, read back a part at a time. It is made only when a row comes to it, in ``folder`` (the data
    folder; the system's temporary folder without one), private, under a temporary name with its own suffix
    (``leftovers.SPILL_SUFFIX``), locked while the print runs and removed when it ends however it ends; what
    a killed print left is removed by the next one and reported by ``avledger verify`` (``stale_spills``)."""

    def __init__(self, folder: Path | None):
        self.folder = Path(folder) if folder is not None else Path(tempfile.gettempdir())
        self.path: Path | None = None
        self._fh: BinaryIO | None = None

    def __enter__(self) -> _Spill:
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self._fh is not None:
                self._fh.close()
        finally:
            if self.path is not None:
                self.path.unlink(missing_ok=True)

    def _open(self) -> BinaryIO:
        for leftover, _size in stale_spills(self.folder):  # a killed print's
            with contextlib.suppress(OSError):
                leftover.unlink(missing_ok=True)
        self.path = temp_path(self.folder, SPILL_SUFFIX)
        fh = os.fdopen(os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, PRIVATE_FILE), "w+b")
        try:
            import fcntl
        except ImportError:  # Windows: an open file cannot be removed there anyway
            pass
        else:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)  # held: this print runs (stale_spills)
        return fh

    def write(self, line: list[Any]) -> None:
        try:
            if self._fh is None:
                self._fh = self._open()
            self._fh.write(json.dumps(line, ensure_ascii=False).encode("utf-8") + b"\n")
        except OSError as exc:
            raise UserError(
                "write.failed", "无法写入 {path}：{err}", path=str(self.folder), err=exc.strerror or str(exc)
            ) from None

    def lines(self) -> Iterator[list[Any]]:
        """The rows written, in order (read as they are asked for)."""
        if self._fh is None:
            return
        self._fh.flush()
        self._fh.seek(0)
        for line in self._fh:  # a JSON text holds no bare line break: one line, one row
            yield json.loads(line)


class _Run:
    """One typst run in its process: its job is written, its answer read when asked for."""

    def __init__(self, proc: subprocess.Popen, file: str, out: Path):
        self.proc, self.file, self.out = proc, file, out

    def send(self, job: bytes) -> None:
        try:
            self.proc.stdin.write(job)  # the child reads the whole job before it answers: no deadlock
            self.proc.stdin.close()
        except BaseException:
            self.stop()
            raise

    def finish(self) -> tuple[Path, Any]:
        """The PDF's path and what the run's query found; a refusal when typst refused the template."""
        try:
            answer, error = self.proc.stdout.read(), self.proc.stderr.read()
            self.proc.wait()
        except BaseException:
            self.stop()
            raise
        if self.proc.returncode != 0:
            raise RuntimeError(
                f"typst ({self.file}) stopped with status {self.proc.returncode}: {error.decode()[-2000:]}"
            )
        result = json.loads(answer)
        if "error" in result:
            raise UserError("print.template_error", "模板 {file} 有误：{error}", file=self.file, error=result["error"])
        return self.out, result.get("found")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


# --- helpers -------------------------------------------------------------------------------
def _printable(value: Any) -> Any:
    """The data with every control or bidirectional character of its text (kept by a register from an older
    version) shown as its escape, ``\\u202e``: on paper, a right-to-left override would make a name or a
    number read otherwise, and the font has no glyph for it (the glyph check refused to print, for good).
    Line breaks stay line breaks."""
    if isinstance(value, str):
        return visible(value, keep="\n")
    if isinstance(value, dict):
        return {k: _printable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_printable(v) for v in value]
    return value


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def cells(row: dict[str, Any], columns: list[Column] | tuple[Column, ...]) -> list[str]:
    """A row as the template reads it: each column's text, in order."""
    return [cell_text(row.get(c.key)) for c in columns]


def _extra(extra: dict[str, Any] | None, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The template's extras, with the ``_record`` of these rows as ``records`` when they have one."""
    extra = dict(extra or {})
    records = [r["_record"] for r in rows if "_record" in r]
    if records or "records" in extra:
        extra["records"] = [*extra.get("records", []), *records]
    return extra


def _part_extra(extra: dict[str, Any], lines: list[list[Any]]) -> dict[str, Any]:
    """:func:`_extra` of a register's rows as :meth:`Typesetter.print_register` keeps them (``[cells]``, or
    ``[cells, record]`` for a row with its ``_record``)."""
    return _extra(extra, [{"_record": line[1]} for line in lines if len(line) > 1])


@contextlib.contextmanager
def safe_output(path: Path, *, mode: int = SHARED_FILE) -> Iterator[BinaryIO]:
    """:func:`avledger.fsutil.safe_write` of a printed register or an export (``SHARED_FILE`` by default: the
    owner and the group read it), a failure being a refusal naming the place."""
    try:
        with safe_write(path, mode=mode) as fh:
            yield fh
    except OSError as exc:
        raise UserError(
            "write.failed", "无法写入 {path}：{err}", field="out_path", path=str(path), err=exc.strerror or str(exc)
        ) from None


def write_atomic(path: Path, payload: bytes, *, mode: int = SHARED_FILE) -> None:
    """Whole or not at all (:func:`safe_output`); a failure is a refusal naming the place."""
    with safe_output(path, mode=mode) as fh:
        fh.write(payload)
