"""A card, an archive or a register field may be hostile (issue 13): links are never followed, special files
never read, every stranger in the archive is reported, and an export never carries a live formula."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import openpyxl
import pytest

from avledger.fsutil import TEMP_PREFIX
from avledger.models.schema import Clip
from avledger.services.printing import Filters
from conftest import write_video
from test_ingest import prepare


@pytest.fixture
def office(services):
    prepare(services)
    return services


@pytest.fixture
def hostile_card(tmp_path: Path) -> Path:
    card = tmp_path / "card"
    media = card / "DCIM"
    write_video(media / "VID_0001.MP4", 1, creation_time="2026-01-10T01:06:00.000000Z")
    write_video(media / ".VID_0002.MP4", 1, creation_time="2026-01-10T01:07:00.000000Z")  # hidden
    (media / "passwd.mp4").symlink_to("/etc/passwd")
    (media / "outside").symlink_to(tmp_path, target_is_directory=True)
    os.mkfifo(media / "pipe.mp4")
    return card


def test_a_card_never_leads_outside_itself(office, hostile_card):
    plan = office.ingest.scan(hostile_card, device="JL-001")
    assert [f.name for f in plan.files] == ["VID_0001.MP4"]
    assert sorted((s.path, s.reason) for s in plan.skipped) == [
        ("DCIM/.VID_0002.MP4", "hidden"),
        ("DCIM/outside", "symlink"),
        ("DCIM/passwd.mp4", "symlink"),
        ("DCIM/pipe.mp4", "fifo"),
    ]
    result = office.ingest.apply(plan)
    assert len(result.archived) == 1
    passwd = Path("/etc/passwd").read_bytes()
    root = office.ingest.archive_root()
    assert not any(p.read_bytes() == passwd for p in root.rglob("*") if p.is_file())


def test_a_file_swapped_for_a_link_after_the_scan_is_refused(office, hostile_card):
    plan = office.ingest.scan(hostile_card, device="JL-001")
    source = plan.files[0].source
    source.unlink()
    source.symlink_to("/etc/passwd")
    result = office.ingest.apply(plan)
    assert not result.archived and [(Path(s.path).name, s.reason) for s in result.refused][-1] == (
        "VID_0001.MP4",
        "symlink",
    )
    assert Clip.select().count() == 0


def test_verify_sees_links_strangers_and_leftovers(office, card, cli):
    result = office.ingest.apply(office.ingest.scan(card, device="JL-001"))
    root = office.ingest.archive_root()
    clip = result.archived[0]
    original = root / clip.archive_path
    moved = root.parent / "moved-away.mp4"
    os.chmod(original.parent, 0o755)
    original.rename(moved)
    original.symlink_to(moved)  # the same bytes behind a link: the hash alone would pass
    (original.parent / ".avledger-evil.mp4").write_bytes(b"not footage")
    (original.parent / f"{TEMP_PREFIX}killed").write_bytes(b"half a copy")
    check = office.footage.verify()
    kinds = sorted((p.kind, Path(p.path).name) for p in check.problems)
    assert kinds == [("extra", ".avledger-evil.mp4"), ("symlink", original.name)]
    assert [(Path(left.path).name, left.size) for left in check.leftovers] == [(f"{TEMP_PREFIX}killed", 11)]
    office.close()
    run = cli("verify", "--json")
    assert run.code == 1 and {p["kind"] for p in run.json()["problems"]} == {"extra", "symlink"}


def test_exports_write_formulas_as_text(demo, tmp_path):
    custodian = demo.staff.list()[0].number
    demo.devices.add("=1+2", "bodycam", demo.departments.list()[0].name, custodian, model='=HYPERLINK("http://x","y")')
    out, _count = demo.printing.export("devices", Filters(device="=1+2"), tmp_path / "d.xlsx")
    sheet = openpyxl.load_workbook(out).active
    cells = [c for row in sheet.iter_rows(min_row=3) for c in row if isinstance(c.value, str) and c.value[:1] == "="]
    assert {c.value for c in cells} == {"=1+2", '=HYPERLINK("http://x","y")'}
    assert all(c.data_type == "s" for c in cells)
    out, _count = demo.printing.export("devices", Filters(device="=1+2"), tmp_path / "d.csv")
    rows = list(csv.reader(out.read_text("utf-8-sig").splitlines()))
    values = {v for row in rows[1:] for v in row}
    assert "'=1+2" in values and '\'=HYPERLINK("http://x","y")' in values
    assert not any(v.startswith(("=", "+", "@")) for v in values)
