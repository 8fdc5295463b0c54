"""The CLI through its installed entry point, on a real data folder."""

from __future__ import annotations

import re

from avledger import __version__


def test_version(cli):
    result = cli("--version")
    assert result.code == 0 and result.out.strip() == f"avledger {__version__}"


def test_init_then_second_init_refused(cli, home):
    first = cli("init", "--unit", "万州区发展和改革委员会", "--profile", "wanzhou")
    assert first.code == 0, first.err
    assert home.db_path.exists()
    again = cli("init", "--unit", "别的单位", "--profile", "dalian")
    assert again.code == 2 and "已经初始化" in again.err
    assert cli("profile", "show", "--json").json()["unit"] == "万州区发展和改革委员会"


def test_init_unknown_preset_creates_nothing(cli, home):
    result = cli("init", "--unit", "X", "--profile", "beijing")
    assert result.code == 2 and "未知的预设" in result.err
    assert not home.db_path.exists()


def test_commands_before_init_refused(cli):
    result = cli("device", "list")
    assert result.code == 2 and "avledger init" in result.err


def test_full_register_flow(cli):
    assert cli("init", "--unit", "测试局", "--profile", "dalian").code == 0
    assert cli("dept", "add", "执法一队", "--class", "A").code == 0
    assert (
        cli(
            "staff",
            "add",
            "张伟",
            "--number",
            "2001",
            "--dept",
            "执法一队",
            "--cert",
            "C1",
            "--role",
            "officer",
            "--role",
            "approver",
        ).code
        == 0
    )
    added = cli(
        "device",
        "add",
        "JL-001",
        "--kind",
        "bodycam",
        "--dept",
        "执法一队",
        "--custodian",
        "2001",
        "--model",
        "DSJ-V9",
        "--purchased",
        "2024-01-02",
        "--price",
        "1980",
    )
    assert added.code == 0, added.err
    devices = cli("device", "list", "--json").json()
    assert [(d["asset_no"], d["status"], d["custodian_number"]) for d in devices] == [("JL-001", "in_store", "2001")]
    shown = cli("device", "show", "JL-001", "--json").json()
    assert shown["purchased"] == "2024-01-02" and shown["price_yuan"] == "1980.00"
    staff = cli("staff", "list", "--json").json()
    assert staff[0]["roles"] == ["officer", "approver"]
    alloc = cli("allocation", "--json").json()
    assert alloc == [
        {
            "department": "执法一队",
            "alloc_class": "A",
            "officers": 1,
            "working_devices": 1,
            "required": 1,
            "shortfall": 0,
        }
    ]
    events = cli("audit", "list", "--json").json()
    assert [e["entity"] for e in events] == ["office", "department", "staff", "device"]
    assert cli("audit", "verify").code == 0


def test_refusals_exit_2_and_change_nothing(cli):
    cli("init", "--unit", "测试局", "--profile", "lingchuan")
    cli("dept", "add", "一队", "--class", "B")
    cli("staff", "add", "张伟", "--number", "2001", "--dept", "一队", "--cert", "C1")
    cli("device", "add", "JL-001", "--kind", "bodycam", "--dept", "一队", "--custodian", "2001")
    before = cli("audit", "list", "--json").json()
    cases = [
        (["device", "add", "JL-001", "--kind", "bodycam", "--dept", "一队", "--custodian", "2001"], "资产编号已存在"),
        (["device", "add", "JL-002", "--kind", "bodycam", "--dept", "二队", "--custodian", "2001"], "没有这个科室"),
        (["device", "add", "JL-002", "--kind", "bodycam", "--dept", "一队", "--custodian", "404"], "没有这个工号"),
        (
            [
                "device",
                "add",
                "JL-002",
                "--kind",
                "bodycam",
                "--dept",
                "一队",
                "--custodian",
                "2001",
                "--purchased",
                "2999-01-01",
            ],
            "不能晚于今天",
        ),
        (
            [
                "device",
                "add",
                "JL-002",
                "--kind",
                "bodycam",
                "--dept",
                "一队",
                "--custodian",
                "2001",
                "--purchased",
                "yesterday",
            ],
            "不是有效日期",
        ),
        (["device", "add", "JL-002", "--kind", "phone", "--dept", "一队", "--custodian", "2001"], "--kind"),
        (["staff", "add", "李四", "--number", "2001", "--dept", "一队"], "工号已存在"),
        (["staff", "add", "", "--number", "2002", "--dept", "一队"], "姓名不能为空"),
        (["dept", "add", "一队", "--class", "A"], "科室已存在"),
        (["device", "show", "NOPE"], "没有这个资产编号"),
    ]
    for args, reason in cases:
        result = cli(*args)
        assert result.code == 2, (args, result.out, result.err)
        assert reason in result.err, (args, result.err)
        assert result.out == "", args
    assert cli("audit", "list", "--json").json() == before


