"""Supervision spot checks (F18) and the register of violations (F19): services and CLI."""

from __future__ import annotations

import datetime as dt
import math
import random

import pytest

from avledger.errors import UserError
from avledger.identity import Identity
from avledger.models.schema import Activity, AuditEvent, SpotCheck
from avledger.services import Services
from avledger.services.lending import PreCheck
from avledger.timeutil import fmt_local, local_today

GOOD = PreCheck(battery_pct=95, free_gb=30, clock_offset_s=3, notice_given=True)
ITEMS = {"recorded": "ok", "continuous": "ok", "handling": "ok"}


def refused(fn, *args, code: str, field: str | None = None, **kwargs) -> UserError:
    before = AuditEvent.select().count()
    with pytest.raises(UserError) as info:
        fn(*args, **kwargs)
    assert info.value.code == code, info.value.render()
    if field is not None:
        assert info.value.field == field
    assert AuditEvent.select().count() == before
    return info.value


@pytest.fixture
def office(home):
    """A Dalian office (D33 D34: suspension for a month) with twelve activities over three days of November, by
    two officers."""
    services = Services(home, Identity.console("tester"))
    services.office.init("测试市海洋发展局", "dalian")
    services.departments.add("执法一队", "A")
    services.staff.add("张伟", "2001", "执法一队", cert_no="C2001", roles=["officer"])
    services.staff.add("王建国", "1001", "执法一队", roles=["manager"])
    services.staff.add("刘洋", "2002", "执法一队", cert_no="C2002", roles=["officer"])
    services.staff.add("李秀英", "1002", "执法一队", cert_no="C1002", roles=["leader"])
    services.devices.add("JL-001", "bodycam", "执法一队", "2001", price="2380")
    for n in range(12):
        day = 3 + n % 3
        services.activities.add(
            "inspection",
            f"日常检查 {n}",
            f"2026-11-0{day} 0{n % 9}:00",
            end=f"2026-11-0{day} 0{n % 9}:30",
            officers=["2001" if n % 2 else "2002"],
        )
    yield services
    services.close()


def test_the_same_seed_draws_the_same_activities(office):
    first = office.spotchecks.draw("2026-11-01", "2026-11-30", share="25", by="1001", seed="周一")
    again = office.spotchecks.draw("2026-11-01", "2026-11-30", share="25", by="1001", seed="周一")
    drawn = [d.activity_id for d in first.drawn]
    assert drawn == [d.activity_id for d in again.drawn]
    # what anyone computes from the register and the logged seed: random.Random(seed) over the ids in order
    ids = sorted(a.id for a in Activity.select())
    k = math.ceil(len(ids) * 25 / 100)
    assert drawn == sorted(random.Random("周一").sample(ids, k))
    assert first.population == 12 and len(drawn) == 3
    assert SpotCheck.get_by_id(first.id).seed == "周一"
    other = office.spotchecks.draw("2026-11-01", "2026-11-30", count=3, by="1001", seed="周二")
    assert [d.activity_id for d in other.drawn] == sorted(random.Random("周二").sample(ids, 3))
    # without a seed one is made and logged
    made = office.spotchecks.draw("2026-11-01", "2026-11-30", count=2, by="1001")
    assert (
        made.seed
        and made.seed
        in AuditEvent.select()
        .order_by(AuditEvent.id.desc())
        .where(AuditEvent.action == "spotcheck_draw")
        .first()
        .summary
    )


def test_a_draw_of_one_officer_or_department(office):
    only = office.spotchecks.draw("2026-11-04", "2026-11-05", count=100, officer="2001", by="1001", seed="x")
    expected = sorted(
        a.id
        for a in Activity.select()
        if a.officers.first().staff.number == "2001" and a.start_at.date() >= dt.date(2026, 11, 3)
    )
    # the period is in local dates (Asia/Shanghai): 11-04 00:00 local is 11-03 16:00 UTC
    tz = office.ctx.profile().tz
    expected = [
        i
        for i in expected
        if dt.date(2026, 11, 4) <= local_today(Activity.get_by_id(i).start_at, tz) <= dt.date(2026, 11, 5)
    ]
    assert [d.activity_id for d in only.drawn] == expected
    assert only.population == len(expected)
    dept = office.spotchecks.draw("2026-11-01", "2026-11-30", count=1, dept="执法一队", by="1001", seed="y")
    assert dept.population == 12


