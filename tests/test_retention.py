"""Keep-until dates, holds and disposal (F11, F12): each keep-until test names its article."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys

import pytest

from avledger.home import Home
from avledger.identity import Identity
from avledger.models.schema import AuditEvent
from avledger.profile import Profile, load_preset
from avledger.services import Services
from avledger.services.retention import add_months, keep_until
from conftest import cli_env, fixed_clock, refusal, write_video
from test_faults_leftovers import run_until

D = dt.date


def preset(name: str) -> Profile:
    return Profile(load_preset(name))


# --- the computation, preset by preset ------------------------------------------------------------------


def test_add_months_counts_as_sqlite_does():
    assert add_months(D(2026, 1, 10), 24) == D(2028, 1, 10)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 3, 2)  # SQLite: 2024-02-31 runs on to 03-02
    assert add_months(D(2026, 11, 30), 3) == D(2027, 3, 2)


def test_w14_wanzhou_keeps_two_years_from_the_end_of_the_activity_cases_too():
    p = preset("wanzhou")
    k = keep_until(p, recorded=D(2026, 1, 10), activity_end=D(2026, 1, 11))
    assert (k.until, k.category, k.counts_from, k.article) == (D(2028, 1, 11), "ordinary", "activity_end", "W14")
    case = keep_until(p, recorded=D(2026, 1, 10), activity_end=D(2026, 1, 10), case_no="7", closed_on=D(2026, 3, 1))
    assert case.until == D(2028, 1, 10) and case.category == "case"
    # W14 copies evidence to disc and attaches it: the original keeps its period, no case-file wait
    assert keep_until(p, recorded=D(2026, 1, 10), case_no="7", closed_on=D(2026, 3, 1), evidence=True).until == D(
        2028, 1, 10
    )


def test_w15_wanzhou_long_term_footage_is_never_due():
    k = keep_until(preset("wanzhou"), recorded=D(2020, 1, 1), long_term=True)
    assert (k.until, k.category, k.article) == (None, "long_term", "W15")


def test_d25_dalian_three_years_and_evidence_as_long_as_the_case_file():
    p = preset("dalian")
    assert keep_until(p, recorded=D(2026, 1, 10)).until == D(2029, 1, 10)
    waiting = keep_until(p, recorded=D(2026, 1, 10), case_no="7", closed_on=D(2026, 6, 1), evidence=True)
    assert (waiting.until, waiting.category, waiting.waiting, waiting.article) == (None, "evidence", "case_file", "D25")
    filed = keep_until(
        p,
        recorded=D(2026, 1, 10),
        case_no="7",
        closed_on=D(2026, 6, 1),
        evidence=True,
        case_file_entered=True,
        case_file_months=120,
    )
    assert (filed.until, filed.counts_from) == (D(2036, 6, 1), "case_file")
    forever = keep_until(
        p, recorded=D(2026, 1, 10), case_no="7", closed_on=D(2026, 6, 1), evidence=True, case_file_entered=True
    )
    assert forever.until is None and forever.waiting == ""


def test_r14_ruzhou_three_months_simple_cases_three_after_close_at_least_six():
    p = preset("ruzhou")
    assert keep_until(p, recorded=D(2026, 1, 10)).until == D(2026, 4, 10)  # R14(二)1
    open_case = keep_until(p, recorded=D(2026, 1, 10), case_no="7")
    assert (open_case.until, open_case.waiting) == (None, "case_open")
    # closed soon: at least six months from the activity (R14(二)2)
    assert keep_until(p, recorded=D(2026, 1, 10), case_no="7", closed_on=D(2026, 2, 1)).until == D(2026, 7, 10)
    # closed late: three months after the case closed
    late = keep_until(p, recorded=D(2026, 1, 10), case_no="7", closed_on=D(2026, 9, 1))
    assert (late.until, late.counts_from, late.article) == (D(2026, 12, 1), "case_closed", "R14")


def test_l16_lingchuan_one_year():
    k = keep_until(preset("lingchuan"), recorded=D(2026, 1, 10))
    assert (k.until, k.counts_from, k.article) == (D(2027, 1, 10), "recording", "L16")


def test_p11_pingdingshan_as_long_as_the_paper_file():
    p = preset("pingdingshan")
    k = keep_until(
        p, recorded=D(2026, 1, 10), case_no="7", closed_on=D(2026, 2, 1), case_file_entered=True, case_file_months=360
    )
    assert (k.until, k.counts_from, k.article) == (D(2056, 2, 1), "case_file", "P11")


# --- a register and a moving clock ----------------------------------------------------------------------


def _office(home: Home, tmp_path, preset_name: str):
    svc = Services(home, Identity.console("tester"), clock=fixed_clock("2026-01-10 12:00:00"))
    svc.office.init("测试市综合行政执法局", preset_name)
    svc.departments.add("执法一队", "A")
    svc.staff.add("张伟", "2001", "执法一队", cert_no="C2001", roles=["officer"])
    svc.staff.add("李局长", "3001", "执法一队", roles=["leader"])
    daily = svc.activities.add("inspection", "日常检查", "2026-01-10 09:00", end="2026-01-10 11:00", officers=["2001"])
    case = svc.activities.add(
        "investigation",
        "调查取证",
        "2026-01-10 14:00",
        end="2026-01-10 15:00",
        officers=["2001"],
        case_no="测〔2026〕7号",
    )
    for activity, hour in ((daily, 1), (case, 6)):
        card = tmp_path / f"card{activity.id}"
        write_video(card / "VID_0001.MP4", 1, creation_time=f"2026-01-10T0{hour}:10:00.000000Z")
        write_video(card / "VID_0002.MP4", 1, creation_time=f"2026-01-10T0{hour}:10:20.000000Z")
        result = svc.ingest.apply(svc.ingest.scan(card, activity=activity.id))
        assert len(result.archived) == 2
    return svc, daily, case


def _at(svc: Services, when: str) -> None:
    svc.ctx.clock = fixed_clock(when)


@pytest.mark.parametrize("preset_name,due_on", [("wanzhou", "2028-01-10"), ("lingchuan", "2027-01-10")])
def test_w14_l16_clips_fall_due_on_their_date_and_not_a_day_before(home, tmp_path, preset_name, due_on):
    svc, daily, case = _office(home, tmp_path, preset_name)
    day = D.fromisoformat(due_on)
    _at(svc, f"{day - dt.timedelta(days=1)} 12:00:00")
    assert svc.disposal.due() == []
    assert svc.retention.show(activity=daily.id).keep.until == day
    _at(svc, f"{due_on} 12:00:00")
    due = svc.disposal.due()
    assert [keep for _clip, keep in due] == [due_on, due_on]  # the daily check's two clips; the case is open
    assert {svc.retention.show(clip=c).keep.until for c, _k in due} == {day}
    assert [h.kind for h in svc.retention.show(activity=case.id).holds] == ["open_case"]
    svc.close()


def test_r14_a_case_falls_due_three_months_after_it_closes_at_least_six(home, tmp_path):
    svc, daily, case = _office(home, tmp_path, "ruzhou")
    _at(svc, "2026-09-01 04:00:00")
    assert [c for c, _k in svc.disposal.due()] == [1, 2]  # R14(二)1: three months; the case still open
    svc.activities.close(case.id, at="2026-09-01")
    assert svc.retention.show(activity=case.id).keep.until == D(2026, 12, 1)
    _at(svc, "2026-11-30 12:00:00")
    assert len(svc.disposal.due()) == 2
    _at(svc, "2026-12-01 12:00:00")
    assert len(svc.disposal.due()) == 4
    svc.close()


def test_holds_stop_the_clock_and_release_starts_it(home, tmp_path):
    svc, daily, case = _office(home, tmp_path, "wanzhou")
    _at(svc, "2028-02-01 12:00:00")
    hold = svc.retention.add_hold(activity=daily.id, reason="当事人投诉")
    assert svc.disposal.due() == []
    assert [h.kind for h in svc.retention.show(clip=1).holds] == ["manual"]
    assert [h.id for h in svc.retention.holds(activity=daily.id)] == [hold.id]
    assert svc.retention.holds(activity=case.id) == []
    svc.retention.release_hold(hold.id, reason="投诉已处理")
    assert len(svc.disposal.due()) == 2
    assert refusal(svc.retention.release_hold, hold.id, reason="再次") == ("retention.hold_released", "hold_id")
    # a case hold by number, and the case's own
    svc.activities.close(case.id, at="2026-02-01")
    assert len(svc.disposal.due()) == 4
    by_case = svc.retention.add_hold(case_no="测〔2026〕7号", reason="法院调取")
    assert len(svc.disposal.due()) == 2
    assert [h.id for h in svc.retention.holds(activity=case.id)] == [by_case.id]  # the case's, on its activity
    assert [h.id for h in svc.retention.holds(activity=daily.id, open_only=False)] == [hold.id]
    svc.close()


def test_dalian_evidence_waits_for_the_case_file_period_d25(home, tmp_path, cli):
    svc, daily, case = _office(home, tmp_path, "dalian")
    _at(svc, "2026-02-01 12:00:00")
    svc.activities.close(case.id, at="2026-02-01")
    req = svc.access.request("2001", "诉讼", activity=case.id, kind="copy")
    svc.access.approve(req.id, "3001", paper_form="P-1")
    svc.access.extract(req.id, "2001", tmp_path / "out")
    _at(svc, "2029-06-01 12:00:00")  # past three years; the request expired
    assert [c for c, _k in svc.disposal.due()] == [1, 2]
    assert "evidence" in [h.kind for h in svc.retention.show(activity=case.id).holds]
    svc.retention.set_case_file("测〔2026〕7号", months=60)  # a five-year case file
    assert svc.retention.show(activity=case.id).keep.until == D(2031, 2, 1)
    _at(svc, "2031-02-01 12:00:00")
    assert len(svc.disposal.due()) == 4
    svc.close()


def test_nothing_is_deleted_unapproved_or_held_and_the_record_stays(home, tmp_path, cli):
    svc, daily, case = _office(home, tmp_path, "wanzhou")
    root = svc.ingest.archive_root()
    _at(svc, "2028-02-01 12:00:00")
    plan = svc.disposal.plan()
    assert plan.files == 2
    assert svc.disposal.plan() is None  # nothing new is due: planned clips are not planned twice
    assert refusal(svc.disposal.run, plan.id) == ("disposal.not_approved", "plan_id")
    assert refusal(svc.disposal.approve, plan.id, "2001") == ("disposal.not_approver", "by")
    items = svc.disposal.items(plan)
    assert all((root / i.archive_path).is_file() for i in items)
    svc.disposal.approve(plan.id, "3001", paper_form="QC-1")
    svc.retention.add_hold(activity=daily.id, reason="投诉")  # a hold appeared since
    result = svc.disposal.run(plan.id)
    assert result.deleted == 0 and [r for _c, r in result.skipped] == ["held", "held"]
    assert all((root / i.archive_path).is_file() for i in items)
    svc.close()
    assert cli("verify").code == 0
    assert cli("audit", "verify").code == 0


def test_a_disposal_deletes_exactly_the_approved_files_and_verify_expects_them_gone(home, tmp_path, cli):
    svc, daily, case = _office(home, tmp_path, "wanzhou")
    root = svc.ingest.archive_root()
    _at(svc, "2028-02-01 12:00:00")
    plan = svc.disposal.plan()
    svc.disposal.approve(plan.id, "3001", paper_form="QC-1")
    events = []
    result = svc.disposal.run(plan.id, progress=events.append)
    assert result.deleted == 2 and result.skipped == []
    assert events[-1].phase == "done" and events[-1].job == "disposal"
    items = svc.disposal.items(plan)
    assert [i.state for i in items] == ["done", "done"]
    assert not any((root / i.archive_path).exists() for i in items)
    assert all(i.deleted_at and i.sha256 and i.size for i in items)
    assert svc.retention.show(clip=items[0].clip_id).disposed
    svc.close()
    assert cli("verify").code == 0, cli("verify").out
    assert cli("audit", "verify").code == 0
    listed = cli("dispose", "list", "--plan", str(plan.id), "--json").json()
    assert [i["state"] for i in listed["items"]] == ["done", "done"] and listed["paper_form"] == "QC-1"
    printed = cli("print", "disposals", "-o", str(tmp_path / "disposals.pdf"))
    assert printed.code == 0, printed.err
    assert (tmp_path / "disposals.pdf").read_bytes().startswith(b"%PDF")
    assert cli("export", "disposals", "-o", str(tmp_path / "disposals.csv")).code == 0
    exported = (tmp_path / "disposals.csv").read_text("utf-8-sig").replace(" ", "")
    assert all(i.sha256 in exported and i.original_name in exported for i in items)
    assert "李局长（3001）" in exported and "已清除" in exported
    # a disposed file put back is not the archive's: verify reports it
    (root / items[0].archive_path).write_bytes(b"x")
    assert cli("verify").code == 1


def test_a_killed_dispose_run_resumes(home, tmp_path, cli):
    svc = Services(home, Identity.console("tester"), clock=fixed_clock("2024-01-10 12:00:00"))
    svc.office.init("测试市综合行政执法局", "lingchuan")
    svc.departments.add("执法一队", "A")
    svc.staff.add("李局长", "3001", "执法一队", roles=["leader"])
    card = tmp_path / "card"
    for i in range(24):
        write_video(card / f"VID_{i:04d}.MP4", 0.5, creation_time=f"2024-01-10T01:{i:02d}:00.000000Z", fps=4)
    assert len(svc.ingest.apply(svc.ingest.scan(card)).archived) == 24
    svc.ctx.clock = fixed_clock("2026-01-01 12:00:00")
    plan = svc.disposal.plan()
    svc.disposal.approve(plan.id, "3001", paper_form="QC-1")
    root = svc.ingest.archive_root()
    svc.close()

    def some_done():
        with sqlite3.connect(home.db_path) as con:
            n = con.execute("SELECT count(*) FROM disposal WHERE state = 'done'").fetchone()[0]
        return n if 0 < n < 24 else None

    argv = [sys.executable, "-m", "avledger", "dispose", "run", str(plan.id)]
    proc = subprocess.Popen(argv, env=cli_env(home), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert run_until(proc, some_done) is not None, "the run was killed midway"
    with sqlite3.connect(home.db_path) as con:
        records = con.execute(
            "SELECT d.archive_path, c.archive_path, d.state FROM disposal d JOIN clip c ON c.id = d.clip_id"
            " ORDER BY d.id"
        ).fetchall()
    rows = [(clip_path, state) for _own, clip_path, state in records]
    for own, path, state in records:  # each file present and registered, or deleted and recorded
        assert (state == "done") != (root / path).exists() or state == "disposing"
        assert own == (path if state in ("done", "disposing") else None)  # a file's record copied before it goes
    again = cli("dispose", "run", str(plan.id), "--json")
    assert again.code == 0, again.err
    assert again.json()["deleted"] + again.json()["completed"] + some_done_count(rows) == 24
    assert not any((root / p).exists() for p, _s in rows)
    assert cli("verify").code == 0
    assert cli("audit", "verify").code == 0


def some_done_count(rows) -> int:
    return sum(1 for _p, s in rows if s == "done")


def test_cli_retention_hold_and_dispose(home, tmp_path, cli):
    svc, daily, case = _office(home, tmp_path, "wanzhou")
    svc.close()
    shown = cli("retention", "show", "--activity", str(daily.id), "--json")
    assert shown.code == 0 and shown.json()["until"] == "2028-01-10" and shown.json()["article"] == "W14"
    assert cli("retention", "show").code == 2
    added = cli("hold", "add", "--activity", str(daily.id), "--reason", "法院调取", "--json")
    assert added.code == 0
    listed = cli("hold", "list", "--json").json()
    assert [h["reason"] for h in listed] == ["法院调取"]
    assert cli("hold", "release", str(added.json()["id"]), "--reason", "已结束").code == 0
    assert cli("hold", "list", "--json").json() == []
    assert cli("dispose", "plan", "--json").json() is None  # nothing due today (2026)
    assert cli("dispose", "approve", "9", "--by", "3001").code == 2
    en = cli("retention", "show", "--clip", "1", lang="en")
    assert en.code == 0 and "Keep until" in en.out


def test_a_changed_file_is_not_disposed_of_and_the_run_says_partly_done(home, tmp_path, cli):
    svc, daily, case = _office(home, tmp_path, "wanzhou")
    root = svc.ingest.archive_root()
    _at(svc, "2028-02-01 12:00:00")
    plan = svc.disposal.plan()
    svc.disposal.approve(plan.id, "3001", paper_form="QC-1")
    first, second = svc.disposal.items(plan)
    changed = root / first.archive_path
    changed.chmod(0o600)
    changed.write_bytes(b"not the original")  # tampered with: its hash differs from the register's
    result = svc.disposal.run(plan.id)
    assert result.deleted == 1 and result.skipped == [(first.clip_id, "changed")]
    assert changed.exists() and not (root / second.archive_path).exists()
    events = svc.db.execute_sql("SELECT count(*) FROM audit_event").fetchone()[0]
    again = svc.disposal.run(plan.id)  # run again when finished: nothing to do, nothing logged
    assert (again.deleted, again.completed, again.skipped) == (0, 0, [])
    assert svc.db.execute_sql("SELECT count(*) FROM audit_event").fetchone()[0] == events
    svc.close()
    assert cli("verify").code == 1  # the tampered file is still reported


def test_the_sql_and_the_pages_agree_on_a_synthetic_register_w14(synth_copy):
    """W14 (the synthetic office keeps the wanzhou rules): on ten years of activities, cases, late clips,
    interruptions and long-term reasons, the bulk query's due clips are exactly those whose page shows a
    keep-until date passed and no hold, and each activity's date is the one the page shows."""
    from avledger.services.retention import activity_keep_sql

    svc = Services(Home(synth_copy), Identity.of_process())
    today = svc.retention.today()
    sql = (
        f"SELECT a.id, {activity_keep_sql(svc.ctx.profile())} FROM activity a"
        " LEFT JOIN case_file cf ON a.case_no != '' AND cf.case_no = a.case_no"
    )
    for activity_id, keep in svc.db.execute_sql(sql):
        shown = svc.retention.show(activity=activity_id).keep.until
        assert (shown.isoformat() if shown else None) == keep, activity_id
    due = dict(svc.disposal.due())
    assert due and len(due) < svc.db.execute_sql("SELECT count(*) FROM clip").fetchone()[0]
    for (clip_id,) in svc.db.execute_sql("SELECT id FROM clip ORDER BY id"):
        view = svc.retention.show(clip=clip_id)
        page_due = not view.holds and view.keep.until is not None and view.keep.until <= today
        assert page_due == (clip_id in due), (clip_id, view)
        if page_due:
            assert due[clip_id] == view.keep.until.isoformat()
    svc.close()


