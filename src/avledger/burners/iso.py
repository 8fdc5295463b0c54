"""Build one disc image with pycdlib, streaming: ISO 9660 level 3, Joliet, Rock Ridge and UDF.

The disc is a BagIt package (RFC 8493)::

    bagit.txt  bag-info.txt  manifest-sha256.txt  说明.txt  说明.pdf
    data/<original names>

ISO 9660 names are short ASCII names (``DATA/F00001.MP4``); Rock Ridge and UDF
carry the original names (cut, uniquely, past UDF's 126 characters of Chinese);
Joliet names (what Windows shows) are cut to Joliet's 64 UCS-2 characters and
made unique without regard to case, as Windows and FAT compare them (pycdlib
counts 64 bytes of UTF-8 instead, 21 Chinese characters: :func:`_pycdlib` lifts
that). The image is written under a temporary name, flushed to disk, then
renamed: an interrupted build leaves no image that looks finished.

Nothing is read twice. The footage is hashed (against the register) as pycdlib
reads it, and the image is hashed as it is written: pycdlib writes the file
system's own structures first, anywhere in the image, and then the files in
the order of their places on the disc, so from the first file on the image can
be hashed front to back, the small structures in between read from the image
being written. Both digests run in threads of their own (hashlib lets go of the
GIL), beside the copying. Should a write ever land behind what is already
hashed, the image is read back once instead.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from avledger.burners.plan import SourceFile
from avledger.digests import Buffers, DigestThread, WriteBack, hash_file
from avledger.fsutil import PRIVATE_DIR, PRIVATE_FILE, make_dirs, publish, temp_path
from avledger.progress import CancelToken, Progress, ProgressSink, emit
from avledger.progress import check as check_cancel

JOLIET_MAX = 64  # UCS-2 code units per Joliet name (a character outside the BMP takes two)
IMAGE_CHUNK = 1024 * 1024  # what pycdlib reads and writes at a time: with the digests' queues, a few of these
# are in memory at once (4 MiB chunks took 30 MB more, for no speed)
DATA_DIR = "data"
TAG_ISO_NAMES = {
    "bagit.txt": "BAGIT.TXT;1",
    "bag-info.txt": "BAG_INFO.TXT;1",
    "manifest-sha256.txt": "MANIFEST_SHA256.TXT;1",
    "说明.txt": "README.TXT;1",
    "说明.pdf": "README.PDF;1",
}
_ISO_EXT = re.compile(r"[^A-Z0-9_]")


@dataclass(frozen=True)
class BuiltImage:
    path: Path
    size: int
    sha256: str
    hashed_while_writing: bool = True  # False: the image had to be read back for its SHA-256


def _units(text: str) -> int:
    """The UCS-2 code units Joliet stores ``text`` in."""
    return len(text.encode("utf-16-be")) // 2


def _cut_units(text: str, limit: int) -> str:
    """The longest start of ``text`` that fits in ``limit`` UCS-2 code units (never half a character)."""
    out, used = [], 0
    for char in text:
        used += _units(char)
        if used > limit:
            break
        out.append(char)
    return "".join(out)


def joliet_names(names: list[str]) -> list[str]:
    """Joliet names of at most 64 UCS-2 characters, unique within the list without regard to case (keeping
    the extension): ``~1.JPG`` and ``~1.jpg`` would be one file once copied to Windows or a FAT stick."""
    taken: set[str] = set()
    result = []
    for name in names:
        candidate = name
        if _units(name) > JOLIET_MAX or name.casefold() in taken:
            stem, ext = os.path.splitext(name)
            ext = _cut_units(ext, 12)
            n = 1
            while True:
                mark = f"~{n}"
                candidate = _cut_units(stem, JOLIET_MAX - len(mark) - _units(ext)) + mark + ext
                if candidate.casefold() not in taken:
                    break
                n += 1
        taken.add(candidate.casefold())
        result.append(candidate)
    return result


def _pycdlib():
    """A PyCdlib that takes Joliet names of 64 UCS-2 characters, as ECMA-119's Joliet extension allows:
    pycdlib (1.14 to 1.22) refuses a name over 64 bytes of UTF-8 before converting it, which cuts a Chinese name to
    21 characters. Only that check differs; the name is found and converted as pycdlib does."""
    import pycdlib
    from pycdlib import pycdlibexception, utils

    class _PyCdlib(pycdlib.PyCdlib):
        def _joliet_name_and_parent_from_path(self, joliet_path):
            parts = utils.split_path(joliet_path)
            name = parts.pop().decode("utf-8").encode("utf-16_be")
            if len(name) > 2 * JOLIET_MAX:
                raise pycdlibexception.PyCdlibInvalidInput("Joliet names can be a maximum of 64 characters")
            return name, self._find_joliet_record(b"/" + b"/".join(parts))

    return _PyCdlib()


def udf_max(name: str) -> int:
    """The longest UDF name pycdlib writes, in characters: 253 in Latin-1, 126 in UTF-16 (Chinese)."""
    try:
        name.encode("latin-1")
    except UnicodeEncodeError:
        return 126
    return 253


def payload_names(files: list[SourceFile]) -> list[str]:
    """Each file's name on the disc: its original name; ``name (2).ext`` for a repeated one; a name too
    long for UDF is cut (the manifest and the register keep what the disc holds and what it was)."""
    seen: set[str] = set()
    names = []
    for f in files:
        name = f.name.replace("/", "_").replace("\\", "_") or "_"
        stem, ext = os.path.splitext(name)
        ext = ext[:12]
        room = udf_max(name) - len(ext) - 6  # room for " (nn)"
        if len(name) > udf_max(name):
            stem, name = stem[:room], stem[:room] + ext
        n = 1
        while name in seen:
            n += 1
            name = f"{stem[:room]} ({n}){ext}"
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

    def __init__(self, path: Path, size: int, hasher: DigestThread, image: _ImageWriter, buffers: Buffers):
        self.path, self.size = path, size
        self.hasher, self.image, self.buffers = hasher, image, buffers
        self.fh: io.FileIO | None = None
        self.digest = hashlib.sha256()
        self.pos = 0
        self.sequential = True

    def seek(self, offset: int, whence: int = 0) -> int:
        if self.fh is None:
            self.fh = io.FileIO(self.path, "rb")
        position = self.fh.seek(offset, whence)
        if position == 0:
            self.digest, self.pos, self.sequential = hashlib.sha256(), 0, True
        elif position != self.pos:
            self.sequential = False
        self.pos = position
        return position

    def tell(self) -> int:
        return self.pos

    def read(self, size: int = -1) -> memoryview:
        if self.fh is None:
            self.seek(0)
        if size < 0:
            size = max(self.size - self.pos, 0)
        buffer = self.buffers.take(size)
        view = memoryview(buffer)[:size]
        got = 0
        while got < size:  # a short read is not the end of the file
            n = self.fh.readinto(view[got:])
            if not n:
                break
            got += n
        data = view[:got]
        done = self.buffers.lend(buffer, 2)
        self.hasher.update(self.digest, data, done)
        self.image.expect(data, done)
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
        return hash_file(self.path)


class _ImageWriter:
    """The file object pycdlib writes the image into: positioned writes, and the SHA-256 of the image
    taken front to back from the first file on (see the module's docstring)."""

    mode = "wb"

    def __init__(self, fd: int, hasher: DigestThread):
        self.fd, self.hasher = fd, hasher
        self.digest = hashlib.sha256()
        self.pos = 0
        self.hashed = 0  # the image is hashed up to here
        self.in_order = True
        self._file_data = None
        self._file_done: Callable[[], None] | None = None
        self._writeback = WriteBack(fd)

    def expect(self, data, done: Callable[[], None] | None = None) -> None:
        """The next write carries this chunk of a file (as opposed to the file system's own structures);
        ``done()`` once the image is done with it."""
        self._file_data, self._file_done = data, done

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence == os.SEEK_SET:
            self.pos = offset
        elif whence == os.SEEK_CUR:
            self.pos += offset
        else:
            self.pos = os.fstat(self.fd).st_size + offset
        return self.pos

    def tell(self) -> int:
        return self.pos

    def write(self, data) -> int:
        is_file_data, done = data is self._file_data, self._file_done
        self._file_data = self._file_done = None
        if self.pos < self.hashed and self.in_order:
            if not is_file_data and os.pread(self.fd, len(data), self.pos) == data:
                self.pos += len(data)  # the same bytes again: nothing changes
                return len(data)
            self.in_order = False
        if is_file_data and self.in_order:
            self._hash_written(self.pos)
        self._pwrite(data)
        if is_file_data and self.in_order:
            self.hasher.update(self.digest, data, done)
            self.hashed = self.pos
        elif done is not None:
            done()
        return len(data)

    def _pwrite(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            n = os.pwrite(self.fd, view, self.pos)
            view, self.pos = view[n:], self.pos + n
        self._writeback.wrote(self.pos, len(data))

    def _hash_written(self, upto: int) -> None:
        """Feed the digest what is already in the image between the hashed part and ``upto``."""
        while self.hashed < upto:
            data = os.pread(self.fd, min(IMAGE_CHUNK, upto - self.hashed), self.hashed)
            if not data:  # a hole at the end of the file so far: zeros
                data = bytes(min(IMAGE_CHUNK, upto - self.hashed))
            self.hasher.update(self.digest, data)
            self.hashed += len(data)

    def finish(self) -> str | None:
        """The image's SHA-256, or None when it has to be read back."""
        size = os.fstat(self.fd).st_size
        if not self.in_order or self.hashed > size:  # (an empty write past the end hashes bytes never written)
            return None
        self._hash_written(size)
        self.hasher.wait()
        return self.digest.hexdigest()


def _iso_name(index: int, name: str) -> str:
    ext = _ISO_EXT.sub("", os.path.splitext(name)[1][1:].upper())[:8]
    return f"F{index:05d}" + (f".{ext}" if ext else ".") + ";1"


def build_image(
    out: Path,
    volume_id: str,
    files: list[SourceFile],
    tags: dict[str, bytes],
    *,
    progress: ProgressSink | None = None,
    cancel: CancelToken | None = None,
    check_sources: bool = True,
) -> BuiltImage:
    """Write the image to ``out`` (crash-safe) and return its size and SHA-256.

    Cancelled, it raises :class:`~avledger.progress.Cancelled` and leaves no image.

    With ``check_sources``, a file whose content does not match its ``sha256`` raises
    :class:`SourceChanged` and no image is left.
    """
    names = payload_names(files)
    jnames = joliet_names(names)
    iso = _pycdlib()
    iso.new(
        interchange_level=3,
        joliet=3,
        rock_ridge="1.09",
        udf="2.60",
        vol_ident=volume_id,
        sys_ident="AVLEDGER",
        app_ident_str="avledger",
    )
    for name, data in tags.items():
        iso.add_fp(
            io.BytesIO(data),
            len(data),
            "/" + TAG_ISO_NAMES[name],
            rr_name=name,
            joliet_path="/" + name,
            udf_path="/" + name,
        )
    iso.add_directory("/DATA", rr_name=DATA_DIR, joliet_path="/" + DATA_DIR, udf_path="/" + DATA_DIR)
    make_dirs(out.parent, PRIVATE_DIR)
    temp = temp_path(out.parent, ".iso")
    with contextlib.ExitStack() as cleanup:  # undone in reverse, each step even if one before it fails
        fd = os.open(temp, os.O_RDWR | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)  # footage: its owner's only
        cleanup.callback(temp.unlink, missing_ok=True)  # nothing left but a finished image
        cleanup.callback(os.close, fd)
        image_hasher = DigestThread()
        cleanup.callback(image_hasher.close)
        source_hasher = DigestThread()
        cleanup.callback(source_hasher.close)
        cleanup.callback(iso.close)
        sources: list[_HashingSource] = []
        cleanup.callback(lambda: [source.close() for source in sources])
        writer, buffers = _ImageWriter(fd, image_hasher), Buffers(IMAGE_CHUNK)
        for index, (f, name, jname) in enumerate(zip(files, names, jnames), start=1):
            source = _HashingSource(f.path, f.size, source_hasher, writer, buffers)
            sources.append(source)
            iso.add_fp(
                source,
                f.size,
                f"/DATA/{_iso_name(index, name)}",
                rr_name=name,
                joliet_path=f"/{DATA_DIR}/{jname}",
                udf_path=f"/{DATA_DIR}/{name}",
            )

        def written(done: int, total: int, _opaque=None) -> None:
            check_cancel(cancel)  # raised through pycdlib; the clean-up above removes the partial image
            emit(progress, Progress("disc_build", "write", done, total, current=out.name))

        iso.write_fp(writer, blocksize=IMAGE_CHUNK, progress_cb=written)
        sha = writer.finish()
        os.fsync(fd)
        source_hasher.wait()
        if check_sources:
            changed = [f.name for f, source in zip(files, sources) if source.sha256() != f.sha256]
            if changed:
                raise SourceChanged(changed)
        size = os.fstat(fd).st_size
        streamed = sha is not None
        if sha is None:
            sha = hash_file(
                temp,
                size,
                drop_cache=True,
                on_bytes=lambda n: emit(progress, Progress("disc_build", "readback", n, size, current=out.name)),
            )
        publish(temp, out)
    emit(progress, Progress("disc_build", "done", size, size, current=out.name))
    return BuiltImage(out, size, sha, streamed)
