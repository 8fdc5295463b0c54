"""Viewing approvals, the viewing register, evidence extraction, confidential records (F14-F17)."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess

import py7zr
import pytest

from avledger.errors import UserError
from avledger.identity import Identity
from avledger.models.schema import AuditEvent
from avledger.services.access import SHEET_NAME, SHEET_PDF, package_names


def sheets() -> list[str]:
    """The explanation sheet: always the text; the PDF too where the CJK font is installed."""
    from avledger.services.typeset import find_cjk_font

    try:
        find_cjk_font()
    except UserError:
        return [SHEET_NAME]
    return [SHEET_NAME, SHEET_PDF]


def act_as(svc, number: str) -> None:
    """The person at the keyboard: the console account mapped to this member of staff (mapped by the fixture's
    own account, "tester", which acts as the manager or the administrator)."""
    user = f"user{number}"
    if svc.staff.view(number).os_user != user:
        svc.ctx.identity = Identity.console("tester")
        svc.staff.update(number, os_user=user)
    svc.ctx.identity = Identity.console(user)


def events(svc) -> int:
    """Entries in the audit log (read straight from the register: the person acting may not read the log)."""
    return AuditEvent.select().count()


def last_event(svc) -> AuditEvent:
    return AuditEvent.select().order_by(AuditEvent.id.desc()).first()


def logged_actions() -> list[str]:
    """The audit log's actions, oldest first (read straight from the register)."""
    return [e.action for e in AuditEvent.select(AuditEvent.action).order_by(AuditEvent.id)]


def chain_intact() -> bool:
    from avledger.models.audit import verify

    return verify().ok


def footage_activity(svc) -> int:
    return next(c.activity_id for c in svc.footage.list() if c.activity_id)


def refused(svc, call, *args, **kwargs) -> tuple[str, str | None]:
    """The refusal's code and field; the refusal changed nothing."""
    before = events(svc)
    with pytest.raises(UserError) as info:
        call(*args, **kwargs)
    assert events(svc) == before, "a refusal changes nothing"
    return info.value.code, info.value.field


def logged_refusal(svc, call, *args, **kwargs) -> tuple[str, str | None]:
    """The refusal's code and field; the attempt was logged (and nothing else)."""
    before = events(svc)
    with pytest.raises(UserError) as info:
        call(*args, **kwargs)
    assert events(svc) == before + 1 and last_event(svc).action in ("view_refused", "denied")
    return info.value.code, info.value.field


def approved(svc, *, kind="view", requester="2002", approver="1002", **scope):
    scope = scope or {"activity": footage_activity(svc)}
    req = svc.access.request(requester, "复核现场情况", kind=kind, **scope)
    act_as(svc, approver)
    return svc.access.approve(req.id, approver)


def test_request_resolves_clips_and_is_audited(demo):
    activity = footage_activity(demo)
    clips = [c.id for c in demo.footage.list(activity=activity)]
    req = demo.access.request("2002", "案件办理需要", activity=activity, reason_kind="case_review")
    assert req.status == "requested" and req.clip_ids == tuple(clips) and not req.confidential
    assert req.until == dt.date.today() + dt.timedelta(days=7) or req.until > dt.date.today()
    by_clip = demo.access.request("2003", "投诉核查", clips=[clips[0]], reason_kind="complaint")
    assert by_clip.clip_ids == (clips[0],)
    assert [e.action for e in demo.audit.list()].count("access_request") == 2
    assert demo.audit.verify().ok


