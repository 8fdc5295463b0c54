"""The audit detail in words (issue 18): each field by its label, vocabulary values in words, ids as
names, times in the office's local time."""

from __future__ import annotations

import json

from avledger.timeutil import fmt_local
from avledger.tui.screens.audit import AuditEntryScreen, AuditScreen, VerifyScreen, load_names
from avledger.tui.widgets import ChangeView

from .conftest import SIZE, text_of
from .test_footage import go, settle


async def test_the_audit_detail_shows_labels_words_names_and_local_times(demo, demo_app):
    tz = demo.office.profile().tz
    entry = next(e for e in demo.audit.list() if e.entity == "loan" and e.before is None)
    after = json.loads(entry.after)
    holder = next(s for s in demo.staff.list() if s.id == after["holder"])
    device = next(d for d in demo.devices.list() if d.id == after["device"])
    async with demo_app.run_test(size=SIZE) as pilot:
        await go(pilot, "audit")
        assert isinstance(demo_app.screen, AuditScreen)
        await demo_app.push_screen(AuditEntryScreen(entry, load_names(demo), tz))
        await pilot.pause()
        shown = text_of(demo_app.screen.query_one(ChangeView))
    import datetime as dt

    start = dt.datetime.fromisoformat(after["start_at"])
    assert "领用时间" in shown and fmt_local(start, tz) in shown  # local time, not the UTC the log keeps
    assert after["start_at"][:16] not in shown
    assert "使用人" in shown and f"{holder.name}（{holder.number}）" in shown
    assert "设备" in shown and device.asset_no in shown
    for raw in ("start_at", "holder", "battery_pct", "start_kind", "due_at"):
        assert raw not in shown


async def test_the_devices_kind_and_an_activitys_kind_read_each_in_its_own_words(demo, demo_app):
    tz = demo.office.profile().tz
    activity = next(e for e in demo.audit.list() if e.entity == "activity" and e.before is None)
    async with demo_app.run_test(size=SIZE) as pilot:
        await go(pilot, "audit")
        await demo_app.push_screen(AuditEntryScreen(activity, load_names(demo), tz))
        await pilot.pause()
        shown = text_of(demo_app.screen.query_one(ChangeView))
    kind = json.loads(activity.after)["kind"]
    from avledger.vocab import ACTIVITY_KINDS

    assert "活动类型" in shown and ACTIVITY_KINDS[kind] in shown and kind not in shown


async def test_the_audit_check_names_the_record_in_words(demo, demo_app):
    from avledger.models.schema import Device

    device = demo.devices.list()[0]
    Device.update(model="X9").where(Device.id == device.id).execute()  # behind the program's back
    async with demo_app.run_test(size=SIZE) as pilot:
        await go(pilot, "audit")
        await pilot.press("v")
        await settle(pilot, lambda: isinstance(demo_app.screen, VerifyScreen), tries=600)
        problems = [text_of(p) for p in demo_app.screen.query(".problem")]
    assert any(f"设备 {device.asset_no}" in p and "字段：型号" in p for p in problems), problems
    assert not any("device#" in p for p in problems)
