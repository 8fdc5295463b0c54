"""Where a printed PDF goes: the system viewer on the office PC's screen, else a printer set up with
CUPS (``lp``), else nowhere but its file (over SSH the path is shown)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from avledger.fsutil import PRIVATE_DIR, make_dirs


@dataclass(frozen=True)
class Delivery:
    how: str  # viewer | printer | file
    path: Path
    detail: str = ""  # the printer's name


def print_path(folder: Path, register: str, now_local: dt.datetime) -> Path:
    """A new file name in the data folder's ``prints`` folder (created private)."""
    make_dirs(folder, PRIVATE_DIR)
    return folder / f"{register}-{now_local.strftime('%Y%m%d-%H%M%S')}.pdf"


def has_screen(env: dict[str, str] | None = None) -> bool:
    """A graphical session on this PC (not a remote shell)."""
    env = os.environ if env is None else env
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY"):
        return False
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def default_printer() -> str | None:
    """The CUPS default printer, when one is set up."""
    if shutil.which("lp") is None or shutil.which("lpstat") is None:
        return None
    try:
        out = subprocess.run(["lpstat", "-d"], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    # "system default destination: NAME" (the text is localised; the name follows the colon)
    if ":" in out and "no system default" not in out.lower():
        name = out.split(":", 1)[1].strip()
        return name or None
    return None


def deliver(path: Path, *, env: dict[str, str] | None = None) -> Delivery:
    """Open the PDF in the system viewer, or send it to the default printer, or leave it as a file."""
    if has_screen(env) and shutil.which("xdg-open"):
        try:
            subprocess.Popen(
                ["xdg-open", str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
            )
            return Delivery("viewer", path)
        except OSError:
            pass
    printer = default_printer()
    if printer:
        try:
            subprocess.run(["lp", "-d", printer, str(path)], capture_output=True, check=True, timeout=30)
            return Delivery("printer", path, printer)
        except (OSError, subprocess.CalledProcessError, subprocess.TimeoutExpired):
            pass
    return Delivery("file", path)
