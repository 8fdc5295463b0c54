"""Suspension from enforcement (停止执法工作, D34(三) P14(三)): a decided violation whose sanction is a
suspension keeps its person from holding a recording device and from being named on an activity, from the
decision's date to the end of its ``until`` date (local dates). Lending and activities ask here; the
register of violations itself is :mod:`avledger.services.supervision`."""

from __future__ import annotations

import datetime as dt

from avledger.errors import UserError
from avledger.models.schema import Staff, Violation


def suspension_on(person: Staff, day: dt.date) -> Violation | None:
    """The decided suspension of ``person`` that covers the local date ``day`` (the one ending last), or None."""
    return (
        Violation.select()
        .where(
            (Violation.staff == person)
            & (Violation.status == "decided")
            & (Violation.sanction == "suspension")
            & (Violation.suspended_from <= day)
            & (Violation.until >= day)
        )
        .order_by(Violation.until.desc())
        .first()
    )


def refuse_if_suspended(person: Staff, day: dt.date, *, field: str) -> None:
    """Refuse (``staff.suspended``, naming ``field``) a person suspended from enforcement on ``day``."""
    found = suspension_on(person, day)
    if found is not None:
        raise UserError(
            "staff.suspended",
            "{name}（{number}）被停止执法工作，{start} 至 {until}（过错责任追究 {id}），不能领用设备或参加执法活动",
            field=field,
            name=person.name,
            number=person.number,
            start=found.suspended_from.isoformat(),
            until=found.until.isoformat(),
            id=found.id,
        )
