"""Where a killed disc build may have left its partial image (issue 17).

A build writes its image under a temporary name (``.avledger-part-<hex>.iso``) in the folder the manager
chose, which a later build may not use. So each build records its folder in the data folder
(``.avledger-disc-builds.json``) and holds a lock for it while it runs: a later build removes the partial
images of every recorded folder whose build is gone, and ``avledger verify`` reports them.

A long register's print keeps its rows beyond the first part in a file of the data folder
(``.avledger-part-<hex>.print-rows``, :class:`avledger.services.typeset._Spill`), locked while the print
runs: the next print removes those of prints that are gone, and ``avledger verify`` reports them.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from avledger.fsutil import OWN_PREFIX, JobLock, find_leftovers, write_whole
from avledger.home import Home

IMAGE_SUFFIX = ".iso"  # what a build's temporary files end with (avledger.burners.iso)
RECORD = OWN_PREFIX + "disc-builds.json"
SPILL_SUFFIX = ".print-rows"  # what a print's file of rows ends with (avledger.services.typeset._Spill)


def _record(home: Home) -> Path:
    return home.path / RECORD


def build_lock(home: Home, folder: Path) -> JobLock:
    """The lock a build holds while it writes into ``folder``."""
    key = hashlib.sha256(str(folder).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return JobLock(home.path / f"{OWN_PREFIX}build-{key}.lock")


def recorded(home: Home) -> list[Path]:
    try:
        folders = json.loads(_record(home).read_text("utf-8"))
    except (OSError, ValueError):
        return []
    return [Path(f) for f in folders if isinstance(f, str)]


def _write(home: Home, folders: list[Path]) -> None:
    write_whole(_record(home), json.dumps(sorted({str(f) for f in folders}), ensure_ascii=False))


def stale(home: Home, mine: Path | None = None) -> list[tuple[Path, int]]:
    """The partial images left in the recorded folders by builds that are gone, with sizes; and in ``mine``, the
    folder whose lock the caller holds (a build about to write there)."""
    found = []
    for folder in dict.fromkeys([*recorded(home), *([mine] if mine else [])]):
        if folder == mine or not JobLock.held(build_lock(home, folder).path):
            found += find_leftovers(folder, suffix=IMAGE_SUFFIX)
    return found


def start(home: Home, folder: Path) -> int:
    """A build into ``folder`` starts (its lock held by the caller): the partial images of builds that are gone
    are removed, the folders left clean forgotten, and ``folder`` recorded. Returns how many were removed."""
    removed = 0
    for leftover, _size in stale(home, mine=folder):
        leftover.unlink(missing_ok=True)
        removed += 1
    keep = [f for f in recorded(home) if JobLock.held(build_lock(home, f).path) and f != folder]
    _write(home, [*keep, folder])
    return removed


def finish(home: Home, folder: Path) -> None:
    """A build into ``folder`` ended and left no partial image: the folder is forgotten."""
    if not find_leftovers(folder, suffix=IMAGE_SUFFIX):
        _write(home, [f for f in recorded(home) if f != folder])


def stale_spills(folder: Path) -> list[tuple[Path, int]]:
    """The files of rows a print left in ``folder`` (the data folder) when it was killed, with sizes: a running
    print holds the lock of its own (:meth:`JobLock.held`)."""
    return [(path, size) for path, size in find_leftovers(folder, suffix=SPILL_SUFFIX) if not JobLock.held(path)]
