"""Registers listed from SQL (avledger.services.listing and .search): the rows are the register's, pages follow
each other without a gap or a repeat, the filter finds substrings in any script, the counts are the rows', and
the JSON SQLite writes is the JSON ``json.dumps`` wrote before (tests/test_cli_json.py checks the commands)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from avledger.cli.output import json_text
from avledger.home import Home
from avledger.identity import Identity
from avledger.models.schema import (
    AccessRequest,
    Activity,
    ActivityOfficer,
    AuditEvent,
    Clip,
    Device,
    Loan,
    Staff,
    Viewing,
)
from avledger.services import Services, listing
from avledger.services.access import AccessQuery
from avledger.services.activities import ActivityQuery
from avledger.services.auditlog import AuditQuery
from avledger.services.footage import CLIP_ROWS, FootageQuery
from avledger.services.lending import LoanQuery
from avledger.services.register import DeviceQuery, StaffQuery
from avledger.services.search import day_range, like, trigrams
from avledger.services.views import to_json

# Floats that Python and SQLite print differently, and text that JSON escapes.
AWKWARD_FLOATS = (0.1 + 0.2, 1e16, 1.5e-7, 123456789.12345678, 12.345678901234567, 100.0)
AWKWARD_TEXT = '引号"反斜杠\\换行\n制表\t响铃\x07删除\x7f ☃ \u2028'


def written(write) -> str:
    out = io.BytesIO()
    write(out)
    return out.getvalue().decode("utf-8")


def dumped(rows, extra=lambda r: {}) -> str:
    """What the CLI printed before the listings were streamed: emit_json of the rows' to_json (text a terminal
    would act on written as JSON escapes)."""
    return json_text([to_json(r) | extra(r) for r in rows], indent=2) + "\n"


@pytest.fixture
def awkward(demo):
    """The demo office with the values that JSON and paging have to get right: floats SQLite prints its own
    way, control characters and quotes, a clip whose time is unknown, a viewing request over clips with a
    viewing of it, an activity with three officers."""
    clips = list(Clip.select().order_by(Clip.id))
    for clip, value in zip(clips, AWKWARD_FLOATS):
        Clip.update(duration_s=value, late_reason=AWKWARD_TEXT if clip.late else None).where(
            Clip.id == clip.id
        ).execute()
    Clip.update(start_at=None, flags="corrupt,,x").where(Clip.id == clips[-1].id).execute()
    loans = list(Loan.select().order_by(Loan.id))
    for loan, value in zip(loans, AWKWARD_FLOATS[len(clips) :] + AWKWARD_FLOATS):
        Loan.update(free_gb=value, purpose=AWKWARD_TEXT).where(Loan.id == loan.id).execute()
    activity = Activity.select().order_by(Activity.id).first()
    Activity.update(title=AWKWARD_TEXT, party="当事人\\").where(Activity.id == activity.id).execute()
    for number in ("2003", "2001"):
        staff = Staff.get(Staff.number == number)
        if (
            not ActivityOfficer.select()
            .where((ActivityOfficer.activity == activity) & (ActivityOfficer.staff == staff))
            .exists()
        ):
            ActivityOfficer.create(activity=activity, staff=staff)
    request = demo.access.request("1001", "复核", clips=[c.id for c in clips[:3]], kind="copy")
    AccessRequest.update(reason=AWKWARD_TEXT).where(AccessRequest.id == request.id).execute()  # as an old register
    demo.access.approve(request.id, "1002", paper_form="审-1")
    demo.access.request("1001", "复核", activity=clips[0].activity_id)
    opened = demo.access.view_clips(request.id)
    Viewing.update(duration_s=12.345678901234567).where(Viewing.id == opened.viewing.id).execute()
    return demo


def test_every_listing_writes_the_json_the_cli_printed(awkward):
    s = awkward
    cases = [
        (lambda out: s.footage.write_json(FootageQuery(), out), s.footage.list(), None),
        (lambda out: s.footage.write_json(FootageQuery(late=True), out), s.footage.list(late=True), None),
        (
            lambda out: s.activities.write_json(ActivityQuery(), out),
            s.activities.list(),
            lambda r: {"missing_record": r.missing_record},
        ),
        (lambda out: s.lending.write_json(LoanQuery(), out), s.lending.list(), None),
        (lambda out: s.lending.write_json(LoanQuery(open_only=True), out), s.lending.list(open_only=True), None),
        (lambda out: s.staff.write_json(StaffQuery(), out), s.staff.list(), None),
        (lambda out: s.devices.write_json(DeviceQuery(), out), s.devices.list(), None),
        (lambda out: s.gaps.write_json(out), s.gaps.list(), None),
        (lambda out: s.norecords.write_json(out), s.norecords.list(), None),
        (lambda out: s.access.write_json(AccessQuery(), out), s.access.list(), lambda r: {"on_paper": r.on_paper}),
        (lambda out: s.access.write_viewings_json(out), s.access.viewings(), None),
        (lambda out: s.audit.write_json(AuditQuery(), out), s.audit.list(), None),
    ]
    for write, rows, extra in cases:
        assert rows, write
        assert written(write) == dumped(rows, extra or (lambda r: {}))
    # and an empty listing
    assert written(lambda out: s.footage.write_json(FootageQuery(activity=1, late=True, unassigned=True), out)) == (
        "[]\n"
    )
    floats = {c.duration_s for c in s.footage.list()} | {loan.free_gb for loan in s.lending.list()}
    assert set(AWKWARD_FLOATS) <= floats  # the awkward values are in what was compared


def test_rows_hold_what_the_register_holds(awkward):
    s = awkward
    for view in s.footage.list():
        clip = Clip.get_by_id(view.id)
        activity = Activity.get_or_none(Activity.id == clip.activity_id)
        device = Device.get_or_none(Device.id == clip.device_id)
        holder = Staff.get_or_none(Staff.id == clip.holder_id)
        assert (view.original_name, view.start_at, view.duration_s, view.late, view.late_reason) == (
            clip.original_name,
            clip.start_at,
            clip.duration_s,
            clip.late,
            clip.late_reason,
        )
        assert view.flags == tuple(f for f in clip.flags.split(",") if f)
        assert view.activity == ((activity.case_no or activity.title) if activity else None)
        assert view.asset_no == (device.asset_no if device else None)
        assert (view.holder, view.holder_number) == ((holder.name, holder.number) if holder else (None, None))
    now = s.ctx.clock()
    assert s.lending.list() == [
        s.lending._view(loan, now) for loan in s.lending._query().order_by(Loan.start_at.desc(), Loan.id.desc())
    ]
    for view in s.activities.list():
        links = ActivityOfficer.select().where(ActivityOfficer.activity == view.id).order_by(ActivityOfficer.id)
        assert view.officers == tuple(link.staff.number for link in links)
        assert view.officer_names == tuple(link.staff.name for link in links)
        assert view.clips == Clip.select().where(Clip.activity == view.id).count()
    for view in s.access.list():
        request = AccessRequest.get_by_id(view.id)
        assert view.clip_ids == tuple(link.clip_id for link in request.clips.order_by(AccessClipId()))
        assert view.viewings == request.viewings.count()
    for view in s.devices.list():
        device = Device.get(Device.asset_no == view.asset_no)
        assert view.price_yuan == (None if device.price_fen is None else f"{device.price_fen / 100:.2f}")
        assert (view.holder, view.holder_number) == (s.devices.holder_of(device) or (None, None))


def AccessClipId():  # noqa: N802 - the order of a request's clips, as fixed when it was made
    from avledger.models.schema import AccessClip

    return AccessClip.id


def walk(page, limit: int) -> list:
    """Every row, a page of ``limit`` at a time, each page starting after the last row of the one before."""
    rows, after = [], None
    while True:
        got = page(after, limit)
        assert len(got.rows) <= limit
        rows.extend(got.rows)
        if got.after is None:
            return rows
        assert len(got.rows) == limit
        after = got.after


def test_pages_follow_each_other_to_the_end(awkward):
    s = awkward
    listings = [
        (lambda a, n: s.footage.page(FootageQuery(newest_first=True), a, n), list(reversed(s.footage.list()))),
        (lambda a, n: s.footage.page(FootageQuery(), a, n), s.footage.list()),
        (lambda a, n: s.activities.page(ActivityQuery(), a, n), s.activities.list()),
        (lambda a, n: s.lending.page(LoanQuery(), a, n), s.lending.list()),
        (lambda a, n: s.lending.page(LoanQuery(open_only=True), a, n), s.lending.list(open_only=True)),
        (lambda a, n: s.audit.page(AuditQuery(newest_first=True), a, n), s.audit.list(newest_first=True)),
        (lambda a, n: s.audit.page(AuditQuery(), a, n), s.audit.list()),
        (lambda a, n: s.staff.page(StaffQuery(), a, n), s.staff.list()),
        (lambda a, n: s.devices.page(DeviceQuery(), a, n), s.devices.list()),
        (lambda a, n: s.access.page(AccessQuery(waiting_first=True), a, n), None),
        (lambda a, n: s.access.page_viewings(None, a, n), s.access.viewings()),
    ]
    assert s.footage.list()[0].start_at is None  # a clip whose time is unknown comes first, oldest first
    for page, expected in listings:
        everything = walk(page, 10_000)
        if expected is not None:
            assert everything == expected
        for limit in (1, 2, 3):
            assert walk(page, limit) == everything
    waiting = walk(lambda a, n: s.access.page(AccessQuery(waiting_first=True), a, n), 1)
    assert [r.status for r in waiting] == sorted((r.status for r in waiting), key=lambda x: x != "requested")


@pytest.fixture
def synth(synth_copy):
    # the OS user is the synthetic office's manager: sees everything
    svc = Services(Home(synth_copy), Identity.of_process())
    yield svc
    svc.close()


def clip_text(s: Services) -> dict[int, str]:
    """Each clip's text as the footage filter searches it: name, activity (title, case, party, place, officers),
    device, holder."""
    activities = {a.id: a for a in s.activities.list()}
    text = {}
    for c in s.footage.list():
        a = activities.get(c.activity_id)
        fields = [c.original_name, c.asset_no, c.holder, c.holder_number]
        if a is not None:
            fields += [a.title, a.case_name, a.case_no, a.party, a.place, *a.officer_names, *a.officers]
        text[c.id] = "\n".join(f or "" for f in fields)
    return text


def test_words_find_substrings_in_chinese_and_every_word_must_match(synth):
    s = synth
    text = clip_text(s)
    activity = next(a for a in s.activities.list() if a.case_no and a.party)
    officer = next(name for a in s.activities.list() for name in a.officer_names if len(name) >= 3)
    words = [
        officer[:2],  # two characters: matched without the index
        officer[1:],  # the middle and end of a name
        activity.party[3:8],  # five characters inside a party's name: through the index
        activity.case_no[-6:],  # part of a case number, 〔2025〕123号
        "MP4",  # part of a file name, any case
        "_000",  # LIKE's wildcard is a character like any other
        f"{activity.officer_names[0][:2]} {activity.party[3:8]}",  # both words: the party's and its officer's
    ]
    for typed in words:
        expected = sorted(
            (i for i, t in text.items() if all(w.casefold() in t.casefold() for w in typed.split())), reverse=True
        )
        query = FootageQuery(text=typed, newest_first=True)
        found = [c.id for c in walk(lambda a, n, q=query: s.footage.page(q, a, n), 75)]
        assert sorted(found, reverse=True) == expected, typed
        assert s.footage.count(query) == len(expected), typed
        assert expected, typed  # each word finds something in the synthetic office


def test_a_filtered_page_reads_the_order_first_then_the_index(synth):
    """A filter that matches rarely fills a page past the first window of the order: the rows found in the
    window and those the full-text index finds after it follow each other as one listing."""
    s = synth
    activity = next(a for a in s.activities.list() if a.party)
    officer = next(name for a in s.activities.list() for name in a.officer_names)
    for typed in (activity.party[3:8], "VID", officer[:2], "MP4 0002"):
        query = FootageQuery(text=typed, newest_first=True)
        everything = list(s.footage.rows(query))
        for probe in (1, 7, 150):

            def page(after, n, q=query, probe=probe):
                return listing.page(s.ctx.db, CLIP_ROWS, s.footage._select(q), after, n, probe=probe)

            assert walk(page, 20) == everything, (typed, probe)

            # quick pages stop after the window: a short page goes on from the last row it read
            rows, after, short = [], None, 0
            while True:
                got = listing.page(s.ctx.db, CLIP_ROWS, s.footage._select(query), after, 20, probe=probe, quick=True)
                rows.extend(got.rows)
                short += len(got.rows) < 20 and got.after is not None
                if got.after is None:
                    break
                after = got.after
            assert rows == everything, (typed, probe)
            if probe == 1:
                assert short  # the small window did leave pages short


def test_counts_are_the_rows(synth):
    s = synth
    assert s.footage.count() == len(s.footage.list())
    assert s.footage.count(FootageQuery(late=True)) == len(s.footage.list(late=True))
    waiting = [c for c in s.footage.list(late=True) if not c.late_reason]
    assert s.footage.count(FootageQuery(waiting_reason=True)) == len(waiting) > 0
    assert s.activities.count() == len(s.activities.list())
    missing = [a for a in s.activities.list() if a.missing_record]
    assert s.activities.count_missing_records() == len(missing)
    assert s.lending.count(LoanQuery()) == len(s.lending.list())
    assert s.lending.count(LoanQuery(overdue=True)) == len(s.lending.list(overdue=True)) > 0
    assert s.audit.count() == AuditEvent.select().count()


def test_dates_labels_and_numbers_are_words_too(synth):
    s = synth
    tz = s.office.profile().tz
    clips = s.footage.list()
    some = clips[len(clips) // 2]
    day = some.start_at.replace(tzinfo=None)
    from avledger.timeutil import to_local

    local = to_local(day, tz).date().isoformat()
    found = list(s.footage.rows(FootageQuery(text=local)))
    assert some in found and all(to_local(c.start_at, tz).date().isoformat() == local for c in found)
    assert [c.id for c in s.footage.rows(FootageQuery(text=f"#{some.id}"))] == [some.id]
    late_words = list(s.footage.rows(FootageQuery(text="逾期待说明")))
    assert late_words and all(c.late and not c.late_reason for c in late_words)
    start, end = day_range("2025-02", tz)
    assert (end - start).days == 28
    assert day_range("2025-13", tz) is None and day_range("报告", tz) is None


def test_the_text_indexes_keep_in_step_with_the_register(services):
    """Triggers keep the full-text indexes in step, whoever writes: the services, or sqlite3 by hand."""
    s = services
    db = s.ctx.db

    def rowids(table: str, word: str) -> set[int]:
        if table == "audit_text":
            return {
                r[0] for r in db.execute_sql("SELECT rowid FROM audit_text WHERE audit_text MATCH ?", (trigrams(word),))
            }
        return {r[0] for r in db.execute_sql(f"SELECT rowid FROM {table} WHERE {table} MATCH ?", (f'"{word}"',))}

    a = s.activities.add(
        "inspection", "夜市食品安全检查", "2026-01-05 19:00", officers=["2001"], party="示例市某某商行"
    )
    assert rowids("activity_text", "食品安全") == {a.id}
    assert rowids("activity_text", "张伟 2001") == {a.id}  # its officer's name and number
    s.staff.update("2001", name="张伟强")
    assert rowids("activity_text", "伟强 2001") == {a.id}
    assert rowids("activity_text", "某某商行") == {a.id}
    db.execute_sql("UPDATE activity SET party = '另一家公司' WHERE id = ?", (a.id,))  # by hand
    assert rowids("activity_text", "某某商行") == set() and rowids("activity_text", "另一家") == {a.id}
    assert rowids("audit_text", "夜市食品") <= {e.id for e in AuditEvent.select()}
    entry = max(rowids("audit_text", "夜市食品"))
    db.execute_sql("DELETE FROM audit_event WHERE id = ?", (entry,))
    assert entry not in rowids("audit_text", "夜市食品")
    db.execute_sql(
        "INSERT INTO clip (original_name, source_path, archive_path, size, sha256, kind, time_source, ingested_at)"
        " VALUES ('现场录像_甲.mp4', 'x', 'a/现场录像_甲.mp4', 1, 'f00', 'video', 'file', '2026-01-01 00:00:00')"
    )
    (clip_id,) = db.execute_sql("SELECT id FROM clip WHERE sha256 = 'f00'").fetchone()
    assert rowids("clip_text", "现场录像") == {clip_id}
    db.execute_sql("UPDATE clip SET original_name = 'VID_0001.MP4' WHERE id = ?", (clip_id,))
    assert rowids("clip_text", "现场录像") == set() and rowids("clip_text", "vid_0") == {clip_id}
    db.execute_sql("DELETE FROM clip WHERE id = ?", (clip_id,))
    assert rowids("clip_text", "VID_0") == set()


def test_like_patterns_escape_their_wildcards():
    assert like("50%_a\\b") == "%50\\%\\_a\\\\b%"
    assert re.fullmatch(r'"ab"( AND "..."){0}', trigrams("abc")) is None
    assert trigrams("abcd") == '"abc" AND "bcd"'


def test_an_old_register_gets_its_text_indexes(tmp_path):
    """A register from before migration 6 has its clip names, activities and audit log searchable after it."""
    from peewee import SqliteDatabase

    from avledger.models.db import migrate

    path = tmp_path / "old.db"
    db = SqliteDatabase(str(path))
    db.connect()
    migrate(db, target=5)
    db.execute_sql("INSERT INTO department (name, alloc_class) VALUES ('一队', 'A')")
    db.execute_sql("INSERT INTO staff (name, number, department_id, cert_no) VALUES ('欧阳娜娜', '2001', 1, 'C1')")
    db.execute_sql(
        "INSERT INTO activity (kind, title, start_at, created_at, party)"
        " VALUES ('inspection', '日常检查', '2026-01-01 01:00:00', '2026-01-01 01:00:00', '甲乙丙商行')"
    )
    db.execute_sql("INSERT INTO activity_officer (activity_id, staff_id) VALUES (1, 1)")
    db.execute_sql(
        "INSERT INTO clip (original_name, source_path, archive_path, size, sha256, kind, time_source, ingested_at)"
        " VALUES ('VID_20260101.MP4', 'x', 'a', 1, 'f', 'video', 'file', '2026-01-01 02:00:00')"
    )
    db.execute_sql(
        "INSERT INTO audit_event (at, actor, action, entity, summary, prev_hash, hash)"
        " VALUES ('2026-01-01 01:00:00', '王建国', 'create', 'activity', '日常检查 甲乙丙商行', '', 'h')"
    )
    migrate(db)
    assert db.execute_sql("SELECT rowid FROM activity_text WHERE activity_text MATCH '\"阳娜娜\"'").fetchall() == [(1,)]
    assert db.execute_sql("SELECT rowid FROM clip_text WHERE clip_text MATCH '\"0260101\"'").fetchall() == [(1,)]
    assert db.execute_sql(
        "SELECT rowid FROM audit_text WHERE audit_text MATCH ?", (trigrams("甲乙丙"),)
    ).fetchall() == [(1,)]
    db.close()


def test_the_listing_module_is_told_its_rows_fields(tmp_path: Path):
    """A listing's columns name the row's fields in order: a wrong one is refused when the module loads."""
    from avledger.services.footage import ClipView
    from avledger.services.listing import Column, Rows

    with pytest.raises(ValueError):
        Rows(ClipView, [Column("id", "c.id")])


def test_confidential_activities_are_left_out_for_those_not_cleared(synth_copy):
    """The listings leave out confidential activities and their footage for someone not cleared (F17), in SQL,
    as the lists did in Python: an officer sees the activities they were on. (The owner account mapped to
    nobody is the administrator, who sees everything; an SSH key mapped to nobody opens nothing.)"""
    manager = Services(Home(synth_copy), Identity.of_process())
    try:
        confidential = {a.id for a in manager.activities.list() if a.confidential}
        everything = manager.footage.list()
        activities = manager.activities.list()
        gaps = manager.gaps.list()
        officer = next(a.officers[0] for a in activities if a.confidential)
        mine = {a.id for a in activities if officer in a.officers}
        manager.staff.update(officer, os_user="officer-login")
    finally:
        manager.close()
    assert confidential and everything and gaps
    for login, cleared in (("officer-login", mine & confidential),):
        hidden = confidential - cleared
        svc = Services(Home(synth_copy), Identity.console(login))
        try:
            assert svc.footage.list() == [c for c in everything if c.activity_id not in hidden]
            assert svc.footage.count() == len(svc.footage.list())
            assert svc.activities.list() == [a for a in activities if a.id not in hidden]
            assert svc.gaps.list() == [g for g in gaps if g.activity_id not in hidden]
            page = svc.footage.page(FootageQuery(newest_first=True), limit=10_000).rows
            assert not any(c.activity_id in hidden for c in page)
        finally:
            svc.close()


def test_a_plain_table_prints_each_block_before_reading_the_next(capsys, monkeypatch):
    """``footage list`` over a million clips holds one block of rows, not the listing: the first block is out
    before the second is read, and a wider row later widens its column from its block on."""
    from avledger.cli import output

    monkeypatch.setattr(output, "TABLE_BLOCK", 3)
    seen_before_block_2: list[str] = []

    def rows():
        for i in range(1, 7):
            if i == 4:
                seen_before_block_2.extend(capsys.readouterr().out.splitlines())
            yield [i, "x" * (12 if i == 5 else 1)]

    output.table(["#", "name"], rows())
    rest = capsys.readouterr().out.splitlines()
    assert seen_before_block_2 == ["#  name", "-  ----", "1  x", "2  x", "3  x"]
    assert rest == ["4  x", "5  xxxxxxxxxxxx", "6  x"]


def test_an_empty_plain_table_says_so(capsys):
    from avledger.cli import output

    output.table(["#", "name"], iter(()))
    assert capsys.readouterr().out.splitlines() == ["#  name", "-  ----", "（无）"]


def test_a_list_in_json_is_written_a_block_at_a_time_and_reads_as_emit_json_would(capsys, monkeypatch):
    """``dispose plan --json`` of six hundred thousand files streams them: the first block is out before the
    next is read, and the whole reads back as the object emit_json prints (empty list included)."""
    from avledger.cli import output

    monkeypatch.setattr(output, "TABLE_BLOCK", 2)
    head = {"id": 7, "note": "清除\u202e", "files": 5}
    out_before_block_2: list[str] = []

    def items():
        for i in range(5):
            if i == 2:
                out_before_block_2.append(capsys.readouterr().out)
            yield {"clip": i, "name": f"VID_{i}.MP4"}

    output.emit_json_with_list(head, "items", items())
    whole = out_before_block_2[0] + capsys.readouterr().out
    assert '"clip": 1' in out_before_block_2[0] and '"clip": 2' not in out_before_block_2[0]
    assert json.loads(whole) == {**head, "items": [{"clip": i, "name": f"VID_{i}.MP4"} for i in range(5)]}
    assert "\u202e" not in whole  # escaped, as emit_json does
    output.emit_json_with_list(head, "items", iter(()))
    assert json.loads(capsys.readouterr().out) == {**head, "items": []}
    output.emit_json_with_list({}, "items", iter([1]))
    assert json.loads(capsys.readouterr().out) == {"items": [1]}
