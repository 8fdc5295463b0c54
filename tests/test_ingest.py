"""Footage ingest, the 24-hour rule, gaps and archive verification (issue 4: F07, F08, F09)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from avledger.fsutil import OWN_PREFIX, TEMP_PREFIX, temp_path
from avledger.models.schema import AuditEvent, Clip, Gap
from avledger.progress import CancelToken
from avledger.services.ingest import LOCK_NAME
from avledger.services.lending import PreCheck
from conftest import fixed_clock, refusal, write_video

CHECK = PreCheck(battery_pct=95, free_gb=30, clock_offset_s=60, notice_given=True)  # device clock 60 s ahead


def prepare(svc, clock: str = "2026-01-11 02:00:00"):
    """JL-001 out to 张伟 08:30-12:00 local on 2026-01-10; an inspection 09:00-11:00 with him."""
    svc.ctx.clock = fixed_clock(clock)
    svc.staff.add("刘洋", "2002", "执法一队", cert_no="C2002", roles=["officer"])
    svc.devices.add("JL-001", "bodycam", "执法一队", "2001", serial="SN-A1001")
    svc.lending.issue("JL-001", "2001", CHECK, at="2026-01-10 08:30")
    svc.lending.give_back("JL-001", at="2026-01-10 12:00")
    return svc.activities.add(
        "inspection",
        "加油站安全检查",
        "2026-01-10 09:00",
        end="2026-01-10 11:00",
        officers=["2001"],
        case_no="万发改罚1号",
        party="某加油站",
    )


@pytest.fixture
def office(services):
    prepare(services)
    return services


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def archived_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(OWN_PREFIX))


def test_scan_reads_metadata_and_attributes(office, card):
    plan = office.ingest.scan(card)
    by_name = {f.name: f for f in plan.files}
    assert sorted(by_name) == ["VID_0001.MP4", "VID_0002.MP4", "VID_0003.MP4", "现场检查_20260110_093000.mp4"]
    assert sorted((s.path, s.reason) for s in plan.skipped) == [
        ("DCIM/100MEDIA/EMPTY.MP4", "empty"),
        ("DCIM/说明.txt", "not_media"),
    ]
    first = by_name["VID_0001.MP4"]
    assert first.time_source == "tag"
    assert first.start_at == dt.datetime(2026, 1, 10, 1, 5)  # 01:06 on the device clock, 60 s ahead
    assert (first.info.width, first.info.height, first.info.codecs) == (64, 48, ("mpeg4",))
    assert first.info.duration_s == pytest.approx(2.0, abs=0.2)
    assert first.device_id is not None  # recognised by its serial in the tags
    assert first.holder_id == office.staff.get("2001").id
    assert first.activity_id is not None
    named = by_name["现场检查_20260110_093000.mp4"]
    assert named.time_source == "name" and named.device_id is None  # no tag: not recognised
    assert named.start_at == dt.datetime(2026, 1, 10, 1, 30)
    assert by_name["VID_0003.MP4"].info.corrupt and by_name["VID_0003.MP4"].time_source == "file"


def test_ingest_copies_verifies_and_registers(office, card):
    source_before = {p: sha(p) for p in archived_files(card)}
    events = []
    plan = office.ingest.scan(card, device="JL-001")
    result = office.ingest.apply(plan, progress=events.append)
    assert len(result.archived) == 4 and not result.duplicates and not result.cancelled
    assert {c.flags for c in result.flagged} == {("corrupt",)}
    assert {s.reason for s in result.refused} == {"empty", "not_media"}
    root = office.ingest.archive_root()
    for clip in result.archived:
        stored = root / clip.archive_path
        assert sha(stored) == clip.sha256 == sha(Path(clip.source))
    # layout: local date / activity id-case no / original name
    first = next(c for c in result.archived if c.source.endswith("VID_0001.MP4"))
    assert first.archive_path == f"2026-01-10/{first.activity_id}-万发改罚1号/VID_0001.MP4"
    assert any("现场检查_20260110_093000.mp4" in c.archive_path for c in result.archived)
    # the source is untouched
    assert {p: sha(p) for p in archived_files(card)} == source_before
    assert events[-1].phase == "done" and events[-1].item == 4 and events[-1].job == "ingest"
    assert max(e.done for e in events) == plan.total_bytes == events[-1].total
    assert [e.item for e in events] == sorted(e.item for e in events)  # files done never go back
    # not late: returned 12:00 local, ingested the next morning
    assert not any(c.late for c in result.archived)
    clips = office.footage.list()
    assert {c.holder_number for c in clips if not c.flags} == {"2001"}
    # one gap of about 20 minutes between the first two clips
    gaps = office.gaps.list()
    assert len(gaps) == 1 and gaps[0].minutes == 20 and gaps[0].reason is None
    assert office.activities.view(first.activity_id).open_gaps == 1
    assert not office.activities.view(first.activity_id).missing_record
    assert office.audit.verify().ok


def test_reingest_doubles_nothing(office, card):
    office.ingest.apply(office.ingest.scan(card, device="JL-001"))
    files = archived_files(office.ingest.archive_root())
    events = AuditEvent.select().count()
    again = office.ingest.apply(office.ingest.scan(card, device="JL-001"))
    assert not again.archived and len(again.duplicates) == 4
    assert archived_files(office.ingest.archive_root()) == files
    assert Clip.select().count() == 4 and Gap.select().count() == 1
    assert AuditEvent.select().count() == events


def test_same_name_kept_with_a_suffix(office, tmp_path):
    write_video(tmp_path / "a" / "VID_0001.MP4", 1, creation_time="2026-01-10T01:06:00Z")
    write_video(tmp_path / "b" / "VID_0001.MP4", 1, creation_time="2026-01-10T01:07:00Z", size=(32, 32))
    result = office.ingest.apply(office.ingest.scan(tmp_path, device="JL-001"))
    names = sorted(Path(c.archive_path).name for c in result.archived)
    assert names == ["VID_0001 (2).MP4", "VID_0001.MP4"]


def test_late_ingest_is_flagged_and_needs_a_reason(services, card):
    prepare(services, clock="2026-01-11 05:00:00")  # 13:00 local: one hour past the deadline
    result = services.ingest.apply(services.ingest.scan(card, device="JL-001"))
    late = [c for c in result.archived if c.late]
    assert len(late) == 3  # the corrupt clip has only the file time, outside any activity or loan
    clip = services.footage.view(late[0].id)
    assert clip.deadline_at == dt.datetime(2026, 1, 11, 4, 0)  # return 12:00 local + 24 h
    assert {c.id for c in services.footage.list(late=True)} == {c.id for c in late}
    assert refusal(services.footage.explain_late, clip.id, " ") == ("input.empty", "reason")
    assert services.footage.explain_late(clip.id, "当日出差未返回").late_reason == "当日出差未返回"
    not_late = next(c for c in result.archived if not c.late)
    assert refusal(services.footage.explain_late, not_late.id, "x") == ("clip.not_late", "clip_id")
    assert refusal(services.footage.explain_late, 99999, "x") == ("clip.unknown", "clip_id")
    assert services.audit.verify().ok


def test_local_media_time_and_assign(services, tmp_path):
    prepare(services)
    services.devices.add("JL-002", "bodycam", "执法一队", "2001", media_time="local")
    # this camera writes local time into the UTC field
    write_video(tmp_path / "card" / "CLIP.MP4", 1, creation_time="2026-01-10T09:10:00Z")
    write_video(tmp_path / "card" / "LATER.MP4", 1, creation_time="2026-01-10T22:00:00Z")
    result = services.ingest.apply(services.ingest.scan(tmp_path / "card", device="JL-002"))
    clips = {Path(c.source).name: services.footage.view(c.id) for c in result.archived}
    assert clips["CLIP.MP4"].start_at == dt.datetime(2026, 1, 10, 1, 10)
    assert clips["CLIP.MP4"].activity_id is not None
    assert clips["LATER.MP4"].activity_id is None and "未分配" in clips["LATER.MP4"].archive_path
    assert [c.id for c in services.footage.list(unassigned=True)] == [clips["LATER.MP4"].id]
    # recorded at 22:00, long after the activity's end: assigning it needs a reason (F09, issue 15)
    outside = (services.footage.assign, clips["LATER.MP4"].id, clips["CLIP.MP4"].activity_id)
    assert refusal(*outside) == ("clip.outside_activity", "reason")
    moved = services.footage.assign(*outside[1:], reason="当晚复查，同一案件")
    assert moved.activity_id == clips["CLIP.MP4"].activity_id
    assert moved.archive_path == clips["LATER.MP4"].archive_path  # the archived file is not moved
    assert services.footage.list(unassigned=True) == []
    again = (services.footage.assign, moved.id, moved.activity_id)
    assert refusal(*again) == ("clip.already_assigned", "activity_id")
    assert refusal(services.footage.assign, moved.id, 999) == ("activity.unknown", "activity_id")
    assert len(services.gaps.list()) == 1  # 09:10 to 22:00 on one device in one activity
    assert services.audit.verify().ok


def test_gap_explain(office, card):
    office.ingest.apply(office.ingest.scan(card, device="JL-001"))
    gap = office.gaps.list()[0]
    events = AuditEvent.select().count()
    assert refusal(office.gaps.explain, gap.id, "lunch") == ("input.bad_choice", "reason")
    assert refusal(office.gaps.explain, 999, "battery") == ("gap.unknown", "gap_id")
    assert AuditEvent.select().count() == events
    done = office.gaps.explain(gap.id, "battery", note="更换电池", reported=True)
    assert done.reason == "battery" and done.reported
    assert office.gaps.list(open_only=True) == []
    assert office.audit.verify().ok


def test_cancel_and_leftovers_then_rerun_finishes(office, card):
    plan = office.ingest.scan(card, device="JL-001")
    second_name = plan.files[1].name
    cancel = CancelToken()

    def progress(event) -> None:  # the manager presses cancel as the second file starts copying
        if event.phase == "copy" and event.current == second_name:
            cancel.cancel()

    first = office.ingest.apply(plan, progress=progress, cancel=cancel)
    # the first file, copied and read back while the second was being copied, is registered; the second is not
    assert first.cancelled and len(first.archived) == 1
    root = office.ingest.archive_root()
    # what a killed run leaves: a temporary file, and a file renamed but never registered
    leftover = temp_path(root / "2026-01-10")
    leftover.write_bytes(b"partial")
    second = next(f for f in plan.files if f.name == "VID_0002.MP4")
    target = root / Path(first.archived[0].archive_path).parent / "VID_0002.MP4"
    target.write_bytes(second.source.read_bytes())
    rerun = office.ingest.apply(office.ingest.scan(card, device="JL-001"))
    assert len(rerun.duplicates) == 1 and len(rerun.archived) == 3
    assert not leftover.exists()
    assert not list(root.rglob(TEMP_PREFIX + "*"))
    assert not list(root.rglob("VID_0002 (2).MP4"))  # the unregistered copy was taken over, not doubled
    assert Clip.select().count() == 4
    assert office.footage.verify().ok


KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from avledger.home import Home
    from avledger.identity import Identity
    from avledger.services import Services

    svc = Services(Home(Path(sys.argv[1])), Identity.console("tester"))
    plan = svc.ingest.scan(sys.argv[2], device="JL-001")

    def progress(event):
        if event.phase == "register" and event.item == 1:  # the next file copied, not yet read back
            os.kill(os.getpid(), signal.SIGKILL)

    svc.ingest.apply(plan, progress=progress)
    """
)


