"""The counter's steps for a device (F03-F05): issue, return, handover, fault, repair, damage or loss.

Mixed into a screen that has ``services`` (the lending list and a device's
page): each step opens its form with choices loaded through the services,
runs the lending service on what the form returns, and on a refusal opens
the form again with the reason.
"""

from __future__ import annotations

from avledger.errors import UserError
from avledger.i18n import _
from avledger.services.lending import PreCheck
from avledger.tui.forms.base import staff_options
from avledger.tui.forms.counter import (
    CounterChoices,
    HandoverForm,
    HandoverFormScreen,
    ReturnForm,
    ReturnFormScreen,
)
from avledger.tui.forms.issue import IssueForm, IssueFormScreen, default_due
from avledger.tui.forms.repair import (
    FaultForm,
    FaultFormScreen,
    LiabilityForm,
    LiabilityFormScreen,
    RepairForm,
    RepairFormScreen,
)
from avledger.vocab import DEVICE_KINDS, DEVICE_STATUSES, label


class CounterActions:
    """Opening the counter's forms and running the lending service on what they return.

    Mixed into a screen that has ``services``; the list and a device's page share it.
    ``lending_changed(asset_no)`` is called after each step.
    """

    def counter_choices(self, step: str) -> CounterChoices:
        services = self.services  # type: ignore[attr-defined]
        profile = services.office.profile()
        devices = services.devices.list()
        # The number first: typing it in the list jumps to the person (type to search).
        officers = staff_options(s for s in services.staff.list(include_left=False) if s.is_enforcement)
        in_store, issued, unavailable = {}, {}, {}
        for d in devices:
            if d.status == "in_store":
                in_store[d.asset_no] = f"{label(DEVICE_KINDS, d.kind)} {d.model}".strip()
            if d.holder:
                issued[d.asset_no] = f"{d.holder}（{d.holder_number}）"
            if step == "issue" and d.status != "in_store":
                unavailable[d.asset_no] = _("设备 {asset} 当前状态为“{status}”，不能领用").format(
                    asset=d.asset_no, status=label(DEVICE_STATUSES, d.status)
                )
            elif step != "issue" and not d.holder:
                unavailable[d.asset_no] = _("设备 {asset} 没有在外的领用记录").format(asset=d.asset_no)
        return CounterChoices(
            tz=profile.tz,
            now=services.ctx.clock(),
            officers=officers,
            in_store=in_store,
            issued=issued,
            unavailable=unavailable,
            limits=services.lending.precheck_limits() if step == "issue" else None,
        )

    def _run_form(self, screen, run, reopen, done_message) -> None:
        """Push a form; run the service on its result; on a refusal reopen it with the reason."""
        app = self.app  # type: ignore[attr-defined]

        def done(form) -> None:
            if form is None:
                return
            try:
                asset_no = run(form)
            except UserError as exc:
                reopen(form, exc.render(), exc.field)
                return
            app.notify(done_message(form))
            self.lending_changed(asset_no)

        app.push_screen(screen, done)

    def open_issue(
        self, asset_no: str = "", initial: IssueForm | None = None, error: str | None = None, field: str | None = None
    ) -> None:
        choices = self.counter_choices("issue")
        if initial is None and asset_no:
            initial = IssueForm(asset_no, "", "", "", "", False, due=default_due(choices))

        def run(form: IssueForm) -> str:
            check = PreCheck(int(form.battery), float(form.free_gb), int(form.clock_offset), form.notice_given)
            self.services.lending.issue(
                form.asset_no,
                form.holder,
                check,
                due=form.due or None,  # type: ignore
                purpose=form.purpose,
                despite=form.despite or None,
                at=form.at or None,
            )
            return form.asset_no

        self._run_form(
            IssueFormScreen(choices, initial=initial, error=error, error_field=field),
            run,
            lambda form, err, f: self.open_issue(initial=form, error=err, field=f),
            lambda form: _("已领用：{asset}").format(asset=form.asset_no),
        )

    def open_return(
        self, asset_no: str = "", initial: ReturnForm | None = None, error: str | None = None, field: str | None = None
    ) -> None:
        initial = initial or ReturnForm(asset_no)

        def run(form: ReturnForm) -> str:
            self.services.lending.give_back(
                form.asset_no,
                content=form.content,  # type: ignore[attr-defined]
                condition=form.condition,
                at=form.at or None,
            )
            return form.asset_no

        self._run_form(
            ReturnFormScreen(self.counter_choices("return"), initial=initial, error=error, error_field=field),
            run,
            lambda form, err, f: self.open_return(initial=form, error=err, field=f),
            lambda form: (
                _("已归还：{asset}，设备转入维修") if form.condition == "damaged" else _("已归还：{asset}")
            ).format(asset=form.asset_no),
        )

    def open_handover(
        self,
        asset_no: str = "",
        initial: HandoverForm | None = None,
        error: str | None = None,
        field: str | None = None,
    ) -> None:
        initial = initial or HandoverForm(asset_no, "")

        def run(form: HandoverForm) -> str:
            self.services.lending.handover(form.asset_no, form.to, at=form.at or None)  # type: ignore
            return form.asset_no

        self._run_form(
            HandoverFormScreen(self.counter_choices("handover"), initial=initial, error=error, error_field=field),
            run,
            lambda form, err, f: self.open_handover(initial=form, error=err, field=f),
            lambda form: _("已交接：{asset}").format(asset=form.asset_no),
        )

    def open_fault(
        self, asset_no: str, initial: FaultForm | None = None, error: str | None = None, field: str | None = None
    ) -> None:
        def run(form: FaultForm) -> str:
            self.services.lending.report_fault(asset_no, form.description, at=form.at or None)  # type: ignore
            return asset_no

        self._run_form(
            FaultFormScreen(asset_no, self.counter_choices("fault"), initial=initial, error=error, error_field=field),
            run,
            lambda form, err, f: self.open_fault(asset_no, form, err, f),
            lambda form: _("已登记故障：{asset}").format(asset=asset_no),
        )

    def open_repair(
        self,
        asset_no: str,
        step: str,
        initial: RepairForm | None = None,
        error: str | None = None,
        field: str | None = None,
    ) -> None:
        def run(form: RepairForm) -> str:
            self.services.lending.repair(asset_no, step, at=form.at or None, outcome=form.outcome)  # type: ignore
            return asset_no

        self._run_form(
            RepairFormScreen(
                asset_no, step, self.counter_choices("repair"), initial=initial, error=error, error_field=field
            ),
            run,
            lambda form, err, f: self.open_repair(asset_no, step, form, err, f),
            lambda form: (_("已送修：{asset}") if step == "sent" else _("已修复入库：{asset}")).format(asset=asset_no),
        )

    def open_liability(
        self, asset_no: str, initial: LiabilityForm | None = None, error: str | None = None, field: str | None = None
    ) -> None:
        services = self.services  # type: ignore[attr-defined]
        device = services.devices.view(asset_no)
        people = staff_options(services.staff.list())
        if initial is None and device.holder_number:
            initial = LiabilityForm("lost", device.holder_number)

        def run(form: LiabilityForm) -> str:
            services.lending.record_liability(
                asset_no,
                form.kind,
                form.liable,
                amount=form.amount or None,
                description=form.description,
                at=form.at or None,
            )
            return asset_no

        self._run_form(
            LiabilityFormScreen(
                asset_no,
                device.price_yuan,
                people,
                self.counter_choices("liability"),
                initial=initial,
                error=error,
                error_field=field,
            ),
            run,
            lambda form, err, f: self.open_liability(asset_no, form, err, f),
            lambda form: _("已登记责任：{asset}").format(asset=asset_no),
        )

    def lending_changed(self, asset_no: str) -> None:
        """Hook: a step was registered for this device."""
