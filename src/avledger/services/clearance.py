"""What footage the person acting may see (F15, F17).

The person is who :meth:`Context.acting` says (the staff member of the console account or of the SSH
key; the owner account unmapped acts as the administrator). Who sees every confidential record is in the
permission table (:mod:`avledger.services.permissions`, ``confidential.read``: the manager, the
administrator, the supervisor and the profile's confidential approver role). Everyone else sees
confidential records (保密, F17) in lists only for:

- the activities they are an officer of;
- a request of theirs with a current approval that covers the activity's footage.

Opening footage always needs an approval covering the clip; ``footage.preview`` (the manager, the
administrator) looks at pictures of non-confidential footage without one (to attribute and check the
archive), and that look is audited.

This module reads only the models; the services build on it.
"""

from __future__ import annotations

import datetime as dt

from avledger.models.schema import AccessClip, AccessRequest, Activity, ActivityOfficer, Clip, Staff
from avledger.services.base import Context
from avledger.timeutil import local_today


def current_staff(ctx: Context) -> Staff | None:
    """The member of staff acting (None: the administrator, or nobody)."""
    return ctx.staff()


def today(ctx: Context) -> dt.date:
    return local_today(ctx.clock(), ctx.profile().tz)


def live_approvals(ctx: Context, staff: Staff | None):
    """The approved, unexpired requests of ``staff`` (a query)."""
    if staff is None:
        return AccessRequest.select().where(AccessRequest.id.is_null())
    return AccessRequest.select().where(
        (AccessRequest.requester == staff) & (AccessRequest.status == "approved") & (AccessRequest.until >= today(ctx))
    )


def approval_for_clip(ctx: Context, clip_id: int, staff: Staff | None = None) -> AccessRequest | None:
    """The current approval of the person acting (or ``staff``) that covers a clip, latest first."""
    staff = staff if staff is not None else current_staff(ctx)
    if staff is None:
        return None
    return (
        live_approvals(ctx, staff)
        .join(AccessClip)
        .where(AccessClip.clip == clip_id)
        .order_by(AccessRequest.until.desc(), AccessRequest.id.desc())
        .first()
    )


class Clearance:
    """What the person acting may see in lists."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.staff = current_staff(ctx)
        self.sees_all = ctx.may("confidential.read")
        self._activities: set[int] | None = None

    def cleared_activities(self) -> set[int]:
        """Confidential activities this person may see (all when ``sees_all``: not listed)."""
        if self._activities is None:
            ids: set[int] = set()
            if self.staff is not None:
                ids |= {
                    a
                    for (a,) in ActivityOfficer.select(ActivityOfficer.activity)
                    .where(ActivityOfficer.staff == self.staff)
                    .tuples()
                }
                ids |= {
                    a
                    for (a,) in Clip.select(Clip.activity)
                    .join(AccessClip, on=(AccessClip.clip == Clip.id))
                    .where(
                        AccessClip.request.in_(live_approvals(self.ctx, self.staff).select(AccessRequest.id))
                        & Clip.activity.is_null(False)
                    )
                    .tuples()
                }
            self._activities = ids
        return self._activities

    def sees_activity(self, activity_id: int | None, confidential: bool) -> bool:
        if not confidential or activity_id is None or self.sees_all:
            return True
        return activity_id in self.cleared_activities()

    def seen_in(self, query, activity_id, confidential):
        """``query`` narrowed to the rows whose activity this person may see: :meth:`sees_activity` as SQL,
        for counting without loading rows. ``activity_id`` and ``confidential`` are the columns of the
        activity (joined left outer: a row without an activity is seen)."""
        if self.sees_all:
            return query
        return query.where(
            activity_id.is_null() | (confidential == False) | activity_id.in_(sorted(self.cleared_activities()))  # noqa: E712
        )

    def sees_request(self, request: AccessRequest) -> bool:
        if not request.confidential or self.sees_all:
            return True
        return self.staff is not None and request.requester_id == self.staff.id

    def confidential_ids(self) -> set[int]:
        return {a for (a,) in Activity.select(Activity.id).where(Activity.confidential == True).tuples()}  # noqa: E712


def require_cleared(ctx: Context, activities, *, log_allowed: bool = False) -> None:
    """Refuse (and log the attempt) when the person acting may not see one of these confidential activities
    (a disc build, a printed form, an activity's page: F17 everywhere). ``log_allowed``: log the opening
    of each confidential one too."""
    from avledger.errors import UserError

    secret = [a for a in activities if a.confidential]
    if not secret:
        return
    clearance = Clearance(ctx)
    for activity in secret:
        allowed = clearance.sees_activity(activity.id, True)
        if allowed and not log_allowed:
            continue
        with ctx.change():
            ctx.log(
                "view" if allowed else "view_refused",
                entity="activity",
                entity_id=activity.id,
                summary=f"{activity.id} {activity.case_no or activity.title}",
            )
        if not allowed:
            raise UserError(
                "activity.confidential", "执法活动 {id} 涉密，您无权查看", field="activity_id", id=activity.id
            )
