"""Registering activities, closing cases and not-recorded work records (F06, F10), shared by the
activity list and an activity's page.

Mixed into a screen that has ``services``.
"""

from __future__ import annotations

from avledger.errors import UserError
from avledger.i18n import _
from avledger.services.activities import ActivityView, activity_name
from avledger.timeutil import fmt_local, local_today
from avledger.tui.forms.activity import (
    ActivityChoices,
    ActivityForm,
    ActivityFormScreen,
    CloseFormScreen,
    NoRecordForm,
    NoRecordFormScreen,
    split_numbers,
)
from avledger.tui.forms.activity_edit import ActivityEditForm, ActivityEditFormScreen
from avledger.tui.forms.base import staff_options
from avledger.vocab import ROLES, label


class ActivityActions:
    """Registering activities, closing cases and not-recorded work records (the list and an activity's page)."""

    def activity_choices(self) -> ActivityChoices:
        services = self.services  # type: ignore[attr-defined]
        profile = services.office.profile()
        staff = services.staff.list(include_left=False)
        role = profile.get("norecord.report_role")
        leaders = staff_options(s for s in staff if role in s.roles)
        return ActivityChoices(
            tz=profile.tz,
            now=services.ctx.clock(),
            officers={s.number: s.name for s in staff if s.is_enforcement},
            leaders=leaders,
            reasons=tuple(profile.get("norecord.reasons")),
            min_signers=profile.get("norecord.min_signers"),
        )

    def open_activity_form(
        self, initial: ActivityForm | None = None, error: str | None = None, field: str | None = None
    ) -> None:
        app = self.app  # type: ignore[attr-defined]

        def done(form: ActivityForm | None) -> None:
            if form is None:
                return
            try:
                view = self.services.activities.add(  # type: ignore[attr-defined]
                    form.kind,
                    form.title,
                    form.start,
                    end=form.end or None,
                    officers=form.officer_numbers,
                    case_no=form.case_no,
                    case_name=form.case_name,
                    party=form.party,
                    place=form.place,
                    full_record=form.full_record,
                    circumstances=form.circumstances,
                    confidential=form.confidential,
                    long_term=form.long_term,
                )
            except UserError as exc:
                self.open_activity_form(form, exc.render(), exc.field)
                return
            app.notify(_("已登记执法活动 {id}：{title}").format(id=view.id, title=view.title))
            self.activities_changed(view.id)

        app.push_screen(
            ActivityFormScreen(self.activity_choices(), initial=initial, error=error, error_field=field), done
        )

    def open_edit_form(
        self,
        activity: ActivityView,
        initial: ActivityEditForm | None = None,
        error: str | None = None,
        field: str | None = None,
    ) -> None:
        """修改执法活动: only what the form changed goes to the service, with the reason for the change."""
        app = self.app  # type: ignore[attr-defined]
        services = self.services  # type: ignore[attr-defined]
        tz = services.office.profile().tz
        current = ActivityEditForm(
            start=fmt_local(activity.start_at, tz),
            end=fmt_local(activity.end_at, tz) if activity.end_at else "",
            officers=" ".join(activity.officers),
            case_no=activity.case_no,
            case_name=activity.case_name,
            party=activity.party,
            place=activity.place,
            long_term=tuple(activity.long_term),
        )

        def done(form: ActivityEditForm | None) -> None:
            if form is None:
                return

            def changed(key: str) -> str | None:
                value = getattr(form, key)
                return value if value != getattr(current, key) else None

            try:
                view = services.activities.edit(
                    activity.id,
                    why=form.why,
                    start=changed("start"),
                    end=changed("end"),
                    place=changed("place"),
                    party=changed("party"),
                    case_no=changed("case_no"),
                    case_name=changed("case_name"),
                    officers=form.officer_numbers if changed("officers") is not None else None,
                    long_term=[r for r in form.long_term if r not in current.long_term],
                    outside_reason=form.outside_reason,
                )
            except UserError as exc:
                self.open_edit_form(activity, form, exc.render(), exc.field)
                return
            app.notify(_("已修改执法活动 {id}：{title}").format(id=view.id, title=view.title))
            self.activities_changed(view.id)

        app.push_screen(
            ActivityEditFormScreen(
                activity_name(activity),
                self.activity_choices(),
                current,
                initial=initial,
                error=error,
                error_field=field,
            ),
            done,
        )

    def open_close_form(
        self, activity: ActivityView, initial: str = "", error: str | None = None, field: str | None = None
    ) -> None:
        app = self.app  # type: ignore[attr-defined]
        services = self.services  # type: ignore[attr-defined]
        today = local_today(services.ctx.clock(), services.office.profile().tz)

        def done(date: str | None) -> None:
            if date is None:
                return
            try:
                services.activities.close(activity.id, at=date)
            except UserError as exc:
                self.open_close_form(activity, date, exc.render(), exc.field)
                return
            app.notify(_("已结案：{name}").format(name=activity_name(activity)))
            self.activities_changed(activity.id)

        app.push_screen(
            CloseFormScreen(activity_name(activity), today, initial=initial, error=error, error_field=field or "date"),
            done,
        )

    def open_norecord_form(
        self,
        activity: ActivityView,
        initial: NoRecordForm | None = None,
        error: str | None = None,
        field: str | None = None,
    ) -> None:
        app = self.app  # type: ignore[attr-defined]
        services = self.services  # type: ignore[attr-defined]
        choices = self.activity_choices()
        if not choices.leaders:
            role = services.office.profile().get("norecord.report_role")
            app.notify(
                _("还没有在职的{role}接收工作记录报告：请先在“人员”中设定角色").format(role=label(ROLES, role)),
                severity="error",
            )
            return
        if initial is None:
            initial = NoRecordForm("", "", " ".join(activity.officers), "")

        def done(form: NoRecordForm | None) -> None:
            if form is None:
                return
            try:
                services.norecords.add(
                    activity.id,
                    form.reason,
                    form.basis,
                    split_numbers(form.signers),
                    form.reported_to,
                    at=form.at or None,
                )
            except UserError as exc:
                self.open_norecord_form(activity, form, exc.render(), exc.field)
                return
            app.notify(_("已登记无法记录工作记录：{name}").format(name=activity_name(activity)))
            self.activities_changed(activity.id)

        app.push_screen(
            NoRecordFormScreen(activity_name(activity), choices, initial=initial, error=error, error_field=field), done
        )

    def activities_changed(self, activity_id: int) -> None:
        """Hook: an activity was registered or changed."""
