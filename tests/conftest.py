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


def fixed_clock(when: str):
    value = dt.datetime.fromisoformat(when)
    return lambda: value