def test_request_refusals_change_nothing(demo):
    activity = footage_activity(demo)
    request = demo.access.request
    assert refused(demo, request, "2002", "x", activity=activity, clips=[1]) == ("input.one_of", None)
    assert refused(demo, request, "2002", " ", activity=activity) == ("input.empty", "reason")
    assert refused(demo, request, "2002", "x", case_no="不存在") == ("case.unknown", "case_no")
    empty = next(a.id for a in demo.activities.list() if a.clips == 0)
    assert refused(demo, request, "2002", "x", activity=empty) == ("access.no_footage", "activity")
    assert refused(demo, request, "2002", "x", activity=999) == ("activity.unknown", "activity")
    assert refused(demo, request, "2002", "x", clips=[99999]) == ("clip.unknown", "clips")
    assert refused(demo, request, "2002", "x", activity=activity, until="2000-01-01") == ("input.past", "until")
    assert refused(demo, request, "2002", "x", activity=activity, until="明天") == ("input.bad_date", "until")
    assert refused(demo, request, "2002", "x", activity=activity, kind="print") == ("input.bad_choice", "kind")
    assert refused(demo, request, "2002", "x", activity=activity, reason_kind="curious") == (
        "input.bad_choice",
        "reason_kind",
    )
    assert refused(demo, request, "9999", "x", activity=activity) == ("staff.unknown", "requester")
    demo.staff.update("2004", active=False)
    assert refused(demo, request, "2004", "x", activity=activity) == ("staff.left", "requester")


def test_self_approval_and_non_approver_are_refused(demo):
    req = demo.access.request("2001", "复核", activity=footage_activity(demo))
    act_as(demo, "2001")
    assert refused(demo, demo.access.approve, req.id, "2001") == ("access.self_approval", "by")
    act_as(demo, "2002")  # an officer: not in the permission table for deciding (the attempt is logged)
    assert logged_refusal(demo, demo.access.approve, req.id, "2002") == ("permission.denied", None)
    act_as(demo, "1001")  # the manager records a paper form, but the one named is no approver
    assert refused(demo, demo.access.approve, req.id, "2002", paper_form="审-1") == ("access.not_approver", "by")
    assert refused(demo, demo.access.approve, 999, "2002") == ("access.unknown", "request_id")
    act_as(demo, "3001")
    done = demo.access.approve(req.id, "3001")
    assert done.status == "approved" and done.decided_by_number == "3001" and not done.on_paper
    assert refused(demo, demo.access.approve, req.id, "3001") == ("access.decided", "request_id")


def test_only_the_approver_decides_unless_a_paper_form_is_recorded(demo):
    req = demo.access.request("2002", "复核", activity=footage_activity(demo))
    act_as(demo, "2003")  # an officer may not type someone else's approval
    assert logged_refusal(demo, demo.access.approve, req.id, "2001") == ("permission.denied", None)
    act_as(demo, "3001")  # nor an approver another approver's
    assert refused(demo, demo.access.approve, req.id, "2001") == ("access.approver_absent", "by")
    act_as(demo, "1001")  # the manager, without the paper form's number
    assert refused(demo, demo.access.approve, req.id, "2001") == ("access.paper_form_needed", "paper_form")
    done = demo.access.approve(req.id, "2001", paper_form="审-2026-015")
    assert done.on_paper and done.paper_form_no == "审-2026-015"
    assert done.decided_by_number == "2001" and done.recorded_by == "王建国（1001）"
    entry = [e for e in demo.audit.list() if e.action == "approve"][-1]
    assert "代为登记" in entry.summary and "审-2026-015" in entry.summary