def test_killed_ingest_then_cli_rerun(services, card, cli):
    prepare(services)
    services.close()
    proc = subprocess.run(
        [sys.executable, "-c", KILLER, str(services.home.path), str(card)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == -9, proc.stderr
    root = services.home.archive_path
    # the files copied after those registered (the first batch), not yet registered, left as temporary files
    left = len(list(root.rglob(TEMP_PREFIX + "*")))
    assert 1 <= left <= 3
    rerun = cli("ingest", str(card), "--device", "JL-001", "--json")
    assert rerun.code == 0, rerun.err
    data = rerun.json()
    assert len(data["archived"]) == left and len(data["duplicates"]) == 4 - left
    assert {r["reason"] for r in data["refused"]} == {"empty", "not_media"}
    assert all(len(c["sha256"]) == 64 and c["archive_path"] for c in data["archived"])
    assert not list(root.rglob(TEMP_PREFIX + "*"))
    assert len(archived_files(root)) == 4
    listed = cli("footage", "list", "--json").json()
    assert len(listed) == 4 and len({c["sha256"] for c in listed}) == 4
    assert cli("verify").code == 0
    assert cli("audit", "verify").code == 0


def test_cli_ingest_verify_catches_tampering(services, card, cli):
    prepare(services)
    services.close()
    result = cli("ingest", str(card), "--device", "JL-001", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert len(data["archived"]) == 4
    # ingested today, long after the 2026-01-10 deadline; the corrupt clip is dated by its file time
    assert sorted(f["flags"] for f in data["flagged"]) == [["corrupt"], ["late"], ["late"], ["late"]]
    again = cli("ingest", str(card), "--json").json()
    assert again["archived"] == [] and len(again["duplicates"]) == 4
    assert cli("verify").code == 0
    gaps = cli("gaps", "--open", "--json").json()
    assert len(gaps) == 1
    before = cli("audit", "list", "--json").json()
    bad = cli("gap", "explain", str(gaps[0]["id"]), "--reason", "lunch")
    assert bad.code == 2 and "无效" in bad.err
    assert cli("footage", "assign", "999", "--activity", "1").code == 2
    assert cli("ingest", str(card / "nowhere")).code != 0
    assert cli("audit", "list", "--json").json() == before
    ok = cli("gap", "explain", str(gaps[0]["id"]), "--reason", "battery", "--report")
    assert ok.code == 0, ok.err
    assert cli("gaps", "--open", "--json").json() == []
    # tamper: change one byte of an archived clip, delete another, drop in a stranger
    root = services.home.archive_path
    first, second = data["archived"][0], data["archived"][1]
    path = root / first["archive_path"]
    assert not os.access(path, os.W_OK) or os.geteuid() == 0  # archived read-only
    path.chmod(0o644)
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
    (root / second["archive_path"]).unlink()
    (root / "2026-01-10" / "stranger.mp4").write_bytes(b"x")
    checked = cli("verify", "--json")
    assert checked.code == 1
    problems = {(p["kind"], p["path"]) for p in checked.json()["problems"]}
    assert problems == {
        ("changed", first["archive_path"]),
        ("missing", second["archive_path"]),
        ("extra", "2026-01-10/stranger.mp4"),
    }
    text = cli("verify")
    assert text.code == 1 and "已被改动" in text.out
    one = cli("verify", "--activity", str(first["activity_id"]), "--json")
    assert one.code == 1 and all(p["kind"] != "extra" for p in one.json()["problems"])
    listed = cli("footage", "list")
    assert listed.code == 0 and "VID_0001.MP4" in listed.out
    shown = cli("footage", "show", str(first["id"]), lang="en")
    assert shown.code == 0 and first["sha256"] in shown.out and "Time in the file" in shown.out
    assert cli("footage", "show", str(first["id"]), "--json").json()["sha256"] == first["sha256"]
    assert cli("footage", "show", "x").code == 2
    assert cli("audit", "verify").code == 0  # the verification runs are in the audit log
    actions = [e["action"] for e in cli("audit", "list", "--json").json()]
    assert actions.count("verify") == 4 and actions.count("ingest") == 4


def test_one_ingest_at_a_time(office, card):
    fcntl = pytest.importorskip("fcntl")
    root = office.ingest.archive_root()
    root.mkdir(parents=True)
    plan = office.ingest.scan(card)
    with open(root / LOCK_NAME, "a") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        assert refusal(office.ingest.apply, plan) == ("ingest.archive_busy", None)
    assert Clip.select().count() == 0
    assert len(office.ingest.apply(plan).archived) == 4


def test_ingest_needs_an_existing_folder_and_known_device(office, tmp_path):
    assert refusal(office.ingest.scan, tmp_path / "missing") == ("ingest.no_source", "source")
    assert refusal(office.ingest.scan, tmp_path, device="JL-999") == ("device.unknown", "device")
    assert refusal(office.ingest.scan, tmp_path, activity="42") == ("activity.unknown", "activity")


def test_source_files_are_not_modified(office, card):
    stamps = {p: os.stat(p).st_mtime_ns for p in archived_files(card)}
    office.ingest.apply(office.ingest.scan(card))
    assert {p: os.stat(p).st_mtime_ns for p in archived_files(card)} == stamps


def test_overlapping_activities_prefer_the_holders(office, tmp_path):
    other = office.activities.add(
        "complaint", "投诉处置", "2026-01-10 09:00", end="2026-01-10 10:00", officers=["2002"]
    )
    mine = office.activities.list()[-1]  # the inspection with 2001, from prepare()
    write_video(tmp_path / "card" / "A.MP4", 1, creation_time="2026-01-10T01:10:00Z")
    plan = office.ingest.scan(tmp_path / "card", device="JL-001")
    assert plan.files[0].activity_id == mine.id != other.id
    # without a known holder the choice is left to the manager
    plan = office.ingest.scan(tmp_path / "card")
    assert plan.files[0].activity_id is None and plan.files[0].question == "several_activities"
    # the manager may name the activity for the whole card
    plan = office.ingest.scan(tmp_path / "card", activity=str(other.id))
    assert plan.files[0].activity_id == other.id


def test_activity_without_end_covers_the_following_hours(office, tmp_path):
    open_ended = office.activities.add("service", "留置送达", "2026-01-10 14:00", officers=["2002"])
    write_video(tmp_path / "card" / "B.MP4", 1, creation_time="2026-01-10T07:00:00Z")  # 15:00 local
    write_video(tmp_path / "card" / "C.MP4", 1, creation_time="2026-01-11T00:00:00Z")  # next morning
    plan = office.ingest.scan(tmp_path / "card")
    by_name = {f.name: f for f in plan.files}
    assert by_name["B.MP4"].activity_id == open_ended.id
    assert by_name["C.MP4"].activity_id is None and by_name["C.MP4"].question == "no_activity"


def test_waiting_for_collection(office, card):
    waiting = office.footage.waiting()
    assert [(w.kind, w.hours_left) for w in waiting] == [("activity", 1.0), ("loan", 2.0)]
    assert waiting[1].asset_no == "JL-001" and waiting[1].holder == "张伟"
    office.ingest.apply(office.ingest.scan(card, device="JL-001"))
    assert office.footage.waiting() == []


def test_activity_show_cli(services, card, cli):
    activity = prepare(services)
    services.ingest.apply(services.ingest.scan(card, device="JL-001"))
    services.close()
    shown = cli("activity", "show", str(activity.id), "--json")
    assert shown.code == 0, shown.err
    data = shown.json()
    assert data["case_no"] == "万发改罚1号" and len(data["clips"]) == 3 and len(data["gaps"]) == 1
    text = cli("activity", "show", str(activity.id), lang="en")
    assert text.code == 0 and "VID_0001.MP4" in text.out and "Must be recorded in full" in text.out
    assert cli("activity", "show", "99").code == 2
    waiting = cli("footage", "waiting", "--json")
    assert waiting.code == 0 and waiting.json() == []


def test_resolve_a_question_before_copying(office, card):
    plan = office.ingest.scan(card)
    index = next(i for i, f in enumerate(plan.files) if f.name.startswith("现场检查"))
    assert plan.files[index].device_id is None and plan.files[index].holder_id is None
    answered = office.ingest.resolve(plan, index, device="JL-001")
    # the device's clock offset now corrects the time, and the ledger gives the holder
    assert answered.start_at == dt.datetime(2026, 1, 10, 1, 29)
    assert answered.holder_id == office.staff.get("2001").id
    other = office.activities.add("other", "其他", "2026-01-10 12:00", officers=["2002"])
    answered = office.ingest.resolve(plan, index, activity=other.id)
    assert answered.activity_id == other.id and answered.device_id is not None
    assert refusal(office.ingest.resolve, plan, 98) == ("ingest.not_planned", "index")
    assert refusal(office.ingest.resolve, plan, index, activity=999) == ("activity.unknown", "activity")
    result = office.ingest.apply(plan)
    assert office.footage.view(next(c.id for c in result.archived if "现场检查" in c.source)).activity_id == other.id


def test_cli_dry_run_copies_nothing(services, card, cli):
    prepare(services)
    services.close()
    before = cli("audit", "list", "--json").json()
    planned = cli("ingest", str(card), "--dry-run", "--json")
    assert planned.code == 0, planned.err
    files = planned.json()["files"]
    assert len(files) == 4 and {f["time_source"] for f in files} == {"tag", "name", "file"}
    text = cli("ingest", str(card), "--dry-run")
    assert text.code == 0 and "VID_0002.MP4" in text.out
    assert cli("audit", "list", "--json").json() == before
    assert not services.home.archive_path.exists() or archived_files(services.home.archive_path) == []


def test_officer_named_in_tags_when_the_ledger_says_nothing(office, tmp_path):
    write_video(tmp_path / "card" / "X.MP4", 1, creation_time="2026-01-10T01:10:00Z", tags={"artist": "C2002"})
    planned = office.ingest.scan(tmp_path / "card").files[0]
    assert planned.device_id is None and planned.holder_id == office.staff.get("2002").id
    # the ledger wins when the device is known
    planned = office.ingest.scan(tmp_path / "card", device="JL-001").files[0]
    assert planned.holder_id == office.staff.get("2001").id


def test_archive_folder_from_the_profile(office, card, tmp_path):
    office.office.set_value("ingest.archive_dir", str(tmp_path / "nas" / "footage"))
    result = office.ingest.apply(office.ingest.scan(card, device="JL-001"))
    assert all((tmp_path / "nas" / "footage" / c.archive_path).is_file() for c in result.archived)
    assert office.footage.verify().ok
    office.office.set_value("ingest.archive_dir", "footage")  # relative: inside the data folder
    assert office.ingest.archive_root() == office.home.path / "footage"


def test_clip_found_later_splits_an_open_gap(office, tmp_path):
    write_video(tmp_path / "one" / "A.MP4", 1, creation_time="2026-01-10T01:06:00Z")
    write_video(tmp_path / "one" / "C.MP4", 1, creation_time="2026-01-10T01:31:00Z")
    office.ingest.apply(office.ingest.scan(tmp_path / "one", device="JL-001"))
    assert [g.minutes for g in office.gaps.list()] == [25]
    write_video(tmp_path / "two" / "B.MP4", 1, creation_time="2026-01-10T01:19:00Z")
    office.ingest.apply(office.ingest.scan(tmp_path / "two", device="JL-001"))
    assert [g.minutes for g in office.gaps.list()] == [13, 12]
    # an explained gap is kept even when a clip found later falls inside it
    first = office.gaps.list()[0]
    office.gaps.explain(first.id, "battery")
    write_video(tmp_path / "three" / "A2.MP4", 1, creation_time="2026-01-10T01:12:00Z")
    office.ingest.apply(office.ingest.scan(tmp_path / "three", device="JL-001"))
    assert first.id in {g.id for g in office.gaps.list()}
    assert office.audit.verify().ok


def test_gaps_found_one_clip_at_a_time_are_those_of_the_whole_activity(office, tmp_path):
    """Each clip registered looks only at its neighbours; whatever the order the clips come in (names
    sorted otherwise than times, over several cards), the gaps are those a full recount finds."""
    from avledger.services.ingest import refresh_gaps

    minutes = [6, 9, 31, 33, 50, 52, 58, 75, 76, 77, 99]  # after 01:00 UTC; some pauses over 5 minutes
    order = [4, 0, 9, 2, 7, 10, 1, 5, 8, 3, 6]
    for n, index in enumerate(order):
        card = tmp_path / f"card{n % 3}"
        write_video(
            card / f"V{n:02d}.MP4",
            1,
            creation_time=f"2026-01-10T{1 + minutes[index] // 60:02d}:{minutes[index] % 60:02d}:00Z",
        )
    for n in range(3):
        office.ingest.apply(office.ingest.scan(tmp_path / f"card{n}", device="JL-001"))
    first = office.gaps.list()[0]
    office.gaps.explain(first.id, "battery")
    write_video(tmp_path / "late" / "L.MP4", 1, creation_time="2026-01-10T01:20:00Z")  # inside an explained gap
    office.ingest.apply(office.ingest.scan(tmp_path / "late", device="JL-001"))
    found = sorted((g.start_at, g.end_at, g.reason) for g in office.gaps.list())
    assert len(found) >= 4
    entries = AuditEvent.select().count()
    clip = Clip.get(Clip.original_name == "L.MP4")
    with office.ctx.change():
        refresh_gaps(office.ctx, clip.device_id, clip.activity_id)
    assert sorted((g.start_at, g.end_at, g.reason) for g in office.gaps.list()) == found
    assert AuditEvent.select().count() == entries  # the recount had nothing to add or remove
    assert office.audit.verify().ok


def test_missing_pyav_is_a_clear_refusal(office, card, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "av" else real(name, *a))
    assert refusal(office.ingest.scan, card) == ("ingest.av_missing", None)


def test_photo_times_come_from_exif(services, tmp_path):
    """A photo's time is its EXIF DateTimeOriginal: the camera's local time, or UTC when its offset is
    written too (trusted even for a camera registered as writing local time into the UTC field)."""
    from avledger.services.samplecard import write_photo

    prepare(services)
    services.devices.add("JL-002", "bodycam", "执法一队", "2001", media_time="local")
    card = tmp_path / "card" / "DCIM"
    write_photo(card / "IMG_0001.JPG", dt.datetime(2026, 1, 10, 9, 31))
    write_photo(card / "IMG_0002.JPG", dt.datetime(2026, 1, 10, 9, 41), offset="+08:00")
    write_photo(card / "IMG_0003.JPG", None)
    write_photo(tmp_path / "card2" / "IMG_0005.JPG", dt.datetime(2026, 1, 10, 9, 51), serial="SN-A1001")
    stamp = dt.datetime(2020, 5, 1, tzinfo=dt.UTC).timestamp()
    for path in card.iterdir():
        os.utime(path, (stamp, stamp))  # a file time that would put the photos in 2020
    cut = (card / "IMG_0001.JPG").read_bytes()
    (card / "IMG_0004.JPG").write_bytes(cut[:200])
    plan = {f.name: f for f in services.ingest.scan(tmp_path / "card", device="JL-002").files}
    assert (plan["IMG_0001.JPG"].time_source, plan["IMG_0001.JPG"].start_at) == ("tag", dt.datetime(2026, 1, 10, 1, 31))
    assert (plan["IMG_0002.JPG"].time_source, plan["IMG_0002.JPG"].start_at) == ("tag", dt.datetime(2026, 1, 10, 1, 41))
    assert (plan["IMG_0003.JPG"].time_source, plan["IMG_0003.JPG"].start_at) == ("file", dt.datetime(2020, 5, 1))
    assert plan["IMG_0001.JPG"].activity_id is not None and plan["IMG_0002.JPG"].activity_id is not None
    assert not plan["IMG_0001.JPG"].info.corrupt and plan["IMG_0004.JPG"].info.corrupt
    assert plan["IMG_0001.JPG"].kind == "photo" and plan["IMG_0001.JPG"].info.width == 64
    # a camera's serial number in EXIF (BodySerialNumber) names the device, and so who held it
    serial = services.ingest.scan(tmp_path / "card2").files[0]
    assert serial.device_id == services.devices.get("JL-001").id
    assert serial.holder_id == services.staff.get("2001").id


def test_ingest_from_another_file_system(office, tmp_path):
    """A card is another file system (vfat on a real card): the archived file is the same."""
    shm = Path("/dev/shm")
    if not shm.is_dir() or not os.access(shm, os.W_OK):
        pytest.skip("no /dev/shm to stand for a card on another file system")
    import tempfile

    with tempfile.TemporaryDirectory(dir=shm) as card:
        clip = write_video(Path(card) / "VID_0001.MP4", 2, creation_time="2026-01-10T01:06:00Z")
        expected = sha(clip)
        result = office.ingest.apply(office.ingest.scan(card, device="JL-001"))
    assert [c.sha256 for c in result.archived] == [expected]
    assert sha(office.ingest.archive_root() / result.archived[0].archive_path) == expected