def test_a_plan_is_cancelled_before_it_runs_and_its_clips_go_into_a_later_plan(home, tmp_path, cli):
    svc, daily, case = _office(home, tmp_path, "wanzhou")
    root = svc.ingest.archive_root()
    _at(svc, "2028-02-01 12:00:00")
    first = svc.disposal.plan()
    svc.disposal.approve(first.id, "3001", paper_form="QC-1")
    assert refusal(svc.disposal.cancel, first.id, reason=" ") == ("input.empty", "reason")
    svc.disposal.cancel(first.id, reason="complaint pending")
    assert svc.disposal.get(first.id).status == "cancelled"
    assert {i.state for i in svc.disposal.items(first)} == {"skipped"}
    assert {i.skip_reason for i in svc.disposal.items(first)} == {"cancelled"}
    assert refusal(svc.disposal.run, first.id) == ("disposal.cancelled", "plan_id")
    assert refusal(svc.disposal.approve, first.id, "3001") == ("disposal.cancelled", "plan_id")
    assert refusal(svc.disposal.cancel, first.id, reason="again") == ("disposal.cancelled", "plan_id")
    assert all((root / i.archive_path).is_file() for i in svc.disposal.items(first))
    last = AuditEvent.select().where(AuditEvent.action == "dispose_cancel").get()
    assert "complaint pending" in last.summary
    second = svc.disposal.plan()  # the cancelled plan's clips are free again
    assert second is not None and second.files == 2
    svc.disposal.approve(second.id, "3001", paper_form="QC-2")
    assert svc.disposal.run(second.id).deleted == 2
    svc.close()
    assert cli("dispose", "cancel", str(second.id)).code == 2  # --reason is required
    refused = cli("dispose", "cancel", str(second.id), "--reason", "too late")
    assert refused.code == 2 and "已经开始执行" in refused.err
    listed = cli("dispose", "list", "--json").json()
    assert [p["status"] for p in listed] == ["cancelled", "done"]
    assert cli("audit", "verify").code == 0


