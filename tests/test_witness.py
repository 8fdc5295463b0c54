"""Witnesses of the audit head: a log cut at its end, an older register copied back, a chain recomputed after an edit
and an emptied register are found (issue 13), by real edits with sqlite3 and real file copies; an untouched register
passes, also when a program was killed between its commit and its witness line."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from avledger import witness
from avledger.errors import UserError
from avledger.i18n import set_language
from avledger.identity import Identity
from avledger.models import audit
from avledger.models.schema import AUDITED, AuditEvent, Clip
from avledger.services import Services
from avledger.services.auditlog import describe_problem
from avledger.services.lending import PreCheck
from conftest import recompute_chain

SQLITE3 = shutil.which("sqlite3")
GOOD = PreCheck(battery_pct=95, free_gb=30, clock_offset_s=3, notice_given=True)


# --- how an attacker works ------------------------------------------------------------------------
def hand_edit(services: Services, sql: str) -> None:
    """Edit the register behind the program's back with the sqlite3 command (the program closed first)."""
    services.close()
    if SQLITE3:
        subprocess.run([SQLITE3, str(services.home.db_path)], input=sql, text=True, check=True)
    else:  # pragma: no cover - ./test installs sqlite3
        with sqlite3.connect(services.home.db_path) as con:
            con.executescript(sql)


def rewrite_witness_file(path: Path, db_path: Path) -> None:
    """Make the data folder's witness file agree with the log as it now is (the attacker can write there too)."""
    con = sqlite3.connect(db_path)
    lines = []
    for raw in path.read_bytes().splitlines():
        n, _digest, at = witness.parse_line(raw)
        row = con.execute("SELECT hash FROM audit_event WHERE id = ?", (n,)).fetchone()
        if row:
            lines.append(f"{n} {row[0]} {at}\n")
    con.close()
    path.write_text("".join(lines), "ascii")


def reopen(services: Services) -> Services:
    return Services(services.home, Identity.console("tester"))


def kinds(result: audit.VerifyResult) -> list[str]:
    return [p.kind for p in result.problems]


def last_line(path: Path) -> tuple[int, str, str]:
    return witness.parse_line(path.read_bytes().splitlines()[-1])


@pytest.fixture
def office(services):
    services.devices.add("JL-001", "bodycam", "执法一队", "2001")
    services.devices.add("JL-002", "bodycam", "执法一队", "2001")
    services.lending.issue("JL-001", "2001", GOOD)
    services.lending.give_back("JL-001", content="日常检查")
    return services


# --- the witness file -----------------------------------------------------------------------------
def test_every_committed_change_appends_the_head(office):
    path = office.home.witness_path
    lines = [witness.parse_line(raw) for raw in path.read_bytes().splitlines()]
    head = office.audit.head()
    assert (lines[-1][0], lines[-1][1]) == (head.n, head.hash)
    assert [n for n, _h, _at in lines] == sorted({n for n, _h, _at in lines})  # one line per change, in order
    assert len(lines) >= 6 and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", at) for _n, _h, at in lines)
    office.devices.list()  # reading adds nothing
    assert len(path.read_bytes().splitlines()) == len(lines)
    result = office.audit.verify()
    assert result.ok and not result.full and result.start.n == head.n and result.checked == 1
    [data] = result.sources
    assert data.place == "data" and data.reachable and data.newest.n == head.n and data.unreadable == 0


def test_untouched_register_passes_also_after_a_kill_between_commit_and_witness(office):
    """Killed after its commit, before its append: the file is one line behind the log, which proves nothing
    missing; the next change appends the newer head."""
    path = office.home.witness_path
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-1]))
    assert office.audit.verify().ok and office.audit.verify(full=True).ok
    office.devices.update("JL-002", notes="电池老化")
    assert last_line(path)[0] == office.audit.head().n
    assert office.audit.verify(full=True).ok


