"""Colleagues' SSH keys (services/keys.py): a public key is checked, registered and audited, and avledger's
block of authorized_keys is rewritten whole on every change, every other line kept as it was."""

from __future__ import annotations

import base64
import shlex
import subprocess
from pathlib import Path

import pytest

from avledger.errors import UserError
from avledger.models.audit import verify
from avledger.services.keys import parse_public_key


def keygen(folder: Path, name: str, *args: str) -> Path:
    private = folder / name
    subprocess.run(["ssh-keygen", "-q", "-N", "", "-C", f"{name}@laptop", "-f", str(private), *args], check=True)
    return private.with_name(name + ".pub")


@pytest.fixture
def keyfile(tmp_path) -> Path:
    return keygen(tmp_path, "zhang", "-t", "ed25519")


@pytest.fixture
def authorized(services, tmp_path) -> Path:
    """The owner's authorized_keys, as config.toml names it, with lines of its own."""
    path = tmp_path / "authorized_keys"
    path.write_text("# the owner's own key\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOwn owner@pc\n", "utf-8")
    services.home.write_config({"ssh": {"authorized_keys": str(path)}})
    return path


def refusal(call, *args) -> tuple[str, str | None]:
    with pytest.raises(UserError) as info:
        call(*args)
    return info.value.code, info.value.field


def test_a_public_key_is_checked(tmp_path, keyfile):
    key = parse_public_key(keyfile.read_text())
    shown = subprocess.run(["ssh-keygen", "-l", "-f", str(keyfile)], capture_output=True, text=True).stdout
    assert key.kind == "ssh-ed25519" and key.fingerprint == shown.split()[1] and key.comment == "zhang@laptop"
    ecdsa = parse_public_key(keygen(tmp_path, "ec", "-t", "ecdsa").read_text())
    assert ecdsa.kind == "ecdsa-sha2-nistp256"
    assert refusal(parse_public_key, (tmp_path / "zhang").read_text()) == ("ssh.private_key", "key")
    assert refusal(parse_public_key, keyfile.read_text() * 2) == ("ssh.bad_key", "key")
    assert refusal(parse_public_key, "") == ("ssh.bad_key", "key")
    kind, data, *_ = keyfile.read_text().split()
    assert refusal(parse_public_key, f'command="sh" {kind} {data}') == ("ssh.bad_key_type", "key")
    assert refusal(parse_public_key, f"ssh-dss {data}") == ("ssh.bad_key_type", "key")
    assert refusal(parse_public_key, f"{kind} {data[:-8]}") == ("ssh.bad_key", "key")  # cut short
    assert refusal(parse_public_key, f"{kind} {data}!") == ("ssh.bad_key", "key")  # not base64
    assert refusal(parse_public_key, f"ssh-rsa {data}") == ("ssh.bad_key", "key")  # says rsa, holds ed25519
    weak = keygen(tmp_path, "weak", "-t", "rsa", "-b", "1024").read_text()
    assert refusal(parse_public_key, weak) == ("ssh.weak_key", "key")
    assert parse_public_key(keygen(tmp_path, "rsa", "-t", "rsa", "-b", "3072").read_text()).kind == "ssh-rsa"
    blob = base64.b64decode(data)
    assert refusal(parse_public_key, f"{kind} {base64.b64encode(blob + b'x').decode()}") == ("ssh.bad_key", "key")


def test_adding_writes_one_restricted_line_and_keeps_the_rest(services, authorized, keyfile):
    own = authorized.read_text("utf-8")
    view = services.keys.add("2001", keyfile.read_text())
    assert (view.staff_number, view.state, view.kind) == ("2001", "active", "ssh-ed25519")
    text = authorized.read_text("utf-8")
    assert text.startswith(own)  # the owner's lines, byte for byte
    block = text[len(own) :].splitlines()
    home = str(services.home.path)
    assert block[0] == f"# avledger start {home}" and block[-1] == f"# avledger end {home}"
    [line] = block[1:-1]
    options, key = line.split('" ', 1)
    assert key.split()[:2] == keyfile.read_text().split()[:2]
    assert options.startswith('restrict,pty,command="')
    argv = shlex.split(options[len('restrict,pty,command="') :].replace('\\"', '"'))
    assert Path(argv[0]).is_absolute() and argv[-4:] == ["--home", home, "ssh-serve", str(view.id)]
    assert authorized.stat().st_mode & 0o077 == 0
    assert verify().ok


