"""The reminders (待办提醒) and the office at a glance, on the sample office's register."""

from __future__ import annotations

import datetime as dt
import json

from avledger.i18n import set_language
from avledger.identity import Identity
from avledger.services.lending import PreCheck
from avledger.services.reminders import KINDS, reminder_text
from avledger.services.views import to_json
from conftest import fixed_clock


def kinds(todo) -> list[str]:
    return [r.kind for r in todo.reminders]


def of_kind(todo, kind: str):
    return [r for r in todo.reminders if r.kind == kind]


def test_what_the_sample_office_has_to_do(demo):
    glance = demo.reminders.glance()
    todo = glance.todo
    assert glance.devices == demo.devices.status_counts()
    assert glance.register.devices == len(demo.devices.list()) == 10
    active = [s for s in demo.staff.list() if s.active]
    assert glance.register.staff == len(active)
    assert glance.register.officers == sum(1 for s in active if s.is_enforcement)
    assert glance.register.departments == len(demo.departments.list())
    assert glance.register.last_change_at == demo.audit.list(newest_first=True, limit=1)[0].at
    assert [r.department for r in glance.shortfalls] == [r.department for r in demo.allocation.report() if r.shortfall]

    [loan] = of_kind(todo, "overdue_loan")
    expected = demo.lending.list(overdue=True)[0]
    assert (loan.asset_no, loan.staff_number, loan.at, loan.loan_id) == (
        "JL-2024-003",
        "3002",
        expected.due_at,
        expected.id,
    )
    assert [(r.activity_id, r.loan_id, r.at) for r in of_kind(todo, "collection")] == [
        (w.id if w.kind == "activity" else None, w.id if w.kind == "loan" else None, w.deadline_at)
        for w in demo.footage.waiting()
    ]
    assert [r.count for r in of_kind(todo, "open_gaps")] == [len(demo.gaps.list(open_only=True))] == [1]
    late = [c for c in demo.footage.list(late=True) if not c.late_reason]
    assert [r.count for r in of_kind(todo, "late_clips")] == [len(late)] and late
    assert not of_kind(todo, "disc_recheck") and todo.left_out == {}
    assert set(kinds(todo)) <= set(KINDS)
    # in the order a person reads them
    assert kinds(todo) == sorted(kinds(todo), key=KINDS.index)


def test_a_reminder_in_words(demo):
    tz = demo.office.profile().tz
    todo = demo.reminders.todo()
    texts = [reminder_text(r, tz) for r in todo.reminders]
    assert "逾期未还：JL-2024-003 徐磊（3002）" in texts[0]
    assert "记录中断待说明原因：1 处" in texts
    assert any(t.startswith("配备缺额：执法一队 缺 1 台") for t in texts)
    set_language("en")
    try:
        english = [reminder_text(r, tz) for r in todo.reminders]
    finally:
        set_language("zh")
    assert english[0].startswith("Overdue: JL-2024-003") and "Interruptions waiting for a reason: 1" in english


def test_json_is_the_same_in_every_language(demo):
    now = demo.ctx.clock()
    demo.ctx.clock = lambda: now  # both glances at one moment (hours left to collect would tick between them)
    glance = demo.reminders.glance()
    zh = json.dumps(glance.as_json(), ensure_ascii=False)
    set_language("en")
    try:
        en = json.dumps(demo.reminders.glance().as_json(), ensure_ascii=False)
    finally:
        set_language("zh")
    assert zh == en
    row = to_json(glance.todo.reminders[0])
    assert row["kind"] == "overdue_loan" and row["at"] == glance.todo.reminders[0].at.isoformat()