def test_a_line_torn_by_a_crash_is_passed_over_and_the_next_starts_afresh(office):
    path = office.home.witness_path
    with path.open("ab") as fh:
        fh.write(b"7 3f2a")  # the process died inside its write
    result = office.audit.verify(full=True)
    assert result.ok and result.sources[0].unreadable == 1
    office.devices.update("JL-002", notes="电池老化")
    assert last_line(path)[0] == office.audit.head().n
    assert office.audit.verify(full=True).ok


def test_a_line_written_late_by_another_program_is_checked_on_its_own(office):
    path = office.home.witness_path
    n, digest, at = witness.parse_line(path.read_bytes().splitlines()[2])
    with path.open("a") as fh:
        fh.write(f"{n} {digest} {at}\n")  # two programs committed at once; the older head was appended last
    assert office.audit.verify(full=True).ok
    with path.open("a") as fh:
        fh.write(f"{n - 1} {'e' * 64} {at}\n")
    result = office.audit.verify(full=True)
    assert kinds(result) == ["witness_differs"] and result.problems[0].witness.n == n - 1


def test_a_witness_that_cannot_be_written_loses_no_change(office):
    path = office.home.witness_path
    path.unlink()
    path.mkdir()  # nothing can be appended to it
    office.devices.update("JL-002", notes="电池老化")
    assert office.devices.get("JL-002").notes == "电池老化"  # committed
    assert office.ctx.witness_error and "audit-witness.log" in office.ctx.witness_error
    assert audit.head().n == AuditEvent.select().count()
    path.rmdir()
    office.devices.update("JL-002", notes="已更换电池")
    assert office.ctx.witness_error is None and last_line(path)[0] == office.audit.head().n
    assert office.audit.verify(full=True).ok


# --- the attacks of issue 13 ----------------------------------------------------------------------
def test_deleting_the_newest_clip_its_entries_and_its_file_is_found(services, case):
    clip = Clip.select().order_by(Clip.id.desc()).first()
    first = AuditEvent.select().where(AuditEvent.entity == "clip", AuditEvent.entity_id == clip.id).first().id
    later = [e.entity for e in AuditEvent.select().where(AuditEvent.id >= first)]
    assert set(later) == {"clip"}, later  # the newest transaction registered that clip only
    head = services.audit.head()
    file = services.ingest.archive_root() / clip.archive_path
    hand_edit(services, f"DELETE FROM clip WHERE id = {clip.id}; DELETE FROM audit_event WHERE id >= {first};")
    file.chmod(0o600)
    file.unlink()
    svc = reopen(services)
    result = svc.audit.verify()
    assert kinds(result) == ["witness_ahead"]  # the chain and the rows agree: only the witness shows the cut
    [problem] = result.problems
    assert problem.witness.n == head.n and problem.witness.hash == head.hash and problem.witness.place == "data"
    assert problem.last_entry == first - 1
    assert kinds(svc.audit.verify(full=True)) == ["witness_ahead"]
    text = describe_problem(problem)
    assert f"第 {first} 至 {head.n} 条" in text and "audit-witness.log" in text
    svc.close()


def test_deleting_the_newest_loan_is_found(office):
    loan = office.lending.issue("JL-002", "2001", GOOD)
    first = AuditEvent.select().where(AuditEvent.entity == "loan", AuditEvent.entity_id == loan.id).first().id
    device = [e for e in AuditEvent.select().where(AuditEvent.id >= first) if e.entity == "device"]
    assert len(device) == 1 and device[0].entity_id == 2
    status = office.devices.list()[1].status  # what the log said of the device before the issue
    hand_edit(
        office,
        f"DELETE FROM loan WHERE id = {loan.id}; DELETE FROM audit_event WHERE id >= {first};"
        " UPDATE device SET status = 'in_store' WHERE id = 2;",
    )
    assert status == "issued"
    svc = reopen(office)
    assert kinds(svc.audit.verify()) == ["witness_ahead"]
    svc.close()


