"""avledger todo: the home screen's reminders from the command line (issue 12)."""

from __future__ import annotations


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