def test_cli_dispose_cancel(home, tmp_path, cli):
    svc, daily, case = _office(home, tmp_path, "wanzhou")
    _at(svc, "2028-02-01 12:00:00")
    plan = svc.disposal.plan()
    svc.close()
    done = cli("dispose", "cancel", str(plan.id), "--reason", "wrong day")
    assert done.code == 0 and f"已取消清除计划 {plan.id}" in done.out
    en = cli("dispose", "cancel", str(plan.id), "--reason", "again", lang="en")
    assert en.code == 2 and "has been cancelled" in en.err


# --- a plan registered in bulk: its files under the plan's audit entry ----------------------------------


def test_a_plan_registers_its_files_under_one_audit_entry_with_their_digest(home, tmp_path, cli):
    svc, daily, case = _office(home, tmp_path, "wanzhou")
    _at(svc, "2028-02-01 12:00:00")
    before = AuditEvent.select().count()
    plan = svc.disposal.plan()
    [entry] = AuditEvent.select().where(AuditEvent.id > before)
    assert entry.action == "dispose_plan" and entry.entity == "disposal_plan"
    assert '"files":2' in entry.after and f'"items_digest":"{plan.items_digest}"' in entry.after
    assert [(i.clip_id, i.state, i.keep_until.isoformat()) for i in svc.disposal.items(plan)] == [
        (1, "planned", "2028-01-10"),
        (2, "planned", "2028-01-10"),
    ]
    assert len(plan.items_digest) == 64 and plan.bytes == sum(i.size for i in svc.disposal.items(plan))
    svc.close()
    assert cli("audit", "verify").code == 0


