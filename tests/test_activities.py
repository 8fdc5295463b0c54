"""Enforcement activities and cases, not-recorded work records (issue 4: F06, F10)."""

from __future__ import annotations

import datetime as dt

import pytest

from avledger.errors import UserError
from avledger.models.schema import Activity, AuditEvent, NoRecord
from conftest import fixed_clock


@pytest.fixture
def office(services):
    services.ctx.clock = fixed_clock("2026-01-11 02:00:00")
    services.staff.add("刘洋", "2002", "执法一队", cert_no="C2002", roles=["officer"])
    services.staff.add("李局", "3001", "执法一队", roles=["leader"])
    return services


def refused(fn, *args, code: str, field: str | None, **kwargs):
    """``fn`` refuses with ``code``, naming ``field`` (the parameter that held the bad value), and changes nothing."""
    before = AuditEvent.select().count()
    with pytest.raises(UserError) as info:
        fn(*args, **kwargs)
    assert (info.value.code, info.value.field) == (code, field), info.value.render()
    assert AuditEvent.select().count() == before
    return info.value


def add_inspection(office, **kwargs):
    defaults = dict(
        end="2026-01-10 11:00",
        officers=["2001", "2002"],
        case_no="万发改罚〔2026〕1号",
        party="某加油站",
        place="万州区某路1号",
    )
    defaults.update(kwargs)
    return office.activities.add("inspection", "加油站安全检查", "2026-01-10 09:00", **defaults)


def test_add_activity_local_times_stored_utc(office):
    view = add_inspection(office)
    assert view.start_at == dt.datetime(2026, 1, 10, 1, 0)
    assert view.end_at == dt.datetime(2026, 1, 10, 3, 0)
    assert view.officers == ("2001", "2002")
    assert view.department == "执法一队"
    assert view.full_record  # wanzhou: inspections are recorded in full (W7)
    assert view.missing_record  # ... and it has neither footage nor a work record yet
    assert view.status == "open"
    assert office.audit.verify().ok


def test_full_record_follows_profile_and_circumstances(office):
    complaint = office.activities.add("complaint", "投诉处置", "2026-01-10 09:00", officers=["2001"])
    assert not complaint.full_record  # not in wanzhou's list of kinds
    freedom = office.activities.add(
        "complaint", "投诉处置", "2026-01-10 09:00", officers=["2001"], circumstances=["personal_freedom"]
    )
    assert freedom.full_record
    marked = office.activities.add(
        "other",
        "其他",
        "2026-01-10 09:00",
        officers=["2001"],
        full_record=True,
        long_term=["objection"],
        confidential=True,
    )
    assert marked.full_record and marked.confidential and marked.long_term == ("objection",)


def test_activity_refusals(office):
    refused(
        office.activities.add,
        "inspection",
        "检查",
        "2026-01-10 09:00",
        end="2026-01-10 08:00",
        officers=["2001"],
        code="input.end_before_start",
        field="end",
    )
    add = office.activities.add
    refused(
        add, "inspection", "检查", "2026-01-10 09:00", officers=["1001"], code="staff.not_officer", field="officers"
    )
    refused(add, "inspection", "检查", "2026-01-10 09:00", officers=["9999"], code="staff.unknown", field="officers")
    refused(add, "inspection", "检查", "2026-01-10 09:00", officers=[], code="input.empty", field="officers")
    refused(add, "patrol", "检查", "2026-01-10 09:00", officers=["2001"], code="input.bad_choice", field="kind")
    refused(add, "inspection", " ", "2026-01-10 09:00", officers=["2001"], code="input.empty", field="title")
    refused(add, "inspection", "检查", "", officers=["2001"], code="input.empty", field="start")
    refused(add, "inspection", "检查", "1月10日", officers=["2001"], code="input.bad_datetime", field="start")
    refused(add, "inspection", "检查", "2026-02-10 09:00", officers=["2001"], code="input.future", field="start")
    refused(
        add,
        "inspection",
        "检查",
        "2026-01-10 09:00",
        officers=["2001"],
        long_term=["forever"],
        code="input.bad_choice",
        field="long_term",
    )
    office.staff.update("2002", active=False)
    refused(add, "inspection", "检查", "2026-01-10 09:00", officers=["2002"], code="staff.left", field="officers")
    assert Activity.select().count() == 0


def test_close_case(office):
    view = add_inspection(office)
    refused(office.activities.close, view.id, at="2026-01-09", code="input.before_previous", field="at")
    refused(office.activities.close, view.id, at="2026-03-01", code="input.future", field="at")
    refused(office.activities.close, view.id, at="2026-01-32", code="input.bad_date", field="at")
    refused(office.activities.close, 999, code="activity.unknown", field="activity_id")
    closed = office.activities.close(view.id, at="2026-01-11")
    assert closed.status == "closed" and closed.closed_at == dt.date(2026, 1, 11)
    error = refused(office.activities.close, view.id, code="activity.closed", field="activity_id")
    assert error.params["date"] == "2026-01-11"
    assert office.audit.verify().ok


