"""Who acts (issue 13): the operating system's account, never the environment; only the data folder's owner
at the console; colleagues through their own SSH keys (``ssh-serve``, here run as sshd would, without sshd:
tests/test_sshd.py has the real one). Each attack of issue 13's first two points, repeated, is refused."""

from __future__ import annotations

import hashlib
import json
import os
import pwd
import shutil
import subprocess
import sys
import sysconfig
import uuid
from pathlib import Path

import pytest

from avledger.home import Home
from avledger.identity import Identity
from conftest import ROOT, cli_env

ME = pwd.getpwuid(os.geteuid()).pw_name
LIKE = {"LOGNAME": "zhang", "USER": "zhang", "SUDO_USER": "zhang", "USERNAME": "zhang"}


def fingerprint(home: Home) -> tuple[str, int]:
    """The register's bytes (after a checkpoint) and the number of log entries: to show nothing changed."""
    import sqlite3

    con = sqlite3.connect(home.db_path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    count = con.execute("SELECT COUNT(*) FROM audit_event").fetchone()[0]
    con.close()
    return hashlib.sha256(home.db_path.read_bytes()).hexdigest(), count


def request(cli, requester: str = "2002", **extra) -> int:
    activity = next(c["activity_id"] for c in cli("footage", "list", "--json").json() if c["activity_id"])
    made = cli("access", "request", "--activity", str(activity), "--requester", requester, "--reason", "复核", "--json")
    assert made.code == 0, made.err
    return made.json()["id"]


# --- the environment names nobody -----------------------------------------------------------------
def test_the_environment_changes_nobody(cli):
    assert cli("demo").code == 0
    mine = cli("whoami", "--json", env=LIKE).json()
    assert mine["account"] == ME and mine["how"] == "staff" and mine["staff_number"] == "1001"
    assert Identity.of_process().account == ME


def test_logname_does_not_approve(cli):
    """``LOGNAME=zhang avledger access approve 1 --by 2001`` with 2001 mapped to zhang: the console is still the
    owner account (the demo's manager), who may only record a paper approval; the log names the account."""
    assert cli("demo").code == 0
    assert cli("staff", "edit", "2001", "--os-user", "zhang").code == 0
    req = request(cli)
    before = cli("audit", "list", "--json").json()
    attempt = cli("access", "approve", str(req), "--by", "2001", env=LIKE)
    assert attempt.code == 2 and "纸质审批表" in attempt.err
    assert cli("access", "list", "--json").json()[0]["status"] == "requested"
    assert cli("audit", "list", "--json").json() == before
    assert all(e["actor"] in (ME, f"王建国（1001）[{ME}]") for e in before)  # the log names the account


# --- colleagues over SSH (ssh-serve as sshd runs it) -------------------------------------------------------
def test_whoami_over_ssh(cli, colleagues):
    assert cli("demo").code == 0
    who = colleagues.run("2002", "whoami", "--json").json()
    key = colleagues.key("2002")
    assert (who["how"], who["staff_number"], who["key_id"], who["account"]) == ("ssh", "2002", key, ME)
    assert who["roles"] == ["officer"] and "access.request" in who["actions"]
    assert "access.decide" not in who["actions"] and "staff.edit" not in who["actions"]
    text = colleagues.run("2002", "whoami")
    assert "刘洋（2002）" in text.out and "SSH" in text.out and "为本人申请查阅" in text.out
    assert colleagues.run("2002", "whoami", lang="en").out.count("SSH key") == 1
    entry = next(e for e in cli("audit", "list", "--json").json() if e["entity"] == "ssh_key")
    assert entry["actor"] == f"王建国（1001）[{ME}]"  # the key was registered by the manager at the console


def test_a_colleague_changes_only_what_the_table_allows(cli, colleagues):
    """Issue 13's second point: an account that is not the manager edits staff, mappings, roles, the profile."""
    assert cli("demo").code == 0
    colleagues.key("2002")
    attacks = [
        ("staff", "edit", "1001", "--os-user", "nobody"),  # becoming the manager
        ("staff", "edit", "2002", "--role", "approver"),  # giving a role
        ("profile", "set", "viewing.approver_role", "officer"),  # lowering who decides
        ("profile", "set", "retention.default_months", "1"),
        ("ssh", "add", "2002", str(colleagues.keygen("another"))),  # keys are the manager's too
        ("device", "add", "X-1", "--kind", "bodycam", "--dept", "执法一队", "--custodian", "2002"),
        ("dept", "add", "执法三队", "--class", "A"),
    ]
    for attack in attacks:
        log = len(cli("audit", "list", "--json").json())
        result = colleagues.run("2002", *attack)
        assert result.code == 2 and "刘洋（2002）无权" in result.err, (attack, result.err)
        entries = cli("audit", "list", "--json").json()
        assert len(entries) == log + 1 and entries[-1]["action"] == "denied"
        assert entries[-1]["actor"] == f"刘洋（2002）[{ME} ssh#{colleagues.key('2002')}]"
    staff = {s["number"]: s for s in cli("staff", "list", "--json").json()}
    assert staff["1001"]["os_user"] == ME and staff["2002"]["roles"] == ["officer"]
    assert cli("profile", "show", "--json").json()["profile"]["viewing"]["approver_role"] == "approver"
    assert cli("audit", "verify").code == 0


def test_commands_over_ssh_are_avledger_commands_only(cli, colleagues):
    assert cli("demo").code == 0
    key = colleagues.key("2001")
    for command in ("sh -c id", "id", "ls /", "whoami; id", "ssh-serve 1", "language en", "demo"):
        result = cli("ssh-serve", str(key), env={"SSH_ORIGINAL_COMMAND": command})
        assert result.code == 2 and "SSH" in result.err and "uid=" not in result.out, command
    for command in ("avledger --home /tmp/x whoami", "--home=/tmp/x whoami", "whoami\nid", "whoami 'x"):
        result = cli("ssh-serve", str(key), env={"SSH_ORIGINAL_COMMAND": command})
        assert result.code == 2 and result.out == "", command
    assert not Path("/tmp/x/avledger.db").exists()
    refused = [e for e in cli("audit", "list", "--json").json() if e["action"] == "denied"]
    assert len(refused) == 11 and all(e["summary"].startswith("ssh ") for e in refused)
    ok = cli("ssh-serve", str(key), env={"SSH_ORIGINAL_COMMAND": "avledger --lang en whoami --json"})
    assert ok.code == 0 and json.loads(ok.out)["staff_number"] == "2001"
    tui = cli("ssh-serve", str(key), env={"SSH_ORIGINAL_COMMAND": ""})  # the TUI, but no terminal here
    assert tui.code == 2 and "ssh -t" in tui.err


def test_a_key_opens_nothing_once_its_person_has_left_or_it_is_removed(cli, colleagues):
    assert cli("demo").code == 0
    key = colleagues.key("2003")
    assert colleagues.run("2003", "whoami").code == 0
    assert cli("staff", "leave", "2003").code == 0
    gone = colleagues.run("2003", "whoami")
    assert gone.code == 2 and f"SSH 密钥 {key}" in gone.err and gone.out == ""
    assert cli("audit", "list", "--json").json()[-1]["action"] == "denied"
    other = colleagues.key("2004")
    assert cli("ssh", "remove", str(other)).code == 0
    assert colleagues.run("2004", "loan", "list").code == 2
    unknown = cli("ssh-serve", "999", env={"SSH_ORIGINAL_COMMAND": "whoami"})
    assert unknown.code == 2 and "SSH 密钥 999" in unknown.err
    listed = {k["id"]: k["state"] for k in cli("ssh", "list", "--json").json()}
    assert listed == {key: "left", other: "removed"}


def test_confidential_discs_follow_their_clearance(cli, colleagues, home, tmp_path):
    """Issue 13: anyone could build and burn a disc of a confidential activity."""
    assert cli("demo").code == 0
    activity = "2"  # kept long-term in the demo office: it goes to disc
    assert cli("ingest", str(home.path / "示例存储卡"), "--activity", activity).code == 0
    assert cli("activity", "confidential", activity).code == 0
    out = tmp_path / "iso"
    for number in ("2002", "1002"):  # an officer; the leader, who may see it but does not run the archive
        build = colleagues.run(number, "disc", "build", "--activity", activity, "--media", "cd", "--out", str(out))
        assert build.code == 2 and "无权规划、制作、刻录" in build.err, build.err
        plan = colleagues.run(number, "disc", "plan", "--activity", activity, "--media", "cd")
        assert plan.code == 2
    assert not out.exists()
    built = cli("disc", "build", "--activity", activity, "--media", "cd", "--out", str(out), "--json")
    assert built.code == 0, built.err  # the manager keeps the archive, confidential records included
    image = built.json()["images"][0]["path"]
    burn = colleagues.run("2002", "disc", "burn", image, "--drive", f"stdio:{tmp_path / 'c1.iso'}", "--copy", "1")
    assert burn.code == 2 and not (tmp_path / "c1.iso").exists()


def test_a_role_that_runs_discs_still_needs_the_clearance(demo, monkeypatch):
    """The clearance is checked for the disc itself, not only through the role: a role given the archive but
    not confidential records is refused the disc of a confidential activity, and the attempt is logged."""
    from avledger.errors import UserError
    from avledger.models.schema import AuditEvent
    from avledger.services.permissions import TABLE

    monkeypatch.setitem(TABLE, "auditor", (TABLE["auditor"] - {"confidential.read"}) | {"discs.edit"})
    activity = demo.activities.list()[0].id
    demo.activities.set_confidential(activity)
    demo.staff.update("4001", os_user="lin")
    demo.ctx.identity = Identity.console("lin")
    with pytest.raises(UserError) as info:
        demo.discs.plan(activity=activity)
    assert info.value.code == "activity.confidential"
    last = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert (last.action, last.entity, last.entity_id) == ("view_refused", "activity", activity)


# --- other local accounts --------------------------------------------------------------------------------
@pytest.fixture
def other_account():
    """A second local account (created for the test, removed after), and how it runs avledger: this Python
    when it may run it, else the system's Python 3 with this checkout's libraries."""
    if os.geteuid() != 0 or not shutil.which("useradd"):
        pytest.skip("needs root and useradd to create a second account")
    name = f"avl{uuid.uuid4().hex[:10]}"
    subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name], check=True)
    try:
        probe = subprocess.run(["runuser", "-u", name, "--", sys.executable, "-c", "import avledger"], env=cli_env())
        python = [sys.executable] if probe.returncode == 0 else [shutil.which("python3", path="/usr/bin:/bin")]
        paths = [str(ROOT / "src"), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
        yield name, python, {"PYTHONPATH": os.pathsep.join(dict.fromkeys(paths))}
    finally:
        subprocess.run(["userdel", name], check=False)


def shared_folder() -> Path:
    """A folder every account can reach (the test's own tmp_path is not)."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="avledger-ident-"))
    folder.chmod(0o755)
    return folder


def test_another_account_has_no_access(other_account):
    name, python, env = other_account
    folder = shared_folder()
    try:
        home = Home(folder / "data")
        run = subprocess.run(
            [sys.executable, "-m", "avledger", "--home", str(home.path), "demo"], env=cli_env(), capture_output=True
        )
        assert run.returncode == 0, run.stderr
        before = fingerprint(home)
        for args in (["staff", "edit", "1001", "--os-user", name], ["whoami"], ["staff", "list"], ["language", "en"]):
            result = subprocess.run(
                ["runuser", "-u", name, "--", *python, "-m", "avledger", "--home", str(home.path), *args],
                env=cli_env(**env, **LIKE),
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert result.returncode == 2, (args, result.stderr)
            assert f"属于账户 {ME}，账户 {name} 无权使用" in result.stderr and "Traceback" not in result.stderr
        assert fingerprint(home) == before
        assert home.language() is None
    finally:
        shutil.rmtree(folder)


def test_root_does_not_act_on_someone_elses_data_folder(other_account, cli):
    """Root on a data folder another account owns is refused too (what it wrote would lock the owner out)."""
    name, _python, _env = other_account
    folder = shared_folder()
    try:
        data = folder / "data"
        data.mkdir()
        os.chown(data, pwd.getpwnam(name).pw_uid, -1)
        result = cli("--home", str(data), "init", "--unit", "单位", "--profile", "wanzhou")
        assert result.code == 2 and f"属于账户 {name}" in result.err
        assert list(data.iterdir()) == []
    finally:
        shutil.rmtree(folder)