def test_recomputing_the_chain_after_an_edit_is_found(office):
    target = AuditEvent.get(AuditEvent.entity == "device", AuditEvent.entity_id == 2)  # JL-002: its one entry
    after = target.after.replace('"status":"in_store"', '"status":"lost"')
    assert after != target.after
    witnessed = len(office.home.witness_path.read_bytes().splitlines())
    hand_edit(
        office,
        f"UPDATE device SET status = 'lost' WHERE id = {target.entity_id};"
        f" UPDATE audit_event SET after = '{after}' WHERE id = {target.id};",
    )
    assert kinds(reopen(office).audit.verify(full=True)) == ["chain_edited"]
    Services(office.home, Identity.console("tester")).close()
    recompute_chain(office.home.db_path, target.id)
    svc = reopen(office)
    result = svc.audit.verify(full=True)
    assert kinds(result) == ["witness_differs"]  # chain and rows agree again; the witness file does not
    [problem] = result.problems
    assert problem.witness.n == target.id and problem.witness.place == "data"  # the first line the rewrite changed
    quick = svc.audit.verify()  # from the newest witness that still matches: one before the edit
    assert kinds(quick) == ["witness_differs"] and quick.start.n < target.id
    assert len(svc.home.witness_path.read_bytes().splitlines()) == witnessed
    svc.close()


def test_a_chain_recomputed_with_its_witness_file_is_found_by_an_anchor_and_by_paper(office, tmp_path):
    usb = tmp_path / "usb"
    usb.mkdir()
    office.audit.set_anchor_places([usb])
    anchored = office.audit.anchor()
    printed = office.printing.audit_head_text().split(" ", 1)[1]  # "N:hhhh hhhh hhhh hhhh" from a page's footer
    paper = witness.parse_head(printed)
    target = AuditEvent.get(AuditEvent.entity == "device", AuditEvent.entity_id == 2)  # JL-002: its one entry
    after = target.after.replace('"status":"in_store"', '"status":"lost"')
    hand_edit(
        office,
        f"UPDATE device SET status = 'lost' WHERE id = {target.entity_id};"
        f" UPDATE audit_event SET after = '{after}' WHERE id = {target.id};",
    )
    recompute_chain(office.home.db_path, target.id)
    rewrite_witness_file(office.home.witness_path, office.home.db_path)
    svc = reopen(office)
    result = svc.audit.verify(heads=[paper])
    assert kinds(result) == ["witness_differs", "witness_differs"]
    anchor, typed = result.problems
    assert anchor.witness.place == "anchor" and anchor.witness.n == anchored.head.n
    assert anchor.witness.source == str(usb / witness.ANCHOR_FILE)
    assert typed.witness.place == "typed" and typed.witness.n == paper[0] and len(typed.witness.hash) == 16
    assert kinds(svc.audit.verify(full=True, heads=[paper])) == ["witness_differs", "witness_differs"]
    assert [s.place for s in result.sources] == ["data", "anchor", "typed"]
    svc.close()


def test_copying_an_older_register_back_is_found(office, tmp_path):
    office.close()  # the last connection checkpoints the WAL into avledger.db
    saved = tmp_path / "saved.db"
    shutil.copyfile(office.home.db_path, saved)
    svc = reopen(office)
    old = svc.audit.head()
    svc.devices.update("JL-002", notes="电池老化")
    svc.lending.issue("JL-002", "2001", GOOD)
    newest = svc.audit.head()
    svc.close()
    for leftover in ("avledger.db-wal", "avledger.db-shm"):
        (office.home.path / leftover).unlink(missing_ok=True)
    shutil.copyfile(saved, office.home.db_path)
    svc = reopen(office)
    result = svc.audit.verify()
    assert kinds(result) == ["witness_ahead"]
    assert result.problems[0].witness.n == newest.n and result.problems[0].last_entry == old.n
    svc.devices.update("JL-001", notes="换回后继续使用")  # the program goes on writing over the copied-back log
    assert set(kinds(svc.audit.verify())) == {"witness_differs", "witness_ahead"}
    svc.close()


def test_emptying_every_table_is_found(office):
    n = office.audit.head().n
    tables = [m._meta.table_name for m in AUDITED.values()] + ["audit_event"]
    hand_edit(office, "PRAGMA foreign_keys = OFF; " + " ".join(f'DELETE FROM "{t}";' for t in tables))
    svc = Services(office.home, Identity.console("tester"))
    result = svc.audit.verify()
    assert result.events == 0 and kinds(result) == ["log_empty"]
    assert result.problems[0].witness.n == n and result.problems[0].last_entry == 0
    assert f"{n} 条" in describe_problem(result.problems[0])
    svc.close()


