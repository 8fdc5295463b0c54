"""Interruptions survive reassignment (issue 15, F09: D20 L11 R9 P8): assigning clips to another activity
recounts the gaps of both; explained ones keep their explanation, unexplained ones stay open wherever
their clips now are; a clip recorded outside the activity's time needs a reason."""

from __future__ import annotations

import pytest

from avledger.models.schema import AuditEvent, Clip
from avledger.profile import PRESETS, Profile, load_preset
from conftest import refusal, write_video
from test_ingest import prepare

MINUTES = {"A": 6, "B": 19, "C": 31, "D": 45}  # after 01:00 UTC on 2026-01-10 (09:00 local), 1 s each


@pytest.fixture
def office(services, tmp_path):
    first = prepare(services)
    for name, minute in MINUTES.items():
        write_video(tmp_path / "card" / f"{name}.MP4", 1, creation_time=f"2026-01-10T01:{minute:02d}:00Z")
    services.ingest.apply(services.ingest.scan(tmp_path / "card", device="JL-001"))
    second = services.activities.add(
        "complaint", "投诉处置", "2026-01-10 09:00", end="2026-01-10 11:00", officers=["2001"]
    )
    services.first, services.second = first.id, second.id
    return services


def clip_id(name: str) -> int:
    return Clip.get(Clip.original_name == f"{name}.MP4").id


def gaps(office) -> set[tuple[int, str, str, str | None]]:
    """(activity, from clip, to clip, reason) of every gap."""
    names = {c.id: c.original_name[0] for c in Clip.select()}
    return {(g.activity_id, names[g.after_clip_id], names[g.before_clip_id], g.reason) for g in office.gaps.list()}


def test_moving_the_last_clip_keeps_the_open_interruption(office):
    """The issue's case: the first activity's unexplained interruptions were deleted and its flag went away."""
    first, second = office.first, office.second
    b_c = next(g for g in office.gaps.list() if g.minutes == 12)
    office.gaps.explain(b_c.id, "battery")
    assert gaps(office) == {(first, "A", "B", None), (first, "B", "C", "battery"), (first, "C", "D", None)}
    office.footage.assign(clip_id("D"), second)
    assert gaps(office) == {(first, "A", "B", None), (first, "B", "C", "battery"), (first, "C", "D", None)}
    assert office.activities.view(first).open_gaps == 2
    assert office.audit.verify().ok


def test_gaps_follow_the_clips_and_keep_their_explanation(office):
    first, second = office.first, office.second
    b_c = next(g for g in office.gaps.list() if g.minutes == 12)
    office.gaps.explain(b_c.id, "battery", note="换电池")
    office.footage.assign_many([clip_id("B"), clip_id("C"), clip_id("D")], second)
    # the gaps between the clips moved went with them, the explained one with its reason; the one between A,
    # left alone in the first activity, and B stays open there
    assert gaps(office) == {(first, "A", "B", None), (second, "B", "C", "battery"), (second, "C", "D", None)}
    moved = office.gaps.list()
    assert b_c.id in {g.id for g in moved} and next(g for g in moved if g.id == b_c.id).note == "换电池"
    assert office.activities.view(first).open_gaps == 1 and office.activities.view(second).open_gaps == 1
    # a clip taken out of the middle: one interruption spans where two were, and stays open
    office.footage.assign(clip_id("C"), first)
    assert gaps(office) == {(first, "A", "C", None), (second, "B", "C", "battery"), (second, "B", "D", None)}
    assert office.audit.verify().ok


def test_a_clip_recorded_outside_the_activity_needs_a_reason(office, tmp_path):
    late = office.activities.add(
        "inspection", "下午检查", "2026-01-10 15:00", end="2026-01-10 16:00", officers=["2001"]
    )
    events = AuditEvent.select().count()
    assert refusal(office.footage.assign, clip_id("A"), late.id) == ("clip.outside_activity", "reason")
    assert refusal(office.footage.assign_many, [clip_id("A"), clip_id("B")], late.id) == (
        "clip.outside_activity",
        "reason",
    )
    assert AuditEvent.select().count() == events
    assert {office.footage.view(clip_id(n)).activity_id for n in "AB"} == {office.first}
    done = office.footage.assign(clip_id("A"), late.id, reason="录像时钟未校准")
    assert done.activity_id == late.id
    last = AuditEvent.select().order_by(AuditEvent.id.desc()).where(AuditEvent.action == "assign").first()
    assert "录像时钟未校准" in last.summary
    # within the margin (30 minutes) of the end: no reason needed
    office.activities.edit(late.id, start="2026-01-10 09:20", end="2026-01-10 09:30", why="时间登记有误")
    assert office.footage.assign(clip_id("D"), late.id).activity_id == late.id  # 09:45 local, 15 min after the end


@pytest.mark.parametrize("preset", PRESETS)
def test_each_preset_allows_30_minutes_either_side_of_an_activity(preset):
    assert Profile(load_preset(preset)).get("ingest.assign_margin_minutes") == 30


def test_the_margin_outside_an_activity_is_the_profiles(office):
    assert office.ctx.profile().get("ingest.assign_margin_minutes") == 30
    late = office.activities.add(
        "inspection", "短时检查", "2026-01-10 09:20", end="2026-01-10 09:30", officers=["2001"]
    )
    # C at 09:31 and D at 09:45 local: 1 and 15 minutes after the end
    office.office.set_value("ingest.assign_margin_minutes", "10")
    assert office.footage.assign(clip_id("C"), late.id).activity_id == late.id
    assert refusal(office.footage.assign, clip_id("D"), late.id) == ("clip.outside_activity", "reason")
    office.office.set_value("ingest.assign_margin_minutes", "0")
    assert refusal(office.footage.assign, clip_id("B"), late.id) == ("clip.outside_activity", "reason")  # 09:19
    assert refusal(office.office.set_value, "ingest.assign_margin_minutes", "-5")[1] == "value"
    office.office.set_value("ingest.assign_margin_minutes", "20")
    assert office.footage.assign(clip_id("D"), late.id).activity_id == late.id


def test_cli_assign_outside_needs_reason(office, cli):
    late = office.activities.add(
        "inspection", "下午检查", "2026-01-10 15:00", end="2026-01-10 16:00", officers=["2001"]
    )
    office.close()
    refused = cli("footage", "assign", str(clip_id("A")), "--activity", str(late.id))
    assert refused.code == 2 and "须说明原因" in refused.err
    done = cli("footage", "assign", str(clip_id("A")), "--activity", str(late.id), "--reason", "录像时钟未校准")
    assert done.code == 0, done.err
    assert cli("gaps", "--json").code == 0
    assert cli("audit", "verify").code == 0