def test_confidential_needs_the_confidential_approver_and_is_hidden(demo):
    activity_id = footage_activity(demo)
    demo.activities.set_confidential(activity_id)
    req = demo.access.request("2003", "复核", activity=activity_id)
    assert req.confidential
    act_as(demo, "2001")  # an approver, not the leader the profile names
    assert refused(demo, demo.access.approve, req.id, "2001") == ("access.not_confidential_approver", "by")
    # hidden from lists to those without access
    act_as(demo, "2007")
    assert activity_id not in [a.id for a in demo.activities.list()]
    assert not any(c.activity_id == activity_id for c in demo.footage.list())
    assert req.id not in [r.id for r in demo.access.list()]
    # nor named by its interruptions, work records or the 24-hour reminders
    assert all(g.activity_id != activity_id for g in demo.gaps.list())
    assert all(r.activity_id != activity_id for r in demo.norecords.list())
    assert all(w.id != activity_id for w in demo.footage.waiting() if w.kind == "activity")
    before = events(demo)
    with pytest.raises(UserError) as info:
        demo.activities.open(activity_id)  # its page: refused, and the attempt logged
    assert (info.value.code, info.value.field) == ("activity.confidential", "activity_id")
    assert events(demo) == before + 1
    act_as(demo, "1001")
    assert any(g.activity_id == activity_id for g in demo.gaps.list())  # the demo's gap is in it
    assert demo.activities.open(activity_id).id == activity_id  # cleared: opened, and logged
    assert [e.action for e in demo.audit.list(newest_first=True, limit=1)] == ["view"]
    act_as(demo, "2003")  # the requester sees their own request
    assert req.id in [r.id for r in demo.access.list()]
    act_as(demo, "1001")  # the manager sees all
    assert activity_id in [a.id for a in demo.activities.list()]
    act_as(demo, "1002")
    assert demo.access.approve(req.id, "1002").status == "approved"
    act_as(demo, "2003")  # an approval clears the requester
    assert activity_id in [a.id for a in demo.activities.list()]
    # the manager may not look at confidential pictures without an approval
    act_as(demo, "1001")
    assert logged_refusal(demo, demo.access.preview, req.clip_ids[0]) == ("access.no_approval", "clip_id")


def test_view_is_logged_and_needs_an_approval(demo):
    req = demo.access.request("2002", "复核", activity=footage_activity(demo))
    act_as(demo, "2002")
    assert logged_refusal(demo, demo.access.view_clips, req.id) == ("access.not_approved", "request_id")
    assert demo.access.viewings() == []
    act_as(demo, "1002")
    demo.access.approve(req.id, "1002")
    act_as(demo, "2003")  # not the requester
    assert logged_refusal(demo, demo.access.view_clips, req.id) == ("access.not_requester", "request_id")
    act_as(demo, "2002")
    opened = demo.access.view_clips(req.id, how="details")
    assert opened.viewing.viewer_number == "2002" and opened.viewing.clip_ids == req.clip_ids
    assert all(p.is_file() for p in opened.paths)
    later = demo.ctx.clock() + dt.timedelta(minutes=5)
    demo.ctx.clock = lambda: later
    done = demo.access.finish(opened.viewing.id)
    assert done.duration_s >= 299
    register = demo.access.viewings()
    assert [v.id for v in register] == [opened.viewing.id]
    assert logged_actions()[-2:] == ["view", "view_end"]
    assert chain_intact()


def test_a_viewing_stays_within_the_request(demo):
    first, second = req_clips = [c.id for c in demo.footage.list(activity=footage_activity(demo))][:2]
    req = approved(demo, clips=[first])
    assert req.clip_ids == (first,) and second in req_clips
    act_as(demo, "2002")
    assert logged_refusal(demo, demo.access.view_clips, req.id, clip=second) == ("access.not_covered", "clip")
    assert refused(demo, demo.access.view_clips, req.id, clip=99999) == ("clip.unknown", "clip")
    assert demo.access.view_clips(req.id, clip=first).viewing.clip_ids == (first,)


def test_expired_and_refused_allow_nothing(demo, tmp_path):
    req = approved(demo, kind="copy")
    act_as(demo, "2002")
    until = req.until
    after = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(1, 0))  # 09:00 local the next day
    last = dt.datetime.combine(until, dt.time(15, 0))  # 23:00 local on the date: still valid
    demo.ctx.clock = lambda: last
    assert demo.access.view(req.id).status == "approved"
    demo.ctx.clock = lambda: after
    assert demo.access.view(req.id).status == "expired"
    assert logged_refusal(demo, demo.access.view_clips, req.id) == ("access.expired", "request_id")
    assert logged_refusal(demo, demo.access.extract, req.id, "2002", tmp_path / "out") == (
        "access.expired",
        "request_id",
    )
    assert not (tmp_path / "out").exists()

    other = demo.access.request("2002", "复核", activity=footage_activity(demo))
    act_as(demo, "1002")
    assert refused(demo, demo.access.refuse, other.id, "1002", "") == ("input.empty", "reason")
    done = demo.access.refuse(other.id, "1002", "与本案无关")
    assert done.status == "refused" and done.decision_note == "与本案无关"
    act_as(demo, "2002")
    assert logged_refusal(demo, demo.access.view_clips, other.id) == ("access.refused", "request_id")


