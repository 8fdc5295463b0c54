"""Disc archives: real pycdlib images, real xorriso burning to file-backed drives (stdio:)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pycdlib
import pytest

from avledger.burners.iso import joliet_names
from avledger.burners.plan import FIXED_OVERHEAD, SourceFile, on_disc, plan_discs
from avledger.errors import UserError
from avledger.fsutil import temp_path
from avledger.models.schema import AuditEvent, Disc, DiscCheck, DiscCopy, DiscSet
from avledger.vocab import DISC_MEDIA
from conftest import LONG_NAME, SECOND_LONG, refusal


def small_media(n_files: int) -> int:
    """A test-only medium that holds ``n_files`` of the tiny clips."""
    return FIXED_OVERHEAD + n_files * on_disc(8 * 1024)


def test_joliet_names_are_shortened_uniquely():
    """Joliet holds 64 UCS-2 characters a name: a 28-character Chinese name whole; longer ones cut, uniquely."""
    long_1, long_2 = "甲" * 70 + "一.mp4", "甲" * 70 + "二.mp4"
    names = joliet_names([LONG_NAME, long_1, long_2, "VID_0001.MP4"])
    assert names[0] == LONG_NAME and names[3] == "VID_0001.MP4"
    assert all(len(n.encode("utf-16-be")) <= 128 for n in names)
    assert len(set(names)) == 4 and all(n.endswith(".mp4") for n in names[1:3])
    assert len(names[1]) == 64 and names[1].startswith("甲" * 58)
    emoji = joliet_names(["😀" * 40 + ".jpg"])[0]  # outside the BMP: two code units each
    assert len(emoji.encode("utf-16-be")) <= 128 and emoji.endswith("~1.jpg")


def test_joliet_names_are_unique_without_regard_to_case():
    """Windows and FAT sticks compare names without case: ``A.JPG`` and ``a.jpg`` would be one file."""
    names = joliet_names(["IMG_1.JPG", "img_1.jpg", "Img_1.Jpg", "img_1~1.jpg"])
    assert len({n.casefold() for n in names}) == 4
    assert names[0] == "IMG_1.JPG"


def test_plan_refuses_a_file_larger_than_the_medium_naming_one_that_holds_it():
    big = SourceFile(1, "整段录像.mp4", 800 * 1024 * 1024, "0" * 64, Path("/nowhere"))
    with pytest.raises(UserError) as refused:
        plan_discs([big], "cd")
    assert (refused.value.code, refused.value.field) == ("disc.file_too_big", "media")
    assert refused.value.params["name"] == "整段录像.mp4" and refused.value.params["holder"] == DISC_MEDIA["dvd"]
    assert len(plan_discs([big], "dvd").discs) == 1


def test_build_burn_two_copies_and_verify(services, case, tmp_path):
    assert [t.state for t in services.discs.targets()] == ["none"]
    built = services.discs.build(tmp_path / "out", activity=case.id, media="cd")
    assert len(built.discs) == 1
    disc = built.discs[0]
    image = Path(disc.image_path)
    assert image.stat().st_size == disc.size and disc.volume_id.isascii() and len(disc.volume_id) <= 16
    assert [t.state for t in services.discs.targets()] == ["built"]

    # pycdlib reads the full names by UDF and Rock Ridge, the shortened one by Joliet
    iso = pycdlib.PyCdlib()
    iso.open(str(image))
    udf = {name for _, _, files in iso.walk(udf_path="/data") for name in files}
    assert LONG_NAME in udf and SECOND_LONG in udf and len(udf) == 5
    rr = {name for _, _, files in iso.walk(rr_path="/data") for name in files}
    assert LONG_NAME in rr
    joliet = {name for _, _, files in iso.walk(joliet_path="/data") for name in files}
    assert len(joliet) == 5 and LONG_NAME in joliet  # whole: Joliet holds 64 characters
    assert len({n.casefold() for n in joliet}) == 5
    info = bytearray()

    class Sink:
        def write(self, data):
            info.extend(data)
            return len(data)

    iso.get_file_from_iso_fp(Sink(), udf_path="/bag-info.txt")
    iso.close()
    text = info.decode("utf-8")
    for expected in (
        "测试市综合行政执法局",
        "测市监立〔2026〕7号",
        "某商行无证经营案",
        "无证经营调查取证",
        "Bag-Count: 1 of 1",
        f"Avledger-Disc-Id: {disc.id}",
    ):
        assert expected in text
    # the audit head when the image was made: the entry before its disc_build entry, a witness verify takes back
    head = re.search(r"^Avledger-Audit-Head: (\d+):([0-9a-f]{64})$", text, re.M)
    built_entry = AuditEvent.get(AuditEvent.action == "disc_build")
    assert int(head[1]) == built_entry.id - 1 and AuditEvent.get_by_id(built_entry.id - 1).hash == head[2]
    assert services.audit.verify(heads=[(int(head[1]), head[2])]).ok
    # xorriso reads it too (Rock Ridge)
    listing = subprocess.run(["xorriso", "-indev", str(image), "-ls", "/data"], capture_output=True, text=True)
    assert LONG_NAME in listing.stdout
    root = subprocess.run(["xorriso", "-indev", str(image), "-ls", "/"], capture_output=True, text=True).stdout
    for tag in ("bagit.txt", "bag-info.txt", "manifest-sha256.txt", "说明.txt", "说明.pdf"):
        assert tag in root, tag
    readme = tmp_path / "说明.txt"
    subprocess.run(
        ["xorriso", "-osirrox", "on", "-indev", str(image), "-extract", "/说明.txt", str(readme)], check=True
    )
    raw = readme.read_bytes()  # for Windows' Notepad: a byte-order mark, CR LF line ends
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\r\n") == raw.count(b"\n") > 3
    extracted = tmp_path / "说明.pdf"
    subprocess.run(
        ["xorriso", "-osirrox", "on", "-indev", str(image), "-extract", "/说明.pdf", str(extracted)],
        capture_output=True,
        check=True,
    )
    description = "".join(
        subprocess.run(["pdftotext", str(extracted), "-"], capture_output=True, text=True, check=True).stdout.split()
    )
    for expected in ("执法音像记录光盘说明", "测试市综合行政执法局", "某商行无证经营案", "文字说明材料", "调取人"):
        assert expected in description, expected

    first = services.discs.burn(image, f"stdio:{tmp_path / 'copy1.img'}", 1, kept_at="随案卷")
    assert first.ok and first.copy.verified
    assert [t.state for t in services.discs.targets()] == ["partly"]
    second = services.discs.burn(image, f"stdio:{tmp_path / 'copy2.img'}", 2, kept_at="档案室")
    assert second.ok
    assert (tmp_path / "copy2.img").stat().st_size > disc.size  # xorriso pads; only the image's length counts
    assert [t.state for t in services.discs.targets()] == ["done"]
    assert refusal(services.discs.burn, image, f"stdio:{tmp_path / 'again.img'}", 1) == ("disc.copy_done", "copy")
    assert refusal(services.discs.burn, image, f"stdio:{tmp_path / 'again.img'}", 3) == ("input.out_of_range", "copy")

    checked = services.discs.verify(f"stdio:{tmp_path / 'copy2.img'}", copy=2)
    assert checked.ok and checked.checked == 5 and checked.disc.id == disc.id
    view = services.discs.list()[0].discs[0]
    assert [(c.copy, c.kept_at, c.verified) for c in view.copies] == [(1, "随案卷", True), (2, "档案室", True)]
    assert [c.kind for c in view.checks] == ["burn", "burn", "recheck"]
    actions = [e.action for e in AuditEvent.select().where(AuditEvent.entity.startswith("disc"))]
    assert {"disc_plan", "create", "disc_build", "disc_burn", "disc_check"} <= set(actions)
    assert services.audit.verify().ok  # every disc row matches what the log last recorded for it

    # re-checks fall due after the profile's interval
    assert services.discs.rechecks().due == ()
    later = services.ctx.clock() + dt.timedelta(days=4 * 366)
    services.ctx.clock = lambda: later
    due = services.discs.rechecks()
    assert [d.disc_id for d in due.due] == [disc.id] and due.required == 1


def test_tampered_copy_is_caught(services, case, tmp_path, cli):
    built = services.discs.build(tmp_path / "out", activity=case.id, media="cd")
    image = Path(built.discs[0].image_path)
    copy = tmp_path / "copy1.img"
    assert services.discs.burn(image, f"stdio:{copy}", 1).ok
    # flip one byte inside the footage of the long-named clip
    clip = next(c for c in services.footage.list(activity=case.id) if c.original_name == LONG_NAME)
    payload = (services.ingest.archive_root() / clip.archive_path).read_bytes()
    data = bytearray(copy.read_bytes())
    at = data.index(payload) + len(payload) // 2
    data[at] ^= 0xFF
    copy.write_bytes(bytes(data))

    result = cli("disc", "verify", "--drive", f"stdio:{copy}", "--copy", "1", "--json")
    assert result.code == 1, result.err
    report = result.json()
    assert not report["ok"] and report["problems"] == [{"kind": "changed", "path": f"data/{LONG_NAME}"}]
    assert DiscCheck.select().where(DiscCheck.result == "failed").count() == 1


def test_split_over_several_discs_and_resume_after_an_interrupted_build(services, case, tmp_path):
    room = small_media(2)
    plan = services.discs.plan(activity=case.id, media="cd", capacity_bytes=room)
    assert [len(d.files) for d in plan.discs] == [2, 2, 1]
    out = tmp_path / "out"

    class Interrupted(Exception):
        pass

    def stop_on_disc_2(event):
        if event.item == 2 and event.phase == "write":
            raise Interrupted

    with pytest.raises(Interrupted):
        services.discs.build(out, activity=case.id, media="cd", capacity_bytes=room, progress=stop_on_disc_2)
    temp_path(out, ".iso").write_bytes(b"half an image")  # what a killed run leaves
    first = Disc.get(Disc.number == 1)
    assert first.image_sha256 and not Disc.get(Disc.number == 2).image_sha256
    mtime = Path(first.image_path).stat().st_mtime_ns

    done = services.discs.build(out, activity=case.id, media="cd", capacity_bytes=room)
    assert DiscSet.select().count() == 1 and done.built and len(done.discs) == 3
    assert Path(first.image_path).stat().st_mtime_ns == mtime  # the finished image was kept
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{d.volume_id}.iso" for d in done.discs)
    # each disc is recognised from its own contents
    for d in done.discs:
        drive = tmp_path / f"{d.volume_id}.img"
        assert services.discs.burn(d.image_path, f"stdio:{drive}", 1).ok
        checked = services.discs.verify(f"stdio:{drive}")
        assert checked.ok and (checked.disc.number, checked.disc.discs) == (d.number, 3)


def test_cli_build_json_and_refusals(services, case, tmp_path, cli):
    refused = cli("disc", "build", "--activity", "999", "--out", str(tmp_path / "x"))
    assert refused.code == 2 and "999" in refused.err
    assert cli("disc", "build", "--out", str(tmp_path / "x")).code == 2  # neither activity nor case
    assert DiscSet.select().count() == 0
    clip = services.footage.list(activity=case.id)[0]
    archived = services.ingest.archive_root() / clip.archive_path
    hidden = archived.with_name("moved-away")
    archived.rename(hidden)
    missing = cli("disc", "build", "--activity", str(case.id), "--out", str(tmp_path / "x"))
    assert missing.code == 2 and clip.original_name in missing.err
    assert DiscSet.select().count() == 0  # nothing registered
    hidden.rename(archived)

    built = cli(
        "disc", "build", "--case-no", "测市监立〔2026〕7号", "--media", "cd", "--out", str(tmp_path / "o"), "--json"
    )
    assert built.code == 0, built.err
    image = built.json()["images"][0]
    assert Path(image["path"]).is_file() and len(image["sha256"]) == 64 and image["files"] == 5

    assert cli("disc", "burn", image["path"], "--drive", f"stdio:{tmp_path / 'c.img'}", "--copy", "3").code == 2
    assert DiscCopy.select().count() == 0
    burned = cli(
        "disc",
        "burn",
        image["path"],
        "--drive",
        f"stdio:{tmp_path / 'c.img'}",
        "--copy",
        "1",
        "--kept-at",
        "档案室",
        "--json",
    )
    assert burned.code == 0 and burned.json()["ok"], burned.err
    assert burned.json()["same_place_as"] is None
    listed = cli("disc", "list", "--json").json()
    assert listed["sets"][0]["discs"][0]["copies"][0]["kept_at"] == "档案室"
    assert listed["targets"] == [
        {
            "activity_id": case.id,
            "title": "无证经营调查取证",
            "case_no": "测市监立〔2026〕7号",
            "reasons": ["objection"],
            "clips": 5,
            "state": "partly",
        }
    ]
    volume = image["volume_id"]
    assert cli("disc", "keep", volume, "--copy", "2", "--kept-at", "库房").code == 2  # copy 2 not burned
    assert cli("disc", "keep", "NOSUCH", "--copy", "1", "--kept-at", "库房").code == 2
    assert cli("disc", "keep", volume, "--copy", "1", "--kept-at", "  ").code == 2
    moved = cli("disc", "keep", volume, "--copy", "1", "--kept-at", "档案室二号柜")
    assert moved.code == 0, moved.err
    assert DiscCopy.get().kept_at == "档案室二号柜"
    assert AuditEvent.select().where((AuditEvent.entity == "disc_copy") & (AuditEvent.action == "update")).count() == 1
    text = cli("disc", "list").out
    assert "档案室" in text and "未完成两份" in text and "CD（700 MB）" in text  # the medium in words
    assert "Copies incomplete" in cli("--lang", "en", "disc", "list").out
    assert cli("disc", "verify", "--drive", f"stdio:{tmp_path / 'nothing.img'}").code == 2


def test_both_copies_at_one_place_is_said_not_refused(services, case, cli, tmp_path):
    """一式两份 kept together: one fire, flood or theft takes both. Said when the second is burned (stderr,
    and ``same_place_as`` in JSON); still burned and registered."""
    built = services.discs.build(tmp_path / "out", activity=case.id, media="cd")
    image = built.discs[0].image_path
    assert services.discs.burn(image, f"stdio:{tmp_path / 'c1.img'}", 1, kept_at="档案室").ok
    second = cli(
        "disc",
        "burn",
        image,
        "--drive",
        f"stdio:{tmp_path / 'c2.img'}",
        "--copy",
        "2",
        "--kept-at",
        " 档案室",
        "--json",
    )
    assert second.code == 0 and second.json()["same_place_as"] == 1, second.err
    assert "注意：第 1 份也存放在“档案室”" in second.err
    assert [c.kept_at for c in services.discs.view_disc(built.discs[0].id).copies] == ["档案室", "档案室"]


def test_the_disc_register_prints(services, case, tmp_path):
    from avledger.services.printing import Filters

    built = services.discs.build(tmp_path / "out", activity=case.id, media="cd")
    assert services.discs.burn(built.discs[0].image_path, f"stdio:{tmp_path / 'c1.img'}", 1, kept_at="档案室").ok
    out = services.printing.render_pdf("discs", Filters(), tmp_path / "discs.pdf")
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    assert "音像资料刻录光盘登记表" in flat and built.discs[0].volume_id in flat and "1：档案室" in flat
    path, count = services.printing.export("discs", Filters(), tmp_path / "discs.csv")
    assert count == 1 and "档案室" in Path(path).read_text("utf-8-sig")


def free_gib(path) -> float:
    return shutil.disk_usage(path).free / 1024**3


def test_a_file_over_4_gib(tmp_path):
    """ISO 9660 level 3 splits it into extents; UDF and ISO paths read it whole (Rock Ridge would not).

    The source is sparse; the image is a real 4 GiB file (about 30 s). Skipped only when the disk
    has too little room for it, with the reason."""
    if free_gib(tmp_path) < 12:
        pytest.skip(f"needs 12 GiB free for a 4 GiB image, {free_gib(tmp_path):.1f} GiB free")
    from avledger.burners.iso import build_image
    from avledger.burners.verify import read_disc
    from avledger.digests import hash_file

    big = tmp_path / "超过四吉字节的整段执法记录仪录像文件第一段.mp4"
    with open(big, "wb") as fh:
        fh.truncate(4 * 1024**3 + 4096 + 7)
        fh.seek(4 * 1024**3 + 100)
        fh.write(b"the end")
    sha = hash_file(big)
    source = SourceFile(1, big.name, big.stat().st_size, sha, big)
    tags = {
        "bagit.txt": b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
        "bag-info.txt": b"External-Identifier: BIG\n",
        "manifest-sha256.txt": f"{sha}  data/{big.name}\n".encode(),
    }
    image = build_image(tmp_path / "big.iso", "BIG", [source], tags)
    big.unlink()
    reading = read_disc(f"stdio:{image.path}")
    assert reading.ok and reading.checked == 1 and reading.image_size == image.size
    assert image.hashed_while_writing and image.sha256 == hash_file(image.path)


def test_disc_labels_print_with_the_label_fields_and_a_qr_code(services, case, tmp_path):
    from avledger.services.printing import Filters

    built = services.discs.build(tmp_path / "out", activity=case.id, media="cd")
    assert services.discs.burn(built.discs[0].image_path, f"stdio:{tmp_path / 'c1.img'}", 1, kept_at="档案室").ok
    out = services.printing.render_pdf("disc-label", Filters(), tmp_path / "labels.pdf")
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    for expected in (
        "测试市综合行政执法局",
        "某商行无证经营案",
        "测市监立〔2026〕7号",
        "第1张，共1张",
        "一式2份第1份",
        "一式2份第2份",
        "档案室",
        built.discs[0].volume_id,
        "tester",
    ):
        assert expected in flat, expected
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           2" in info  # one page per copy
    volume = built.discs[0].volume_id
    one = services.printing.render_pdf("disc-label", Filters(disc=volume), tmp_path / "one.pdf")
    assert volume in subprocess.run(["pdftotext", str(one), "-"], capture_output=True, text=True).stdout
    assert services.printing.export("discs", Filters(disc=volume), tmp_path / "d.csv")[1] == 1
    none = (services.printing.render_pdf, "disc-label", Filters(disc="AVL-NOPE"), tmp_path / "none.pdf")
    assert refusal(*none) == ("disc.unknown", "disc")
    assert refusal(services.discs.keep, "AVL-NOPE", 1, "档案室") == ("disc.unknown", "volume_id")
    assert refusal(services.discs.keep, volume, 1, " ") == ("input.empty", "kept_at")


def test_a_burn_that_does_not_read_back_is_registered_as_failed_and_can_be_redone(services, case, tmp_path, cli):
    built = services.discs.build(tmp_path / "out", activity=case.id, media="cd")
    image = built.discs[0].image_path
    # /dev/null takes the whole image and gives nothing back: a real write whose read-back differs
    result = cli("disc", "burn", image, "--drive", "stdio:/dev/null", "--copy", "1", "--kept-at", "档案室")
    assert result.code == 1, result.err
    assert "回读核验不一致" in result.out
    copy = DiscCopy.get()
    assert not copy.verified and copy.verified_at is None
    assert DiscCheck.get().result == "failed"
    assert [t.state for t in services.discs.targets()] == ["partly"]
    again = services.discs.burn(image, f"stdio:{tmp_path / 'c1.img'}", 1, kept_at="档案室")
    assert again.ok and DiscCopy.select().count() == 1 and DiscCopy.get().verified
    assert [c.result for c in again.disc.checks] == ["failed", "ok"]


def test_a_changed_archive_file_is_not_put_on_disc(services, case, tmp_path):
    clip = services.footage.list(activity=case.id)[2]
    archived = services.ingest.archive_root() / clip.archive_path
    archived.chmod(0o644)
    data = bytearray(archived.read_bytes())
    data[len(data) // 2] ^= 0x01
    archived.write_bytes(bytes(data))
    out = tmp_path / "out"
    with pytest.raises(UserError) as refused:
        services.discs.build(out, activity=case.id, media="cd")
    assert refused.value.code == "archive.file_changed" and clip.original_name in refused.value.params["names"]
    assert list(out.iterdir()) == []  # no image, no temporary file
    assert Disc.select().count() == 0  # a set is registered only with its images: the one planned went again


def test_the_image_is_hashed_as_it_is_written(tmp_path):
    """Files of several sizes (one spanning several write blocks), tag files between them: the SHA-256
    taken while writing is the image's own, and nothing had to be read back."""
    from avledger.burners.iso import IMAGE_CHUNK, build_image

    files = []
    for n, size in enumerate([0, 1, 2047, 2048, 70_000, 2 * IMAGE_CHUNK + 123]):
        path = tmp_path / f"第{n}段录像.mp4"
        data = os.urandom(size)
        path.write_bytes(data)
        files.append(SourceFile(n, path.name, size, hashlib.sha256(data).hexdigest(), path))
    tags = {"bagit.txt": b"BagIt-Version: 1.0\n", "说明.pdf": os.urandom(300_000)}
    image = build_image(tmp_path / "out" / "T.iso", "T", files, tags)
    assert image.hashed_while_writing
    assert image.sha256 == hashlib.sha256(image.path.read_bytes()).hexdigest()
    assert image.size == image.path.stat().st_size
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["T.iso"]