@pytest.mark.parametrize(
    "tamper,found",
    [
        (  # a column the file's clip vouches for
            "UPDATE disposal SET archive_path = (SELECT archive_path FROM clip WHERE id = 3) WHERE clip_id = 1",
            ("row_unaudited", "disposal", 1),
        ),
        (  # a planned record holds no copy of its clip's columns
            "UPDATE disposal SET sha256 = (SELECT sha256 FROM clip WHERE id = 3) WHERE clip_id = 2",
            ("row_unaudited", "disposal", 2),
        ),
        ("UPDATE disposal SET clip_id = 3 WHERE clip_id = 2", ("rows_changed", "disposal_plan", 1)),
        ("UPDATE disposal SET keep_until = '2026-01-01' WHERE clip_id = 2", ("rows_changed", "disposal_plan", 1)),
        ("DELETE FROM disposal WHERE clip_id = 2", ("rows_changed", "disposal_plan", 1)),
        (  # another clip's record slipped into the plan, as the plan would have written it
            "INSERT INTO disposal (plan_id, clip_id, keep_until) VALUES (1, 3, '2028-01-10')",
            ("rows_changed", "disposal_plan", 1),
        ),
    ],
    ids=["path", "sha256", "clip", "keep_until", "deleted", "added"],
)
def test_a_tampered_plan_item_is_caught_by_audit_verify_and_refused_by_dispose_run(home, tmp_path, cli, tamper, found):
    svc, daily, case = _office(home, tmp_path, "wanzhou")
    root = svc.ingest.archive_root()
    _at(svc, "2028-02-01 12:00:00")
    plan = svc.disposal.plan()
    svc.disposal.approve(plan.id, "3001", paper_form="QC-1")
    svc.close()
    with sqlite3.connect(home.db_path) as con:  # by hand, behind avledger's back
        con.execute(tamper)
    checked = cli("audit", "verify", "--json")
    assert checked.code == 1
    problems = [(p["kind"], p["entity"], p["entity_id"]) for p in checked.json()["problems"]]
    assert plan.id == 1 and problems == [found]
    if found[0] == "rows_changed":
        assert "登记的文件清单与审计日志记录的摘要不符" in cli("audit", "verify").out
    run = cli("dispose", "run", str(plan.id))
    assert run.code == 2 and "文件清单与审计日志不符" in run.err
    with sqlite3.connect(home.db_path) as con:
        paths = [p for (p,) in con.execute("SELECT archive_path FROM clip")]
    assert all((root / p).is_file() for p in paths)  # nothing was deleted


