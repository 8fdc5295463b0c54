"""The lock files ./avledger and ./test install from (scripts/lock): the test environment holds every runtime
library at the runtime lock's version, so ./avledger run after ./test installs nothing (scripts/bootstrap.sh),
and the program is tested with the libraries an office gets."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^ \\;]+)", re.M)


def pins(name: str) -> dict[str, str]:
    text = (ROOT / "requirements" / name).read_text(encoding="utf-8")
    return {package.lower().replace("_", "-"): version for package, version in PIN.findall(text)}


def test_the_test_lock_holds_every_runtime_library_at_its_version():
    runtime, test = pins("runtime.lock"), pins("test.lock")
    assert runtime and {"textual", "peewee", "pycdlib", "av", "typst"} <= set(runtime)
    assert {p: v for p, v in runtime.items() if test.get(p) != v} == {}


def test_the_bundle_lock_freezes_the_runtime_libraries_at_their_versions():
    runtime, bundle = pins("runtime.lock"), pins("bundle.lock")
    assert "pyinstaller" in bundle
    assert {p: v for p, v in runtime.items() if bundle.get(p) != v} == {}
