"""Issue 15: editing an activity's times recomputes what derives from them, in the same change: its keep-until
date (the change logged, with its article), its clips' collection deadlines and late flags, and a clip the new
times leave outside the activity needs a reason, as assigning one would. Its interruptions, between its clips,
stay as they were. Each test names the article of the rule it follows, on a moving clock."""

from __future__ import annotations

import datetime as dt

from avledger.models.schema import AuditEvent, Clip
from conftest import fixed_clock, refusal
from test_reassign_gaps import clip_id, gaps
from test_reassign_gaps import office as office  # noqa: F401  (the fixture)
from test_retention import _at, _office

D = dt.date


def entries(action: str) -> list[AuditEvent]:
    return list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id))


def test_w14_a_later_end_moves_the_keep_until_date_and_the_change_is_logged(home, tmp_path):
    svc, daily, case = _office(home, tmp_path, "wanzhou")
    _at(svc, "2026-03-01 04:00:00")
    assert svc.retention.show(activity=daily.id).keep.until == D(2028, 1, 10)  # W14: two years from its end
    deadlines = {c.id: c.deadline_at for c in Clip.select().where(Clip.activity == daily.id)}
    svc.activities.edit(daily.id, end="2026-01-11 09:00", why="夜间检查至次日")
    assert svc.retention.show(activity=daily.id).keep.until == D(2028, 1, 11)
    [logged] = entries("keep_until")
    assert logged.entity == "activity" and logged.entity_id == daily.id
    assert (
        "2028-01-10 → 2028-01-11" in logged.summary and "W14" in logged.summary and "夜间检查至次日" in logged.summary
    )
    # the collection deadline counts from the activity's end when the clips have no device's return (24 h)
    for clip in Clip.select().where(Clip.activity == daily.id):
        assert clip.deadline_at == deadlines[clip.id] + dt.timedelta(hours=22) and not clip.late
    assert len(entries("deadline")) == 2
    _at(svc, "2028-01-10 12:00:00")
    assert svc.disposal.due() == []  # a day later than before the edit
    _at(svc, "2028-01-11 12:00:00")
    assert [c for c, _k in svc.disposal.due()] == [1, 2]
    # a place changed: the date stays, nothing more is logged
    svc.activities.edit(daily.id, place="加油站", why="补录地点")
    assert len(entries("keep_until")) == 1 and len(entries("deadline")) == 2
    svc.close()


def test_r14_times_moved_earlier_leave_clips_outside_and_late_and_the_hold_follows(home, tmp_path, cli):
    """R14(一): footage in the workstation within 24 hours of the activity's end (counted from the end in the
    ruzhou profile); R14(二): three months for simple matters; a late clip waits for its reason and holds."""
    svc, daily, case = _office(home, tmp_path, "ruzhou")
    _at(svc, "2026-01-20 04:00:00")
    events = AuditEvent.select().count()
    assert refusal(
        svc.activities.edit, daily.id, start="2026-01-08 09:00", end="2026-01-08 11:00", why="日期登记有误"
    ) == ("activity.clips_outside", "outside_reason")
    assert AuditEvent.select().count() == events  # nothing changed
    assert svc.activities.view(daily.id).start_at.day == 10
    svc.activities.edit(
        daily.id, start="2026-01-08 09:00", end="2026-01-08 11:00", why="日期登记有误", outside_reason="复查录像"
    )
    outside = entries("outside")
    assert [e.entity_id for e in outside] == [1, 2] and all("复查录像" in e.summary for e in outside)
    clips = list(Clip.select().where(Clip.activity == daily.id))
    assert all(c.late and c.late_reason is None for c in clips)  # ingested on the 10th, due by the 9th 11:00
    assert all(c.deadline_at == dt.datetime(2026, 1, 9, 3, 0) for c in clips)
    assert "late_waiting" in [h.kind for h in svc.retention.show(activity=daily.id).holds]
    assert "2026-04-10 → 2026-04-08" in entries("keep_until")[0].summary  # R14(二): three months from the end
    _at(svc, "2026-04-10 12:00:00")  # the clips' own three months are over too
    assert svc.disposal.due() == []  # held: late clips waiting for their reason
    svc.footage.explain_late_many([c.id for c in clips], "外地执法")
    assert [c for c, _k in svc.disposal.due()] == [1, 2]
    # set right again: no longer late, the reason given for a lateness that is gone goes with it
    svc.activities.edit(daily.id, start="2026-01-10 09:00", end="2026-01-10 11:00", why="改回")
    clips = list(Clip.select().where(Clip.activity == daily.id))
    assert not any(c.late for c in clips) and all(c.late_reason is None for c in clips)
    assert len(entries("outside")) == 2  # inside again: nothing to explain
    svc.close()
    refused = cli("activity", "edit", str(daily.id), "--start", "2026-01-10 10:00", "--why", "x")
    assert refused.code == 2 and "须说明其仍属于该活动的原因" in refused.err
    done = cli(
        "activity", "edit", str(daily.id), "--start", "2026-01-10 10:00", "--why", "x", "--outside-reason", "到场前"
    )
    assert done.code == 0, done.err
    assert cli("audit", "verify").code == 0


def test_d20_interruptions_stay_as_they_were_when_the_times_change(office):  # noqa: F811
    """D20 (F09): an interruption is between two clips of one device; new times leave them where they are."""
    before = gaps(office)
    assert len(before) == 3
    gap = next(g for g in office.gaps.list() if g.activity_id == office.first)
    office.gaps.explain(gap.id, "battery")
    before = gaps(office)
    office.ctx.clock = fixed_clock("2026-01-12 02:00:00")
    office.activities.edit(office.first, end="2026-01-10 10:00", why="提前结束")
    assert gaps(office) == before
    assert clip_id("D")  # the clips are still its own
    assert {c.activity_id for c in Clip.select()} == {office.first}


def test_r14_closing_a_case_logs_its_new_keep_until_date_with_its_article(home, tmp_path, cli):
    """R14(二)2: a case is kept three months after it closes, six months from its end at least; closing it
    gives it its date, logged in the closing's change as an edit's is."""
    svc, daily, case = _office(home, tmp_path, "ruzhou")
    _at(svc, "2026-09-01 04:00:00")
    svc.activities.close(case.id, at="2026-09-01")
    [closed] = entries("close")
    [logged] = entries("keep_until")
    assert logged.entity == "activity" and logged.entity_id == case.id and logged.id == closed.id + 1
    assert "案件终结后确定 → 2026-12-01" in logged.summary and "R14" in logged.summary
    assert "结案 2026-09-01" in logged.summary
    svc.close()
    assert cli("audit", "verify").code == 0