def test_a_write_behind_the_hashed_part_means_reading_the_image_back(tmp_path):
    """The image writer trusts no write order: the same bytes again change nothing; different bytes
    behind what is hashed make it give up, and the build reads the image back instead."""
    from avledger.burners.iso import _ImageWriter
    from avledger.digests import DigestThread

    def write(path: Path, rewrite: bytes) -> str | None:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL)
        hasher = DigestThread()
        try:
            writer = _ImageWriter(fd, hasher)
            writer.seek(0)
            writer.write(b"H" * 100)  # the file system's own structure
            body = os.urandom(5000)
            writer.seek(2048)
            writer.expect(body)
            writer.write(body)  # a file: hashing starts, reading [0, 2048) from the image
            writer.seek(10)
            writer.write(rewrite)  # the structure again, behind the hashed part
            return writer.finish()
        finally:
            hasher.close()
            os.close(fd)

    same = tmp_path / "same.iso"
    assert write(same, b"H" * 20) == hashlib.sha256(same.read_bytes()).hexdigest()
    changed = tmp_path / "changed.iso"
    assert write(changed, b"X" * 20) is None
    assert changed.read_bytes()[10:30] == b"X" * 20


def test_an_image_changed_since_it_was_built_is_not_burned(services, case, tmp_path, cli):
    built = services.discs.build(tmp_path / "out", activity=case.id, media="cd")
    image = Path(built.discs[0].image_path)
    data = bytearray(image.read_bytes())
    data[len(data) // 2] ^= 0x01
    image.write_bytes(bytes(data))
    drive = tmp_path / "c1.img"
    result = cli("disc", "burn", str(image), "--drive", f"stdio:{drive}", "--copy", "1")
    assert result.code == 2, result.err
    assert "与制作时登记的指纹不一致" in result.err
    assert not drive.exists()  # no disc spent on it
    assert DiscCopy.select().count() == 0


def test_names_too_long_for_udf_are_cut_uniquely(tmp_path):
    """UDF holds 126 characters of Chinese (253 of Latin-1): longer names are cut, keeping the extension,
    and stay unique; every file reads back by its name on the disc."""
    from avledger.burners.iso import build_image, payload_names
    from avledger.burners.verify import read_disc

    long_zh = "某商行无证经营案现场执法记录" * 12  # 168 characters
    names = [long_zh + "第一段.mp4", long_zh + "第二段.mp4", "x" * 250 + ".mp4", "VID_0001.MP4", "VID_0001.MP4"]
    files = []
    for n, name in enumerate(names):
        data = os.urandom(1000 + n)
        folder = tmp_path / f"src{n}"
        folder.mkdir()
        (folder / "f").write_bytes(data)
        files.append(SourceFile(n, name, len(data), hashlib.sha256(data).hexdigest(), folder / "f"))
    on_disc = payload_names(files)
    assert len(set(on_disc)) == 5 and all(n.lower().endswith(".mp4") for n in on_disc)
    assert len(on_disc[0]) <= 126 and on_disc[0] != on_disc[1] and len(on_disc[2]) <= 253
    assert on_disc[3:] == ["VID_0001.MP4", "VID_0001 (2).MP4"]
    manifest = "".join(f"{f.sha256}  data/{name}\n" for f, name in zip(files, on_disc)).encode()
    tags = {
        "bagit.txt": b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
        "bag-info.txt": b"External-Identifier: LONG\n",
        "manifest-sha256.txt": manifest,
    }
    image = build_image(tmp_path / "long.iso", "LONG", files, tags)
    reading = read_disc(f"stdio:{image.path}")
    assert reading.ok and reading.checked == 5
