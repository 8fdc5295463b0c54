"""Screens go through the services: no SQL, no models, no database handle in the TUI."""

from __future__ import annotations

import ast
from pathlib import Path

import avledger.tui

FORBIDDEN_MODULES = ("peewee", "sqlite3", "avledger.models")
FORBIDDEN_NAMES = {"open_database", "SqliteDatabase", "atomic"}


def test_tui_does_not_touch_the_database():
    root = Path(avledger.tui.__file__).parent
    offenders = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            modules = []
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module]
            for module in modules:
                if module.startswith(FORBIDDEN_MODULES):
                    offenders.append(f"{path.name}: import {module}")
            if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_NAMES:
                offenders.append(f"{path.name}:{node.lineno} .{node.attr}")
    assert offenders == []
