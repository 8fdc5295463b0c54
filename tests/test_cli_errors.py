"""The CLI's one error path: refusals (exit 2, or 4), unexpected errors (one line, the traceback in a log
file, exit 3) and Ctrl-C (exit 130), each provoked through a real path."""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import subprocess
import sys
import time

from avledger import __version__
from conftest import cli_env

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def not_a_database(home) -> None:
    home.path.mkdir(parents=True)
    home.db_path.write_bytes(b"not a database, only text that looks like nothing SQLite knows " * 20)


def test_unexpected_error_is_one_line_and_the_traceback_goes_to_the_log(cli, home):
    not_a_database(home)
    log = home.path / "logs" / "avledger.log"
    result = cli("device", "list", "--json")
    assert result.code == 3, result.err
    assert result.out == ""
    assert result.err.splitlines() == [f"意外错误（已记入 {log}）：DatabaseError"]
    text = log.read_text("utf-8")
    assert "Traceback (most recent call last)" in text and "file is not a database" in text
    assert f"avledger {__version__}: avledger device list --json\n" in text  # the command line that failed

    english = cli("device", "list", lang="en")
    assert english.code == 3
    assert english.err.splitlines() == [f"Unexpected error (logged in {log}): DatabaseError"]
    assert log.read_text("utf-8").count(f"ERROR avledger {__version__}: ") == 2


def test_log_in_the_user_log_folder_when_the_data_folder_takes_none(cli, home, tmp_path):
    not_a_database(home)
    (home.path / "logs").write_text("a file where the log folder would be")
    state = tmp_path / "state"
    result = cli("device", "list", env={"XDG_STATE_HOME": str(state)})
    log = state / "avledger" / "log" / "avledger.log"
    assert result.code == 3
    assert result.err.splitlines() == [f"意外错误（已记入 {log}）：DatabaseError"]
    assert "file is not a database" in log.read_text("utf-8")


def test_price_that_is_not_a_number_is_refused(cli):
    assert cli("demo").code == 0
    before = cli("audit", "list", "--json").json()
    for price in ("NaN", "Infinity", "1e30"):
        args = ["device", "add", "X", "--kind", "bodycam", "--dept", "执法一队", "--custodian", "1001"]
        result = cli(*args, "--price", price)
        assert result.code == 2, result.err
        assert result.err.splitlines() == [f"错误：金额格式不对：{price}"]
    assert cli("audit", "list", "--json").json() == before


def test_refusal_with_json_prints_its_code_on_stdout(cli):
    zh = cli("device", "list", "--json")  # no register yet
    assert zh.code == 2
    error = zh.json()["error"]
    assert (error["code"], error["field"]) == ("office.not_initialised", None)
    assert zh.err.splitlines() == [f"错误：{error['message']}"] and "avledger init" in error["message"]

    en = cli("device", "list", "--json", lang="en")
    assert en.code == 2
    assert {k: v for k, v in en.json()["error"].items() if k != "message"} == {
        "code": "office.not_initialised",
        "field": None,
    }
    assert not CJK.search(en.json()["error"]["message"])
    assert cli("device", "list").out == ""  # without --json, stdout stays empty


def test_a_service_refusal_names_its_code_and_field(cli):
    cli("demo")
    result = cli("device", "show", "NOPE", "--json")
    assert result.code == 2
    error = json.loads(result.out)["error"]
    assert (error["code"], error["field"]) == ("device.unknown", "asset_no")


def test_ctrl_c_is_one_line_and_exit_130(home, tmp_path):
    """Interrupted while reading a password file that is a pipe nobody writes to."""
    fifo = tmp_path / "password"
    os.mkfifo(fifo)
    argv = [sys.executable, "-m", "avledger", "evidence", "check", "x.7z", "--password-file", str(fifo)]
    proc = subprocess.Popen(argv, env=cli_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:  # opening the write end succeeds once the command has opened the pipe to read
            try:
                writer = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
                break
            except OSError as exc:
                assert exc.errno == errno.ENXIO and time.monotonic() < deadline and proc.poll() is None, exc
                time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        os.close(writer)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert err.splitlines() == ["已中断"] and out == ""


def test_a_reader_that_stops_reading_ends_the_listing_quietly(synth_home):
    """``footage list | head -1``: the listing stops when the pipe closes, with no error message (a shell
    reports 141 for a command ended by a closed pipe), in text and in JSON."""
    for extra in ([], ["--json"]):
        argv = [sys.executable, "-m", "avledger", "footage", "list", *extra]
        proc = subprocess.Popen(argv, env=cli_env(synth_home), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        first = proc.stdout.read(200)  # 2,000 clips: far more than a pipe holds, so it is still writing
        proc.stdout.close()
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=60) == 141, err
        assert first and err == ""
