"""Adding and editing a device (F01), shared by the device list and a device's page.

Mixed into a screen that has ``services``.
"""

from __future__ import annotations

from avledger.errors import UserError
from avledger.i18n import _
from avledger.services.views import DeviceView
from avledger.timeutil import local_today
from avledger.tui.forms.device import DeviceChoices, DeviceForm, DeviceFormScreen


def device_form_choices(services, *, exclude: str | None = None) -> DeviceChoices:
    """What the device form offers, loaded through the services."""
    staff = [s for s in services.staff.list(include_left=False)]
    taken = frozenset(d.asset_no for d in services.devices.list() if d.asset_no != exclude)
    return DeviceChoices(
        departments=[d.name for d in services.departments.list()],
        custodians=[(f"{s.name}（{s.number}）  {s.department}", s.number) for s in staff],
        taken=taken,
        today=local_today(services.ctx.clock(), services.office.profile().tz),
    )


def form_of(d: DeviceView) -> DeviceForm:
    return DeviceForm(
        asset_no=d.asset_no,
        kind=d.kind,
        dept=d.department,
        custodian=d.custodian_number,
        model=d.model,
        serial=d.serial,
        fixed_asset_no=d.fixed_asset_no,
        purchased=d.purchased.isoformat() if d.purchased else "",
        price=d.price_yuan or "",
        abilities=d.abilities,
        media_time=d.media_time,
        notes=d.notes,
    )


class DeviceEditing:
    """Opening the device form and running the service on what it returns (shared by the list and a device's page).

    Mixed into a screen that has ``services``.
    """

    def open_device_form(
        self,
        initial: DeviceForm | None = None,
        *,
        editing: bool = False,
        error: str | None = None,
        field: str | None = None,
    ) -> None:
        exclude = initial.asset_no if editing and initial else None
        choices = device_form_choices(self.services, exclude=exclude)
        screen = DeviceFormScreen(choices, initial=initial, editing=editing, error=error, error_field=field)

        def done(form: DeviceForm | None) -> None:
            if form is None:
                return
            try:
                if editing:
                    self.services.devices.update(
                        form.asset_no,
                        kind=form.kind,
                        dept=form.dept,
                        custodian=form.custodian,
                        model=form.model,
                        serial=form.serial,
                        fixed_asset_no=form.fixed_asset_no,
                        purchased=form.purchased,
                        price=form.price,
                        abilities=list(form.abilities),
                        media_time=form.media_time,
                        notes=form.notes,
                    )
                else:
                    self.services.devices.add(
                        form.asset_no,
                        form.kind,
                        form.dept,
                        form.custodian,
                        model=form.model,
                        serial=form.serial,
                        fixed_asset_no=form.fixed_asset_no,
                        purchased=form.purchased,
                        price=form.price or None,
                        abilities=list(form.abilities),
                        media_time=form.media_time,
                        notes=form.notes,
                    )
            except UserError as exc:
                self.open_device_form(form, editing=editing, error=exc.render(), field=exc.field)
                return
            self.device_saved(form.asset_no, editing)

        self.app.push_screen(screen, done)

    def device_saved(self, asset_no: str, editing: bool) -> None:
        self.app.notify((_("已修改设备：{asset}") if editing else _("已登记设备：{asset}")).format(asset=asset_no))