def test_draw_refusals(office):
    draw = office.spotchecks.draw
    refused(draw, "2026-11-01", "2026-11-30", by="1001", code="spotcheck.size", field="share")
    refused(draw, "2026-11-01", "2026-11-30", share="5", count="2", by="1001", code="spotcheck.size")
    refused(draw, "2026-11-01", "2026-11-30", share="0", by="1001", code="spotcheck.bad_share", field="share")
    refused(draw, "2026-11-01", "2026-11-30", count="-1", by="1001", code="spotcheck.bad_count", field="count")
    refused(draw, "2026-12-01", "2026-12-30", count="1", by="1001", code="spotcheck.empty", field="date_from")
    refused(draw, "2026-11-30", "2026-11-01", count="1", by="1001", code="input.end_before_start", field="date_to")


def test_a_finding_through_a_decision_to_a_suspension_that_refuses_a_loan(office):
    check = office.spotchecks.draw("2026-11-01", "2026-11-30", count=12, by="1001", seed="s")
    refused(office.spotchecks.close, check.id, code="spotcheck.unchecked")
    bad = next(d for d in check.drawn if "刘洋（2002）" in d.officers)
    for drawn in check.drawn:
        items = dict(ITEMS, continuous="fail") if drawn is bad else ITEMS
        office.spotchecks.record(check.id, drawn.activity_id, items, note="中途断录" if drawn is bad else "", score=60)
    refused(office.spotchecks.record, check.id, bad.activity_id, {"nonsense": "ok"}, code="input.bad_choice")
    refused(office.spotchecks.record, check.id, bad.activity_id, {"recorded": "maybe"}, code="input.bad_choice")
    refused(office.spotchecks.record, check.id, bad.activity_id, ITEMS, score="101", code="spotcheck.bad_score")
    closed = office.spotchecks.close(check.id)
    assert closed.status == "closed" and closed.failures == 1 and closed.mean_score == 60
    refused(office.spotchecks.record, check.id, bad.activity_id, ITEMS, code="spotcheck.closed")

    # the failed finding is offered, not filed
    [candidate] = office.spotchecks.candidates()
    assert (candidate.check_id, candidate.activity_id, candidate.staff_number) == (check.id, bad.activity_id, "2002")
    assert candidate.failed == ("continuous",)
    assert office.violations.list() == []

    # dalian's regulation: D33 D34
    refused(office.violations.add, "2002", "W17", "x", code="input.bad_choice", field="article")
    violation = office.violations.add("2002", "D33", "执法过程中中途停止记录", activity=bad.activity_id, check=check.id)
    assert office.spotchecks.candidates() == []
    # dalian's sanctions (D34): no 批评教育
    refused(office.violations.decide, violation.id, "education", by="1002", paper_form="P-1", code="input.bad_choice")
    profile = office.ctx.profile()
    refused(
        office.violations.decide, violation.id, "suspension", by="2001", paper_form="P-1", code="violation.not_decider"
    )
    refused(office.violations.decide, violation.id, "suspension", by="1002", code="violation.paper_form_needed")
    refused(
        office.violations.decide,
        violation.id,
        "circular",
        by="1002",
        until="2026-12-01",
        paper_form="P-1",
        code="violation.until_without_suspension",
    )
    decided = office.violations.decide(violation.id, "suspension", by="1002", paper_form="P-1")
    start = local_today(office.ctx.clock(), profile.tz)
    assert (decided.suspended_from, decided.until) == (start, start + dt.timedelta(days=29))
    assert decided.decided_by == "李秀英（1002）" and decided.decision_recorded_by
    refused(office.violations.decide, violation.id, "circular", by="1002", paper_form="P-2", code="violation.decided")

    # the suspended officer may hold no device and join no activity in the period; the other may
    refused(office.lending.issue, "JL-001", "2002", GOOD, code="staff.suspended", field="holder")
    now = fmt_local(office.ctx.clock() - dt.timedelta(minutes=5), profile.tz)
    refused(
        office.activities.add, "inspection", "检查", now, officers=["2002"], code="staff.suspended", field="officers"
    )
    # an activity before the suspension began may still name them (recorded late)
    office.activities.add("inspection", "检查", "2026-11-06 09:00", officers=["2002"])
    office.lending.issue("JL-001", "2001", GOOD)
    refused(office.lending.handover, "JL-001", "2002", code="staff.suspended", field="to")
    assert office.audit.verify().ok


