from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from avledger.home import Home
from avledger.services import Services
from avledger.services.demo import populate

SRC = Path(__file__).resolve().parent.parent / "src"


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path / "data")


@pytest.fixture
def services(home: Home):
    """An initialised register with one department and two staff."""
    svc = Services(home, user="tester")
    svc.office.init("测试市综合行政执法局", "wanzhou")
    svc.departments.add("执法一队", "A")
    svc.staff.add("张伟", "2001", "执法一队", cert_no="C2001", roles=["officer"])
    svc.staff.add("王建国", "1001", "执法一队", roles=["manager"])
    yield svc
    svc.close()


@pytest.fixture
def demo(home: Home):
    svc = Services(home, user="tester")
    with svc.ctx.change():
        populate(svc)
    yield svc
    svc.close()


class CliResult:
    def __init__(self, proc: subprocess.CompletedProcess):
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def cli(home: Home):
    """Run ``python -m avledger`` from this checkout's source on this test's data folder."""

    def run(*args: str, lang: str | None = None) -> CliResult:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AVLEDGER")}
        env["AVLEDGER_HOME"] = str(home.path)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH", "")) if p)
        argv = [sys.executable, "-m", "avledger", *(["--lang", lang] if lang else []), *args]
        return CliResult(subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60))

    return run


def refusal(call, *args, **kwargs) -> tuple[str, str | None]:
    """The code and field of the UserError that ``call(*args, **kwargs)`` raises."""
    from avledger.errors import UserError

    with pytest.raises(UserError) as info:
        call(*args, **kwargs)
    return info.value.code, info.value.field


def fixed_clock(when: str):
    value = dt.datetime.fromisoformat(when)
    return lambda: value


def write_video(
    path: Path,
    seconds: float = 1.0,
    *,
    creation_time: str | None = None,
    tags: dict[str, str] | None = None,
    fps: int = 10,
    size: tuple[int, int] = (64, 48),
) -> Path:
    """Write a tiny real MPEG-4 video with PyAV (``creation_time`` as the camera writes it, e.g. ...Z)."""
    from avledger.services.samplecard import write_clip

    return write_clip(path, seconds, creation_time=creation_time, tags=tags, fps=fps, size=size)


@pytest.fixture
def card(tmp_path: Path) -> Path:
    """A camera card: three clips of one morning (a gap between the first two), a Chinese name,
    a corrupt clip, an empty file and a non-media file, at some depth.

    Times: the device clock runs 60 s ahead; it writes UTC container times. Local time is UTC+8.
    """
    root = tmp_path / "card"
    media = root / "DCIM" / "100MEDIA"
    write_video(media / "VID_0001.MP4", 2, creation_time="2026-01-10T01:06:00.000000Z", tags={"comment": "SN-A1001"})
    write_video(media / "VID_0002.MP4", 2, creation_time="2026-01-10T01:26:00.000000Z")
    write_video(media / "现场检查_20260110_093000.mp4", 1)  # time only in the name (device local)
    good = (media / "VID_0001.MP4").read_bytes()
    (media / "VID_0003.MP4").write_bytes(good[: len(good) // 2])  # cut short: corrupt
    (media / "EMPTY.MP4").write_bytes(b"")
    (root / "DCIM" / "说明.txt").write_text("不是音像文件", "utf-8")
    return root