# --- anchors and heads from paper -----------------------------------------------------------------
def test_anchor_appends_the_head_and_is_logged(office, tmp_path):
    usb = tmp_path / "usb"
    usb.mkdir()
    head = office.audit.head()
    result = office.audit.anchor(usb)
    file = usb / witness.ANCHOR_FILE
    assert result.head == head and result.written == [str(file)] and result.failed == []
    assert last_line(file)[:2] == (head.n, head.hash)
    entry = office.audit.list(limit=1, newest_first=True)[0]
    assert entry.action == "audit_anchor" and str(head) in entry.summary and str(file) in entry.summary
    assert office.audit.anchor(file).written == [str(file)]  # a witness file itself may be given
    assert len(file.read_bytes().splitlines()) == 2
    assert office.audit.verify().ok  # not set as a place: only what is set is read back
    office.audit.set_anchor_places([usb])
    result = office.audit.verify(full=True)
    assert result.ok and [s.place for s in result.sources] == ["data", "anchor"]
    assert result.sources[1].checked == 2 and result.sources[1].newest.n == head.n + 1


def test_anchor_places_are_set_outside_the_register_and_unplugged_ones_pass(office, tmp_path):
    usb, gone = tmp_path / "usb", tmp_path / "not-plugged-in"
    usb.mkdir()
    assert office.audit.set_anchor_places([str(usb), gone, usb]) == [usb, gone]
    assert "anchors" in office.home.config_path.read_text("utf-8")
    assert office.audit.list(limit=1, newest_first=True)[0].action == "audit_anchor_places"
    result = office.audit.anchor()
    assert result.written == [str(usb / witness.ANCHOR_FILE)]
    assert [(f.place, f.reason) for f in result.failed] == [(str(gone), "missing")]
    verified = office.audit.verify()
    assert verified.ok and [s.reachable for s in verified.sources] == [True, True, False]
    svc = reopen(office)  # another program on this PC reads the same places
    assert svc.audit.anchor_places() == [usb, gone]
    svc.close()


def test_anchor_refusals(office, tmp_path):
    with pytest.raises(UserError) as refused:
        office.audit.anchor()
    assert refused.value.code == "audit.no_anchor" and refused.value.field == "to"
    with pytest.raises(UserError) as refused:
        office.audit.anchor(tmp_path / "nowhere")
    assert refused.value.code == "audit.anchor_failed"
    assert not (tmp_path / "nowhere").exists()  # an unplugged stick's mount point is not created
    with pytest.raises(UserError) as refused:
        office.audit.set_anchor_places(["usb"])
    assert refused.value.code == "audit.anchor_relative"
    count = AuditEvent.select().count()
    hand_edit(office, f"DELETE FROM audit_event WHERE id = {count};")
    svc = reopen(office)
    usb = tmp_path / "usb"
    usb.mkdir()
    with pytest.raises(UserError) as refused:
        svc.audit.anchor(usb)  # an anchor must not vouch for a log that lost its end
    assert refused.value.code == "audit.anchor_contradicted" and list(usb.iterdir()) == []
    svc.close()


def test_heads_typed_from_paper(office):
    head = office.audit.head()
    assert witness.parse_head(f" {head.short} ") == (head.n, head.hash[:16])
    assert witness.parse_head(f"{head.n}：{head.hash.upper()}") == (head.n, head.hash)
    for wrong in ("12", "12:abc", f"0:{head.hash}", f"x:{head.hash}", f"12:{head.hash}0"):
        with pytest.raises(UserError) as refused:
            witness.parse_head(wrong)
        assert refused.value.code == "audit.head_invalid" and refused.value.field == "heads"
    assert office.audit.verify(heads=[(head.n, head.hash[:12])]).ok
    assert kinds(office.audit.verify(heads=[(head.n, "0" * 16)])) == ["witness_differs"]
    result = office.audit.verify(heads=[(head.n + 5, head.hash)])
    assert kinds(result) == ["witness_ahead"] and result.problems[0].witness.place == "typed"
    with pytest.raises(UserError):
        office.audit.verify(heads=[(head.n, "xyz")])


