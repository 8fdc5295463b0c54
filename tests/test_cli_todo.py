"""avledger todo: the home screen's reminders from the command line (issue 12)."""

from __future__ import annotations

import datetime as dt

from conftest import fixed_clock


def test_todo_lists_what_waits_and_how_to_act(demo, cli):
    demo.close()
    result = cli("todo")
    assert result.code == 0, result.err
    assert "逾期未还：JL-2024-003" in result.out and "avledger loan in JL-2024-003" in result.out
    assert "记录中断待说明原因：1 处" in result.out and "avledger gaps --open" in result.out
    data = cli("todo", "--json").json()
    kinds = [r["kind"] for r in data["reminders"]]
    assert {"overdue_loan", "collection", "open_gaps", "late_clips", "allocation_shortfall"} <= set(kinds)
    assert kinds == sorted(
        kinds, key=["overdue_loan", "collection", "open_gaps", "late_clips", "allocation_shortfall", "disc_due"].index
    )
    shortfalls = kinds.count("allocation_shortfall")
    cut = cli("todo", "--json", "--limit", "1").json()
    assert [r["kind"] for r in cut["reminders"]].count("allocation_shortfall") == 1
    assert cut["left_out"].get("allocation_shortfall") == shortfalls - 1
    assert cli("todo", "--limit", "0").code == 2


def test_todo_reminds_of_old_manual_holds(demo, cli):
    demo.ctx.clock = fixed_clock(f"{dt.datetime.now(dt.UTC) - dt.timedelta(days=200):%Y-%m-%d %H:%M:%S}")
    demo.retention.add_hold(activity=demo.activities.list()[0].id, reason="court request")
    demo.close()
    result = cli("todo")
    assert "保存冻结超过 180 天未复核：1 项" in result.out and "avledger hold list" in result.out
    assert cli("profile", "set", "retention.hold_review_days", "365").code == 0
    assert "hold_review" not in [r["kind"] for r in cli("todo", "--json").json()["reminders"]]
    assert cli("profile", "set", "retention.hold_review_days", "0").code == 2
    en = cli("profile", "set", "retention.hold_review_days", "30", lang="en")
    assert en.code == 0
    assert "Holds standing over 30 days without review: 1" in cli("todo", lang="en").out
