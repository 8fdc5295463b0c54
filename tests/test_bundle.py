"""The offline bundle (scripts/bundle), as an office PC without internet gets it: the tarball unpacked into an
empty folder, installed with its install.sh and run, each step in a network namespace of its own with no
network, where the system's Pythons, this checkout's .venv and the system's CJK fonts are hidden (a tmpfs over
each): only what the bundle brought can answer.

The office PC has no xorriso either: /usr, /etc and /var are overlays (their changes kept in the test's folder,
the same overlays at every step) from which xorriso and its libraries were purged, so install.sh installs the
bundle's Debian packages for real, and the system itself is left as it was. Where the kernel refuses overlays,
the PC is this system (with its xorriso, which install.sh then keeps).

The bundle is built once per session (a few minutes): the pytest-xdist workers share it through a lock file
in build/, and reuse it while its sources are unchanged.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from avledger import __version__

ROOT = Path(__file__).resolve().parent.parent
MAX_BYTES = 200 * 1024 * 1024
NAME = f"avledger-{__version__}-linux-{os.uname().machine}"
XORRISO_DEBS = {"xorriso", "libisoburn1", "libburn4", "libisofs6", "libjte2"}

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root: unshare --net --mount and dpkg -i"),
    pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare (util-linux)"),
    pytest.mark.skipif(shutil.which("apt-get") is None, reason="needs a Debian-like system (apt-get, dpkg)"),
]


def hidden() -> list[str]:
    """What the namespace hides: every Python of the system (the standard library folders), the checkout's
    .venv and the system's fonts."""
    candidates = [
        Path(sys.base_prefix) / "lib" / f"python3.{sys.version_info.minor}",
        *Path("/usr/lib").glob("python3*"),
        *Path("/usr/local/lib").glob("python3*"),
        ROOT / ".venv",
        Path("/usr/share/fonts"),
    ]
    return sorted({str(p) for p in candidates if p.is_dir()})


OVERLAID = ("usr", "etc", "var")


def overlays(pc: Path) -> str:
    """The shell commands that mount the office PC's overlays of /usr, /etc and /var (changes kept in ``pc``)."""
    commands = []
    for top in OVERLAID:
        upper, work = pc / top / "upper", pc / top / "work"
        upper.mkdir(parents=True, exist_ok=True)
        work.mkdir(parents=True, exist_ok=True)
        options = shlex.quote(f"lowerdir=/{top},upperdir={upper},workdir={work}")
        commands.append(f"mount -t overlay overlay -o {options} /{top} && ")
    return "".join(commands)


