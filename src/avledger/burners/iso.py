"""Build one disc image with pycdlib, streaming: ISO 9660 level 3, Joliet, Rock Ridge and UDF.

The disc is a BagIt package (RFC 8493)::

    bagit.txt  bag-info.txt  manifest-sha256.txt  说明.txt  说明.pdf
    data/<original names>

ISO 9660 names are short ASCII names (``DATA/F00001.MP4``); Rock Ridge and UDF
carry the full original names; Joliet names are cut to 64 UTF-8 bytes
(pycdlib's limit), uniquely. The image is written under a temporary name,
flushed, read back for its SHA-256, then renamed: an interrupted build leaves
no image that looks finished.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from avledger.burners.plan import SourceFile
from avledger.fsutil import fsync_dir

JOLIET_MAX = 64  # bytes of UTF-8 per name, as pycdlib counts
TEMP_PREFIX = ".avledger-part-"
DATA_DIR = "data"
CHUNK = 4 * 1024 * 1024
TAG_ISO_NAMES = {
    "bagit.txt": "BAGIT.TXT;1",
    "bag-info.txt": "BAG_INFO.TXT;1",
    "manifest-sha256.txt": "MANIFEST_SHA256.TXT;1",
    "说明.txt": "README.TXT;1",
    "说明.pdf": "README.PDF;1",
}
_ISO_EXT = re.compile(r"[^A-Z0-9_]")


@dataclass(frozen=True)
class BuildProgress:
    phase: str  # write | readback | done
    bytes_done: int
    bytes_total: int
    current: str


@dataclass(frozen=True)
class BuiltImage:
    path: Path
    size: int
    sha256: str


def _cut_utf8(text: str, limit: int) -> str:
    out = text.encode("utf-8")[:limit]
    return out.decode("utf-8", "ignore")


def joliet_names(names: list[str]) -> list[str]:
    """Joliet names of at most 64 UTF-8 bytes, unique within the list (keeping the extension)."""
    taken: set[str] = set()
    result = []
    for name in names:
        candidate = name
        if len(name.encode("utf-8")) > JOLIET_MAX or name in taken:
            stem, ext = os.path.splitext(name)
            ext = _cut_utf8(ext, 12)
            n = 1
            while True:
                mark = f"~{n}"
                candidate = _cut_utf8(stem, JOLIET_MAX - len(mark) - len(ext.encode("utf-8"))) + mark + ext
                if candidate not in taken:
                    break
                n += 1
        taken.add(candidate)
        result.append(candidate)
    return result


def payload_names(files: list[SourceFile]) -> list[str]:
    """Each file's name on the disc: its original name; ``name (2).ext`` for a repeated one."""
    seen: set[str] = set()
    names = []
    for f in files:
        name = f.name.replace("/", "_").replace("\\", "_") or "_"
        stem, ext = os.path.splitext(name)
        n = 1
        while name in seen:
            n += 1
            name = f"{stem} ({n}){ext}"
        seen.add(name)
        names.append(name)
    return names


class SourceChanged(Exception):
    """Files whose content is not what the register holds (their SHA-256 differs)."""

    def __init__(self, names: list[str]):
        super().__init__(", ".join(names))
        self.names = names


class _HashingSource:
    """A source file handed to pycdlib: opened when pycdlib starts reading it, closed at its end,
    hashed on the way, so the footage is checked against the register without a read of its own."""

    mode = "rb"  # pycdlib accepts only binary file objects

    def __init__(self, path: Path, size: int):
        self.path, self.size = path, size
        self.fh = None
        self.digest = hashlib.sha256()
        self.pos = 0
        self.sequential = True

    def seek(self, offset: int, whence: int = 0) -> int:
        if self.fh is None:
            self.fh = open(self.path, "rb")
        position = self.fh.seek(offset, whence)
        if position == 0:
            self.digest, self.pos, self.sequential = hashlib.sha256(), 0, True
        elif position != self.pos:
            self.sequential = False
        self.pos = position
        return position

    def tell(self) -> int:
        return self.pos

    def read(self, size: int = -1) -> bytes:
        if self.fh is None:
            self.seek(0)
        data = self.fh.read(size)
        self.digest.update(data)
        self.pos += len(data)
        if self.pos >= self.size or not data:
            self.close()
        return data

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()
            self.fh = None

    def sha256(self) -> str:
        """The file's SHA-256 as pycdlib read it (or read again if pycdlib did not read it straight through)."""
        if self.sequential and self.pos == self.size:
            return self.digest.hexdigest()
        from avledger.services.ingest import hash_file

        return hash_file(self.path)


