"""install.sh of the offline bundle, on stand-in programs (a bundle's program is a shell script here; the real
bundle is installed and run offline by test_bundle.py): a program that cannot run on the machine replaces
nothing, the link to the program is switched in one rename, the previous program is kept for the sessions
still running it, and an install from before the links is kept as the previous one."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bundle(folder: Path, program: bytes) -> Path:
    """A bundle of no Debian packages whose program is ``program``."""
    (folder / "avledger" / "_internal").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "install.sh", folder / "install.sh")
    exe = folder / "avledger" / "avledger"
    exe.write_bytes(program)
    exe.chmod(0o755)
    return folder


def answering(version: str) -> bytes:
    return f'#!/bin/sh\necho "avledger {version}"\n'.encode()


def install(folder: Path, prefix: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(folder / "install.sh"), "--prefix", str(prefix)], capture_output=True, text=True, timeout=60
    )


def installed(prefix: Path) -> str:
    return subprocess.run([str(prefix / "bin" / "avledger")], capture_output=True, text=True).stdout.strip()


def releases(prefix: Path) -> list[str]:
    return sorted(p.name for p in (prefix / "lib").iterdir() if p.name != "avledger")


def test_an_install_switches_the_link_and_keeps_the_previous_program(tmp_path):
    prefix = tmp_path / "usr-local"
    first = install(bundle(tmp_path / "b1", answering("1")), prefix)
    assert first.returncode == 0, first.stderr
    assert "installed avledger 1 as" in first.stderr and installed(prefix) == "avledger 1"
    assert (prefix / "lib" / "avledger").is_symlink() and len(releases(prefix)) == 1
    [one] = releases(prefix)
    assert not os.stat(prefix / "lib" / one / "avledger").st_mode & 0o022  # nobody else may replace it
    os.utime(prefix / "lib" / one, (0, 0))
    assert install(bundle(tmp_path / "b2", answering("2")), prefix).returncode == 0
    assert installed(prefix) == "avledger 2" and one in releases(prefix) and len(releases(prefix)) == 2
    assert install(bundle(tmp_path / "b3", answering("3")), prefix).returncode == 0
    assert installed(prefix) == "avledger 3" and one not in releases(prefix) and len(releases(prefix)) == 2
    assert all(r.startswith("avledger-unknown-") for r in releases(prefix))  # (no build record in these)
    assert not [p for p in (prefix / "lib").iterdir() if p.name.startswith(".")]  # no staging left


def test_a_program_that_cannot_run_here_replaces_nothing(tmp_path):
    prefix = tmp_path / "usr-local"
    assert install(bundle(tmp_path / "good", answering("1")), prefix).returncode == 0
    before = releases(prefix)
    other_machine = b"\x7fELF\x02\x01\x01" + bytes(57)  # an executable of another architecture
    refused = install(bundle(tmp_path / "bad", other_machine), prefix)
    assert refused.returncode == 2 and "does not run on this machine" in refused.stderr
    assert "nothing was changed" in refused.stderr
    assert installed(prefix) == "avledger 1" and releases(prefix) == before
    assert not [p for p in (prefix / "lib").iterdir() if p.name.startswith(".")]


def test_an_install_from_before_the_links_is_kept_as_the_previous_one(tmp_path):
    prefix = tmp_path / "usr-local"
    old = prefix / "lib" / "avledger"
    old.mkdir(parents=True)
    (old / "avledger").write_bytes(answering("0"))
    (old / "avledger").chmod(0o755)
    (prefix / "bin").mkdir()
    (prefix / "bin" / "avledger").symlink_to("../lib/avledger/avledger")
    assert installed(prefix) == "avledger 0"
    assert install(bundle(tmp_path / "b1", answering("1")), prefix).returncode == 0
    assert installed(prefix) == "avledger 1"
    kept = [r for r in releases(prefix) if r.startswith("avledger-previous-")]
    assert len(kept) == 1 and (prefix / "lib" / kept[0] / "avledger").read_bytes() == answering("0")


def test_unknown_arguments_are_refused(tmp_path):
    refused = subprocess.run(
        [str(bundle(tmp_path / "b", answering("1")) / "install.sh"), "--bogus"], capture_output=True, text=True
    )
    assert refused.returncode == 2 and "--bogus" in refused.stderr
