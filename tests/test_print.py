"""Printed registers (A4 PDF through typst) and spreadsheet export (issue 6, F21)."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from avledger.errors import UserError
from avledger.services.demo import UNIT
from avledger.services.lending import PreCheck
from avledger.services.printing import REGISTERS, Filters
from avledger.services.typeset import find_cjk_font
from avledger.timeutil import fmt_local
from conftest import refusal

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")

TITLES = {
    "devices": "音像记录设备台账",
    "allocation": "执法记录设备配备标准执行情况",
    "loans": "执法记录设备使用与交接登记表",
    "audit": "审计日志",
    "activities": "执法活动与音像资料登记",
    "footage": "执法音像资料登记",
    "interruptions": "执法音像记录中断说明",
    "norecords": "无法进行执法音像记录工作记录",
    "explanation": "音像资料文字说明材料",
}
# Filters a register needs.
NEEDS = {"explanation": Filters(activity="1")}
# A value each register shows for the demo office.
SAMPLE = {
    "devices": ["JL-2023-001", "DSJ-V9", "稽查科", "GPS定位"],
    "allocation": ["执法一队", "全员配备（每人1台）"],
    "loans": ["JL-2024-003", "徐磊（3002）", "备用电池已随机携带", "郭㛃（4003）"],
    "audit": ["审计链完整", "示例市市场监督管理局 / dalian", "赵䶮 2005"],
    "activities": ["某商行无证经营案", "当事人异议、投诉或上访", "须全程记录但既无音像资料也无工作记录：2 项"],
    "footage": ["VID_0001.MP4", "现场检查_VID_0003.MP4", "逾期采集，待说明", "JL-2023-001"],
    "interruptions": ["第 1 号", "JL-2023-001", "（待说明）", "执法人员：", "负责人："],
    "norecords": ["到达现场时记录仪电池故障无法开机", "李秀英（1002）", "其他客观原因"],
    "explanation": ["餐饮单位日常检查", "刘洋（2002）", "SHA-256", "制作人："],
}
GOOD = PreCheck(battery_pct=90, free_gb=30.0, clock_offset_s=1, notice_given=True)


def text_of(pdf: Path, *pages: int, layout: bool = False) -> str:
    """The PDF's text: as laid out on the page, or in drawing order (a wrapped cell's lines stay together)."""
    args = ["pdftotext", "-layout" if layout else "-raw"]
    if pages:
        args += ["-f", str(pages[0]), "-l", str(pages[-1])]
    return subprocess.run([*args, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def long_ledger(services, loans: int = 40) -> None:
    """Many closed loans in the past, so that the ledger runs over several pages."""
    start = services.ctx.clock() - dt.timedelta(days=loans + 10)
    for i in range(loans):
        at = start + dt.timedelta(days=i)
        services.lending.issue("JL-2023-002", "2003", GOOD, purpose="日常检查", at=at)
        services.lending.give_back(
            "JL-2023-002", content=f"第 {i + 1} 次检查，拍摄若干段", at=at + dt.timedelta(hours=4)
        )


@pytest.fixture
def outdir(tmp_path: Path) -> Path:
    """A folder for the printed files (tmp_path also holds the data folder)."""
    path = tmp_path / "out"
    path.mkdir()
    return path


def test_the_registers_of_this_branch_are_declared():
    assert set(TITLES) <= set(REGISTERS)
    for name in TITLES:
        assert (Path(__file__).parent.parent / "src/avledger/templates" / f"{name}.typ").is_file()


@pytest.mark.parametrize("name", list(TITLES))
def test_every_register_prints_as_an_official_form(demo, outdir, name):
    out = demo.printing.render_pdf(name, NEEDS.get(name, Filters()), outdir / f"{name}.pdf")
    text = text_of(out, layout=True)
    assert UNIT in text
    assert TITLES[name] in text
    pages = page_count(out)
    assert re.search(rf"第 ?1 ?页 ?共 ?{pages} ?页", text), text
    assert "打印日期：" in text
    flat = squeezed(text_of(out))
    for value in SAMPLE[name]:
        assert squeezed(value) in flat, value
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "NotoSansCJK" in line]
    assert cjk and all(" yes " in line for line in cjk), fonts
    assert [p for p in outdir.iterdir() if p.name != f"{name}.pdf"] == []  # no temp file left behind


def test_signature_lines_where_the_form_needs_them(demo, outdir):
    flat = squeezed(text_of(demo.printing.render_pdf("loans", Filters(), outdir / "l.pdf")))
    for signer in ("使用人签名", "设备管理员：", "负责人：", "日期："):
        assert signer in flat


def test_rare_name_characters_print(demo, outdir):
    demo.staff.add("𠮷田䶮", "2099", "执法一队", cert_no="22010029999", roles=["officer"])
    demo.lending.issue("JL-2023-002", "2099", GOOD)
    flat = squeezed(text_of(demo.printing.render_pdf("loans", Filters(staff="2099"), outdir / "rare.pdf")))
    assert "𠮷田䶮（2099）" in flat
    flat = squeezed(text_of(demo.printing.render_pdf("audit", Filters(), outdir / "audit.pdf")))
    assert "赵䶮" in flat and "郭㛃" in flat and "𠮷田䶮" in flat


def test_a_long_ledger_runs_over_pages_with_the_header_on_each(demo, outdir):
    long_ledger(demo)
    out = demo.printing.render_pdf("loans", Filters(), outdir / "long.pdf")
    pages = page_count(out)
    assert pages >= 2
    last = text_of(out, pages)
    assert UNIT in last and "资产编号" in last  # unit and the repeated header row
    assert f"第{pages}页共{pages}页" in squeezed(last)
    assert "第40次检查" in squeezed(text_of(out))


def page_texts(pdf: Path) -> list[str]:
    return [squeezed(page) for page in text_of(pdf, layout=True).split("\f")[: page_count(pdf)]]


def ledger_rows_by_page(pdf: Path) -> list[list[int]]:
    """The running numbers of the ledger's rows, page by page (a row's number starts its line)."""
    pages = text_of(pdf, layout=True).split("\f")[: page_count(pdf)]
    return [[int(n) for n in re.findall(r"^\s*(\d+)\s+JL-", page, re.M)] for page in pages]


def test_a_long_register_printed_in_parts_reads_as_one(demo, outdir, monkeypatch):
    """Parts of 30 rows (in use: 600), each its own typst run: the same pages as one run, every row once and
    in order, each page but the last full, the header, the unit and the title on every page, the page
    numbers counting the whole, the signature lines once at the end."""
    from avledger.services import typeset

    long_ledger(demo, loans=120)
    whole = demo.printing.render_pdf("loans", Filters(), outdir / "whole.pdf")
    monkeypatch.setattr(typeset, "PART_ROWS", 30)
    parts = demo.printing.render_pdf("loans", Filters(), outdir / "parts.pdf")
    pages = page_count(parts)
    assert pages == page_count(whole) >= 8
    by_page = ledger_rows_by_page(parts)
    assert [n for page in by_page for n in page] == list(range(1, 125))
    assert by_page == ledger_rows_by_page(whole)
    texts = page_texts(parts)
    for number, (text, rows) in enumerate(zip(texts, by_page, strict=True), 1):
        assert UNIT in text and "执法记录设备使用与交接登记表" in text
        assert ("资产编号" in text) == bool(rows)  # the header over the rows of each page
        assert f"第{number}页共{pages}页" in text
        assert ("设备管理员：" in text) == (number == pages)


def test_parts_longer_than_the_rows_that_mark_their_place_read_as_one(demo, outdir, monkeypatch):
    """Only a part's last rows (common.typ: marked-rows, 64) mark their place for the carry: parts of 100 rows
    still carry their last page's rows to the next part, and print the pages of one run."""
    from avledger.services import typeset

    long_ledger(demo, loans=210)
    whole = demo.printing.render_pdf("loans", Filters(), outdir / "whole.pdf")
    monkeypatch.setattr(typeset, "PART_ROWS", 100)
    parts = demo.printing.render_pdf("loans", Filters(), outdir / "parts.pdf")
    by_page = ledger_rows_by_page(parts)
    assert [n for page in by_page for n in page] == list(range(1, 215))
    assert by_page == ledger_rows_by_page(whole)
    assert page_count(parts) == page_count(whole) >= 15


