"""avledger frozen into one folder for offices without internet (``scripts/bundle``, PyInstaller onedir).

The frozen program carries what a checkout finds on the system: the Noto Sans CJK font of the PDFs
(``fonts/`` inside the bundle), and the build's date (``avledger-build.json``, written by
``scripts/bundle``). In a checkout every function here answers "nothing bundled", so the normal
lookups go on as before. Only the standard library (and avledger.i18n) is imported: ``--version`` reads the build date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from avledger.i18n import _

# The first argument that makes the frozen program run one typst job (avledger.typstrun) instead of the
# CLI: a checkout runs ``python typstrun.py``, a frozen program has no Python of its own to run it with.
TYPST_RUN = "--avledger-typst-run"
BUILD_INFO = "avledger-build.json"
FONT_DIR = "fonts"


def bundle_dir() -> Path | None:
    """The folder of the frozen program's own files (PyInstaller's ``sys._MEIPASS``); None in a checkout."""
    if not getattr(sys, "frozen", False):
        return None
    where = getattr(sys, "_MEIPASS", None)
    return Path(where) if where else Path(sys.executable).resolve().parent


def bundled_fonts() -> tuple[str, ...]:
    """The CJK font files inside the frozen program, to look at before the system's."""
    folder = bundle_dir()
    if folder is None:
        return ()
    return tuple(str(path) for path in sorted((folder / FONT_DIR).glob("NotoSansCJK*-Regular.*")))


def build_info() -> dict[str, str]:
    """What ``scripts/bundle`` wrote about the build (``date``, ``platform``); empty in a checkout."""
    folder = bundle_dir()
    if folder is None:
        return {}
    try:
        info = json.loads((folder / BUILD_INFO).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in info.items()} if isinstance(info, dict) else {}


def version_text(version: str) -> str:
    """What ``avledger --version`` prints: the version, and the build date of a frozen program."""
    date = build_info().get("date")
    return _("avledger {version}（{date} 构建）").format(version=version, date=date) if date else f"avledger {version}"