def test_a_planned_item_marked_done_by_hand_is_an_unaudited_row(home, tmp_path, cli):
    svc, daily, case = _office(home, tmp_path, "wanzhou")
    _at(svc, "2028-02-01 12:00:00")
    plan = svc.disposal.plan()
    svc.close()
    with sqlite3.connect(home.db_path) as con:
        con.execute("UPDATE disposal SET state = 'done', deleted_by = 'x' WHERE clip_id = 1")
    checked = cli("audit", "verify", "--json")
    assert checked.code == 1
    assert [(p["kind"], p["entity"]) for p in checked.json()["problems"]] == [("row_unaudited", "disposal")]
    assert plan.id == 1


def test_the_files_run_are_recorded_each_and_audit_verify_stays_clean_after_a_cancel(home, tmp_path, cli):
    svc, daily, case = _office(home, tmp_path, "wanzhou")
    _at(svc, "2028-02-01 12:00:00")
    first = svc.disposal.plan()
    svc.disposal.cancel(first.id, reason="投诉未结")
    assert {(i.state, i.skip_reason) for i in svc.disposal.items(first)} == {("skipped", "cancelled")}
    second = svc.disposal.plan()
    svc.disposal.approve(second.id, "3001", paper_form="QC-1")
    assert svc.disposal.run(second.id).deleted == 2
    for item in svc.disposal.items(second):  # each deleted file has its own entries, the last one "done"
        last = (
            AuditEvent.select()
            .where((AuditEvent.entity == "disposal") & (AuditEvent.entity_id == item.id))
            .order_by(AuditEvent.id.desc())
            .first()
        )
        assert last.action == "dispose_done" and item.sha256 in last.after
    svc.close()
    assert cli("audit", "verify").code == 0
    with sqlite3.connect(home.db_path) as con:  # a cancelled plan's file record marked disposed of by hand
        con.execute("UPDATE disposal SET state = 'done' WHERE plan_id = ? AND clip_id = 1", (first.id,))
    assert [p["kind"] for p in cli("audit", "verify", "--json").json()["problems"]] == ["row_unaudited"]


