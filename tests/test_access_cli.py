"""The access and evidence commands (issue 7) through the CLI, as the OS user mapped to staff."""

from __future__ import annotations

import getpass


def audit_count(cli) -> int:
    return len(cli("audit", "list", "--json").json())


def be(cli, number: str | None, previous: str | None = None) -> None:
    """Map this OS user to a member of staff (unmapping whoever had it: the demo maps it to its manager)."""
    me = getpass.getuser()
    for person in cli("staff", "list", "--json").json():
        if person.get("os_user") == me and person["number"] != number:
            assert cli("staff", "edit", person["number"], "--os-user", "").code == 0
    if number:
        result = cli("staff", "edit", number, "--os-user", getpass.getuser())
        assert result.code == 0, result.err


def test_request_approve_view_extract(cli, tmp_path):
    assert cli("demo").code == 0
    activity = next(c["activity_id"] for c in cli("footage", "list", "--json").json() if c["activity_id"])
    made = cli(
        "access",
        "request",
        "--activity",
        str(activity),
        "--requester",
        "2002",
        "--reason",
        "复核现场",
        "--kind",
        "copy",
        "--json",
    )
    assert made.code == 0, made.err
    req = made.json()["id"]
    assert cli("access", "list", "--open", "--json").json()[0]["status"] == "requested"

    be(cli, "2002")  # the requester cannot approve, nor type someone else's approval
    before = audit_count(cli)
    refused = cli("access", "approve", str(req), "--by", "2002")
    assert refused.code == 2 and "本人" in refused.err
    refused = cli("access", "approve", str(req), "--by", "1002")
    assert refused.code == 2 and "审批人本人" in refused.err
    assert audit_count(cli) == before

    be(cli, "1001", previous="2002")  # the manager records the leader's paper approval
    ok = cli("access", "approve", str(req), "--by", "1002", "--paper-form", "审-015", "--json")
    assert ok.code == 0, ok.err
    assert ok.json()["status"] == "approved" and ok.json()["on_paper"] is True
    assert ok.json()["recorded_by"] == "王建国（1001）"

    before = audit_count(cli)
    refused = cli("access", "view", str(req), "--no-player")  # the manager is not the requester
    assert refused.code == 2 and "申请人本人" in refused.err
    assert audit_count(cli) == before + 1  # the refused attempt is logged

    be(cli, "2002", previous="1001")
    seen = cli("access", "view", str(req), "--no-player")
    assert seen.code == 0, seen.err
    assert "已登记查阅" in seen.out and ".MP4" in seen.out
    register = cli("access", "viewings", "--json").json()
    assert len(register) == 1 and register[0]["viewer_number"] == "2002" and register[0]["how"] == "details"

    password = tmp_path / "pw"
    password.write_text("s3cret\n")
    out = tmp_path / "out"
    done = cli(
        "evidence",
        "extract",
        str(req),
        "--extractor",
        "2002",
        "--out",
        str(out),
        "--7z",
        "--password-file",
        str(password),
        "--json",
    )
    assert done.code == 0, done.err
    package = done.json()["package"]
    assert done.json()["encrypted"] is True
    assert cli("evidence", "check", package, "--password-file", str(password)).code == 0
    wrong = tmp_path / "wrong"
    wrong.write_text("nope")
    bad = cli("evidence", "check", package, "--password-file", str(wrong))
    assert bad.code == 2 and "密码错误" in bad.err
    english = cli("--lang", "en", "evidence", "check", package, "--password-file", str(wrong))
    assert english.code == 2 and "wrong password" in english.err.lower()
    listed = cli("access", "list", "--json").json()
    assert listed[0]["viewings"] == 1 and listed[0]["extractions"] == 1
    assert cli("audit", "verify").code == 0


def test_refuse_then_nothing_allowed(cli, tmp_path):
    assert cli("demo").code == 0
    activity = next(c["activity_id"] for c in cli("footage", "list", "--json").json() if c["activity_id"])
    req = cli(
        "access", "request", "--activity", str(activity), "--requester", "2002", "--reason", "x", "--json"
    ).json()["id"]
    be(cli, "2001")
    no = cli("access", "refuse", str(req), "--by", "2001", "--reason", "与案件无关")
    assert no.code == 0, no.err
    be(cli, "2002", previous="2001")
    result = cli("access", "view", str(req), "--no-player")
    assert result.code == 2 and "不予批准" in result.err
    text = cli("access", "list")
    assert "不予批准" in text.out


def test_confidential_mark_hides_the_activity(cli):
    assert cli("demo").code == 0
    activity = next(c["activity_id"] for c in cli("footage", "list", "--json").json() if c["activity_id"])
    marked = cli("activity", "confidential", str(activity))
    assert marked.code == 0, marked.err
    be(cli, None)  # a login mapped to nobody: the activity and its footage are left out of the lists
    assert activity not in [a["id"] for a in cli("activity", "list", "--json").json()]
    assert not any(c["activity_id"] == activity for c in cli("footage", "list", "--json").json())
    lifted = cli("activity", "confidential", str(activity), "--off")
    assert lifted.code == 2 and "取消保密" in lifted.err
    be(cli, "1002")  # the leader (the profile's confidential approver) sees it and may lift the mark
    assert activity in [a["id"] for a in cli("activity", "list", "--json").json()]
    assert cli("activity", "confidential", str(activity), "--off").code == 0


def test_player_only_with_a_display(monkeypatch):
    import shutil

    from avledger.cli.access import display_available

    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/xdg-open")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert not display_available()  # over SSH: details instead
    monkeypatch.setenv("DISPLAY", ":0")
    assert display_available()
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert not display_available()