def test_the_printed_footer_carries_the_head(office, tmp_path):
    if shutil.which("pdftotext") is None:  # pragma: no cover - ./test installs poppler-utils
        pytest.skip("pdftotext")
    head = office.audit.head()
    pdf = office.printing.render_pdf("devices", out_path=tmp_path / "devices.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert f"审计 {head.short}" in text
    printed = re.search(r"审计 (\d+:[0-9a-f ]{19})", text)[1]
    assert office.audit.verify(heads=[witness.parse_head(printed)]).ok


def test_new_problems_are_worded_in_both_languages(office, tmp_path):
    w = witness.Witness(9, "ab" * 32, "2026-03-02T04:05:06Z", "anchor", "/media/usb/avledger-audit-witness.log")
    problems = [
        audit.Problem("witness_ahead", None, None, None, witness=w, last_entry=7),
        audit.Problem("log_empty", None, None, None, witness=w, last_entry=0),
        audit.Problem("witness_differs", 9, None, None, witness=witness.Witness(9, "ab" * 8)),
    ]
    zh = [describe_problem(p) for p in problems]
    assert "第 8 至 9 条" in zh[0] and "2026-03-02 04:05:06 UTC" in zh[0] and "/media/usb" in zh[0]
    assert "9 条" in zh[1] and "手工输入的审计头 9:abab" in zh[2]
    set_language("en")
    try:
        en = [describe_problem(p) for p in problems]
    finally:
        set_language("zh")
    assert "entries 8 to 9 are missing" in en[0] and "witnessed 9 entries" in en[1] and "Entry 9" in en[2]
    assert not any(re.search(r"[\u4e00-\u9fff]", text) for text in en)


def test_cli_anchor_and_verify_with_a_head_from_paper(office, tmp_path, cli):
    usb = tmp_path / "usb"
    usb.mkdir()
    printed = office.printing.audit_head_text().split(" ", 1)[1]
    office.close()
    anchored = cli("audit", "anchor", "--to", str(usb), "--remember", "--json")
    assert anchored.code == 0, anchored.err
    assert anchored.json()["written"] == [str(usb / witness.ANCHOR_FILE)]
    checked = cli("audit", "verify", "--head", printed, "--json")
    assert checked.code == 0, checked.out
    assert [s["place"] for s in checked.json()["sources"]] == ["data", "anchor", "typed"]
    assert cli("audit", "anchor").code == 0  # remembered: written there by default
    assert (usb / witness.ANCHOR_FILE).read_text().count("\n") == 2
    wrong = printed.split(":")[0] + ":" + "0" * 16
    refused = cli("audit", "verify", "--head", wrong)
    assert refused.code == 1 and "手工输入的审计头" in refused.out
    assert cli("audit", "verify", "--head", "12:xyz").code == 2


def test_cli_verify_names_the_record_and_its_fields_in_words(office, cli):
    """The audit check names a record as a person knows it and its fields by their labels (issue 18);
    ``--json`` keeps the ids and raw field names."""
    hand_edit(office, "UPDATE device SET model = 'X9', status = 'lost' WHERE asset_no = 'JL-002';")
    checked = cli("audit", "verify")
    assert checked.code == 1, checked.err
    line = next(x for x in checked.out.splitlines() if "JL-002" in x)
    assert "设备 JL-002" in line and "字段：型号、状态" in line
    assert "device#" not in checked.out and "model" not in checked.out
    english = cli("audit", "verify", lang="en")
    assert "model, status" in english.out.lower() and "JL-002" in english.out
    [problem] = cli("audit", "verify", "--json").json()["problems"]
    assert problem["entity"] == "device" and problem["fields"] == ["model", "status"]
    assert isinstance(problem["entity_id"], int)