def test_every_change_rewrites_the_block(services, authorized, keyfile, tmp_path):
    first = services.keys.add("2001", keyfile.read_text())
    other = services.keys.add("1001", keygen(tmp_path, "wang", "-t", "ed25519").read_text())
    authorized.write_text(authorized.read_text("utf-8") + "no-pty ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJunk later")
    lines = lambda: authorized.read_text("utf-8").splitlines()  # noqa: E731
    assert sum(f"ssh-serve {first.id}" in line for line in lines()) == 1
    services.staff.update("2001", active=False)  # leaving: the key's line goes, the key's row stays
    assert not any(f"ssh-serve {first.id}" in line for line in lines())
    assert [k.state for k in services.keys.list()] == ["left", "active"]
    assert lines()[-1] == "no-pty ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJunk later"  # kept, even unterminated
    services.keys.remove(other.id)
    assert not any("avledger" in line for line in lines())  # no key left: no block
    assert lines()[:2] == ["# the owner's own key", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOwn owner@pc"]
    assert refusal(services.keys.remove, other.id) == ("ssh.key_removed", "key_id")
    again = services.keys.add("1001", (tmp_path / "wang.pub").read_text())  # a removed key may come back
    assert again.id != other.id and f"ssh-serve {again.id}" in authorized.read_text("utf-8")
    actions = [(e.action, e.entity) for e in services.audit.list() if e.entity == "ssh_key"]
    assert actions == [("create", "ssh_key")] * 2 + [("revoke", "ssh_key"), ("create", "ssh_key")]
    assert verify().ok


def test_refusals_change_nothing(services, authorized, keyfile):
    before = authorized.read_text("utf-8")
    assert refusal(services.keys.add, "9999", keyfile.read_text()) == ("staff.unknown", "number")
    services.staff.update("2001", active=False)
    assert refusal(services.keys.add, "2001", keyfile.read_text()) == ("staff.left", "number")
    services.keys.add("1001", keyfile.read_text())
    assert refusal(services.keys.add, "1001", keyfile.read_text()) == ("ssh.key_taken", "key")
    assert refusal(services.keys.remove, "99") == ("ssh.unknown_key", "key_id")
    assert len(services.keys.list()) == 1 and authorized.read_text("utf-8").startswith(before)


def test_a_key_written_outside_the_block_is_refused(services, authorized, keyfile):
    """sshd uses the first line that matches a key: one outside avledger's block would not be restricted."""
    kind, data, *_ = keyfile.read_text().split()
    authorized.write_text(authorized.read_text("utf-8") + f'from="10.0.0.0/8",command="a b" {kind} {data} x\n')
    before = authorized.read_text("utf-8")
    assert refusal(services.keys.add, "2001", keyfile.read_text()) == ("ssh.key_elsewhere", "key")
    assert authorized.read_text("utf-8") == before and services.keys.list() == []


def test_an_unwritable_file_changes_nothing(services, tmp_path, keyfile):
    services.home.write_config({"ssh": {"authorized_keys": str(tmp_path / "no" / "such" / "authorized_keys")}})
    assert refusal(services.keys.add, "2001", keyfile.read_text()) == ("ssh.write_failed", None)
    assert services.keys.list() == [] and not [e for e in services.audit.list() if e.entity == "ssh_key"]


def test_a_broken_block_is_not_guessed_at(services, authorized, keyfile):
    home = services.home.path
    authorized.write_text(authorized.read_text("utf-8") + f"# avledger start {home}\nssh-ed25519 AAAA x\n")
    assert refusal(services.keys.add, "2001", keyfile.read_text()) == ("ssh.broken_block", None)


def test_a_data_folder_with_quotes_and_spaces_is_quoted(tmp_path, keyfile):
    """The forced command is run by the owner's shell: the data folder is one argument, whatever its name."""
    from avledger.home import Home
    from avledger.identity import Identity
    from avledger.services import Services

    home = Home(tmp_path / 'the "office" $HOME; folder')
    with Services(home, Identity.console("tester")) as svc:
        svc.office.init("单位", "wanzhou")
        svc.departments.add("一队", "A")
        svc.staff.add("张伟", "2001", "一队")
        svc.home.write_config({"ssh": {"authorized_keys": str(tmp_path / "authorized_keys")}})
        view = svc.keys.add("2001", keyfile.read_text())
    line = next(line for line in (tmp_path / "authorized_keys").read_text("utf-8").splitlines() if "ssh-serve" in line)
    command = line[len('restrict,pty,command="') : line.index('" ssh-ed25519')]
    assert '"' not in command.replace('\\"', "")  # sshd ends the option at an unescaped quote
    run = subprocess.run(["sh", "-c", "printf '%s\\n' " + command.replace('\\"', '"')], capture_output=True, text=True)
    assert run.stdout.splitlines()[-4:] == ["--home", str(home.path), "ssh-serve", str(view.id)]
