"""The listings' queries use the indexes migration 6 made for them (EXPLAIN QUERY PLAN of what they run).

Each service call is run with SQLite's trace on, and the plan of every statement it ran is asked of SQLite:
an index that a change to a query (or to the schema) stopped using fails here, not on a register of a
million clips.
"""

from __future__ import annotations

import pytest

from avledger.home import Home
from avledger.identity import Identity
from avledger.services import Services
from avledger.services.activities import ActivityQuery
from avledger.services.auditlog import AuditQuery
from avledger.services.footage import FootageQuery
from avledger.services.lending import LoanQuery


@pytest.fixture(scope="module")
def synth(synth_home):
    svc = Services(Home(synth_home), Identity.of_process())  # reads only: its plans
    yield svc
    svc.close()


def plans(svc: Services, call) -> list[str]:
    """The query plan of every SELECT that ``call()`` runs, each as one line of its steps."""
    connection = svc.ctx.db.connection()
    statements: list[str] = []
    connection.set_trace_callback(statements.append)
    try:
        call()
    finally:
        connection.set_trace_callback(None)
    found = []
    for sql in statements:
        if sql.lstrip().upper().startswith("SELECT") and "sqlite_master" not in sql:
            steps = connection.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
            found.append(" | ".join(step[-1] for step in steps))
    return found


def uses(svc: Services, call, *needles: str) -> None:
    """Some statement ``call()`` runs has every one of ``needles`` in its plan."""
    found = plans(svc, call)
    assert any(all(n in plan for n in needles) for plan in found), "\n".join(found)


def test_footage_in_time_order_from_its_index(synth):
    newest = FootageQuery(newest_first=True)
    uses(synth, lambda: synth.footage.page(newest), "SCAN c USING INDEX clip_start")
    uses(synth, lambda: synth.footage.count(newest), "COVERING INDEX")
    late = FootageQuery(late=True, newest_first=True)
    uses(synth, lambda: synth.footage.page(late), "INDEX clip_late")
    some = synth.activities.list()[0].id
    uses(synth, lambda: synth.footage.page(FootageQuery(activity=some)), "INDEX clip_activity (activity_id=?)")
    uses(synth, lambda: synth.footage.count(FootageQuery(waiting_reason=True)), "INDEX clip_late_waiting")


def test_typed_words_are_found_through_the_text_indexes(synth):
    party = next(a.party for a in synth.activities.list() if a.party)[3:8]
    words = FootageQuery(text=party, newest_first=True)
    # a page reads the order's index first, then what the full-text indexes find
    uses(synth, lambda: synth.footage.page(words), "clip_start")
    uses(synth, lambda: synth.footage.count(words), "clip_text VIRTUAL TABLE INDEX", "activity_text VIRTUAL TABLE")
    uses(synth, lambda: synth.activities.count(ActivityQuery(text=party)), "activity_text VIRTUAL TABLE INDEX")
    uses(synth, lambda: synth.audit.count(AuditQuery(text=party)), "audit_text VIRTUAL TABLE INDEX")


def test_activities_newest_first_from_their_index(synth):
    uses(synth, lambda: synth.activities.page(ActivityQuery()), "activity_start")


def test_loans_out_now_and_the_whole_ledger_from_their_indexes(synth):
    uses(synth, lambda: synth.lending.page(LoanQuery(open_only=True)), "INDEX loan_open")
    uses(synth, lambda: synth.lending.page(LoanQuery()), "INDEX loan_start")
    uses(synth, lambda: synth.lending.count(LoanQuery(overdue=True)), "loan_open")
    # the home screen counts overdue loans and late clips waiting for a reason from their partial indexes
    uses(synth, lambda: synth.reminders.glance(), "loan_open_due")
    uses(synth, lambda: synth.reminders.glance(), "clip_late_waiting")


def test_the_audit_log_by_date_from_its_index(synth):
    import datetime as dt

    day = dt.date(2025, 3, 12)
    uses(
        synth, lambda: synth.audit.page(AuditQuery(date_from=day, date_to=day)), "INDEX audit_event_at (at>? AND at<?)"
    )
    uses(synth, lambda: synth.audit.count(AuditQuery(text="2025-03-12")), "audit_event_at")