def header_lefts(pdf: Path, titles: tuple[str, ...]) -> list[list[float]]:
    """Where each of these column titles begins (points from the left), page by page (pdftotext -bbox)."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = out.split("<page ")[1:]
    lefts = []
    for page in pages:
        words = dict(re.findall(r'<word xMin="([\d.]+)"[^>]*>([^<]+)</word>', page))
        found = {word: float(x) for x, word in words.items()}
        lefts.append([found.get(t, -1.0) for t in titles])
    return lefts


def test_the_columns_of_a_register_printed_in_parts_have_one_width_on_every_page(demo, outdir, monkeypatch):
    """The columns sized to their cells (the running number, the asset number) are as wide on every page,
    also when their widest cell comes only in the last part: each part measures the whole register's."""
    from avledger.services import typeset

    long_ledger(demo, loans=110)  # the running number reaches three figures in the last part
    demo.devices.add("JL-2023-002-备用机-甲型号长编号", "bodycam", "执法一队", "2003")
    at = demo.ctx.clock() - dt.timedelta(days=5)
    demo.lending.issue("JL-2023-002-备用机-甲型号长编号", "2003", GOOD, purpose="日常检查", at=at)
    demo.lending.give_back("JL-2023-002-备用机-甲型号长编号", content="检查", at=at + dt.timedelta(hours=1))
    monkeypatch.setattr(typeset, "PART_ROWS", 30)
    parts = demo.printing.render_pdf("loans", Filters(), outdir / "parts.pdf")
    titles = ("资产编号", "使用人", "告知用语", "无故障")
    lefts = header_lefts(parts, titles)
    assert len(lefts) == page_count(parts) >= 8
    rows = ledger_rows_by_page(parts)
    assert lefts[0][0] > 0 and all(-1.0 not in page for page, on in zip(lefts, rows, strict=True) if on)
    assert {tuple(page) for page, on in zip(lefts, rows, strict=True) if on} == {tuple(lefts[0])}
    assert "JL-2023-002-备用机-甲型号长编号" in squeezed(text_of(parts, len(lefts) - 1, len(lefts)))  # in the last part
    whole = demo.printing.render_pdf("loans", Filters(), outdir / "whole.pdf")
    assert header_lefts(whole, titles)[0] == lefts[0]  # the widths of one run over all the rows