def test_the_profile_of_each_regulation_names_its_articles():
    from avledger.profile import load_preset

    articles = {p: load_preset(p)["supervision"]["articles"] for p in ("wanzhou", "dalian", "pingdingshan")}
    assert articles == {"wanzhou": ["W17"], "dalian": ["D33", "D34"], "pingdingshan": ["P13", "P14"]}
    assert load_preset("pingdingshan")["supervision"]["suspension_days"] == 7  # P14(三) 一周
    assert load_preset("dalian")["supervision"]["suspension_days"] == 30  # D34(三) 一个月


def test_cli_spot_check_and_violation(cli):
    assert cli("demo").code == 0  # dalian
    drawn = cli(
        "spotcheck",
        "draw",
        "--from",
        "2026-01-01",
        "--to",
        "2030-12-31",
        "--count",
        "2",
        "--by",
        "4001",
        "--seed",
        "7",
        "--json",
    )
    assert drawn.code == 0, drawn.err
    again = cli(
        "spotcheck",
        "draw",
        "--from",
        "2026-01-01",
        "--to",
        "2030-12-31",
        "--count",
        "2",
        "--by",
        "4001",
        "--seed",
        "7",
        "--json",
    )
    ids = [a["activity_id"] for a in drawn.json()["activities"]]
    assert ids == [a["activity_id"] for a in again.json()["activities"]]
    check = str(drawn.json()["id"])
    first, second = ids
    ok = cli(
        "spotcheck",
        "record",
        check,
        "--activity",
        str(first),
        "--item",
        "recorded=fail",
        "--item",
        "continuous=ok",
        "--item",
        "handling=ok",
        "--note",
        "未全程记录",
        "--score",
        "55",
    )
    assert ok.code == 0, ok.err
    assert cli("spotcheck", "close", check).code == 2
    bad = cli("spotcheck", "record", check, "--activity", str(second), "--item", "recorded")
    assert bad.code == 2 and "spotcheck" not in bad.out
    cli(
        "spotcheck",
        "record",
        check,
        "--activity",
        str(second),
        "--item",
        "recorded=ok",
        "--item",
        "continuous=ok",
        "--item",
        "handling=ok",
        "--score",
        "90",
    )
    assert cli("spotcheck", "close", check).code == 0
    [listed] = [c for c in cli("spotcheck", "list", "--json").json() if str(c["id"]) == check]
    assert listed["status"] == "closed" and listed["mean_score"] == 72.5
    candidates = [c for c in cli("violation", "candidates", "--json").json() if c["kind"] == "finding"]
    assert {c["activity_id"] for c in candidates} == {first}
    staff = candidates[0]["staff"]
    added = cli(
        "violation",
        "add",
        "--staff",
        staff,
        "--article",
        "D33",
        "--what",
        "未按规定记录",
        "--activity",
        str(first),
        "--check",
        check,
    )
    assert added.code == 0, added.err
    [violation] = cli("violation", "list", "--json").json()
    decided = cli(
        "violation",
        "decide",
        str(violation["id"]),
        "--sanction",
        "suspension",
        "--until",
        "2099-01-01",
        "--by",
        "1002",
        "--paper-form",
        "决-001",
    )
    assert decided.code == 0, decided.err
    [violation] = cli("violation", "list", "--json").json()
    assert violation["sanction"] == "suspension" and violation["until"] == "2099-01-01"
    issued = cli(
        "loan",
        "out",
        "JL-2023-001",
        "--to",
        staff,
        "--battery",
        "90",
        "--free-gb",
        "30",
        "--clock-offset",
        "0",
        "--notice-given",
    )
    assert issued.code == 2 and "停止执法工作" in issued.err
    assert cli("audit", "verify").code == 0