def test_view_only_approval_cannot_copy(demo, tmp_path):
    req = approved(demo, kind="view")
    act_as(demo, "2002")
    assert refused(demo, demo.access.extract, req.id, "2002", tmp_path / "out") == ("access.view_only", "request_id")


def test_extraction_files_match_their_hashes(demo, tmp_path):
    req = approved(demo, kind="copy")
    act_as(demo, "2002")
    out = tmp_path / "evidence"
    done = demo.access.extract(req.id, "2002", out)
    assert len(done.files) == len(req.clip_ids) and done.package is None and not done.encrypted
    registered = {c.id: c.sha256 for c in demo.footage.list()}
    for f in done.files:
        assert hashlib.sha256((out / f.name).read_bytes()).hexdigest() == f.sha256 == registered[f.clip_id]
    raw = (out / SHEET_NAME).read_bytes()  # for Windows' Notepad: a byte-order mark, CR LF line ends
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\r\n") == raw.count(b"\n") > 5
    sheet = raw.decode("utf-8-sig")
    assert "提取人：刘洋（2002）" in sheet and "制作人" in sheet and "提取时间" in sheet
    assert "7-Zip" not in sheet  # not packed: nothing to open
    assert all(f.sha256 in sheet for f in done.files)
    assert sorted(p.name for p in out.iterdir()) == sorted([f.name for f in done.files] + sheets())
    if SHEET_PDF in sheets() and shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-raw", str(out / SHEET_PDF), "-"], capture_output=True, text=True).stdout
        flat = "".join(text.split())
        assert "文字说明材料" in flat and "刘洋（2002）" in flat and "提取时间" in flat
        assert all(f.sha256 in flat for f in done.files)  # whole, not cut at the cell's edge
        joined = text.replace("\n", "")  # one unbroken string: wrapped, but nothing inserted (no space)
        assert all(f.sha256 in joined for f in done.files) and "\u200b" not in text
    assert [e.request_id for e in demo.access.extractions()] == [req.id]
    assert logged_actions()[-1] == "extract" and chain_intact()
    # a second extraction into the same, now full, folder is refused
    assert refused(demo, demo.access.extract, req.id, "2002", out) == ("output.not_empty", "out")


def test_encrypted_7z_opens_with_the_password_only(demo, tmp_path):
    req = approved(demo, kind="copy")
    act_as(demo, "2002")
    secret = tmp_path / "pw.txt"
    secret.write_text("正确的密码 42\n", "utf-8")
    out = tmp_path / "pkg"
    done = demo.access.extract(req.id, "2002", out, password_file=secret)
    assert done.encrypted and done.package and [p.name for p in out.iterdir()] == [f"证据调取_{req.id}.7z"]
    names = package_names(done.package, "正确的密码 42")
    assert sorted(names) == sorted([f.name for f in done.files] + sheets())
    with py7zr.SevenZipFile(done.package, "r", password="正确的密码 42") as archive:
        archive.extractall(tmp_path / "opened")
    for f in done.files:
        assert hashlib.sha256((tmp_path / "opened" / f.name).read_bytes()).hexdigest() == f.sha256
    # the recipient is told what opens it: Windows' own viewer cannot open an encrypted file list
    sheet = (tmp_path / "opened" / SHEET_NAME).read_bytes().decode("utf-8-sig")
    assert "7-Zip" in sheet and "p7zip" in sheet and "Windows 自带的压缩文件查看器无法打开" in sheet
    if SHEET_PDF in sheets() and shutil.which("pdftotext"):
        pdf = subprocess.run(
            ["pdftotext", "-raw", str(tmp_path / "opened" / SHEET_PDF), "-"], capture_output=True, text=True
        ).stdout
        flat = "".join(pdf.split())
        assert "打开方式" in flat and "7-Zip" in flat and "p7zip" in flat
    with pytest.raises(UserError) as info:
        package_names(done.package, "wrong")
    assert (info.value.code, info.value.field) == ("evidence.wrong_password", "password")
    with pytest.raises(UserError) as info:
        package_names(done.package)
    assert (info.value.code, info.value.field) == ("evidence.password_needed", "password")
    seven = shutil.which("7z") or shutil.which("7zz")
    if seven:
        good = subprocess.run([seven, "t", "-p正确的密码 42", done.package], capture_output=True)
        assert good.returncode == 0
        bad = subprocess.run([seven, "t", "-pwrong", done.package], capture_output=True)
        assert bad.returncode != 0


