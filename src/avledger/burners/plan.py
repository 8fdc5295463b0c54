"""Split a set of files over discs of one medium, whole files only."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from avledger.errors import UserError
from avledger.i18n import N_
from avledger.present import size_text

SECTOR = 2048

# The medium's capacity in 2048-byte sectors (recordable media as sold).
MEDIA_SECTORS: dict[str, int] = {
    "cd": 360_000,
    "dvd": 2_295_104,
    "dvd-dl": 4_173_824,
    "bd25": 12_219_392,
    "bd50": 24_438_784,
    "bd100": 48_878_592,
}

# Room kept on every disc for the file systems (ISO 9660, Joliet, Rock Ridge, UDF), the bag's tag files
# and the description: a fixed part and a part per file.
FIXED_OVERHEAD = 2 * 1024 * 1024
PER_FILE_OVERHEAD = 8 * SECTOR


def capacity(media: str) -> int:
    if media not in MEDIA_SECTORS:
        raise UserError(
            "input.bad_choice",
            "{label}无效：{value}（可选：{choices}）",
            field="media",
            label=N_("光盘类型"),
            value=media,
            choices=" ".join(MEDIA_SECTORS),
        )
    return MEDIA_SECTORS[media] * SECTOR


def on_disc(size: int) -> int:
    """Bytes a file takes on disc: whole sectors, plus its share of the file systems' records."""
    return -(-size // SECTOR) * SECTOR + PER_FILE_OVERHEAD


@dataclass(frozen=True)
class SourceFile:
    clip_id: int
    name: str  # the original name
    size: int
    sha256: str
    path: Path  # where it is in the archive


@dataclass
class PlannedDisc:
    number: int
    files: list[SourceFile] = field(default_factory=list)

    @property
    def payload_bytes(self) -> int:
        return sum(f.size for f in self.files)


def image_bytes(disc: PlannedDisc) -> int:
    """At most the bytes of the disc's image: its files in whole sectors with their records, and the fixed
    room for the file systems, the tag files and the description (what a build needs free first)."""
    return FIXED_OVERHEAD + sum(on_disc(f.size) for f in disc.files)


@dataclass
class DiscPlan:
    media: str
    capacity: int
    discs: list[PlannedDisc]

    @property
    def files(self) -> int:
        return sum(len(d.files) for d in self.discs)

    @property
    def payload_bytes(self) -> int:
        return sum(d.payload_bytes for d in self.discs)


def smallest_medium(size: int) -> str | None:
    for media in MEDIA_SECTORS:
        if FIXED_OVERHEAD + on_disc(size) <= capacity(media):
            return media
    return None


def plan_discs(files: list[SourceFile], media: str, *, capacity_bytes: int | None = None) -> DiscPlan:
    """Fill discs in the files' order; a file that does not fit starts the next disc.

    ``capacity_bytes`` replaces the medium's capacity (small test media).
    """
    room = capacity(media) if capacity_bytes is None else capacity_bytes
    if not files:
        raise UserError("disc.no_footage", "没有可以刻录的音像资料")
    usable = room - FIXED_OVERHEAD
    for f in files:
        if on_disc(f.size) > usable:
            holder = smallest_medium(f.size) if capacity_bytes is None else None
            if holder is None and capacity_bytes is None:
                raise UserError(
                    "disc.file_too_big", "{name}（{size}）比任何光盘都大，无法刻录", name=f.name, size=size_text(f.size)
                )
            if holder is None:
                raise UserError(
                    "disc.file_too_big",
                    "{name}（{size}）比一张光盘的容量（{room}）还大，无法刻录",
                    name=f.name,
                    size=size_text(f.size),
                    room=size_text(room),
                )
            from avledger.vocab import DISC_MEDIA

            raise UserError(
                "disc.file_too_big",
                "{name}（{size}）放不进一张{media}，请改用{holder}",
                field="media",
                name=f.name,
                size=size_text(f.size),
                media=DISC_MEDIA[media],
                holder=DISC_MEDIA[holder],
            )
    discs = [PlannedDisc(1)]
    used = 0
    for f in files:
        need = on_disc(f.size)
        if discs[-1].files and used + need > usable:
            discs.append(PlannedDisc(len(discs) + 1))
            used = 0
        discs[-1].files.append(f)
        used += need
    return DiscPlan(media, room, discs)