def test_norecord_needs_signers_and_leader(office):
    view = add_inspection(office)
    add = office.norecords.add
    refused(
        add,
        view.id,
        "dark_no_infrared",
        "地下室无红外设备",
        ["2001", "2002"],
        "3001",
        code="input.bad_choice",
        field="reason",
    )  # not a wanzhou reason
    error = refused(
        add, view.id, "device_fault", "设备故障", ["2001"], "3001", code="norecord.too_few_signers", field="signers"
    )
    assert error.params["n"] == 2
    refused(
        add, view.id, "device_fault", "设备故障", ["2001", "1001"], "3001", code="staff.not_officer", field="signers"
    )
    refused(
        add,
        view.id,
        "device_fault",
        "设备故障",
        ["2001", "2002"],
        "1001",
        code="norecord.bad_recipient",
        field="reported_to",
    )
    refused(
        add, view.id, "device_fault", "设备故障", ["2001", "2002"], "9999", code="staff.unknown", field="reported_to"
    )
    refused(add, view.id, "device_fault", " ", ["2001", "2002"], "3001", code="input.empty", field="basis")
    refused(
        add, 999, "device_fault", "设备故障", ["2001", "2002"], "3001", code="activity.unknown", field="activity_id"
    )
    refused(
        add,
        view.id,
        "device_fault",
        "设备故障",
        ["2001", "2002"],
        "3001",
        at="2026-02-01 09:00",
        code="input.future",
        field="at",
    )
    record = office.norecords.add(view.id, "device_fault", "记录仪故障无法开机", ["2001", "2002"], "3001")
    assert record.signers == ("2001", "2002") and record.reported_to == "3001"
    assert NoRecord.select().count() == 1
    assert not office.activities.view(view.id).missing_record
    assert office.audit.verify().ok


def test_activity_cli(cli, services):
    services.staff.add("李局", "3001", "执法一队", roles=["leader"])
    services.close()
    before = cli("audit", "list", "--json").json()
    bad = cli(
        "activity",
        "add",
        "--kind",
        "inspection",
        "--title",
        "检查",
        "--start",
        "2026-01-10 09:00",
        "--end",
        "2026-01-10 08:00",
        "--officer",
        "2001",
    )
    assert bad.code == 2 and "结束时间" in bad.err
    bad = cli(
        "activity",
        "add",
        "--kind",
        "inspection",
        "--title",
        "检查",
        "--start",
        "2026-01-10 09:00",
        "--officer",
        "1001",
        lang="en",
    )
    assert bad.code == 2 and "certificate" in bad.err
    assert cli("audit", "list", "--json").json() == before
    ok = cli(
        "activity",
        "add",
        "--kind",
        "investigation",
        "--title",
        "调查取证",
        "--start",
        "2026-01-10 09:00",
        "--end",
        "2026-01-10 10:00",
        "--officer",
        "2001",
        "--case-no",
        "案-1",
        "--party",
        "某公司",
        "--long-term",
        "objection",
        "--json",
    )
    assert ok.code == 0, ok.err
    activity_id = ok.json()["id"]
    listed = cli("activity", "list", "--json").json()
    assert [a["id"] for a in listed] == [activity_id] and listed[0]["missing_record"] is True
    assert "调查取证" in cli("activity", "list").out
    bad = cli(
        "norecord",
        "add",
        "--activity",
        str(activity_id),
        "--reason",
        "device_fault",
        "--basis",
        "故障",
        "--signed-by",
        "2001",
        "--reported-to",
        "3001",
    )
    assert bad.code == 2
    closed = cli("activity", "close", str(activity_id), "--at", "2026-01-12")
    assert closed.code == 0, closed.err
    assert cli("activity", "list", "--json").json()[0]["status"] == "closed"
    assert cli("audit", "verify").code == 0


def test_register_created_before_the_new_rules_reads_defaults(services):
    """A profile stored before issue 4 lacks the new keys: it still loads, with defaults."""
    import json

    from avledger.models.schema import Office
    from avledger.profile import Profile

    data = json.loads(Office.get_by_id(1).profile)
    del data["ingest"]["deadline_from"], data["ingest"]["gap_reasons"], data["norecord"]["report_role"]
    profile = Profile(data)
    assert profile.get("ingest.deadline_from") == "return"
    assert profile.get("norecord.report_role") == "leader"
    assert "battery" in profile.get("ingest.gap_reasons")


def test_a_start_typed_without_its_time_is_refused_not_taken_for_midnight(services):
    """The start sets the 24-hour deadline of the footage (F06): a silent 00:00 would move it by up to a day."""
    from avledger.timeutil import parse_local_datetime
    from conftest import refusal

    tz = services.office.profile().tz
    assert refusal(parse_local_datetime, "2026-11-27", tz, field="start") == ("input.time_missing", "start")
    assert refusal(parse_local_datetime, "2026-11-27 25:00", tz, field="start") == ("input.bad_datetime", "start")
    assert parse_local_datetime("2026-11-27 09:30", tz).hour == 1  # Asia/Shanghai is UTC+8


