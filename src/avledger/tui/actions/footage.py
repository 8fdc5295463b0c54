"""Assigning a clip to an activity and explaining a late one (F08), shared by the footage list and a
clip's page.

Mixed into a screen that has ``services``.
"""

from __future__ import annotations

from collections.abc import Sequence

from avledger.errors import UserError
from avledger.i18n import _
from avledger.services.footage import ClipView
from avledger.timeutil import fmt_local
from avledger.tui.forms.base import activity_options
from avledger.tui.forms.footage import AssignChoices, AssignForm, AssignFormScreen, LateReasonFormScreen, several


class FootageActions:
    """Assigning a clip and explaining a late one (the list and a clip's page)."""

    def open_assign(
        self,
        clip: ClipView | Sequence[ClipView],
        error: str | None = None,
        field: str | None = None,
        initial: AssignForm | None = None,
    ) -> None:
        """Assign a clip, or several (the marked rows: all or none), to the activity chosen."""
        services = self.services  # type: ignore[attr-defined]
        clips = list(clip) if isinstance(clip, (list, tuple)) else [clip]
        tz = services.office.profile().tz
        activities = activity_options(services.activities.recent(), tz)
        if not activities:
            self.app.notify(_("还没有执法活动：请先登记执法活动"), severity="error")  # type: ignore[attr-defined]
            return

        def done(form: AssignForm | None) -> None:
            if form is None:
                return
            activity_id = form.activity
            try:
                if len(clips) == 1:
                    services.footage.assign(clips[0].id, activity_id, reason=form.reason)
                else:
                    services.footage.assign_many([c.id for c in clips], activity_id, reason=form.reason)
            except UserError as exc:
                self.open_assign(clip, exc.render(), exc.field, form)
                return
            self.app.notify(_("已归入执法活动 {id}：{name}").format(id=activity_id, name=several(clips)))  # type: ignore
            self.footage_changed(clips[0].id)

        screen = AssignFormScreen(clip, AssignChoices(activities), initial=initial, error=error, error_field=field)
        self.app.push_screen(screen, done)  # type: ignore[attr-defined]

    def open_late_reason(
        self,
        clip: ClipView | Sequence[ClipView],
        initial: str = "",
        error: str | None = None,
        field: str | None = None,
    ) -> None:
        """One reason for a late clip, or for several (the marked rows: all or none)."""
        services = self.services  # type: ignore[attr-defined]
        clips = list(clip) if isinstance(clip, (list, tuple)) else [clip]
        deadlines = [c.deadline_at for c in clips if c.deadline_at is not None]
        deadline = fmt_local(min(deadlines) if deadlines else None, services.office.profile().tz)

        def done(reason: str | None) -> None:
            if reason is None:
                return
            try:
                if len(clips) == 1:
                    services.footage.explain_late(clips[0].id, reason)
                else:
                    services.footage.explain_late_many([c.id for c in clips], reason)
            except UserError as exc:
                self.open_late_reason(clip, reason, exc.render(), exc.field)
                return
            self.app.notify(_("已登记逾期原因：{name}").format(name=several(clips)))  # type: ignore
            self.footage_changed(clips[0].id)

        self.app.push_screen(
            LateReasonFormScreen(clip, deadline, initial=initial, error=error, error_field=field), done
        )  # type: ignore

    def footage_changed(self, clip_id: int) -> None:
        """Hook: a clip's register entry changed."""