def test_the_size_of_the_parts_does_not_change_the_pages(demo, outdir, monkeypatch):
    """Rows of many heights: printed in parts of 30 rows or of 47, the same pages (no row split over two pages
    in the last part either, where no page is carried)."""
    from avledger.services import typeset

    start = demo.ctx.clock() - dt.timedelta(days=130)
    for i in range(120):
        at = start + dt.timedelta(days=i)
        demo.lending.issue("JL-2023-002", "2003", GOOD, purpose="日常检查", at=at)
        content = f"第 {i + 1} 次检查" + "，现场拍摄若干段并已说明情况" * (i * 7 % 9)
        demo.lending.give_back("JL-2023-002", content=content, at=at + dt.timedelta(hours=4))
    printed = []
    for rows in (30, 47):
        monkeypatch.setattr(typeset, "PART_ROWS", rows)
        printed.append(demo.printing.render_pdf("loans", Filters(), outdir / f"parts-{rows}.pdf"))
    assert page_texts(printed[0]) == page_texts(printed[1])
    by_page = ledger_rows_by_page(printed[0])
    assert [n for page in by_page for n in page] == list(range(1, 125)) and len(by_page) >= 10


def test_the_texts_a_column_is_measured_over_are_the_widest_of_each_shape():
    from avledger.services.sheets import SEQ, Column
    from avledger.services.typeset import _Widest, em_bounds

    columns = [SEQ, Column("asset_no", "资产编号", 1.2, fit=True), Column("note", "备注", 2, fit=False)]
    widest = _Widest(columns)
    for n in range(1, 1201):
        widest.add([str(n), f"JL-{n % 7:04d} 是" if n % 2 else "ii", "任意长的备注文字"])
    seq, asset, note = widest.texts()
    assert seq == ["1000"]  # the figures all have one width: one of each count, and only the longest
    assert asset == ["JL-0001"]  # "是" and "ii" are narrower at the most than JL-0000 at the least
    assert note == []
    assert em_bounds("（逾期）") == (3.0, 4.0) and em_bounds("12\n3") == (1.0, 1.2)
    many = _Widest(columns)
    for n in range(3000):  # ever wider words: the narrower ones let go on the way
        many.add(["1", chr(0x4E00 + n) * (1 + n // 100), ""])
        assert len(many.shapes[1]) <= 2 * _Widest.PRUNE
    assert sorted(many.texts()[1]) == [chr(0x4E00 + n) * 30 for n in range(2900, 3000)]


def test_registers_of_one_form_per_record_and_of_notes_before_the_table_print_in_parts(demo, outdir, monkeypatch):
    """One form per record: each on its own page, numbered through. The audit log: its chain check on the
    first page only. The activity register: its summary, known at the end, on the last page."""
    from avledger.services import typeset

    monkeypatch.setattr(typeset, "PART_ROWS", 4)
    for i in range(9):
        demo.norecords.add(1, "other", f"第 {i + 1} 份工作记录的情况说明", ["2002", "2003"], "1002")
    forms = demo.printing.render_pdf("norecords", Filters(), outdir / "norecords.pdf")
    texts = page_texts(forms)
    assert len(texts) == 10
    for text in texts:  # each form numbers its own pages
        assert "第1页共1页" in text and "负责人：" in text
    assert all(any(f"第{i + 1}份工作记录" in t for t in texts) for i in range(9))

    monkeypatch.setattr(typeset, "PART_ROWS", 40)
    long_ledger(demo, loans=40)  # audit entries enough for several pages
    log = demo.printing.render_pdf("audit", Filters(), outdir / "audit.pdf")
    texts = page_texts(log)
    assert len(texts) >= 4
    assert ["审计链完整" in t for t in texts] == [True] + [False] * (len(texts) - 1)
    assert ["审核人：" in t for t in texts] == [False] * (len(texts) - 1) + [True]

    monkeypatch.setattr(typeset, "PART_ROWS", 1)
    register = demo.printing.render_pdf("activities", Filters(), outdir / "activities.pdf")
    texts = page_texts(register)
    assert "须全程记录但既无音像资料也无工作记录：2项" in texts[-1]
    assert all("须全程记录" not in t for t in texts[:-1])


def test_a_long_register_is_not_held_in_memory_and_its_file_of_rows_goes_with_the_print(demo, outdir):
    """Beyond its first part, a register's rows wait in a private file of the data folder, not in memory (a
    tenth year's footage register: a million rows); the file goes when the print ends, here refused for a
    character of the last row that the font lacks (known once every row was read)."""
    import stat
    import tracemalloc

    from avledger.fsutil import JobLock, find_leftovers
    from avledger.services.leftovers import SPILL_SUFFIX
    from avledger.services.sheets import SEQ, Column

    columns = [SEQ, Column("note", "备注", 3)]
    seen = {}

    def rows():
        before = tracemalloc.get_traced_memory()[0]
        for n in range(1, 3001):  # each about 2 KB in memory: 6 MB in all
            note = f"第 {n} 条" + "现场执法情况说明" * 120 + ("\U0002ebe0" if n == 3000 else "")
            yield {"seq": n, "note": note}
        seen["held"] = tracemalloc.get_traced_memory()[0] - before  # every row read, none printed yet
        seen["files"] = [
            (stat.S_IMODE(path.stat().st_mode), JobLock.held(path), size)
            for path, size in find_leftovers(demo.home.path, suffix=SPILL_SUFFIX)
        ]

    head = demo.typesetter.head("测试登记表", "全部", columns)
    tracemalloc.start()
    try:
        with pytest.raises(UserError) as err:
            demo.typesetter.print_register("loans", head, columns, rows(), {}, outdir / "r.pdf", part_rows=50)
    finally:
        tracemalloc.stop()
    assert err.value.code == "print.glyphs_missing" and "U+2EBE0" in err.value.render()
    assert seen["held"] < 1_000_000, seen["held"]  # the first part's 50 rows, not the 3,000
    [(mode, held, size)] = seen["files"]
    assert mode == 0o600 and held and size > 2950 * 960 * 3  # the other 2,950 rows as UTF-8, locked
    assert find_leftovers(demo.home.path) == [] and list(outdir.iterdir()) == []


def test_an_office_template_of_common_typ_prints_in_one_run(demo, outdir, monkeypatch):
    """The parts need this common.typ: an office's own copy (older, edited) is printed whole, as before."""
    from avledger.services import typeset

    monkeypatch.setattr(typeset, "PART_ROWS", 10)
    long_ledger(demo, loans=40)
    local = demo.home.path / "templates"
    local.mkdir()
    builtin = Path(__file__).parent.parent / "src/avledger/templates/common.typ"
    (local / "common.typ").write_text(builtin.read_text("utf-8") + "\n// 本单位修改\n", "utf-8")
    out = demo.printing.render_pdf("loans", Filters(), outdir / "loans.pdf")
    pages = page_count(out)
    assert [n for page in ledger_rows_by_page(out) for n in page] == list(range(1, 45))
    assert f"第{pages}页共{pages}页" in page_texts(out)[-1]


def test_filters_narrow_the_rows(demo, outdir):
    long_ledger(demo, loans=5)
    today = demo.ctx.clock().date()

    def rows(name: str, filters: Filters) -> list[dict]:
        return list(demo.printing.sheet(name, filters)[2].rows)  # (read once: a long register streams them)

    mine = rows("loans", Filters(staff="2003"))
    assert len(mine) == 5 and {r["holder"] for r in mine} == {"陈静（2003）"}
    assert [r["holder"] for r in rows("loans", Filters(device="JL-2024-004"))] == ["何芳（4002）", "郭㛃（4003）"]
    recent = rows("loans", Filters(date_from=(today - dt.timedelta(days=5)).isoformat()))
    assert "陈静（2003）" not in {r["holder"] for r in recent}
    devices = rows("devices", Filters(dept="稽查科"))
    assert {r["department"] for r in devices} == {"稽查科"} and len(devices) == 3
    _reg, scope, sheet = demo.printing.sheet("allocation", Filters(dept="执法一队"))
    assert [r["department"] for r in sheet.rows] == ["执法一队"]
    assert scope.describe() == "科室：执法一队"
    assert rows("audit", Filters(date_to="2000-01-01")) == []


def test_an_empty_register_still_prints(demo, outdir):
    out = demo.printing.render_pdf("audit", Filters(date_to="2000-01-01"), outdir / "empty.pdf")
    assert "（无记录）" in text_of(out)


def test_xlsx_export(demo, outdir):
    from openpyxl import load_workbook

    out, count = demo.printing.export("devices", Filters(), outdir / "devices.xlsx")
    ws = load_workbook(out).active
    assert UNIT in ws["A1"].value and "音像记录设备台账" in ws["A1"].value
    header = [c.value for c in ws[2]]
    assert header[:3] == ["序号", "资产编号", "类型"]
    assert ws.freeze_panes == "A3"
    assert ws.max_row == 2 + count == 12
    assert [c.value for c in ws[3]][:3] == [1, "CC-2023-001", "存储设备"]
    assert ws.column_dimensions["B"].width >= 12


def test_xlsx_cells_hold_numbers_dates_times_and_lengths_of_time(demo, outdir):
    """A spreadsheet sorts and sums what it holds as such: dates, times, amounts and lengths of time are
    typed cells with their formats, not text; landscape registers print landscape, one page wide."""
    import datetime as dt

    from openpyxl import load_workbook

    def sheet(name):
        out, _count = demo.printing.export(name, Filters(), outdir / f"{name}.xlsx")
        ws = load_workbook(out).active
        header = [c.value for c in ws[2]]
        return ws, [dict(zip(header, [c for c in row], strict=True)) for row in ws.iter_rows(min_row=3)]

    ws, devices = sheet("devices")
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    bought = [r["购置日期"] for r in devices if r["购置日期"].value]
    assert bought and all(isinstance(c.value, dt.datetime) and c.number_format == "yyyy-mm-dd" for c in bought)
    prices = [r["原价（元）"].value for r in devices if r["原价（元）"].value not in (None, "")]
    assert prices and all(isinstance(v, (int, float)) for v in prices)
    _ws, loans = sheet("loans")
    starts = [r["领用/交接时间"] for r in loans]
    typed = [c for c in starts if isinstance(c.value, dt.datetime)]
    assert typed and all(c.number_format == "yyyy-mm-dd hh:mm" for c in typed)
    assert all(c in typed or "交接" in c.value for c in starts)  # a handover's start says from whom: text
    assert any(isinstance(r["电量（%）"].value, int) for r in loans)
    _ws, clips = sheet("footage")
    lengths = [r["时长"] for r in clips if r["时长"].value not in (None, "")]
    assert lengths and all(isinstance(c.value, dt.timedelta) and c.number_format == "[h]:mm:ss" for c in lengths)


def test_csv_lengths_of_time_read_as_seconds_not_minutes(demo, outdir):
    """Excel and LibreOffice read ``0:02`` as two minutes: a clip's length is written ``0:00:02``."""
    out, _count = demo.printing.export("footage", Filters(), outdir / "footage.csv")
    rows = list(csv.DictReader(out.read_bytes().decode("utf-8-sig").splitlines()))
    lengths = [r["时长"] for r in rows if r["时长"]]
    assert lengths and all(re.fullmatch(r"\d+:\d{2}:\d{2}", v) for v in lengths), lengths
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", r["录制开始"]) for r in rows if r["录制开始"])


def test_csv_export_has_a_bom_and_parses(demo, outdir):
    out, count = demo.printing.export("loans", Filters(), outdir / "loans.csv")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0][:3] == ["序号", "资产编号", "使用人"]
    assert "使用人签名" not in rows[0]  # handwritten columns are for paper only
    assert len(rows) == 1 + count == 5
    assert rows[-1][2] == "郭㛃（4003）"


def test_local_template_overrides_the_builtin_one(demo, outdir):
    local = demo.home.path / "templates"
    local.mkdir()
    builtin = Path(__file__).parent.parent / "src/avledger/templates/devices.typ"
    (local / "devices.typ").write_text(builtin.read_text("utf-8") + "\n本地修改的模板\n", "utf-8")
    flat = squeezed(text_of(demo.printing.render_pdf("devices", Filters(), outdir / "d.pdf")))
    assert "本地修改的模板" in flat and "JL-2023-001" in flat
    # Other registers still use the built-in templates.
    assert "本地修改的模板" not in squeezed(text_of(demo.printing.render_pdf("audit", Filters(), outdir / "a.pdf")))


def test_a_broken_local_template_is_a_clear_refusal_and_writes_nothing(demo, outdir):
    local = demo.home.path / "templates"
    local.mkdir()
    (local / "devices.typ").write_text('#import "common.typ": *\n#standard(load(), oops)\n', "utf-8")
    with pytest.raises(UserError) as err:
        demo.printing.render_pdf("devices", Filters(), outdir / "d.pdf")
    assert err.value.code == "print.template_error" and "devices.typ" in err.value.render()
    assert list(outdir.iterdir()) == []


def test_user_text_is_never_typst_code(demo, outdir):
    demo.devices.update("JL-2023-001", notes='#panic("x") ]) *粗体* $x$ // 注释 @ref <l> \\')
    flat = squeezed(text_of(demo.printing.render_pdf("devices", Filters(device="JL-2023-001"), outdir / "d.pdf")))
    assert squeezed('#panic("x")') in flat and "*粗体*" in flat and "//注释" in flat


def test_a_missing_font_names_the_package(tmp_path):
    with pytest.raises(UserError) as err:
        find_cjk_font(candidates=[str(tmp_path / "none.ttc")], fc_match="no-such-fc-match")
    assert err.value.code == "print.font_missing" and "fonts-noto-cjk" in err.value.render()
    assert find_cjk_font().is_file()


def test_a_character_the_font_lacks_is_refused_not_printed_as_a_box(demo, outdir):
    demo.staff.add("王\U0002ebe0", "2098", "执法一队", cert_no="22010029998", roles=["officer"])
    with pytest.raises(UserError) as err:
        demo.printing.render_pdf("audit", Filters(), outdir / "a.pdf")
    assert err.value.code == "print.glyphs_missing" and "U+2EBE0" in err.value.render()
    assert list(outdir.iterdir()) == []
    # The spreadsheet has no such limit.
    demo.printing.export("audit", Filters(), outdir / "a.xlsx")


def test_english_print(demo, outdir):
    from avledger.i18n import set_language

    set_language("en")
    try:
        out = demo.printing.render_pdf("allocation", Filters(), outdir / "en.pdf")
    finally:
        set_language("zh")
    text = text_of(out)
    assert "Recording Device Allocation Against the Standard" in text
    assert "Page 1 of 1" in text and UNIT in text


def test_registers_list(demo):
    names = [r.name for r in demo.printing.registers()]
    assert names[:4] == ["devices", "allocation", "loans", "audit"]
    loans = next(r for r in demo.printing.registers() if r.name == "loans")
    assert loans.title == TITLES["loans"] and "--from" in loans.filters


# --- the CLI ---------------------------------------------------------------------------
def test_cli_print_and_export(demo, cli, outdir):
    demo.close()
    pdf = outdir / "loans.pdf"
    result = cli("print", "loans", "--staff", "4002", "-o", str(pdf))
    assert result.code == 0, result.err
    assert str(pdf) in result.out
    assert "何芳（4002）" in squeezed(text_of(pdf))
    xlsx = outdir / "alloc.xlsx"
    result = cli("export", "allocation", "--dept", "稽查科", "-o", str(xlsx))
    assert result.code == 0, result.err and xlsx.is_file()
    result = cli("export", "audit", "--from", "2000-01-01", "--to", "2100-12-31", "-o", str(outdir / "a.csv"))
    assert result.code == 0, result.err


@pytest.mark.parametrize(
    "args, message",
    [
        (["print", "nosuch"], "没有这个登记表"),
        (["print", "allocation", "--from", "2026-01-01"], "不能按 --from 筛选"),
        (["print", "audit", "--staff", "2001"], "不能按 --staff 筛选"),
        (["print", "loans", "--from", "2026-13-01"], "开始日期不是有效日期"),
        (["print", "loans", "--from", "2026-05-02", "--to", "2026-05-01"], "晚于结束日期"),
        (["print", "loans", "--device", "NO-SUCH"], "没有这个资产编号的设备"),
        (["export", "loans", "--staff", "9999"], "没有这个工号的人员"),
        (["export", "devices", "--dept", "无此科室"], "没有这个科室"),
    ],
)
def test_cli_refusals_exit_2_and_write_nothing(demo, cli, outdir, args, message):
    demo.close()
    out = outdir / "out"
    out.mkdir()
    suffix = ".pdf" if args[0] == "print" else ".xlsx"
    result = cli(*args, "-o", str(out / f"x{suffix}"))
    assert result.code == 2, result.err
    assert message in result.err
    assert list(out.iterdir()) == []


def test_cli_refuses_a_wrong_suffix_or_folder(demo, cli, outdir):
    demo.close()
    result = cli("export", "devices", "-o", str(outdir / "x.txt"))
    assert result.code == 2 and ".xlsx" in result.err
    result = cli("print", "devices", "-o", str(outdir / "none" / "x.pdf"))
    assert result.code == 2 and "输出目录不存在" in result.err
    assert list(outdir.iterdir()) == []


def test_registers_are_plain_data():
    for reg in REGISTERS.values():
        keys = [c.key for c in reg.columns]
        assert len(keys) == len(set(keys)), reg.name


def test_print_and_export_do_not_import_textual(demo, outdir):
    import sys

    demo.close()
    probe = (
        "import sys\nfrom avledger.cli import cli\n"
        "try:\n    cli(args=sys.argv[1:], prog_name='avledger', standalone_mode=False)\n"
        "finally:\n    print('TEXTUAL:' + ','.join(m for m in sys.modules if m.split('.')[0] == 'textual'),"
        " file=sys.stderr)\n"
    )
    for command, suffix in (("print", ".pdf"), ("export", ".xlsx")):
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                probe,
                "--home",
                str(demo.home.path),
                command,
                "devices",
                "-o",
                str(outdir / f"d{suffix}"),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert [line for line in proc.stderr.splitlines() if line.startswith("TEXTUAL:")] == ["TEXTUAL:"], proc.stderr
        assert (outdir / f"d{suffix}").is_file()


def test_the_audit_print_shows_a_failed_chain_check(demo, outdir):
    demo.db.execute_sql("UPDATE device SET notes = '手工改动' WHERE asset_no = 'JL-2023-001'")
    flat = squeezed(text_of(demo.printing.render_pdf("audit", Filters(), outdir / "a.pdf")))
    assert "发现1处问题" in flat and "审计链完整" not in flat
    assert "设备JL-2023-001与审计日志最后记录的内容不符，字段：备注" in flat  # the record and its field in words


def test_the_explanation_sheet_lists_every_file_with_its_full_hash(demo, outdir):
    """Each file's SHA-256 is one unbroken string (wrapped every 16 characters, no space or other character
    put in); the sheet names who extracts the files and when (提取人, 提取时间: D27, L17)."""
    clips = demo.footage.list(activity=1)
    out = demo.printing.render_pdf("explanation", Filters(activity="1"), outdir / "e.pdf")
    text = text_of(out)
    flat = squeezed(text)
    assert all(c.sha256 in flat for c in clips) and len(clips) == 3
    joined = text.replace("\n", "")
    assert all(c.sha256 in joined for c in clips) and "\u200b" not in text
    assert all(c.sha256[:16] + " " not in text for c in clips)
    assert "提取人王建国（1001）" in flat and "提取人：" in flat
    today = fmt_local(demo.ctx.clock(), demo.ctx.profile().tz)[:10]
    assert re.search(rf"提取时间{today}\d\d:\d\d", flat), flat
    assert refusal(demo.printing.render_pdf, "explanation", Filters(), outdir / "none.pdf") == (
        "print.needs_filter",
        "activity",
    )
    assert not (outdir / "none.pdf").exists()


def test_one_form_per_interruption_and_per_not_recorded_record(demo, outdir):
    gap = demo.gaps.list()[0]
    demo.gaps.explain(gap.id, "battery", note="备用电池更换", reported=True)
    activity = demo.activities.list()[0]
    demo.norecords.add(activity.id, "emergency", "火警疏散", ["4002", "4003"], "1002")
    for name, count in (("interruptions", 1), ("norecords", 2)):
        out = demo.printing.render_pdf(name, Filters(), outdir / f"{name}.pdf")
        assert page_count(out) == count  # each record on its own page, with its signature lines
        text = text_of(out, 1, layout=True)
        assert "负责人：" in text and text.count("执法人员：") >= 2
    assert "电量不足" in text_of(outdir / "interruptions.pdf") and "备用电池更换" in text_of(
        outdir / "interruptions.pdf"
    )


def test_activity_registers_filter_by_activity_and_export(demo, outdir):
    path, count = demo.printing.export("footage", Filters(activity="1"), outdir / "f.xlsx")
    assert count == 3
    from openpyxl import load_workbook

    sheet = load_workbook(path).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert any("VID_0001.MP4" in [str(v) for v in row] for row in values)
    assert demo.printing.export("footage", Filters(activity="2"), outdir / "g.csv")[1] == 0
    with pytest.raises(UserError):
        demo.printing.export("devices", Filters(activity="1"), outdir / "h.csv")  # a filter that does not apply


def test_a_case_number_prints_as_one_word(demo, outdir):
    """typst puts a space between Chinese and Latin letters or digits unless told not to: ``〔2026〕118 号``
    would not be found by searching the PDF, and 号 could wrap alone onto a line of its own."""
    text = text_of(demo.printing.render_pdf("activities", Filters(), outdir / "activities.pdf"))
    assert "〔2026〕118号" in text.replace("\n", ""), text
    assert "118 号" not in text and "2026 〕" not in text


# --- column titles and widths (issue 18) ---------------------------------------------------
def test_a_column_title_breaks_only_between_its_words():
    from avledger.services.typeset import title_pieces

    assert title_pieces("固定资产编号") == [["固定资产编号", ""]]
    assert title_pieces("领用/交接时间") == [["领用/", "|"], ["交接时间", ""]]
    assert title_pieces("剩余存储（GB）") == [["剩余存储", "|"], ["（GB）", ""]]
    assert title_pieces("Issued / handed over") == [["Issued", " "], ["/", " "], ["handed", " "], ["over", ""]]


def test_columns_are_at_least_as_wide_as_their_titles_words_and_a_signature():
    from avledger.services.sheets import Column
    from avledger.services.typeset import min_width_pt

    mm = 72 / 25.4
    assert min_width_pt(Column("x", "固定资产编号")) >= 6 * 9 + 6  # six characters of 9 pt and the inset
    assert min_width_pt(Column("x", "领用/交接时间")) < min_width_pt(Column("x", "固定资产编号"))
    assert min_width_pt(Column("x", "使用人签名", blank=True)) >= 22 * mm
    assert min_width_pt(Column("x", "时间", kind="datetime")) > min_width_pt(Column("x", "时间"))


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", ["devices", "loans", "activities"])
def test_column_titles_print_whole_words(demo, outdir, lang, name):
    """No column title breaks inside a word (固定资产编/号, 领用/交接时/间 were printed): each word of each
    title lies whole on one line of the page; a Chinese title without a space, slash or bracket is one word;
    short notes in brackets stay together."""
    from avledger.i18n import _, set_language
    from avledger.services.typeset import title_pieces

    set_language(lang)
    try:
        out = demo.printing.render_pdf(name, Filters(), outdir / f"{name}.pdf")
        titles = [_(c.title) for c in REGISTERS[name].columns]
    finally:
        set_language("zh")
    lines = text_of(out, 1, layout=True).splitlines()
    for title in titles:
        for word, _after in title_pieces(title):
            assert any(word in line for line in lines), (title, word)
    if lang == "zh" and name == "devices":
        assert any("固定资产编号" in line for line in lines) and any("手持执法终端" in line for line in lines)
    if lang == "zh" and name == "loans":
        assert any("（逾期）" in line for line in lines)


# --- the audit register in words; the signatures never alone on a page (issue 18) -------------------
def test_the_audit_register_names_objects_and_codes_in_words(demo, outdir):
    demo.norecords.add(1, "dark_no_infrared", "地下车库无照明", ["2002", "2003"], "1002")
    out = demo.printing.render_pdf("audit", Filters(), outdir / "audit.pdf")
    flat = squeezed(text_of(out))
    for words in ("设备JL-2023-001", "领用JL-2023-001", "音像文件VID_0001.MP4", "科室稽查科", "人员王建国（1001）"):
        assert words in flat, words
    assert "JL-2023-001归还" in flat and "33分钟" in flat and "较黑暗的地下空间未配备红外夜视设备" in flat
    for code in ("device#", "loan#", "clip#", "return", "dark_no_infrared", "min"):
        assert code not in flat, code


def test_codes_in_an_audit_summary_read_as_words():
    from avledger.i18n import set_language
    from avledger.services.auditwords import summary_words

    assert summary_words("view 2") == "查阅 2"
    assert summary_words("JL-2024-004 handover") == "JL-2024-004 交接"
    assert summary_words("3 other") == "3 其他"
    assert summary_words("12 min") == "12 分钟" and summary_words("1 12s") == "1 12 秒"
    assert summary_words("VID_0001.MP4 → 2026/other.mp4") == "VID_0001.MP4 → 2026/other.mp4"  # names stay
    set_language("en")
    try:
        assert summary_words("JL-2024-004 return") == "JL-2024-004 Return"
    finally:
        set_language("zh")


def test_the_signature_lines_never_stand_alone_on_the_last_page(demo, outdir):
    """However many rows, the last page holds the last rows (with the header row) and the signature lines."""
    start = demo.ctx.clock() - dt.timedelta(days=60)
    for i in range(30):
        at = start + dt.timedelta(days=i)
        demo.lending.issue("JL-2023-002", "2003", GOOD, purpose="日常检查", at=at)
        demo.lending.give_back("JL-2023-002", content=f"第 {i + 1} 次检查", at=at + dt.timedelta(hours=4))
        if i < 4:
            continue
        out = demo.printing.render_pdf("loans", Filters(), outdir / f"loans-{i}.pdf")
        last = page_texts(out)[-1]
        rows = ledger_rows_by_page(out)
        assert "设备管理员：" in last and rows[-1], (i, last)
        assert "资产编号" in last
        assert [n for page in rows for n in page] == list(range(1, i + 6))


# --- the fields the regulations name (issue 18) ----------------------------------------------
def test_the_footage_register_names_the_case_and_the_party(demo, outdir):
    """P9: footage is kept by case name, party, recording date and storage date."""
    out = demo.printing.render_pdf("footage", Filters(), outdir / "footage.pdf")
    flat = squeezed(text_of(out))
    assert "案件名称" in flat and "当事人" in flat
    assert "餐饮单位日常检查" in flat and "示例市老街小吃店" in flat


def test_the_viewing_register_names_who_registered_and_the_files(demo, outdir):
    """D28: the custodian registers who viewed, why and when; the files by their names, not their numbers."""
    from avledger.identity import Identity

    activity = next(c.activity_id for c in demo.footage.list() if c.activity_id)
    req = demo.access.request("2002", "复核现场情况", kind="view", activity=activity)
    demo.staff.update("1002", os_user="user1002")
    demo.staff.update("2002", os_user="user2002")
    demo.ctx.identity = Identity.console("user1002")
    demo.access.approve(req.id, "1002")
    demo.ctx.identity = Identity.console("user2002")
    demo.access.view_clips(req.id)
    demo.ctx.identity = Identity.console("tester")
    out = demo.printing.render_pdf("viewings", Filters(), outdir / "viewings.pdf")
    flat = squeezed(text_of(out))
    assert "登记人" in flat
    assert "VID_0001.MP4、VID_0002.MP4" in flat and "#1" not in flat
    lines = text_of(out, layout=True).splitlines()
    viewed = next(line for line in lines if re.match(r"\s*3\s.*查阅", line))
    assert viewed.count("刘洋（2002）") == 2  # who viewed, and who registered the viewing
    approved = next(line for line in lines if re.match(r"\s*2\s.*批准", line))
    assert approved.count("李秀英（1002）") == 2
    requested = next(line for line in lines if re.match(r"\s*1\s.*申请", line))
    assert requested.rstrip().endswith("王建国（1001）")  # the manager registered the request


def test_the_loans_register_says_whether_the_device_came_back_without_fault(demo, outdir):
    """D16, L7: 无故障. The returned loan: 是; a return with damage: 否（损坏）; one still out: nothing."""
    demo.lending.issue("JL-2023-002", "2003", GOOD, purpose="日常检查")
    demo.lending.give_back("JL-2023-002", content="镜头碎裂", condition="damaged")
    out = demo.printing.render_pdf("loans", Filters(), outdir / "loans.pdf")
    text = text_of(out, layout=True)
    assert "无故障" in text
    first = next(line for line in text.splitlines() if re.match(r"\s*1\s+JL-2023-001", line))
    assert "是" in first.split("15:00")[-1]
    assert "否（损坏）" in squeezed(text)


def test_one_form_per_record_numbers_its_own_pages_without_a_scope_line(demo, outdir):
    for i in range(2):
        demo.norecords.add(1, "other", f"第 {i + 1} 份工作记录", ["2002", "2003"], "1002")
    out = demo.printing.render_pdf("norecords", Filters(), outdir / "norecords.pdf")
    texts = page_texts(out)
    assert len(texts) == 3
    assert all("第1页共1页" in t for t in texts)
    assert all("范围" not in t for t in texts)