def test_a_picker_offers_the_newest_activities_only_and_names_those_asked_for(office):
    """A tenth year holds tens of thousands of activities: a picker gets the newest (SQL, limited), and a plan
    names only the activities it holds."""
    for day in range(1, 6):
        office.activities.add("inspection", f"检查{day}", f"2026-01-0{day} 09:00", officers=["2001"])
    every = office.activities.list()
    assert len(every) == 5
    assert [a.id for a in office.activities.recent(3)] == [a.id for a in every[:3]]  # newest first, three
    assert len(office.activities.recent()) == 5
    names = office.activities.names([every[0].id, every[-1].id, None])
    assert names == {every[0].id: every[0].title, every[-1].id: every[-1].title}


def test_edit_activity_fills_in_and_logs_who_and_why(office):
    """Issue 15: a missing end time filled in later, place, party, case and officers changed, each logged."""
    view = add_inspection(office, end=None)
    assert view.end_at is None
    kwargs = dict(why="补录结束时间")
    refused(office.activities.edit, view.id, code="activity.unchanged", field="activity_id", **kwargs)
    refused(
        office.activities.edit, view.id, end="2026-01-10 08:00", code="input.end_before_start", field="end", **kwargs
    )
    refused(office.activities.edit, view.id, end="2026-01-10 12:00", why=" ", code="input.empty", field="why")
    refused(office.activities.edit, view.id, officers=["1001"], code="staff.not_officer", field="officers", **kwargs)
    refused(office.activities.edit, 999, place="某处", code="activity.unknown", field="activity_id", **kwargs)
    done = office.activities.edit(
        view.id, end="2026-01-10 12:00", place="万州区某路2号", case_name="某加油站安全隐患案", **kwargs
    )
    assert done.end_at == dt.datetime(2026, 1, 10, 4, 0)
    assert (done.place, done.case_name, done.party) == ("万州区某路2号", "某加油站安全隐患案", "某加油站")
    last = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert (last.action, last.entity, last.entity_id) == ("update", "activity", view.id)
    assert "补录结束时间" in last.summary and "tester" in last.actor
    changed = office.activities.edit(view.id, officers=["2002"], why="人员登记有误")
    assert changed.officers == ("2002",)
    last = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert (last.action, last.entity) == ("delete", "activity_officer") and "人员登记有误" in last.summary
    assert office.audit.verify().ok


def test_long_term_reason_added_later_starts_the_disc_duty(office):
    """W15(一): a complaint that arrives a week later makes the footage long-term: it goes to disc (F12) and the
    home screen reminds of it."""
    view = add_inspection(office)
    assert view.id not in {t.activity_id for t in office.discs.targets()}
    assert not [r for r in office.reminders.todo().reminders if r.kind == "disc_due"]
    refused(
        office.activities.edit, view.id, long_term=["forever"], why="投诉", code="input.bad_choice", field="long_term"
    )
    done = office.activities.edit(view.id, long_term=["objection"], why="当事人一周后投诉")
    assert done.long_term == ("objection",)
    assert view.id in {t.activity_id for t in office.discs.targets()}
    due = [r for r in office.reminders.todo().reminders if r.kind == "disc_due"]
    assert [r.count for r in due] == [1]
    again = office.activities.edit(view.id, long_term=["objection", "obstruction"], why="另查明阻碍执法")
    assert again.long_term == ("objection", "obstruction")


def test_activity_edit_cli(cli, services):
    services.close()
    made = cli(
        "activity",
        "add",
        "--kind",
        "inspection",
        "--title",
        "检查",
        "--start",
        "2026-01-10 09:00",
        "--officer",
        "2001",
        "--json",
    ).json()
    missing = cli("activity", "edit", str(made["id"]), "--end", "2026-01-10 11:00")
    assert missing.code == 2 and "--why" in missing.err
    ok = cli(
        "activity",
        "edit",
        str(made["id"]),
        "--end",
        "2026-01-10 11:00",
        "--long-term",
        "objection",
        "--why",
        "补录结束时间；当事人投诉",
    )
    assert ok.code == 0, ok.err
    assert "已修改执法活动" in ok.out and "长期保存情形" in ok.out
    shown = cli("activity", "edit", str(made["id"]), "--party", "某公司", "--why", "补录当事人", "--json").json()
    assert shown["party"] == "某公司" and shown["long_term"] == ["objection"] and shown["end_at"]
    todo = cli("todo", "--json").json()
    assert any(r["kind"] == "disc_due" for r in todo["reminders"])
    same = cli("activity", "edit", str(made["id"]), "--party", "某公司", "--why", "x")
    assert same.code == 2
    assert cli("audit", "verify").code == 0