def pdf_text(path) -> str:
    import subprocess

    return "".join(
        subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout.split()
    )


def test_a_spot_check_from_its_draw_to_the_printed_circular(office, tmp_path):
    from avledger.services.printing import Filters

    check = office.spotchecks.draw("2026-11-01", "2026-11-30", count=4, by="1001", seed="月查")
    scores = [90, 80, 70, 40]
    for drawn, score in zip(check.drawn, scores):
        failing = score < 50
        office.spotchecks.record(
            check.id,
            drawn.activity_id,
            dict(ITEMS, handling="fail") if failing else ITEMS,
            note="未按时移交" if failing else "",
            score=score,
        )
    office.spotchecks.close(check.id)
    violation = office.violations.add("2002", "D33", "音像资料未按时移交", check=check.id)
    office.violations.decide(violation.id, "circular", by="1002", paper_form="决-7")

    record = pdf_text(office.printing.render_pdf("spotchecks", Filters(), tmp_path / "s.pdf"))
    assert "监督抽查记录表" in record and "随机种子月查" in record and "从12项中抽取4项" in record
    for drawn in check.drawn:
        assert f"{drawn.activity_id}{drawn.title.replace(' ', '')}" in record
    assert "未按时移交" in record

    circular = pdf_text(office.printing.render_pdf("assessments", Filters(), tmp_path / "a.pdf"))
    assert "音像记录质量考评表" in circular
    assert "通报：共抽查执法活动4项，全部符合3项，有不符合项目的1项，平均分70.0。" in circular
    by_officer: dict[str, list[int]] = {}
    for drawn, score in zip(check.drawn, scores):
        for officer in drawn.officers:
            by_officer.setdefault(officer, []).append(score)
    for officer, marks in by_officer.items():
        assert f"{officer}执法一队{len(marks)}" in circular
        assert f"{round(sum(marks) / len(marks), 1):g}" in circular

    register = pdf_text(office.printing.render_pdf("violations", Filters(), tmp_path / "v.pdf"))
    assert "过错责任追究登记表" in register and "刘洋（2002）" in register and "通报批评" in register
    assert "李秀英（1002）（纸质决-7）" in register and f"抽查{check.id}" in register
    # and it exports
    out, count = office.printing.export("violations", Filters(), tmp_path / "v.csv")
    assert count == 1
    assert "音像资料未按时移交" in out.read_text("utf-8-sig")


