"""Every command that takes --json prints the same bytes in every language (README: "`--json` output is the
same in every language").

The commands are found in the click tree, so a new one fails here until it is given its arguments below.
Each language runs the same sequence on the same copy of a demo office, at the same path and at the same
frozen wall-clock time (libfaketime: times the commands stamp, and hours left to a deadline, are then the
same in both runs; the monotonic clock is left alone). A disc image is not the same bytes twice (pycdlib
writes a unique UDF volume set id), so the image is built before the copy is taken and ``disc build``
resumes that set in both runs.
"""

from __future__ import annotations

import datetime as dt
import glob
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from avledger.cli import cli as root
from avledger.home import Home
from conftest import cli_env, write_video

DRIVER = Path(__file__).with_name("clidriver.py")
LIBFAKETIME = sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1"))
ASSET = "JL-2023-001"  # a device with loans in the demo office
LONG_TERM_ACTIVITY = "2"  # kept long-term (objection) in the demo office: it goes to disc


def json_commands(group: click.Group = root, path: tuple[str, ...] = ()) -> set[str]:
    found: set[str] = set()
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            found |= json_commands(command, (*path, name))
        elif any(param.name == "as_json" for param in command.params):
            found.add(" ".join((*path, name)))
    return found


class Run:
    """One language's run of the sequence, in one process (tests/clidriver.py): each command's stdout."""

    def __init__(self, home: Path, work: Path, lang: str, frozen: dt.datetime):
        self.work, self.lang = work, lang
        env = cli_env(
            Home(home),
            LD_PRELOAD=LIBFAKETIME[0],
            FAKETIME=frozen.strftime("%Y-%m-%d %H:%M:%S"),  # in TZ's time
            FAKETIME_DONT_FAKE_MONOTONIC="1",
            TZ="UTC",
        )
        self.driver = subprocess.Popen(
            [sys.executable, str(DRIVER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=work
        )
        self.outputs: list[tuple[str, list[str], str]] = []

    def __call__(self, command: str, *args: str) -> dict | list:
        self.driver.stdin.write(json.dumps(["--lang", self.lang, *command.split(), *args, "--json"]) + "\n")
        self.driver.stdin.flush()
        code, out, err = json.loads(self.driver.stdout.readline())
        assert code == 0, (self.lang, command, args, out, err)
        self.outputs.append((command, list(args), out))
        return json.loads(out)

    def plain(self, command: str, *args: str) -> None:
        """A command without --json (its words differ by language; only that it succeeds counts)."""
        self.driver.stdin.write(json.dumps(["--lang", self.lang, *command.split(), *args]) + "\n")
        self.driver.stdin.flush()
        code, out, err = json.loads(self.driver.stdout.readline())
        assert code == 0, (self.lang, command, args, out, err)

    def close(self) -> None:
        self.driver.stdin.close()
        assert self.driver.wait(timeout=60) == 0


def run_everything(run: Run, card: Path, iso: Path, today: dt.date, pubkey: Path) -> None:
    """Every --json command on the demo office, each with what it needs from the register."""
    run("ingest", str(card), "--dry-run")
    run("ingest", str(card))
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    run("activity add", "--kind", "inspection", "--title", "复查", "--start", f"{yesterday} 09:00", "--officer", "2001")
    clip = str(run("footage list")[0]["id"])
    run("footage show", clip)
    run("footage waiting")
    activity = str(run("activity list")[0]["id"])
    run("activity show", activity)
    run("activity show", LONG_TERM_ACTIVITY)
    run("gaps")
    run("norecord list")
    run("verify")
    # The demo maps this login to its manager (1001), who asks, records the leader's paper approval,
    # views and extracts.
    copy = run(
        "access request", "--activity", LONG_TERM_ACTIVITY, "--requester", "1001", "--reason", "复核", "--kind", "copy"
    )
    refused = run("access request", "--clip", clip, "--requester", "1001", "--reason", "查看")
    run("access refuse", str(refused["id"]), "--by", "1002", "--reason", "不需要")
    run("access approve", str(copy["id"]), "--by", "1002", "--paper-form", "审-001")
    run("access view", str(copy["id"]))
    run("evidence extract", str(copy["id"]), "--extractor", "1001", "--out", str(run.work / "evidence"))
    run("access list")
    run("access viewings")
    run("disc plan", "--activity", LONG_TERM_ACTIVITY, "--media", "cd")
    built = run("disc build", "--activity", LONG_TERM_ACTIVITY, "--media", "cd", "--out", str(iso))
    drive = f"stdio:{run.work / 'copy1.iso'}"
    run("disc burn", built["images"][0]["path"], "--drive", drive, "--copy", "1", "--kept-at", "档案室")
    run("disc verify", "--drive", drive, "--copy", "1")
    run("disc list")
    plan = run("dispose plan")
    run("retention show", "--clip", str(plan["items"][0]["clip"]))
    run("retention show", "--activity", LONG_TERM_ACTIVITY)
    run("hold add", "--activity", activity, "--reason", "投诉")
    run("hold list")
    # approved by the leader on paper, recorded by the manager
    run.plain("dispose approve", str(plan["id"]), "--by", "1002", "--paper-form", "清-001")
    run("dispose run", str(plan["id"]))
    run("dispose list")
    for command in ("dept list", "staff list", "device list", "allocation", "loan list", "profile show", "todo"):
        run(command)
    run("device show", ASSET)
    run("device upkeep", ASSET, "--what", "清洁镜头", "--at", "2026-01-05 10:00")
    run("device history", ASSET)
    month = (today - dt.timedelta(days=30)).isoformat()
    drawn = run(
        "spotcheck draw", "--from", month, "--to", today.isoformat(), "--count", "2", "--by", "4001", "--seed", "7"
    )
    shown = run("spotcheck show", str(drawn["id"]))
    # the first viewing of a drawn activity files its viewing request (监督抽查)
    run("spotcheck view", str(drawn["id"]), "--activity", str(shown["activities"][0]["activity_id"]), "--no-player")
    run("spotcheck list")
    run("violation candidates")
    run("violation list")
    run("checklist show", LONG_TERM_ACTIVITY)
    run("stats", "--from", month, "--to", today.isoformat())
    run("device retire", "SX-2020-001", "--reason", "无法修复", "--by", "1002", "--paper-form", "BF-1")
    run("activity edit", LONG_TERM_ACTIVITY, "--place", "某路 2 号", "--why", "补录地点")
    run("whoami")
    key = run("ssh add", "2001", str(pubkey))  # into the run's own authorized_keys (config.toml)
    run("ssh list")
    run("ssh remove", str(key["id"]))
    anchor = run.work / "usb"
    anchor.mkdir(exist_ok=True)
    run("audit anchor", "--to", str(anchor))
    run("audit verify")
    run("audit list")
    card = run.work / "media" / "zhang" / "CAM_A"
    (card / "DCIM").mkdir(parents=True)
    (card / "DCIM" / "VID_0001.MP4").write_bytes(b"")
    os.utime(card, (1_800_000_000, 1_800_000_000))
    run("cards", "--where", str(run.work / "media" / "*" / "*"))


@pytest.mark.skipif(not LIBFAKETIME, reason="needs libfaketime (Debian: faketime; ./test installs it)")
def test_every_json_command_is_the_same_in_both_languages(tmp_path, cli, home, card):
    iso = tmp_path / "iso"
    assert cli("demo").code == 0
    # The demo's camera card goes to the activity kept long-term, which then has footage for a disc.
    assert cli("ingest", str(home.path / "示例存储卡"), "--activity", LONG_TERM_ACTIVITY).code == 0
    assert cli("disc", "build", "--activity", LONG_TERM_ACTIVITY, "--media", "cd", "--out", str(iso)).code == 0
    old = tmp_path / "old-card"  # footage of 2020, past every period: due for disposal (dispose plan and run)
    for i in range(2):
        write_video(old / f"VID_000{i}.MP4", 0.5, creation_time=f"2020-03-0{i + 1}T01:00:00.000000Z", fps=4)
    assert cli("ingest", str(old)).code == 0
    late = [c["id"] for c in cli("footage", "list", "--late", "--json").json() if c["activity_id"] is None]
    assert cli("footage", "late-reason", *map(str, late), "--reason", "旧存储卡").code == 0
    pubkey = tmp_path / "id_zhang"  # one key for both runs (its fingerprint is in the output)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(pubkey)], check=True, timeout=30)
    config = home.read_config()
    config["ssh"] = {"authorized_keys": str(tmp_path / "work" / "authorized_keys")}
    home.write_config(config)
    pristine = tmp_path / "pristine"
    shutil.copytree(home.path, pristine, symlinks=True)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0) + dt.timedelta(minutes=1)
    runs = {}
    for lang in ("zh", "en"):
        shutil.rmtree(home.path)
        shutil.copytree(pristine, home.path, symlinks=True)
        work = tmp_path / "work"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        runs[lang] = Run(home.path, work, lang, now)
        try:
            run_everything(runs[lang], card, iso, now.date(), pubkey.with_name("id_zhang.pub"))
        finally:
            runs[lang].close()
    zh, en = runs["zh"].outputs, runs["en"].outputs
    assert {command for command, _args, _out in zh} == json_commands(), "give each --json command its arguments"
    assert [(c, a) for c, a, _o in zh] == [(c, a) for c, a, _o in en]
    for (command, args, zh_out), (_c, _a, en_out) in zip(zh, en):
        assert without_timing(command, zh_out) == without_timing(command, en_out), (command, args)


def without_timing(command: str, out: str) -> str:
    """The output, but for what depends on timing, not on language: how many lines a witness file holds (an
    ingest commits, and witnesses, each batch of files as their read-backs finish: two or three batches)."""
    if command != "audit verify":
        return out
    data = json.loads(out)
    for source in data["sources"]:
        source.pop("checked", None)
    return json.dumps(data, ensure_ascii=False, indent=2)
