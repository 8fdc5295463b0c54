"""Manual holds (人工冻结) set and released, and the case file's keeping period (案卷保管期限) entered, from
an activity's page: the page gives ``activity``, ``selected_hold()`` and ``reload()``."""

from __future__ import annotations

from textual.widgets import TabbedContent

from avledger.errors import UserError
from avledger.i18n import _
from avledger.services.activities import activity_name
from avledger.tui.forms.retention import CaseFileForm, CaseFileFormScreen, HoldForm, HoldFormScreen, ReleaseFormScreen


class HoldActions:
    def action_hold(self) -> None:
        """Release the open hold selected on the holds tab, or set a new one."""
        hold = self.selected_hold()
        if hold is not None:
            self.release_hold(hold)
        else:
            self.add_hold()

    def add_hold(self, initial: HoldForm | None = None, error: str | None = None, field: str | None = None) -> None:
        a = self.activity
        if a is None:
            return

        def done(form: HoldForm | None) -> None:
            if form is None:
                return
            try:
                if form.scope == "case":
                    added = self.services.retention.add_hold(case_no=a.case_no, reason=form.reason)
                else:
                    added = self.services.retention.add_hold(activity=a.id, reason=form.reason)
            except UserError as exc:
                self.add_hold(form, exc.render(), exc.field)
                return
            self.app.notify(_("已设置保存冻结：{id}").format(id=added.id))
            self.reload()
            self.query_one("#tabs", TabbedContent).active = "tab-holds"

        screen = HoldFormScreen(activity_name(a), a.case_no, initial=initial, error=error, error_field=field)
        self.app.push_screen(screen, done)

    def release_hold(self, hold, initial: str = "", error: str | None = None, field: str | None = None) -> None:
        def done(reason: str | None) -> None:
            if reason is None:
                return
            try:
                self.services.retention.release_hold(hold.id, reason=reason)
            except UserError as exc:
                self.release_hold(hold, reason, exc.render(), exc.field)
                return
            self.app.notify(_("已解除保存冻结：{id}").format(id=hold.id))
            self.reload()

        heading = f"{hold.id} {hold.reason}"
        self.app.push_screen(ReleaseFormScreen(heading, initial=initial, error=error, error_field=field), done)

    def action_case_file(
        self, initial: CaseFileForm | None = None, error: str | None = None, field: str | None = None
    ) -> None:
        a = self.activity
        if a is None or not a.case_no:
            return
        if initial is None:
            row = self.services.retention.case_file(a.case_no)
            if row is not None:
                initial = CaseFileForm("permanent") if row.months is None else CaseFileForm("months", str(row.months))

        def done(form: CaseFileForm | None) -> None:
            if form is None:
                return
            months = None if form.kind == "permanent" else int(form.months)
            try:
                self.services.retention.set_case_file(a.case_no, months=months)
            except UserError as exc:
                self.action_case_file(form, exc.render(), exc.field)
                return
            self.app.notify(_("已登记案卷保管期限：{no}").format(no=a.case_no))
            self.reload()

        self.app.push_screen(CaseFileFormScreen(a.case_no, initial=initial, error=error, error_field=field), done)
