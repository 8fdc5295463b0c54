"""Camera cards found by themselves: the removable media mounted where a desktop mounts them.

A card or a camera plugged into the office PC appears under ``/media/USER/LABEL`` (udisks on Debian and
Ubuntu) or ``/run/media/USER/LABEL`` (Fedora, openSUSE); one mounted by hand under ``/mnt/NAME`` counts
when it holds a ``DCIM`` folder (a camera's). :func:`find_cards` lists them, the most recently changed
first, with their label, size and how many media files they hold; the counting stops at
:data:`COUNT_LIMIT` files or after :data:`COUNT_SECONDS`, so that a large disk mounted there is not read
through. Nothing here writes.
"""

from __future__ import annotations

import glob
import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from avledger.services.media import AUDIO_EXTENSIONS, PHOTO_EXTENSIONS, VIDEO_EXTENSIONS

CARD_PATTERNS = ("/media/*/*", "/run/media/*/*")  # every folder there is a mounted volume
DCIM_PATTERNS = ("/mnt/*",)  # a folder there counts when it holds a DCIM folder
COUNT_LIMIT = 10_000  # media files counted on a card at most
COUNT_SECONDS = 1.0  # time spent counting one card at most

MEDIA_EXTENSIONS = VIDEO_EXTENSIONS | AUDIO_EXTENSIONS | PHOTO_EXTENSIONS


@dataclass(frozen=True)
class Card:
    path: str  # the mount point
    label: str  # the volume's label (the mount point's name)
    size: int | None  # bytes of the volume; None when it cannot be read
    media: int  # media files counted
    more: bool  # the counting stopped early: there are at least ``media``
    changed: float  # when the volume's top folder last changed (a POSIX time): the order of the list


def find_cards(
    patterns: Sequence[str] = CARD_PATTERNS,
    dcim_patterns: Sequence[str] = DCIM_PATTERNS,
    *,
    limit: int = COUNT_LIMIT,
    seconds: float = COUNT_SECONDS,
) -> list[Card]:
    """The mounted volumes a camera's footage may be collected from, the most recently changed first.

    ``patterns``: glob patterns of mount points; ``dcim_patterns``: those that count only with a DCIM
    folder (case aside) in them. Unreadable folders are listed with what could be read of them."""
    found: dict[str, Card] = {}
    for pattern, need_dcim in [(p, False) for p in patterns] + [(p, True) for p in dcim_patterns]:
        for name in sorted(glob.glob(pattern)):
            path = Path(name)
            if name in found or path.is_symlink() or not path.is_dir():
                continue
            if need_dcim and not _has_dcim(path):
                continue
            found[name] = _card(path, limit, seconds)
    return sorted(found.values(), key=lambda c: (-c.changed, c.path))


def _has_dcim(path: Path) -> bool:
    try:
        with os.scandir(path) as entries:
            return any(e.name.upper() == "DCIM" and e.is_dir(follow_symlinks=False) for e in entries)
    except OSError:
        return False


def _card(path: Path, limit: int, seconds: float) -> Card:
    try:
        size = shutil.disk_usage(path).total
    except OSError:
        size = None
    try:
        changed = path.stat().st_mtime
    except OSError:
        changed = 0.0
    media, more = count_media(path, limit=limit, seconds=seconds)
    return Card(str(path), path.name, size, media, more, changed)


def count_media(root: Path, *, limit: int = COUNT_LIMIT, seconds: float = COUNT_SECONDS) -> tuple[int, bool]:
    """How many media files (by extension) ``root`` holds, folder by folder without following links; stops
    at ``limit`` files or after ``seconds``, and then says so (the second value is True)."""
    deadline = time.monotonic() + seconds
    count = 0
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            folders.append(Path(entry.path))
                        elif entry.is_file(follow_symlinks=False) and (
                            os.path.splitext(entry.name)[1].lower() in MEDIA_EXTENSIONS
                        ):
                            count += 1
                    except OSError:
                        continue
                    if count >= limit or time.monotonic() > deadline:
                        return count, True
        except OSError:
            continue
    return count, False