def test_raw_facts_are_offered_as_candidates(demo, cli):
    """An interruption unexplained for the profile's days, late clips with no reason and a full-record activity with
    neither footage nor a not-recorded record are offered, each for its person with the article; none is filed;
    filing a violation on the evidence takes it off."""
    from avledger.models.schema import ActivityOfficer, Clip, Gap, NoRecord, Staff, Violation

    number = {s.id: s.number for s in Staff.select()}
    days = demo.ctx.profile().get("supervision.unexplained_days")
    assert days == 7

    def facts(services) -> set[tuple]:
        return {
            (c.kind, c.staff_number, c.activity_id, c.clip_id, c.gap_id, c.article)
            for c in services.violations.candidates()
            if c.kind != "finding"
        }

    def wanted(now: dt.datetime) -> set[tuple]:
        out = set()
        for g in Gap.select().where(Gap.reason.is_null()):
            after, before = Clip.get_by_id(g.after_clip_id), Clip.get_by_id(g.before_clip_id)
            if max(after.ingested_at, before.ingested_at) <= now - dt.timedelta(days=days):
                out.add(("gap_unexplained", number[after.holder_id], g.activity_id, after.id, g.id, "D33"))
        for c in Clip.select().where(Clip.late & Clip.late_reason.is_null()):
            out.add(("late_no_reason", number[c.holder_id], c.activity_id, c.id, None, "D33"))
        hours = demo.ctx.profile().get("ingest.deadline_hours")
        for a in Activity.select().where(Activity.full_record):
            bare = not Clip.select().where(Clip.activity == a).exists()
            bare = bare and not NoRecord.select().where(NoRecord.activity == a).exists()
            if bare and (a.end_at or a.start_at) <= now - dt.timedelta(hours=hours):
                for ao in ActivityOfficer.select().where(ActivityOfficer.activity == a):
                    out.add(("no_record", number[ao.staff_id], a.id, None, None, "D33"))
        return out

    now = demo.ctx.clock()
    today = facts(demo)
    assert today == wanted(now)
    assert {k[0] for k in today} == {"late_no_reason", "no_record"}  # the interruption is not a week old yet
    later_now = now + dt.timedelta(days=days, hours=1)
    demo.ctx.clock = lambda: later_now  # a week on
    try:
        assert facts(demo) == wanted(later_now)
        assert {k[0] for k in facts(demo)} == {"gap_unexplained", "late_no_reason", "no_record"}
    finally:
        demo.ctx.clock = lambda: now
    assert Violation.select().count() == 0  # offered, never filed
    late = next(k for k in today if k[0] == "late_no_reason")
    demo.violations.add(late[1], "D33", "逾期采集未说明原因", clip=str(late[3]))
    assert late not in facts(demo) and len(facts(demo)) == len(today) - 1
    out = cli("violation", "candidates", "--json")
    assert out.code == 0, out.err
    assert {(c["kind"], c["staff"], c["clip_id"]) for c in out.json()} == {(k[0], k[1], k[3]) for k in facts(demo)}
    text = cli("violation", "candidates")
    assert "须全程记录的执法活动既无音像资料也无无法记录工作记录" in text.out and "D33" in text.out


def test_a_confidential_activity_is_drawn_but_listed_without_details_to_those_not_cleared(office):
    """F17: a leader not cleared (the office gave confidential records to its approvers) draws and checks a
    confidential activity like any other, but sees neither its title nor its officers nor the note; the
    supervisor (auditor: confidential.read) sees them."""
    office.office.set_value("viewing.confidential_approver_role", "approver")
    secret = Activity.select().order_by(Activity.id).first()
    office.activities.set_confidential(secret.id)
    office.staff.update("1002", os_user="leader1002")
    office.staff.add("赵敏", "3001", "执法一队", roles=["auditor"], os_user="auditor3001")
    office.ctx.identity = Identity.console("leader1002")
    check = office.spotchecks.draw("2026-11-01", "2026-11-30", count="12", by="1002", seed="全部")
    [hidden] = [d for d in check.drawn if d.activity_id == secret.id]
    assert hidden.withheld and hidden.title == "涉密执法活动" and hidden.officers == () and hidden.kind == ""
    assert all(not d.withheld and d.title.startswith("日常检查") and d.officers for d in check.drawn if d is not hidden)
    office.spotchecks.record(check.id, secret.id, {**ITEMS, "recorded": "fail"}, note="未告知当事人", score=50)
    again = office.spotchecks.view(check.id)
    [hidden] = [d for d in again.drawn if d.activity_id == secret.id]
    assert (hidden.findings["recorded"], hidden.score, hidden.note) == ("fail", 50, "")
    shown = [c for c in office.spotchecks.candidates() if c.activity_id == secret.id]
    assert shown and all(c.title == "涉密执法活动" and c.note == "" for c in shown)
    assert "日常检查 0" not in str(again.as_json()) and "未告知当事人" not in str(again.as_json())
    office.ctx.identity = Identity.console("auditor3001")  # the supervisor reads all
    [seen] = [d for d in office.spotchecks.view(check.id).drawn if d.activity_id == secret.id]
    assert not seen.withheld and seen.title == secret.title and seen.note == "未告知当事人" and seen.officers


