from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from avledger.home import Home
from avledger.identity import Identity
from avledger.models import audit
from avledger.services import Services
from avledger.services.demo import populate

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
SYNTH = ROOT / "bench" / "synth.py"
# the size of the synthetic register the tests use (bench/synth.py)
SYNTH_SMALL = {"clips": 2000, "loans": 500, "activities": 20}


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path / "data")


@pytest.fixture
def services(home: Home):
    """An initialised register with one department and two staff."""
    svc = Services(home, Identity.console("tester"))
    svc.office.init("测试市综合行政执法局", "wanzhou")
    svc.departments.add("执法一队", "A")
    svc.staff.add("张伟", "2001", "执法一队", cert_no="C2001", roles=["officer"])
    svc.staff.add("王建国", "1001", "执法一队", roles=["manager"])
    yield svc
    svc.close()


@pytest.fixture
def demo(home: Home):
    svc = Services(home, Identity.console("tester"))
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

    def run(*args: str, lang: str | None = None, env: dict[str, str] | None = None) -> CliResult:
        argv = [sys.executable, "-m", "avledger", *(["--lang", lang] if lang else []), *args]
        return CliResult(
            subprocess.run(argv, capture_output=True, text=True, env=cli_env(home, **(env or {})), timeout=60)
        )

    return run


class Colleagues:
    """Colleagues acting through their own SSH keys, as sshd would run them (``avledger ssh-serve KEY_ID``
    with ``SSH_ORIGINAL_COMMAND``), without an sshd: the owner account registers each key on first use
    (``avledger ssh add``), into an ``authorized_keys`` in the test's folder (config.toml's [ssh])."""

    def __init__(self, cli, home: Home, folder: Path):
        self.cli = cli
        self.home = home
        self.folder = folder
        self.authorized_keys = folder / "authorized_keys"
        self.ids: dict[str, int] = {}

    def keygen(self, name: str) -> Path:
        """A new ed25519 key pair in the test's folder; the public key's path."""
        private = self.folder / f"id_{name}"
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(private)], check=True, timeout=30
        )
        return private.with_name(private.name + ".pub")

    def key(self, number: str) -> int:
        if number not in self.ids:
            config = self.home.read_config()
            if config.get("ssh", {}).get("authorized_keys") != str(self.authorized_keys):
                config.setdefault("ssh", {})["authorized_keys"] = str(self.authorized_keys)
                self.home.write_config(config)
            added = self.cli("ssh", "add", number, str(self.keygen(f"staff{number}")), "--json")
            assert added.code == 0, added.err
            self.ids[number] = added.json()["id"]
        return self.ids[number]

    def run(self, number: str, *args: str, lang: str | None = None) -> CliResult:
        """One avledger command run as ``number`` over SSH (``args`` as the person would type them)."""
        import shlex

        command = shlex.join([*(["--lang", lang] if lang else []), *args])
        return self.cli("ssh-serve", str(self.key(number)), env={"SSH_ORIGINAL_COMMAND": command})


@pytest.fixture
def colleagues(cli, home: Home, tmp_path: Path) -> Colleagues:
    folder = tmp_path / "keys"
    folder.mkdir()
    return Colleagues(cli, home, folder)


def load_synth():
    """``bench/synth.py`` as a module (``bench`` is not a package)."""
    name = "avledger_bench_synth"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, SYNTH)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def cli_env(home: Home | Path | None = None, **extra: str) -> dict[str, str]:
    """The environment for ``python -m avledger`` (or a bench script) from this checkout's source, on ``home``
    when given, with no other AVLEDGER_ setting; ``extra`` variables added."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AVLEDGER")}
    if home is not None:
        env["AVLEDGER_HOME"] = str(home.path if isinstance(home, Home) else home)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH", "")) if p)
    return env | extra


@pytest.fixture(scope="session")
def synth_home(tmp_path_factory) -> Path:
    """The data folder of a small synthetic register (``bench/synth.py``, SYNTH_SMALL, now = the real now, the
    manager mapped to the OS user), built once per session (per xdist worker) in a child process, so that this
    process's database stays bound where it was. Read only: a test that writes uses ``synth_copy``."""
    home = tmp_path_factory.mktemp("synth") / "data"
    sizes = [arg for key, value in SYNTH_SMALL.items() for arg in (f"--{key}", str(value))]
    proc = subprocess.run(
        [sys.executable, str(SYNTH), str(home), *sizes],
        capture_output=True,
        text=True,
        env=cli_env(),
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return home


@pytest.fixture
def synth_copy(synth_home: Path, tmp_path: Path) -> Path:
    """This test's own copy of the synthetic register's data folder (to write to)."""
    target = tmp_path / "synth"
    shutil.copytree(synth_home, target)
    return target


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


LONG_NAME = "现场执法记录仪视频_某商行无证经营案调查取证第一段录像.mp4"  # 28 characters, 74 bytes of UTF-8
SECOND_LONG = "现场执法记录仪视频_某商行无证经营案调查取证第二段录像.mp4"  # the same first 64 bytes


@pytest.fixture
def case(services, tmp_path):
    """A case that must go to disc (the party objected), with five collected clips, two with long Chinese names."""
    activity = services.activities.add(
        "investigation",
        "无证经营调查取证",
        "2026-01-10 09:00",
        end="2026-01-10 11:00",
        officers=["2001"],
        case_no="测市监立〔2026〕7号",
        case_name="某商行无证经营案",
        long_term=["objection"],
    )
    card = tmp_path / "card"
    write_video(card / LONG_NAME, 1, creation_time="2026-01-10T01:10:00.000000Z")
    write_video(card / SECOND_LONG, 1, creation_time="2026-01-10T01:20:00.000000Z")
    for i in range(3):
        write_video(card / f"VID_000{i}.MP4", 1, creation_time=f"2026-01-10T01:3{i}:00.000000Z", fps=5 + i)
    result = services.ingest.apply(services.ingest.scan(card, activity=activity.id))
    assert len(result.archived) == 5
    return activity


def recompute_chain(db_path: Path, first: int) -> None:
    """Make every hash from entry ``first`` on agree with the entries as they now are, as an attacker who knows
    the algorithm would (avledger.models.audit.entry_hash is public)."""
    con = sqlite3.connect(db_path)
    with con:
        prev = con.execute("SELECT hash FROM audit_event WHERE id < ? ORDER BY id DESC LIMIT 1", (first,)).fetchone()
        prev_hash = prev[0] if prev else audit.GENESIS
        rows = con.execute(
            "SELECT id, at, actor, actor_staff_id, action, entity, entity_id, summary, before, after"
            " FROM audit_event WHERE id >= ? ORDER BY id",
            (first,),
        ).fetchall()
        for row_id, *values in rows:
            digest = audit.entry_hash(prev_hash, *values)
            con.execute("UPDATE audit_event SET prev_hash = ?, hash = ? WHERE id = ?", (prev_hash, digest, row_id))
            prev_hash = digest
    con.close()
