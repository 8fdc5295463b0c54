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

import json
import shutil
import struct
import subprocess
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from avledger.errors import UserError
from avledger.fsutil import SHARED_FILE, write_whole
from avledger.i18n import _, language
from avledger.models import audit
from avledger.plaintext import visible
from avledger.services.base import Context
from avledger.services.sheets import Column
from avledger.timeutil import local_today

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
class Typesetter:
    def __init__(self, ctx: Context, local_templates: Path | None = None):
        self.ctx = ctx
        self.local_templates = local_templates

    def document(
        self,
        title: str,
        subtitle: str,
        columns: list[Column] | tuple[Column, ...],
        rows: list[dict[str, Any]],
        *,
        landscape: bool = False,
        signatures: tuple[str, ...] = (),
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The JSON a table form's template reads (``templates/common.typ``): unit, title, columns, rows,
        signature lines, in the user's language."""
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
                {"key": c.key, "title": _(c.title), "width": c.width, "align": c.align, "blank": c.blank}
                for c in columns
            ],
            "rows": [[cell_text(row.get(c.key)) for c in columns] for row in rows],
            "signatures": [_(s) for s in signatures],
            "extra": extra or {},
        }

    def audit_head_text(self) -> str:
        """The audit head as the footer of every printed page shows it (``审计 N:hhhh hhhh hhhh hhhh``): a witness
        on paper that ``audit verify --head N:HASH`` takes back."""
        return _("审计 {head}").format(head=audit.head(self.ctx.db).short)

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

    def compile(self, name: str, data: dict[str, Any]) -> bytes:
        """``templates/NAME.typ`` (the office's copy if there is one) with ``data``, as PDF bytes."""
        import typst

        font = _font_file()
        payload = json.dumps(_printable(data), ensure_ascii=False)
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
                raise UserError(
                    "print.template_missing", "找不到登记表 {name} 的模板 {file}", name=name, file=main.name
                )
            try:
                return typst.compile(
                    str(main),
                    root=str(root),
                    font_paths=[str(font.parent)],
                    ignore_system_fonts=True,
                    sys_inputs={"data": payload},
                )
            except typst.TypstError as exc:
                raise UserError(
                    "print.template_error", "模板 {file} 有误：{error}", file=main.name, error=str(exc).strip()
                ) from None


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


def write_atomic(path: Path, payload: bytes, *, mode: int = SHARED_FILE) -> None:
    """Whole or not at all (:func:`avledger.fsutil.write_whole`), a printed register or an export by default
    (``SHARED_FILE``: the owner and the group read it); a failure is a refusal naming the place."""
    try:
        write_whole(path, payload, mode=mode)
    except OSError as exc:
        raise UserError(
            "write.failed", "无法写入 {path}：{err}", field="out_path", path=str(path), err=exc.strerror or str(exc)
        ) from None