def test_custodian_who_left_refused(cli):
    cli("init", "--unit", "测试局", "--profile", "lingchuan")
    cli("dept", "add", "一队", "--class", "B")
    cli("staff", "add", "张伟", "--number", "2001", "--dept", "一队", "--cert", "C1")
    assert cli("staff", "leave", "2001").code == 0
    result = cli("device", "add", "JL-001", "--kind", "bodycam", "--dept", "一队", "--custodian", "2001")
    assert result.code == 2 and "已离职" in result.err


def test_english_messages(cli):
    cli("init", "--unit", "测试局", "--profile", "lingchuan")
    result = cli("device", "show", "NOPE", lang="en")
    assert result.code == 2
    assert "No device with asset number" in result.err and "资产" not in result.err
    usage = cli("device", "add", "X", lang="en")
    assert usage.code == 2 and "Missing option" in usage.err
    zh_usage = cli("device", "add", "X")
    assert zh_usage.code == 2 and "缺少选项" in zh_usage.err


def test_json_is_the_same_in_every_language(cli):
    cli("demo")
    assert cli("device", "list", "--json").out == cli("device", "list", "--json", lang="en").out


def test_language_setting_persists(cli, home):
    cli("demo")
    assert cli("language", "en").code == 0
    import tomllib

    assert tomllib.loads(home.config_path.read_text("utf-8"))["ui"]["lang"] == "en"
    result = cli("device", "show", "NOPE")
    assert "No device with asset number" in result.err
    cli("language", "zh")


def test_demo_office(cli):
    result = cli("demo")
    assert result.code == 0, result.err
    devices = cli("device", "list", "--json").json()
    assert len(devices) >= 8
    assert {d["status"] for d in devices} >= {"in_store", "in_repair"}
    assert cli("audit", "verify").code == 0
    again = cli("demo")
    assert again.code == 2 and "已有登记库" in again.err
    table = cli("device", "list").out.splitlines()
    # CJK columns line up: the status column starts at the same cell in every row
    from rich.cells import cell_len

    starts = {cell_len(line[: line.rfind("  ")]) for line in table[2:] if line.strip()}
    assert len(starts) == 1, table
    assert re.search(r"JL-2023-001\s+执法记录仪", "\n".join(table))


def test_help_in_the_users_language(cli):
    """Command and option help are message ids: Chinese by default, English with --lang en or the setting."""
    zh = cli("loan", "out", "--help")
    assert zh.code == 0 and "领用：使用前检查后发放给执法人员。" in zh.out and "设备时钟与电脑时钟之差" in zh.out
    en = cli("--lang", "en", "loan", "out", "--help")
    assert "Issue a device to an enforcement officer" in en.out and "Device clock minus PC clock" in en.out
    assert not re.search(r"[\u4e00-\u9fff]", en.out), en.out
    top = cli("--lang", "en", "--help")  # --help before any command: the language is read before parsing
    assert "The device register." in top.out and not re.search(r"[\u4e00-\u9fff]", top.out), top.out
    assert cli("language", "en").code == 0
    assert "Take a device back." in cli("loan", "--help").out  # the saved setting