def act_as(svc, number: str) -> None:
    """The console account mapped to this member of staff (mapped by the fixture's own account, "tester")."""
    user = f"user{number}"
    if svc.staff.view(number).os_user != user:
        svc.ctx.identity = Identity.console("tester")
        svc.staff.update(number, os_user=user)
    svc.ctx.identity = Identity.console(user)


def test_the_person_acknowledges_the_decision(office, tmp_path):
    """本人签收: only a decided violation, once, by the person themselves (or recorded from the paper by one who may
    record paper decisions, who is named); not before the decision nor in the future; audited; listed in JSON
    and printed in the 过错责任追究登记表's 本人签收 column."""
    import subprocess

    from avledger.services.printing import Filters

    tz = office.ctx.profile().tz
    first = office.violations.add("2002", "D33", "中途停止记录")
    second = office.violations.add("2001", "D33", "未按时移交")
    refused(office.violations.acknowledge, first.id, code="violation.not_decided", field="violation_id")
    office.violations.decide(first.id, "circular", by="1002", paper_form="P-1")
    office.violations.decide(second.id, "circular", by="1002", paper_form="P-2")
    act_as(office, "2001")  # another officer: not theirs
    refused(office.violations.acknowledge, first.id, code="violation.acknowledge_not_yours")
    act_as(office, "2002")
    later = fmt_local(office.ctx.clock() + dt.timedelta(hours=2), tz)
    refused(office.violations.acknowledge, first.id, at=later, code="violation.acknowledged_in_future", field="at")
    early = fmt_local(office.ctx.clock() - dt.timedelta(days=2), tz)
    refused(office.violations.acknowledge, first.id, at=early, code="violation.acknowledged_before_decision")
    refused(office.violations.acknowledge, first.id, note="签\u202e收", code="input.control_chars", field="note")
    before = AuditEvent.select().count()
    signed = office.violations.acknowledge(first.id, note="已阅，无异议")
    assert signed.acknowledged_at is not None and signed.acknowledgement_recorded_by == ""
    assert signed.as_json()["acknowledged_note"] == "已阅，无异议"
    entry = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert AuditEvent.select().count() == before + 1 and entry.action == "acknowledge"
    refused(office.violations.acknowledge, first.id, code="violation.acknowledged")
    # the manager records the other officer's signature on the paper decision, at the time it was signed
    act_as(office, "1001")
    at = fmt_local(office.ctx.clock(), tz)  # (to the minute: the decision's minute is not before it)
    paper = office.violations.acknowledge(second.id, at=at)
    assert fmt_local(paper.acknowledged_at, tz) == at and "1001" in paper.acknowledgement_recorded_by
    office.ctx.identity = Identity.console("tester")
    assert office.audit.verify().ok
    pdf = office.printing.render_pdf("violations", Filters(), tmp_path / "violations.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    day = fmt_local(signed.acknowledged_at, tz)[:10]
    assert "本人签收" in text and text.count(day) >= 4  # recorded, decided and acknowledged, for both
    assert "（代登）" in text
    out, _count = office.printing.export("violations", Filters(), tmp_path / "violations.xlsx")
    from openpyxl import load_workbook

    ws = load_workbook(out).active
    header = [c.value for c in ws[2]]
    column = header.index("本人签收")
    assert [r[column].value for r in ws.iter_rows(min_row=3)] == [
        dt.datetime.combine(dt.date.fromisoformat(day), dt.time()),
        f"{day}（代登）",
    ]


def test_cli_acknowledge(cli):
    assert cli("init", "--unit", "测试局", "--profile", "dalian").code == 0
    for args in (
        ("dept", "add", "执法一队", "--class", "A"),
        ("staff", "add", "张伟", "--number", "2001", "--dept", "执法一队", "--cert", "C1"),
        ("staff", "add", "李秀英", "--number", "1002", "--dept", "执法一队", "--cert", "C2", "--role", "leader"),
        ("violation", "add", "--staff", "2001", "--article", "D33", "--what", "中途停止记录"),
    ):
        assert cli(*args).code == 0, args
    refused = cli("violation", "acknowledge", "1")
    assert refused.code == 2 and "尚未作出决定" in refused.err
    assert cli("violation", "decide", "1", "--sanction", "circular", "--by", "1002", "--paper-form", "P-1").code == 0
    done = cli("violation", "acknowledge", "1", "--note", "已阅")
    assert done.code == 0, done.err
    assert "已签收" in done.out
    assert cli("violation", "acknowledge", "1").code == 2
    listed = cli("violation", "list", "--json").json()
    assert listed[0]["acknowledged_at"] and listed[0]["acknowledged_note"] == "已阅"
    assert "本人签收" in cli("violation", "list").out


def _last_action() -> str:
    return AuditEvent.select().order_by(AuditEvent.id.desc()).first().action


def test_viewing_a_drawn_activitys_footage_goes_through_the_viewing_rules(demo, tmp_path):
    """F15 with F18: the supervisor's viewing of an activity drawn in a spot check is a viewing request for
    supervision naming the check, approved by the approver (never by the supervisor), then a registered
    viewing; refused for an activity not in the sample, and for one who may not do spot checks; the viewing
    register shows the supervision reason."""
    from avledger.services.access import Opened
    from avledger.services.printing import Filters

    demo.staff.add("赵敏", "9001", "办公室", roles=["auditor"])  # 监督员
    footage = next(c.activity_id for c in demo.footage.list() if c.activity_id)
    act_as(demo, "9001")
    everything = str(Activity.select().count())
    check = demo.spotchecks.draw("2000-01-01", "2099-12-31", count=everything, by="9001", seed="查阅")
    assert footage in [d.activity_id for d in check.drawn]
    act_as(demo, "1001")
    today = local_today(demo.ctx.clock(), demo.ctx.profile().tz).isoformat()
    later = demo.activities.add("inspection", "抽查后登记的检查", f"{today} 08:00", officers=["2002"]).id
    act_as(demo, "9001")
    assert refused(demo.access.view_for_check, check.id, later, code="spotcheck.not_drawn", field="activity")
    assert refused(demo.access.request, "9001", "", activity=later, check=check.id, code="spotcheck.not_drawn")
    assert refused(demo.access.request, "9001", "", case_no="X", check=check.id, code="access.check_activity")
    assert refused(demo.access.view_for_check, "99", footage, code="spotcheck.unknown", field="check")
    act_as(demo, "2002")  # an officer does no spot checks: refused, the attempt logged
    with pytest.raises(UserError) as info:
        demo.access.view_for_check(check.id, footage)
    assert info.value.code == "permission.denied" and _last_action() == "denied"

    act_as(demo, "9001")
    made = demo.access.view_for_check(check.id, footage)  # no request yet: it is made, for the approver
    assert not isinstance(made, Opened)
    assert (made.status, made.reason_kind, made.reason) == ("requested", "supervision", f"监督抽查 {check.id}")
    assert made.requester_number == "9001" and made.activity_id == footage and made.clip_ids
    assert demo.access.for_check(check.id, footage).id == made.id
    with pytest.raises(UserError) as info:  # waiting for its decision: refused, the attempt logged
        demo.access.view_for_check(check.id, footage)
    assert info.value.code == "access.not_approved" and _last_action() == "view_refused"
    with pytest.raises(UserError) as info:  # the supervisor approves no request of their own
        demo.access.approve(made.id, "9001")
    act_as(demo, "2001")  # an approver
    assert demo.access.approve(made.id, "2001").status == "approved"
    act_as(demo, "9001")
    opened = demo.access.view_for_check(check.id, footage)
    assert isinstance(opened, Opened) and opened.request.id == made.id
    assert opened.viewing.viewer_number == "9001" and opened.viewing.clip_ids == made.clip_ids
    assert all(p.is_file() for p in opened.paths)
    assert _last_action() == "view"
    _reg, _scope, sheet = demo.printing.sheet("viewings", Filters())
    mine = [r for r in sheet.rows if r["event"] in ("申请", "批准", "查阅") and f"监督抽查 {check.id}" in r["reason"]]
    assert [r["event"] for r in mine] == ["申请", "批准", "查阅"] and "执法监督" in mine[-1]["reason"]


def test_a_confidential_drawn_activity_needs_the_confidential_approval(demo):
    """A confidential activity drawn in a spot check: the supervision request is confidential, decided only by
    the profile's confidential approver (the leader); the supervisor views it once that approval is given."""
    from avledger.services.access import Opened

    demo.staff.add("赵敏", "9001", "办公室", roles=["auditor"])
    footage = next(c.activity_id for c in demo.footage.list() if c.activity_id)
    demo.activities.set_confidential(footage)
    act_as(demo, "9001")
    check = demo.spotchecks.draw(
        "2000-01-01", "2099-12-31", count=str(Activity.select().count()), by="9001", seed="保密"
    )
    made = demo.access.view_for_check(check.id, footage)
    assert made.confidential and made.status == "requested"
    act_as(demo, "2001")  # an approver, not the confidential approver
    with pytest.raises(UserError) as info:
        demo.access.approve(made.id, "2001")
    assert info.value.code == "access.not_confidential_approver"
    act_as(demo, "1002")  # the leader
    demo.access.approve(made.id, "1002")
    act_as(demo, "9001")
    assert isinstance(demo.access.view_for_check(check.id, footage, how="screen"), Opened)


def test_cli_spotcheck_view(cli):
    """avledger spotcheck view CHECK_ID --activity ID: the first time makes the supervision request, then refuses
    until it is approved, then registers the viewing; an activity not drawn is refused. access request --check
    makes the same request explicitly."""
    assert cli("demo").code == 0  # the manager, 王建国 (1001), at the console
    footage = next(c["activity_id"] for c in cli("footage", "list", "--json").json() if c["activity_id"])
    drawn = cli("spotcheck", "draw", "--from", "2000-01-01", "--to", "2099-12-31", "--count", "1000", "--by", "1001")
    assert drawn.code == 0, drawn.err
    check = cli("spotcheck", "list", "--json").json()[-1]["id"]
    made = cli("spotcheck", "view", str(check), "--activity", str(footage), "--no-player")
    assert made.code == 0, made.err
    assert "已提交查阅申请" in made.out and "access approve" in made.out
    [req] = [r for r in cli("access", "list", "--json").json() if r["reason"] == f"监督抽查 {check}"]
    assert req["reason_kind"] == "supervision" and req["status"] == "requested" and req["requester_number"] == "1001"
    waiting = cli("spotcheck", "view", str(check), "--activity", str(footage), "--no-player")
    assert waiting.code == 2 and "尚未批准" in waiting.err
    ok = cli("access", "approve", str(req["id"]), "--by", "1002", "--paper-form", "审-021")
    assert ok.code == 0, ok.err
    seen = cli("spotcheck", "view", str(check), "--activity", str(footage), "--no-player", "--json")
    assert seen.code == 0, seen.err
    assert seen.json()["request"]["id"] == req["id"] and seen.json()["viewing"]["viewer_number"] == "1001"
    assert [v["request_id"] for v in cli("access", "viewings", "--json").json()] == [req["id"]]
    other = cli("access", "request", "--check", str(check), "--activity", str(footage), "--requester", "1001")
    assert other.code == 0, other.err
    assert cli("access", "request", "--check", str(check), "--case-no", "X", "--requester", "1001").code == 2
    assert cli("spotcheck", "view", "99", "--activity", str(footage)).code == 2
    added = cli("activity", "add", "--kind", "inspection", "--title", "新检查", "--start", "2026-06-01 08:00",
                "--officer", "2002", "--json")  # fmt: skip
    assert added.code == 0, added.err
    refused = cli("spotcheck", "view", str(check), "--activity", str(added.json()["id"]), "--no-player")
    assert refused.code == 2 and "不在监督抽查" in refused.err
