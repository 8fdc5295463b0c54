#!/usr/bin/env python3
"""List the message ids (Chinese texts shown to a user) in the source.

A message id is the first string argument of ``_()``, ``N_()``, ``A_()`` (as ``action:<id>``), ``H_()`` and
``NH_()`` (as ``heading:<id>``),
``UserError()`` or the label of ``EditableField()``; in the CLI, also the
docstring of a click command and the ``help=`` of an option (the CLI
translates them when it prints its help). With ``--missing LANG``
prints those that ``locales/LANG.toml`` lacks, as TOML lines to fill in.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "avledger"
CALLS = {"_": 0, "N_": 0, "A_": 0, "H_": 0, "NH_": 0, "UserError": 0, "PartlyDone": 0, "EditableField": 1}
# the validators of services/base.py: the argument that is their label (a message id)
CALLS |= dict.fromkeys(("check_text", "check_texts", "optional_text", "require_text"), 1)
CALLS |= dict.fromkeys(("require_choice", "require_choices"), 2)
PREFIXES = {"A_": "action:", "H_": "heading:", "NH_": "heading:"}  # as avledger.i18n.A_ and H_ look them up
CODED = {"UserError", "PartlyDone"}  # their first argument may be an error code, the message comes next
CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")  # as avledger.errors.CODE


def _is_code(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and bool(CODE.match(node.value))


def _is_click_command(node: ast.FunctionDef) -> bool:
    """Decorated with ``@something.command(...)`` or ``@something.group(...)``."""
    for decorator in node.decorator_list:
        call = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(call, ast.Attribute) and call.attr in ("command", "group"):
            return True
    return False


def message_ids(root: Path = SRC) -> dict[str, str]:
    """Message id -> first place it is used."""
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and _is_click_command(node):
                doc = ast.get_docstring(node, clean=True)
                if doc:
                    found.setdefault(doc, f"{path.relative_to(root)}:{node.lineno}")
                continue
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                if (
                    keyword.arg == "help"
                    and isinstance(keyword.value, ast.Constant)
                    and isinstance(keyword.value.value, str)
                    and keyword.value.value
                ):
                    found.setdefault(keyword.value.value, f"{path.relative_to(root)}:{node.lineno}")
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            index = CALLS.get(name)
            if index is None or len(node.args) <= index:
                continue
            if name in CODED and len(node.args) > index + 1 and _is_code(node.args[index]):
                index += 1  # UserError(code, message, ...)
            arg = node.args[index]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value:
                found.setdefault(PREFIXES.get(name, "") + arg.value, f"{path.relative_to(root)}:{node.lineno}")
    return found


def main() -> int:
    ids = message_ids()
    if len(sys.argv) == 3 and sys.argv[1] == "--missing":
        catalog = tomllib.loads((SRC / "locales" / f"{sys.argv[2]}.toml").read_text("utf-8"))
        for message, where in ids.items():
            if message not in catalog:
                escaped = message.replace("\\", "\\\\").replace('"', '\\"')
                print(f'"{escaped}" = ""  # {where}')
        return 0
    for message, where in ids.items():
        print(f"{where}\t{message}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
