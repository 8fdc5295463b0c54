"""The CLI's everyday commands never import Textual (only avledger.tui does)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

PROBE = textwrap.dedent(
    """
    import sys
    from avledger.cli import cli
    try:
        cli(args=sys.argv[1:], prog_name="avledger", standalone_mode=False)
    finally:
        loaded = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
        print("TEXTUAL:" + ",".join(loaded), file=sys.stderr)
    """
)


@pytest.mark.parametrize(
    "args",
    [
        ["--version"],
        ["device", "list"],
        ["device", "list", "--json"],
        ["audit", "verify"],
        ["allocation"],
        ["ingest", "CARD", "--json"],
        ["verify"],
        ["disc", "list", "--json"],
        ["disc", "plan", "--activity", "1"],
    ],
)
def test_cli_does_not_import_textual(demo, args, tmp_path):
    demo.close()
    env_home = str(demo.home.path)
    args = [str(tmp_path) if a == "CARD" else a for a in args]
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, "--home", env_home, *args], capture_output=True, text=True, timeout=60
    )
    marker = [line for line in proc.stderr.splitlines() if line.startswith("TEXTUAL:")]
    assert marker == ["TEXTUAL:"], proc.stderr


def test_only_tui_package_imports_textual():
    from pathlib import Path

    import avledger

    root = Path(avledger.__file__).parent
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tui" not in path.relative_to(root).parts[:1]
        and ("import textual" in path.read_text("utf-8") or "from textual" in path.read_text("utf-8"))
    ]
    assert offenders == []


def test_version_loads_no_command_module_and_no_service():
    """The root group imports a command's module only when the command runs (``--version`` stays instant)."""
    probe = textwrap.dedent(
        """
        import sys
        from avledger.cli import main
        sys.argv = ["avledger", "--version"]
        try:
            main()
        finally:
            print("LOADED:" + ",".join(sorted(sys.modules)), file=sys.stderr)
        """
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.startswith("avledger "), proc.stderr
    loaded = next(line for line in proc.stderr.splitlines() if line.startswith("LOADED:"))[len("LOADED:") :]
    modules = set(loaded.split(","))
    assert {"avledger.cli", "avledger.cli.groups"} <= modules
    commands = {m for m in modules if m.startswith("avledger.cli.")} - {
        "avledger.cli.groups",
        "avledger.cli.failures",
        "avledger.cli.output",
    }
    assert commands == set()
    assert not any(m == "peewee" or m.startswith(("avledger.services", "avledger.models", "textual")) for m in modules)
