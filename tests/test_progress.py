"""One progress model for the long jobs, and stopping each of them with nothing half-registered."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from avledger.fsutil import TEMP_PREFIX
from avledger.i18n import set_language
from avledger.models.schema import AuditEvent, Disc, DiscBurn, DiscCheck, DiscCopy
from avledger.present import progress_text
from avledger.progress import Cancelled, CancelToken, Progress, Throttle


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_throttle_passes_the_first_each_phase_change_and_the_last():
    seen, clock = [], FakeClock()
    throttle = Throttle(seen.append, interval=0.2, clock=clock)
    events = [Progress("disc_burn", "check", n, 10) for n in range(5)]
    for event in events:
        throttle(event)
        clock.now += 0.05
    throttle(Progress("disc_burn", "burn", 0, 10))  # a new phase passes at once
    throttle(Progress("disc_burn", "burn", 5, 10))  # too soon
    throttle(Progress("disc_burn", "done", 10, 10))  # the end always passes
    assert [(e.phase, e.done) for e in seen] == [("check", 0), ("check", 4), ("burn", 0), ("done", 10)]


def test_progress_text_in_both_languages():
    event = Progress("ingest", "copy", 512 * 1024**2, 2 * 1024**3, "bytes", 3, 52, "VID_0001.MP4")
    text = progress_text(event, elapsed=10.0)
    assert text.startswith("采集入库 3/52 · 复制 25%") and "512.0 MB / 2.0 GB" in text and "VID_0001.MP4" in text
    assert "51.2 MB/s" in text and "剩余约 0:30" in text
    set_language("en")
    try:
        english = progress_text(Progress("disc_verify", "files", 3, 12, "files"))
        assert english == "Verify · checking each file 25%  3/12 files"
    finally:
        set_language("zh")


def stop_when(token: CancelToken, phase: str):
    """A progress sink that asks the job to stop once it reaches ``phase`` (as a person would press stop)."""

    def sink(event: Progress) -> None:
        if event.phase == phase:
            token.cancel()

    return sink


def test_a_stopped_build_leaves_no_image_and_a_rerun_finishes(services, case, tmp_path):
    out, token = tmp_path / "out", CancelToken()
    with pytest.raises(Cancelled):
        services.discs.build(out, activity=case.id, media="cd", progress=stop_when(token, "write"), cancel=token)
    assert Disc.select().count() == 0  # a set is registered only with an image: the one it planned is withdrawn
    assert not list(out.glob(TEMP_PREFIX + "*")) and not list(out.glob("*.iso"))
    assert services.audit.verify().ok
    done = services.discs.build(out, activity=case.id, media="cd")
    assert done.built and Path(done.discs[0].image_path).is_file()


def test_a_burn_stopped_before_the_disc_is_written_registers_nothing(services, case, tmp_path):
    disc = services.discs.build(tmp_path / "out", activity=case.id, media="cd").discs[0]
    drive = f"stdio:{tmp_path / 'copy1.img'}"
    for phase in ("check", "burn"):
        token = CancelToken()
        with pytest.raises(Cancelled):
            services.discs.burn(disc.image_path, drive, 1, progress=stop_when(token, phase), cancel=token)
        assert DiscCopy.select().count() == 0 and DiscCheck.select().count() == 0, phase
    # stopped while checking the image, no burn was started; stopped while writing, the burn is marked failed
    assert [(b.state, b.failure) for b in DiscBurn.select()] == [("failed", "已停止")]
    assert services.audit.verify().ok
    # once written, the disc is read back and registered even if stop is pressed meanwhile
    token = CancelToken()
    assert services.discs.burn(disc.image_path, drive, 1, progress=stop_when(token, "readback"), cancel=token).ok
    assert token.cancelled and DiscCopy.get().verified


def test_a_stopped_disc_verify_and_archive_verify_record_nothing(services, case, tmp_path):
    disc = services.discs.build(tmp_path / "out", activity=case.id, media="cd").discs[0]
    drive = f"stdio:{tmp_path / 'copy1.img'}"
    services.discs.burn(disc.image_path, drive, 1)
    checks = DiscCheck.select().count()
    for phase in ("files", "image"):
        token = CancelToken()
        with pytest.raises(Cancelled):
            services.discs.verify(drive, progress=stop_when(token, phase), cancel=token)
        assert DiscCheck.select().count() == checks, phase
    logged = AuditEvent.select().count()
    token = CancelToken()
    with pytest.raises(Cancelled):
        services.footage.verify(progress=stop_when(token, "files"), cancel=token)
    assert AuditEvent.select().count() == logged
    events: list[Progress] = []
    assert services.footage.verify(progress=events.append).ok
    assert {e.job for e in events} == {"archive_verify"} and events[-1].finished
    assert events[-1].item == events[-1].items == 5 and events[-1].done == events[-1].total > 0


def test_cli_reports_progress_as_json_lines_with_json(services, case, tmp_path, cli):
    services.close()
    result = cli("disc", "build", "--activity", str(case.id), "--media", "cd", "--out", str(tmp_path / "o"), "--json")
    assert result.code == 0, result.err
    lines = [json.loads(line)["progress"] for line in result.err.splitlines() if line.strip()]
    assert lines and {e["job"] for e in lines} == {"disc_build"} and lines[-1]["phase"] == "done"
    assert result.json()["set_id"]