def test_plain_7z_without_password(demo, tmp_path):
    req = approved(demo, kind="copy")
    act_as(demo, "1001")  # the manager extracts for the requester
    done = demo.access.extract(req.id, "1001", tmp_path / "pkg", seven_zip=True)
    assert not done.encrypted
    assert SHEET_NAME in package_names(done.package)


def test_preview_needs_an_approval_except_the_managers_own(demo):
    clip = next(c for c in demo.footage.list() if c.activity_id)
    act_as(demo, "2002")
    assert logged_refusal(demo, demo.access.preview, clip.id) == ("access.no_approval", "clip_id")
    act_as(demo, "1001")
    assert demo.access.look(clip.id).approval is None
    assert demo.audit.list()[-1].action == "preview"
    approved(demo)
    act_as(demo, "2002")
    assert demo.access.banner(clip.id) is not None
    look = demo.access.look(clip.id)
    assert look.approval is not None and look.viewing_id
    assert demo.access.viewings()[-1].how == "screen"


def test_the_viewing_register_prints(demo, tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils is not installed")
    from avledger.services.printing import Filters

    req = approved(demo, kind="copy")
    act_as(demo, "2002")
    demo.access.view_clips(req.id)
    demo.access.extract(req.id, "2002", tmp_path / "out")
    act_as(demo, "2003")
    other = demo.access.request("2003", "无关查阅", activity=footage_activity(demo))
    act_as(demo, "1002")
    demo.access.refuse(other.id, "1002", "与本案无关")
    _reg, _scope, sheet = demo.printing.sheet("viewings", Filters())
    assert [r["event"] for r in sheet.rows] == ["申请", "批准", "查阅", "证据调取", "申请", "不予批准"]
    pdf = demo.printing.render_pdf("viewings", Filters(), tmp_path / "v.pdf")
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True).stdout
    flat = "".join(text.split())
    assert "音像记录查阅登记表" in flat and "与本案无关" in flat and "刘洋（2002）" in flat
    _reg, _scope, mine = demo.printing.sheet("viewings", Filters(staff="2003"))
    assert [r["event"] for r in mine.rows] == ["申请"]


def test_marked_confidential_after_the_request(demo):
    activity_id = footage_activity(demo)
    req = demo.access.request("2002", "复核", activity=activity_id)
    assert not req.confidential
    act_as(demo, "2003")
    demo.activities.set_confidential(activity_id)
    assert logged_refusal(demo, demo.activities.set_confidential, activity_id, False) == ("permission.denied", None)
    act_as(demo, "2001")
    assert refused(demo, demo.access.approve, req.id, "2001") == (  # decided as confidential now
        "access.not_confidential_approver",
        "by",
    )
    act_as(demo, "1002")
    done = demo.access.approve(req.id, "1002")
    assert done.confidential and done.status == "approved"
    assert not demo.activities.set_confidential(activity_id, False).confidential
    assert demo.audit.verify().ok