def offline(
    *argv: str, env: dict[str, str], pc: Path | None = None, timeout: float = 180
) -> subprocess.CompletedProcess:
    """``argv`` in a new network namespace (no network: only a loopback that is down) and mount namespace, on
    the office PC ``pc`` (its overlays, see the module's docstring) when given."""
    mounts = overlays(pc) if pc else ""
    mounts += "".join(f"mount -t tmpfs none {shlex.quote(p)} && " for p in hidden())
    return subprocess.run(
        ["unshare", "--net", "--mount", "--", "sh", "-c", mounts + 'exec "$@"', "sh", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def sources_digest() -> str:
    """The digest of what the bundle is built from: a changed file makes the next session build again."""
    digest = hashlib.sha256()
    files = [*sorted((ROOT / "src").rglob("*")), *(ROOT / "scripts" / n for n in ("bundle", "install.sh"))]
    files += [ROOT / "scripts" / "frozen_main.py", ROOT / "requirements" / "bundle.lock"]
    for path in files:
        if path.is_file() and "__pycache__" not in path.parts and ".egg-info" not in str(path):
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def tarball() -> Path:
    out = ROOT / "build" / "bundle-test"
    out.mkdir(parents=True, exist_ok=True)
    built, stamp = out / f"{NAME}.tar.gz", out / "sources.sha256"
    with open(out / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another worker may be building it: wait for its tarball
        want = sources_digest()
        if not (built.is_file() and stamp.is_file() and stamp.read_text() == want):
            stamp.unlink(missing_ok=True)
            proc = subprocess.run(
                [str(ROOT / "scripts" / "bundle"), "--out", str(out)], capture_output=True, text=True, timeout=1800
            )
            assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
            stamp.write_text(want)
    return built


@pytest.fixture(scope="module")
def office(tarball, tmp_path_factory) -> dict[str, Path]:
    """The bundle unpacked into an empty folder and installed offline under a prefix of its own."""
    base = tmp_path_factory.mktemp("offline")
    unpacked, prefix, user = base / "unpacked", base / "prefix", base / "user"
    for folder in (unpacked, user):
        folder.mkdir()
    subprocess.run(["tar", "-xzf", str(tarball), "-C", str(unpacked)], check=True)  # as the office does
    env = office_env(prefix, user)
    pc: Path | None = base / "pc"
    purge = ["dpkg", "--purge", "--force-depends", *sorted(XORRISO_DEBS)]
    if offline(*purge, env=env, pc=pc).returncode != 0:  # no overlays here: the PC is this system
        shutil.rmtree(pc, ignore_errors=True)
        pc = None
    else:
        assert offline("sh", "-c", "command -v xorriso", env=env, pc=pc).returncode != 0
    proc = offline(str(unpacked / NAME / "install.sh"), "--prefix", str(prefix), env=env, pc=pc)
    assert proc.returncode == 0, proc.stderr
    if pc is not None:  # the bundle's packages installed, and working
        assert all(f"{name}_" in proc.stderr for name in XORRISO_DEBS), proc.stderr
        assert offline("xorriso", "-version", env=env, pc=pc).returncode == 0
    return {"unpacked": unpacked / NAME, "prefix": prefix, "user": user, "pc": pc}


def office_env(prefix: Path, user: Path, data: Path | None = None) -> dict[str, str]:
    """A login's environment on the office PC: the installed avledger first on PATH, no .venv, no PyPI."""
    return {
        "PATH": f"{prefix / 'bin'}:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": str(user),
        "AVLEDGER_HOME": str(data or user / "data"),
        "LANG": "C.UTF-8",
        "TERM": "xterm-256color",
    }


def test_the_tarball_holds_the_program_its_packages_and_the_installer(tarball):
    assert tarball.stat().st_size < MAX_BYTES, f"{tarball.stat().st_size / 2**20:.0f} MB"
    with tarfile.open(tarball) as tar:
        names = tar.getnames()
    assert {n.split("/")[0] for n in names} == {NAME}  # one folder: it unpacks into an empty one cleanly
    assert {f"{NAME}/install.sh", f"{NAME}/avledger/avledger"} <= set(names)
    fonts = [n for n in names if "/fonts/NotoSansCJK" in n]
    assert any("Regular" in n for n in fonts) and any("Bold" in n for n in fonts), fonts
    debs = {Path(n).name.split("_")[0] for n in names if n.startswith(f"{NAME}/debs/") and n.endswith(".deb")}
    assert debs == XORRISO_DEBS


def test_installed_offline_it_does_the_office_work(office, tmp_path):
    prefix, user, data = office["prefix"], office["user"], tmp_path / "data"
    env = office_env(prefix, user, data)

    def avledger(*args: str) -> subprocess.CompletedProcess:
        proc = offline("avledger", *args, env=env, pc=office["pc"])
        assert proc.returncode == 0, f"avledger {shlex.join(args)}: {proc.stderr}"
        return proc

    # the namespace has no network, and nothing but the bundle to run Python with or draw Chinese with
    interfaces = offline("cat", "/proc/net/dev", env=env, pc=office["pc"]).stdout.splitlines()[2:]
    assert [line.split(":")[0].strip() for line in interfaces] == ["lo"]
    assert offline("sh", "-c", "command -v python3 && python3 -c pass", env=env, pc=office["pc"]).returncode != 0
    assert (prefix / "bin" / "avledger").resolve() == (prefix / "lib" / "avledger").resolve() / "avledger"

    version = avledger("--version").stdout
    assert re.fullmatch(rf"avledger {re.escape(__version__)}（\d{{4}}-\d\d-\d\d \d\d:\d\d UTC 构建）\n", version)

    avledger("demo")
    devices = json.loads(avledger("device", "list", "--json").stdout)
    assert len(devices) >= 3

    pdf = tmp_path / "devices.pdf"
    avledger("print", "devices", "-o", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert "NotoSansCJKsc-Regular" in fonts and "NotoSansCJKsc-Bold" in fonts, fonts
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "音像记录设备台账" in text and "示例市市场监督管理局" in text, text[:500]

    avledger("ingest", str(data / "示例存储卡"), "--activity", "2", "--json")
    built = json.loads(avledger("disc", "build", "--activity", "2", "--out", str(tmp_path / "discs"), "--json").stdout)
    image = built["images"][0]["path"]
    copy = tmp_path / "copy1.img"
    avledger("disc", "burn", image, "--drive", f"stdio:{copy}", "--copy", "1")
    report = json.loads(avledger("disc", "verify", "--drive", f"stdio:{copy}", "--copy", "1", "--json").stdout)
    assert report["ok"], report


def test_the_installer_keeps_installed_packages_and_installs_over_itself(office, tmp_path):
    prefix, user = office["prefix"], office["user"]
    env = office_env(prefix, user, tmp_path / "data")
    run = functools.partial(offline, env=env, pc=office["pc"])
    assert run("avledger", "demo").returncode == 0
    before = run("avledger", "device", "list", "--json").stdout
    again = run(str(office["unpacked"] / "install.sh"), "--prefix", str(prefix))
    assert again.returncode == 0, again.stderr
    # xorriso is installed now (by the first install, or on this system): kept at that version
    assert all(f"{name} " in again.stderr for name in XORRISO_DEBS) and ": kept" in again.stderr, again.stderr
    assert "installing:" not in again.stderr
    assert not [p for p in (prefix / "lib").iterdir() if p.name.startswith(".")]  # no staging left
    assert run("avledger", "device", "list", "--json").stdout == before  # the register untouched
    refused = run(str(office["unpacked"] / "install.sh"), "--bogus")
    assert refused.returncode == 2 and "--bogus" in refused.stderr


def test_the_tui_starts_offline(office, tmp_path):
    if shutil.which("tmux") is None:
        pytest.skip("needs tmux")
    env = office_env(office["prefix"], office["user"], tmp_path / "data")
    run = functools.partial(offline, env=env, pc=office["pc"])
    assert run("avledger", "demo").returncode == 0
    tmux = ["tmux", "-f", "/dev/null", "-S", str(tmp_path / "tmux.sock")]
    # the tmux server (and the TUI in it) lives in the namespace; its socket is a file, reachable from here
    started = run(*tmux, "new-session", "-d", "-s", "avl", "-x", "120", "-y", "36", "avledger")
    assert started.returncode == 0, started.stderr
    try:
        deadline, screen = time.monotonic() + 60, ""
        while time.monotonic() < deadline:
            screen = subprocess.run([*tmux, "capture-pane", "-p", "-t", "avl"], capture_output=True, text=True).stdout
            if "首页" in screen and "示例市市场监督管理局" in screen:
                break
            time.sleep(0.3)
        assert "首页" in screen and "示例市市场监督管理局" in screen, screen
        subprocess.run([*tmux, "send-keys", "-t", "avl", "C-q"], check=True)
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
        deadline = time.monotonic() + 10  # its namespace (and the PC's overlays) gone before the next step
        while time.monotonic() < deadline and (tmp_path / "tmux.sock").exists():
            time.sleep(0.1)
