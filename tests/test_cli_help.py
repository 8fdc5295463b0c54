"""``--help`` of the root group, every group and every command, in Chinese and in English."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from avledger.cli import cli as root
from conftest import cli_env

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")

DRIVER = Path(__file__).with_name("clidriver.py")


def command_paths(group: click.Group = root, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [path]
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            paths += command_paths(command, (*path, name))
        else:
            paths.append((*path, name))
    return paths


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_help_in_both_languages(home, lang):
    paths = command_paths()
    assert len(paths) > 60 and ("device", "add") in paths and ("device",) in paths and () in paths
    runs = "".join(json.dumps(["--lang", lang, *path, "--help"]) + "\n" for path in paths)
    proc = subprocess.run(
        [sys.executable, str(DRIVER)], input=runs, capture_output=True, text=True, env=cli_env(home), timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    for path, line in zip(paths, proc.stdout.splitlines(), strict=True):
        code, text, _err = json.loads(line)
        name = " ".join(("avledger", *path))
        assert code == 0, (name, text)
        assert text.startswith(("用法：" if lang == "zh" else "Usage:") + f" {name} "), (name, text)
        if lang == "en":
            assert not CJK.search(text), (name, text)
        else:
            assert CJK.search(text.split("\n", 2)[2]), (name, text)  # the command's own help, in Chinese
            assert "Show the version" not in text and "Show this message" not in text, (name, text)
