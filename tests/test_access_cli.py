"""The access and evidence commands (issue 7) through the CLI: the manager at the console (the demo maps
the owner account to 王建国, 1001), colleagues through their own SSH keys (``ssh-serve``, as sshd runs it)."""

from __future__ import annotations


def audit_count(cli) -> int:
    return len(cli("audit", "list", "--json").json())


def test_request_approve_view_extract(cli, colleagues, tmp_path):
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

    colleagues.key("2002")  # over SSH, the requester cannot approve, nor type someone else's approval
    before = audit_count(cli)
    refused = colleagues.run("2002", "access", "approve", str(req), "--by", "2002")
    assert refused.code == 2 and "无权审批查阅申请" in refused.err
    refused = colleagues.run("2002", "access", "approve", str(req), "--by", "1002")
    assert refused.code == 2 and "刘洋（2002）" in refused.err
    assert audit_count(cli) == before + 2  # each refused attempt is logged, nothing else changed
    assert [e["action"] for e in cli("audit", "list", "--json").json()[-2:]] == ["denied", "denied"]

    # the manager at the console records the leader's paper approval
    ok = cli("access", "approve", str(req), "--by", "1002", "--paper-form", "审-015", "--json")
    assert ok.code == 0, ok.err
    assert ok.json()["status"] == "approved" and ok.json()["on_paper"] is True
    assert ok.json()["recorded_by"] == "王建国（1001）"

    before = audit_count(cli)
    refused = cli("access", "view", str(req), "--no-player")  # the manager is not the requester
    assert refused.code == 2 and "申请人本人" in refused.err
    assert audit_count(cli) == before + 1  # the refused attempt is logged

    seen = colleagues.run("2002", "access", "view", str(req), "--no-player")
    assert seen.code == 0, seen.err
    assert "已登记查阅" in seen.out and ".MP4" in seen.out
    register = cli("access", "viewings", "--json").json()
    assert len(register) == 1 and register[0]["viewer_number"] == "2002" and register[0]["how"] == "details"

    password = tmp_path / "pw"
    password.write_text("s3cret\n")
    out = tmp_path / "out"
    done = colleagues.run(
        "2002",
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


def test_refuse_then_nothing_allowed(cli, colleagues):
    assert cli("demo").code == 0
    activity = next(c["activity_id"] for c in cli("footage", "list", "--json").json() if c["activity_id"])
    req = cli(
        "access", "request", "--activity", str(activity), "--requester", "2002", "--reason", "x", "--json"
    ).json()["id"]
    no = colleagues.run("2001", "access", "refuse", str(req), "--by", "2001", "--reason", "与案件无关")
    assert no.code == 0, no.err
    result = colleagues.run("2002", "access", "view", str(req), "--no-player")
    assert result.code == 2 and "不予批准" in result.err
    text = colleagues.run("2002", "access", "list")
    assert "不予批准" in text.out


def test_confidential_mark_hides_the_activity(cli, colleagues):
    assert cli("demo").code == 0
    activity = next(c["activity_id"] for c in cli("footage", "list", "--json").json() if c["activity_id"])
    officers = cli("activity", "show", str(activity), "--json").json()["officers"]
    outsider = next(n for n in ("2005", "2006", "3005") if n not in officers)
    marked = colleagues.run(outsider, "activity", "confidential", str(activity))  # anyone may mark
    assert marked.code == 0, marked.err
    # an officer of another activity: the activity and its footage are left out of the lists
    assert activity not in [a["id"] for a in colleagues.run(outsider, "activity", "list", "--json").json()]
    footage = colleagues.run(outsider, "footage", "list", "--json").json()
    assert not any(c["activity_id"] == activity for c in footage)
    shown = colleagues.run(outsider, "activity", "show", str(activity))
    assert shown.code == 2 and "涉密" in shown.err
    lifted = colleagues.run(outsider, "activity", "confidential", str(activity), "--off")
    assert lifted.code == 2 and "保密标记" in lifted.err
    # the leader (the profile's confidential approver) sees it and may lift the mark
    assert activity in [a["id"] for a in colleagues.run("1002", "activity", "list", "--json").json()]
    assert colleagues.run("1002", "activity", "confidential", str(activity), "--off").code == 0


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
