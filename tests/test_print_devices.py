"""The fault and repair register (故障维修登记表, R16) and the loss and damage compensation register
(丢失损坏赔偿登记表, R17, D33(7)), printed on A4 and exported (issue 15), read back from the PDF."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest

from avledger.services.lending import PreCheck
from avledger.services.printing import REGISTERS, Filters

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")

GOOD = PreCheck(battery_pct=90, free_gb=30.0, clock_offset_s=1, notice_given=True)


def text_of(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def office(demo):
    """The demo's camera sent to the maker comes back repaired; one camera damaged and one lost, each paid for."""
    demo.lending.repair("SX-2020-001", "back", outcome="更换对焦马达")
    demo.lending.report_fault("JL-2023-002", "屏幕无显示")
    demo.lending.record_liability("JL-2023-001", "damaged", "2002", amount="300.00", description="摔坏外壳")
    demo.lending.record_liability("JL-2024-003", "lost", "3002", description="执法途中遗失")
    return demo


def test_the_two_registers_are_declared_with_their_templates():
    for name in ("repairs", "compensation"):
        assert name in REGISTERS
        assert (Path(__file__).parent.parent / "src/avledger/templates" / f"{name}.typ").is_file()


def test_repairs_register_prints_and_exports(office, tmp_path):
    pdf = office.printing.render_pdf("repairs", Filters(), tmp_path / "repairs.pdf")
    text = text_of(pdf)
    assert "执法记录设备故障维修登记表" in text
    for value in ("SX-2020-001", "无法自动对焦", "更换对焦马达", "已修复", "JL-2023-002", "屏幕无显示", "待送修"):
        assert value in text, value
    assert "设备管理员：" in text and "负责人：" in text
    one = office.printing.render_pdf("repairs", Filters(device="JL-2023-002"), tmp_path / "one.pdf")
    assert "SX-2020-001" not in text_of(one)
    path, rows = office.printing.export("repairs", Filters(), tmp_path / "repairs.csv")
    assert rows == 2
    with path.open(encoding="utf-8-sig") as f:
        table = list(csv.reader(f))
    assert "故障情况" in table[0] and any("无法自动对焦" in cell for cell in table[1])


def test_compensation_register_prints_and_exports(office, tmp_path):
    pdf = office.printing.render_pdf("compensation", Filters(), tmp_path / "compensation.pdf")
    text = text_of(pdf)
    assert "执法记录设备丢失损坏赔偿登记表" in text
    for value in ("JL-2023-001", "损坏", "刘洋（2002）", "300.00", "摔坏外壳", "JL-2024-003", "丢失", "徐磊（3002）"):
        assert value in text, value
    price = office.devices.view("JL-2024-003").price_yuan
    assert price and text.count(price) >= 2  # lost: paid at the original price (R17)
    assert "共 2 起" in text
    mine = office.printing.render_pdf("compensation", Filters(staff="2002"), tmp_path / "mine.pdf")
    assert "JL-2024-003" not in text_of(mine)
    path, rows = office.printing.export("compensation", Filters(), tmp_path / "compensation.xlsx")
    assert rows == 2 and path.stat().st_size > 0


def test_cli_prints_both(office, cli, tmp_path):
    office.close()
    for name in ("repairs", "compensation"):
        out = tmp_path / f"{name}.pdf"
        result = cli("print", name, "-o", str(out))
        assert result.code == 0, result.err
        assert out.is_file()
        exported = cli("export", name, "-o", str(tmp_path / f"{name}.csv"))
        assert exported.code == 0, exported.err
