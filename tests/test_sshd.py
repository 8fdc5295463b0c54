"""Remote use through a real sshd (issue 13): Debian's openssh-server on 127.0.0.1, its own host key and
config in the test's folder, ``AuthorizedKeysFile`` the file ``avledger ssh add`` writes (config.toml's
[ssh]), and two colleagues' keys: an officer (刘洋, 2002) and an approver (张伟, 2001).

The owner account is this test's account (root here and in CI): sshd runs the forced command as it.
Nothing is written to the account's own ~/.ssh.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from avledger.home import Home
from conftest import cli_env

SSHD = Path("/usr/sbin/sshd")
OPEN, SECRET = "1", "2"  # the demo office's activities: 1 of 2002 and 2003; 2 of others, made confidential
pytestmark = pytest.mark.skipif(not SSHD.exists(), reason="needs openssh-server (./test installs it)")


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


class Office:
    """The demo office on this PC, its sshd, and its colleagues' keys."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.home = Home(folder / "data")
        self.authorized_keys = folder / "authorized_keys"
        self.port = free_port()
        self.keys: dict[str, Path] = {}
        self.key_ids: dict[str, int] = {}
        self.sshd: subprocess.Popen | None = None

    # --- the console -----------------------------------------------------------------
    def cli(self, *args: str) -> Result:
        proc = subprocess.run(
            [sys.executable, "-m", "avledger", "--home", str(self.home.path), *args],
            capture_output=True,
            text=True,
            env=cli_env(),
            timeout=120,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    def add_key(self, number: str) -> None:
        private = self.folder / f"id_{number}"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", number, "-f", str(private)], check=True)
        added = self.cli("ssh", "add", number, str(private) + ".pub", "--json")
        assert added.code == 0, added.err
        self.keys[number], self.key_ids[number] = private, added.json()["id"]

    # --- sshd ---------------------------------------------------------------------------
    def start(self) -> None:
        host = self.folder / "host_key"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(host)], check=True)
        config = self.folder / "sshd_config"
        config.write_text(
            "\n".join(
                [
                    f"Port {self.port}",
                    "ListenAddress 127.0.0.1",
                    f"HostKey {host}",
                    f"PidFile {self.folder / 'sshd.pid'}",
                    f"AuthorizedKeysFile {self.authorized_keys}",
                    "StrictModes no",  # the test's folder is under /tmp
                    "UsePAM no",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "PubkeyAuthentication yes",
                    "PermitRootLogin prohibit-password",
                    "LogLevel VERBOSE",
                ]
            )
            + "\n"
        )
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation folder
        log = open(self.folder / "sshd.log", "wb")  # noqa: SIM115 - closed with the process
        self.sshd = subprocess.Popen([str(SSHD), "-D", "-e", "-f", str(config)], stdout=log, stderr=log)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            assert self.sshd.poll() is None, (self.folder / "sshd.log").read_text()
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        raise AssertionError("sshd did not start")

    def stop(self) -> None:
        if self.sshd is not None and self.sshd.poll() is None:
            self.sshd.terminate()
            self.sshd.wait(timeout=20)

    # --- a colleague ------------------------------------------------------------------------
    def ssh_argv(self, number: str, *extra: str) -> list[str]:
        return [
            "ssh",
            "-F",
            "/dev/null",
            "-i",
            str(self.keys[number]),
            "-p",
            str(self.port),
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "BatchMode=yes",
            "-o",
            "LogLevel=ERROR",
            *extra,
            "root@127.0.0.1",
        ]

    def ssh(self, number: str, command: str) -> Result:
        proc = subprocess.run(
            [*self.ssh_argv(number), command], capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    office = Office(tmp_path_factory.mktemp("sshd"))
    assert office.cli("demo").code == 0
    # footage for the demo's activity 2 (officers 3002, 3003), marked confidential; activity 1 (2002, 2003)
    # has footage of its own
    assert office.cli("ingest", str(office.home.path / "示例存储卡"), "--activity", SECRET).code == 0
    assert office.cli("activity", "confidential", SECRET).code == 0
    config = office.home.read_config()
    config["ssh"] = {"authorized_keys": str(office.authorized_keys)}
    office.home.write_config(config)
    office.add_key("2002")  # 刘洋, an officer
    office.add_key("2001")  # 张伟, an officer and an approver
    office.start()
    yield office
    office.stop()


def request(office: Office, requester: str) -> int:
    made = office.cli("access", "request", "--activity", OPEN, "--requester", requester, "--reason", "复核", "--json")
    assert made.code == 0, made.err
    return made.json()["id"]


def test_the_officer_gets_the_cli_as_themselves(office):
    who = office.ssh("2002", "whoami --json")
    assert who.code == 0, who.err
    assert who.json()["how"] == "ssh" and who.json()["staff_number"] == "2002"
    assert who.json()["key_id"] == office.key_ids["2002"]
    also = office.ssh("2002", "avledger --lang en whoami")  # "avledger" first, as people type it
    assert also.code == 0 and "SSH key" in also.out and "刘洋" in also.out
    loans = office.ssh("2002", "loan list --json")
    assert loans.code == 0 and isinstance(loans.json(), list)


def test_the_officer_cannot_decide_edit_or_read_what_is_confidential(office):
    req = request(office, "2003")
    for command in (
        f"access approve {req} --by 2002",
        f"access approve {req} --by 2001",
        "staff edit 1001 --os-user root",
        "staff edit 2002 --role approver",
        "profile set viewing.approver_role officer",
        "profile set retention.default_months 1",
    ):
        result = office.ssh("2002", command)
        assert result.code == 2 and "刘洋（2002）无权" in result.err, (command, result.err)
    secret = int(SECRET)
    assert office.cli("activity", "show", SECRET, "--json").json()["confidential"]
    shown = office.ssh("2002", f"activity show {secret}")
    assert shown.code == 2 and "涉密" in shown.err
    assert secret not in [a["id"] for a in office.ssh("2002", "activity list --json").json()]
    footage = office.ssh("2002", "footage list --json").json()
    assert not any(c["activity_id"] == secret for c in footage)
    clip = next(c["id"] for c in office.cli("footage", "list", "--json").json() if c["activity_id"] == secret)
    clip_page = office.ssh("2002", f"footage show {clip}")
    assert clip_page.code == 2 and "涉密" in clip_page.err and clip_page.out == ""
    printed = office.folder / "explanation.pdf"
    form = office.ssh("2002", f"print explanation --activity {secret} -o {printed}")
    assert form.code == 2 and "涉密" in form.err and not printed.exists()
    assert office.ssh("2002", "audit list").code == 2  # the log holds confidential records too
    assert {r["id"]: r["status"] for r in office.cli("access", "list", "--json").json()}[req] == "requested"
    actors = {e["actor"] for e in office.cli("audit", "list", "--json").json() if e["action"] == "denied"}
    assert f"刘洋（2002）[root ssh#{office.key_ids['2002']}]" in actors
    assert office.cli("audit", "verify").code == 0


def test_the_approver_can_approve(office):
    req = request(office, "2004")
    done = office.ssh("2001", f"access approve {req} --by 2001 --json")
    assert done.code == 0, done.err
    assert done.json()["status"] == "approved" and done.json()["decided_by_number"] == "2001"
    assert not done.json()["on_paper"]
    entry = next(e for e in reversed(office.cli("audit", "list", "--json").json()) if e["action"] == "approve")
    assert entry["actor"] == f"张伟（2001）[root ssh#{office.key_ids['2001']}]"


def test_no_shell_and_no_other_data_folder(office):
    for command in ("sh -c id", "id", "/bin/bash", "echo hi; id", "avledger --home /tmp/x whoami", "ssh-serve 1"):
        result = office.ssh("2002", command)
        assert result.code == 2, (command, result)
        assert "uid=" not in result.out and "hi" not in result.out
    empty = office.ssh("2002", "")  # a login without a command and without a terminal
    assert empty.code == 2 and "ssh -t" in empty.err
    assert not Path("/tmp/x/avledger.db").exists()
    forwarding = subprocess.run(  # restrict: no forwarding either (here the stdio forwarding of -W)
        office.ssh_argv("2002", "-W", f"127.0.0.1:{office.port}"),
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert forwarding.returncode == 255 and "forwarding failed" in forwarding.stderr
    assert "refused local port forward" in (office.folder / "sshd.log").read_text()


def test_the_officer_gets_the_tui(office):
    if not shutil.which("tmux"):
        pytest.skip("needs tmux")
    socket_path = office.folder / "tmux.sock"
    tmux = ["tmux", "-f", "/dev/null", "-S", str(socket_path)]
    command = shlex.join(office.ssh_argv("2002", "-tt"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TMUX")} | {"TERM": "xterm-256color"}
    subprocess.run([*tmux, "new-session", "-d", "-s", "avl", "-x", "120", "-y", "36", command], check=True, env=env)
    try:
        screen = wait_for(tmux, lambda text: "刘洋（2002） · SSH" in text)
        assert "首页" in screen  # the home screen, as the officer
        subprocess.run([*tmux, "send-keys", "-t", "avl", "F3"], check=True)
        screen = wait_for(tmux, lambda text: "身份与权限" in text)
        assert "SSH" in screen and "✓" in screen
        subprocess.run([*tmux, "send-keys", "-t", "avl", "Escape"], check=True)
        subprocess.run([*tmux, "send-keys", "-t", "avl", "C-q"], check=True)
        deadline = time.monotonic() + 30
        while subprocess.run([*tmux, "has-session", "-t", "avl"], capture_output=True).returncode == 0:
            assert time.monotonic() < deadline, "the TUI did not quit"
            time.sleep(0.2)
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)


def wait_for(tmux: list[str], seen, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = subprocess.run([*tmux, "capture-pane", "-p", "-t", "avl"], capture_output=True, text=True).stdout
        if seen(text):
            return text
        time.sleep(0.3)
    raise AssertionError("not on the screen:\n" + text)


def test_a_removed_key_opens_nothing(office):
    """sshd refuses a withdrawn key once its line is gone, and ssh-serve refuses it even from a line left
    behind (the register is checked again)."""
    number = "2005"
    office.add_key(number)
    assert office.ssh(number, "whoami").code == 0
    line = next(
        line
        for line in office.authorized_keys.read_text().splitlines()
        if f"ssh-serve {office.key_ids[number]}" in line
    )
    assert office.cli("ssh", "remove", str(office.key_ids[number])).code == 0
    assert f"ssh-serve {office.key_ids[number]}" not in office.authorized_keys.read_text()
    refused = office.ssh(number, "whoami")
    assert refused.code == 255  # sshd: no such key
    with office.authorized_keys.open("a") as fh:  # a stale line, as if written by hand or restored
        fh.write(line + "\n")
    stale = office.ssh(number, "whoami")
    assert stale.code == 2 and f"SSH 密钥 {office.key_ids[number]}" in stale.err and stale.out == ""
    assert office.cli("audit", "list", "--json").json()[-1]["action"] == "denied"
