"""Cards found by themselves (issue 18): the volumes mounted under /media/*/*, /run/media/*/* and, with a DCIM
folder, /mnt/*, here a tree of real folders under the test's own folder."""

from __future__ import annotations

import glob
import os
import time
from pathlib import Path

from avledger.services.cards import count_media, find_cards


def places(root: Path) -> tuple[list[str], list[str]]:
    base = glob.escape(str(root))
    return [f"{base}/media/*/*", f"{base}/run/media/*/*"], [f"{base}/mnt/*"]


def card(path: Path, files: list[str], *, changed: float) -> Path:
    for name in files:
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_bytes(b"x")
    path.mkdir(parents=True, exist_ok=True)
    os.utime(path, (changed, changed))
    return path


def fake_tree(root: Path) -> None:
    now = time.time()
    card(
        root / "media/zhang/CAM_A",
        ["DCIM/100MEDIA/VID_0001.MP4", "DCIM/100MEDIA/IMG_0002.JPG", "readme.txt"],
        changed=now - 600,
    )
    card(root / "run/media/li/CAM_B", ["DCIM/REC.mov", "DCIM/sub/a.wav"], changed=now - 60)
    card(root / "mnt/camera", ["DCIM/X.mp4"], changed=now - 30)
    card(root / "mnt/backup", ["films/Y.mp4"], changed=now)  # no DCIM folder: not a camera's
    (root / "media/zhang/link").symlink_to(root / "mnt/backup")  # a link is not a mounted volume


def test_cards_listed_newest_first_with_their_media(tmp_path):
    fake_tree(tmp_path)
    found = find_cards(*places(tmp_path))
    assert [(c.label, c.media, c.more) for c in found] == [
        ("camera", 1, False),
        ("CAM_B", 2, False),
        ("CAM_A", 2, False),
    ]
    assert found[0].path == str(tmp_path / "mnt/camera")
    assert all(c.size and c.size > 0 for c in found)
    assert find_cards([str(tmp_path / "nowhere/*/*")], []) == []


def test_counting_stops_on_a_large_disk(tmp_path):
    disk = tmp_path / "media/u/BIG"
    for n in range(30):
        (disk / f"d{n % 3}").mkdir(parents=True, exist_ok=True)
        (disk / f"d{n % 3}" / f"{n}.mp4").write_bytes(b"")
    assert count_media(disk) == (30, False)
    assert count_media(disk, limit=10) == (10, True)
    counted, more = count_media(disk, seconds=0)  # out of time after the first entry
    assert more and counted <= 1
    [big] = find_cards(*places(tmp_path), limit=10)
    assert (big.media, big.more) == (10, True)


def test_cli_lists_the_cards(tmp_path, cli):
    fake_tree(tmp_path)
    where = [a for p in places(tmp_path)[0] for a in ("--where", p)]
    listed = cli("cards", "--json", *where)
    assert listed.code == 0, listed.err
    assert [(c["label"], c["media"]) for c in listed.json()] == [("CAM_B", 2), ("CAM_A", 2)]  # no /mnt given
    text = cli("cards", *where, lang="en")
    assert text.code == 0 and "CAM_B" in text.out and f"avledger ingest {tmp_path}/run/media/li/CAM_B" in text.out