def test_a_cancelled_plan_keeps_its_reason_in_the_list_and_the_printed_register(home, tmp_path, cli):
    svc, daily, case = _office(home, tmp_path, "wanzhou")
    _at(svc, "2028-02-01 12:00:00")
    plan = svc.disposal.plan()
    svc.disposal.cancel(plan.id, reason="当事人投诉未结")
    assert svc.disposal.get(plan.id).cancel_reason == "当事人投诉未结"
    svc.close()
    assert [p["cancel_reason"] for p in cli("dispose", "list", "--json").json()] == ["当事人投诉未结"]
    assert cli("dispose", "list", "--plan", str(plan.id), "--json").json()["cancel_reason"] == "当事人投诉未结"
    assert "当事人投诉未结" in cli("dispose", "list").out
    assert f"清除计划 {plan.id} 已取消：当事人投诉未结" in cli("dispose", "list", "--plan", str(plan.id)).out
    en = cli("dispose", "list", "--plan", str(plan.id), lang="en")
    assert f"Disposal plan {plan.id} was cancelled: 当事人投诉未结" in en.out
    out = tmp_path / "disposals.pdf"
    assert cli("print", "disposals", "-o", str(out)).code == 0
    text = subprocess.run(["pdftotext", "-raw", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "当事人投诉未结" in text.replace("\n", "")
    assert cli("audit", "verify").code == 0


def test_dispose_plan_lists_its_first_files_and_says_where_the_rest_are(home, tmp_path, cli):
    """A plan of hundreds of thousands of files does not flood the terminal: `dispose plan` shows its first
    files and says how many more and where to read them; --json and `dispose list --plan` give them all."""
    from avledger.cli.retention import PLAN_SHOWN

    assert cli("demo").code == 0
    old = tmp_path / "old-card"  # footage of 2020, past every period
    n = PLAN_SHOWN + 2
    for i in range(n):
        write_video(old / f"VID_{i:04d}.MP4", 0.25, creation_time=f"2020-03-01T01:{i:02d}:00.000000Z", fps=4)
    assert cli("ingest", str(old)).code == 0
    late = [c["id"] for c in cli("footage", "list", "--late", "--json").json() if c["activity_id"] is None]
    assert cli("footage", "late-reason", *map(str, late), "--reason", "旧存储卡").code == 0
    planned = cli("dispose", "plan")
    assert planned.code == 0, planned.err
    lines = planned.out.splitlines()
    assert sum(1 for line in lines if "VID_" in line) == PLAN_SHOWN
    assert "另有 2 个文件" in lines[-1] and "dispose list --plan 1" in lines[-1]
    listed = cli("dispose", "list", "--plan", "1", "--json").json()
    assert listed["files"] == n and len(listed["items"]) == n
    assert sorted(i["name"] for i in listed["items"]) == [f"VID_{i:04d}.MP4" for i in range(n)]
    plain = cli("dispose", "list", "--plan", "1")
    assert sum(1 for line in plain.out.splitlines() if "VID_" in line) == n