def test_lists_stop_at_the_limit_and_count_the_rest(demo):
    now = demo.ctx.clock()
    local = lambda t: t.strftime("%Y-%m-%d %H:%M")  # noqa: E731 (the demo's clock is UTC; the office's zone is not)
    tz = demo.office.profile().tz
    from avledger.timeutil import to_local

    for asset in [d.asset_no for d in demo.devices.list() if d.status == "in_store"][:3]:
        demo.lending.issue(
            asset,
            "2002",
            PreCheck(90, 20, 1, True),
            at=local(to_local(now - dt.timedelta(days=2), tz)),
            due=local(to_local(now - dt.timedelta(days=1), tz)),
        )
    assert len(demo.lending.list(overdue=True)) == 4
    todo = demo.reminders.todo(limit=2)
    assert len(of_kind(todo, "overdue_loan")) == 2 and todo.left_out["overdue_loan"] == 2
    assert len(of_kind(todo, "allocation_shortfall")) <= 2
    assert "overdue_loan" not in demo.reminders.todo(limit=4).left_out


def test_confidential_activities_are_neither_named_nor_counted_for_the_uncleared(demo):
    gap = demo.gaps.list(open_only=True)[0]
    demo.activities.set_confidential(gap.activity_id)
    assert of_kind(demo.reminders.todo(), "open_gaps")  # the manager is cleared
    demo.staff.update("3004", os_user="someone")  # an officer with nothing to do with it
    demo.ctx.identity = Identity.console("someone")
    assert not of_kind(demo.reminders.todo(), "open_gaps")
    officer = demo.activities.view(gap.activity_id).officers[0]  # one of its officers is cleared
    demo.ctx.identity = Identity.console("tester")  # the manager maps their account
    demo.staff.update(officer, os_user="its officer")
    demo.ctx.identity = Identity.console("its officer")
    assert [r.count for r in of_kind(demo.reminders.todo(), "open_gaps")] == [1]


def test_nothing_registered_yet(services):
    """A new register: the first step is named (here, devices: the fixture has a department and staff)."""
    todo = services.reminders.todo()
    assert kinds(todo) == ["no_devices", "allocation_shortfall"]  # its officer has no device


def test_counts_do_not_load_the_clips(demo):
    """Clips and interruptions are counted in SQL: every statement over them is a count or an existence test,
    never rows (a register holds a million clips)."""
    statements: list[str] = []
    connection = demo.db.connection()
    connection.set_trace_callback(statements.append)
    try:
        glance = demo.reminders.glance()
    finally:
        connection.set_trace_callback(None)
    assert of_kind(glance.todo, "late_clips") and of_kind(glance.todo, "open_gaps")
    over = [s for s in statements if 'FROM "clip"' in s or 'FROM "gap"' in s]
    assert over
    loading = [s for s in over if "COUNT(" not in s.upper() and "LIMIT 1" not in s.upper()]
    assert loading == []


def test_a_manual_hold_unreviewed_longer_than_the_profile_allows_is_reminded(demo):
    activity = demo.activities.list()[0]
    hold = demo.retention.add_hold(activity=activity.id, reason="complaint")
    assert demo.office.profile().get("retention.hold_review_days") == 180
    assert not of_kind(demo.reminders.todo(), "hold_review")
    set_at = demo.retention.holds()[0].set_at
    demo.ctx.clock = fixed_clock(f"{set_at + dt.timedelta(days=181):%Y-%m-%d %H:%M:%S}")
    [reminder] = of_kind(demo.reminders.todo(), "hold_review")
    assert (reminder.count, reminder.days) == (1, 180)
    assert reminder_text(reminder, demo.office.profile().tz) == "保存冻结超过 180 天未复核：1 项"
    assert kinds(demo.reminders.todo()) == sorted(kinds(demo.reminders.todo()), key=KINDS.index)
    demo.office.set_value("retention.hold_review_days", "365")  # the office allows a year
    assert not of_kind(demo.reminders.todo(), "hold_review")
    demo.office.set_value("retention.hold_review_days", "180")
    demo.retention.release_hold(hold.id, reason="reviewed: settled")
    assert not of_kind(demo.reminders.todo(), "hold_review")