def _iso_name(index: int, name: str) -> str:
    ext = _ISO_EXT.sub("", os.path.splitext(name)[1][1:].upper())[:8]
    return f"F{index:05d}" + (f".{ext}" if ext else ".") + ";1"


def build_image(out: Path, volume_id: str, files: list[SourceFile], tags: dict[str, bytes], *,
                progress: Callable[[BuildProgress], None] | None = None, check_sources: bool = True) -> BuiltImage:
    """Write the image to ``out`` (crash-safe) and return its size and SHA-256.

    With ``check_sources``, a file whose content does not match its ``sha256`` raises
    :class:`SourceChanged` and no image is left.
    """
    import pycdlib

    names = payload_names(files)
    jnames = joliet_names(names)
    iso = pycdlib.PyCdlib()
    iso.new(interchange_level=3, joliet=3, rock_ridge="1.09", udf="2.60", vol_ident=volume_id,
            sys_ident="AVLEDGER", app_ident_str="avledger")
    for name, data in tags.items():
        iso.add_fp(io.BytesIO(data), len(data), "/" + TAG_ISO_NAMES[name], rr_name=name, joliet_path="/" + name,
                   udf_path="/" + name)
    iso.add_directory("/DATA", rr_name=DATA_DIR, joliet_path="/" + DATA_DIR, udf_path="/" + DATA_DIR)
    sources = []
    for index, (f, name, jname) in enumerate(zip(files, names, jnames), start=1):
        source = _HashingSource(f.path, f.size)
        sources.append(source)
        iso.add_fp(source, f.size, f"/DATA/{_iso_name(index, name)}", rr_name=name,
                   joliet_path=f"/{DATA_DIR}/{jname}", udf_path=f"/{DATA_DIR}/{name}")
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = out.parent / f"{TEMP_PREFIX}{uuid.uuid4().hex}.iso"
    try:
        def written(done: int, total: int, _opaque=None) -> None:
            if progress is not None:
                progress(BuildProgress("write", done, total, out.name))

        with open(temp, "xb") as fh:
            iso.write_fp(fh, blocksize=CHUNK // 2048 * 2048, progress_cb=written)
            fh.flush()
            os.fsync(fh.fileno())
        iso.close()
        for source in sources:
            source.close()
        if check_sources:
            changed = [f.name for f, source in zip(files, sources) if source.sha256() != f.sha256]
            if changed:
                raise SourceChanged(changed)
        size = temp.stat().st_size
        sha = hash_prefix(temp, size, drop_cache=True,
                          on_bytes=lambda n: progress and progress(BuildProgress("readback", n, size, out.name)))
        os.replace(temp, out)
        fsync_dir(out.parent)
    finally:
        temp.unlink(missing_ok=True)
    if progress is not None:
        progress(BuildProgress("done", size, size, out.name))
    return BuiltImage(out, size, sha)


def hash_prefix(path: str | Path, length: int, *, drop_cache: bool = False,
                on_bytes: Callable[[int], object] | None = None) -> str:
    """SHA-256 of the first ``length`` bytes of a file or device (a drive pads what it writes)."""
    digest = hashlib.sha256()
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    done = 0
    with open(path, "rb", buffering=0) as fh:
        if drop_cache and hasattr(os, "posix_fadvise"):
            try:
                os.posix_fadvise(fh.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
            except OSError:
                pass
        while done < length:
            n = fh.readinto(buffer)
            if not n:
                break
            n = min(n, length - done)
            digest.update(view[:n])
            done += n
            if on_bytes is not None:
                on_bytes(done)
    if done < length:
        raise EOFError(f"{path}: {done} of {length} bytes")
    return digest.hexdigest()


def clean_leftovers(folder: Path) -> int:
    """Remove temporary images left by an interrupted build."""
    removed = 0
    if folder.is_dir():
        for leftover in folder.glob(TEMP_PREFIX + "*"):
            leftover.unlink(missing_ok=True)
            removed += 1
    return removed
