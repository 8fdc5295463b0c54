"""One late reason for several clips, and several clips assigned at once (issue 18), through the services
and the CLI: each clip checked and logged as one alone, none changed when one is refused."""

from __future__ import annotations

from avledger.models.schema import AuditEvent, Clip
from conftest import refusal


def late_ids(svc) -> list[int]:
    return [c.id for c in svc.footage.list(late=True)]


def test_one_reason_for_several_late_clips(demo):
    ids = late_ids(demo)
    assert len(ids) == 3
    events = AuditEvent.select().count()
    # one clip unknown, one named twice, the reason empty: refused, nothing changed
    assert refusal(demo.footage.explain_late_many, [*ids, 99999], "out on duty") == ("clip.unknown", "clip_ids")
    assert refusal(demo.footage.explain_late_many, ids, "  ") == ("input.empty", "reason")
    assert refusal(demo.footage.explain_late_many, [], "out on duty") == ("clip.none_chosen", "clip_ids")
    assert AuditEvent.select().count() == events
    assert all(c.late_reason is None for c in demo.footage.list(late=True))
    done = demo.footage.explain_late_many([str(ids[0]), *ids], "out on duty")
    assert [c.id for c in done] == ids and {c.late_reason for c in done} == {"out on duty"}
    logged = list(AuditEvent.select().order_by(AuditEvent.id))[-3:]
    assert [(e.action, e.entity, e.entity_id) for e in logged] == [("late_reason", "clip", i) for i in ids]
    assert AuditEvent.select().count() == events + 3
    assert demo.footage.waiting_reason(1) == []
    assert demo.audit.verify().ok


def test_a_clip_not_late_refuses_the_whole_call(demo):
    ids = late_ids(demo)
    Clip.update(late=False).where(Clip.id == ids[0]).execute()  # collected in time, say
    assert not demo.footage.view(ids[0]).late
    events = AuditEvent.select().count()
    assert refusal(demo.footage.explain_late_many, ids, "x") == ("clip.not_late", "clip_ids")
    assert AuditEvent.select().count() == events
    assert {demo.footage.view(i).late_reason for i in ids[1:]} == {None}


def test_assign_several_clips_at_once(demo):
    ids = [c.id for c in demo.footage.list()]
    why = "归错了活动"
    demo.footage.assign(ids[1], 2, reason=why)
    events = AuditEvent.select().count()
    # recorded two days before activity 2: none is assigned without a reason (issue 15)
    assert refusal(demo.footage.assign_many, [ids[0], ids[2]], 2) == ("clip.outside_activity", "reason")
    # one of them is already in activity 2: none is assigned
    assert refusal(demo.footage.assign_many, ids, 2, reason=why) == ("clip.already_assigned", "activity_id")
    assert refusal(demo.footage.assign_many, [ids[0], ids[2]], 999) == ("activity.unknown", "activity_id")
    assert refusal(demo.footage.assign_many, [ids[0], "x"], 2) == ("clip.unknown", "clip_ids")
    assert AuditEvent.select().count() == events
    assert [demo.footage.view(i).activity_id for i in ids] == [1, 2, 1]
    done = demo.footage.assign_many([ids[0], ids[2]], 2, reason=why)
    assert [c.activity_id for c in done] == [2, 2]
    logged = list(AuditEvent.select().order_by(AuditEvent.id))[events:]
    assert [(e.action, e.entity_id) for e in logged if e.action == "assign"] == [("assign", ids[0]), ("assign", ids[2])]
    assert demo.audit.verify().ok


def test_cli_late_reason_and_assign_several(demo, cli):
    ids = [str(i) for i in late_ids(demo)]
    refused = cli("footage", "late-reason", *ids, "999", "--reason", "out on duty")
    assert refused.code == 2 and "999" in refused.err
    done = cli("footage", "late-reason", "--activity", "1", "--reason", "out on duty")
    assert done.code == 0, done.err
    assert done.out.count("已登记逾期说明") == 3
    assert {c.late_reason for c in demo.footage.list(late=True)} == {"out on duty"}
    none = cli("footage", "late-reason", "--activity", "1", "--reason", "again")
    assert none.code == 0 and "没有待说明的逾期音像文件" in none.out
    outside = cli("footage", "assign", *ids, "--activity", "2")
    assert outside.code == 2 and "须说明原因" in outside.err
    moved = cli("footage", "assign", *ids, "--activity", "2", "--reason", "归错了活动")
    assert moved.code == 0, moved.err
    assert moved.out.count("已归入执法活动 2") == 3
    again = cli("footage", "assign", *ids, "--activity", "2", lang="en")
    assert again.code == 2 and "already belongs to activity 2" in again.err
