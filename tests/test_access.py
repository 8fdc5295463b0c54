"""Viewing approvals, the viewing register, evidence extraction, confidential records (F14-F17)."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess

import py7zr
import pytest

from avledger.errors import UserError
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
    """The person at the keyboard: the OS user mapped to this member of staff."""
    user = f"user{number}"
    if svc.staff.view(number).os_user != user:
        svc.staff.update(number, os_user=user)
    svc.ctx.os_user = user


def events(svc) -> int:
    return len(svc.audit.list())


def footage_activity(svc) -> int:
    return next(c.activity_id for c in svc.footage.list() if c.activity_id)


def refused(svc, call, *args, **kwargs) -> str:
    before = events(svc)
    with pytest.raises(UserError) as info:
        call(*args, **kwargs)
    assert events(svc) == before, "a refusal changes nothing"
    return info.value.render()


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
    assert "一项" in refused(demo, demo.access.request, "2002", "x", activity=activity, clips=[1])
    assert "不能为空" in refused(demo, demo.access.request, "2002", " ", activity=activity)
    assert "没有这个案件编号" in refused(demo, demo.access.request, "2002", "x", case_no="不存在")
    assert "没有音像文件" in refused(
        demo, demo.access.request, "2002", "x", activity=next(a.id for a in demo.activities.list() if a.clips == 0)
    )
    assert "早于今天" in refused(demo, demo.access.request, "2002", "x", activity=activity, until="2000-01-01")
    demo.staff.update("2004", active=False)
    assert "已离职" in refused(demo, demo.access.request, "2004", "x", activity=activity)


def test_self_approval_and_non_approver_are_refused(demo):
    req = demo.access.request("2001", "复核", activity=footage_activity(demo))
    act_as(demo, "2001")
    assert "本人" in refused(demo, demo.access.approve, req.id, "2001")
    act_as(demo, "2002")
    assert "不是审批人" in refused(demo, demo.access.approve, req.id, "2002")
    act_as(demo, "3001")
    done = demo.access.approve(req.id, "3001")
    assert done.status == "approved" and done.decided_by_number == "3001" and not done.on_paper
    assert "已经审批" in refused(demo, demo.access.approve, req.id, "3001")


def test_only_the_approver_decides_unless_a_paper_form_is_recorded(demo):
    req = demo.access.request("2002", "复核", activity=footage_activity(demo))
    act_as(demo, "2003")  # an officer may not type someone else's approval
    assert "审批人本人" in refused(demo, demo.access.approve, req.id, "2001")
    act_as(demo, "1001")  # the manager, without the paper form's number
    assert "纸质审批表" in refused(demo, demo.access.approve, req.id, "2001")
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
    assert "保密" in refused(demo, demo.access.approve, req.id, "2001")
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
    with pytest.raises(UserError, match="涉密"):
        demo.activities.open(activity_id)  # its page: refused, and the attempt logged
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
    before = events(demo)
    with pytest.raises(UserError):
        demo.access.preview(req.clip_ids[0])
    assert events(demo) == before + 1  # the attempt is logged


def test_view_is_logged_and_needs_an_approval(demo):
    req = demo.access.request("2002", "复核", activity=footage_activity(demo))
    act_as(demo, "2002")
    before = events(demo)
    with pytest.raises(UserError) as info:
        demo.access.view_clips(req.id)
    assert "尚未批准" in info.value.render()
    assert events(demo) == before + 1 and demo.audit.list()[-1].action == "view_refused"
    assert demo.access.viewings() == []
    act_as(demo, "1002")
    demo.access.approve(req.id, "1002")
    act_as(demo, "2003")  # not the requester
    with pytest.raises(UserError):
        demo.access.view_clips(req.id)
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
    assert [e.action for e in demo.audit.list()][-2:] == ["view", "view_end"]
    assert demo.audit.verify().ok


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
    with pytest.raises(UserError, match="过期"):
        demo.access.view_clips(req.id)
    with pytest.raises(UserError, match="过期"):
        demo.access.extract(req.id, "2002", tmp_path / "out")
    assert not (tmp_path / "out").exists()

    other = demo.access.request("2002", "复核", activity=footage_activity(demo))
    act_as(demo, "1002")
    assert "不能为空" in refused(demo, demo.access.refuse, other.id, "1002", "")
    done = demo.access.refuse(other.id, "1002", "与本案无关")
    assert done.status == "refused" and done.decision_note == "与本案无关"
    act_as(demo, "2002")
    with pytest.raises(UserError, match="不予批准"):
        demo.access.view_clips(other.id)


def test_view_only_approval_cannot_copy(demo, tmp_path):
    req = approved(demo, kind="view")
    act_as(demo, "2002")
    with pytest.raises(UserError, match="不能复制"):
        demo.access.extract(req.id, "2002", tmp_path / "out")


def test_extraction_files_match_their_hashes(demo, tmp_path):
    req = approved(demo, kind="copy")
    act_as(demo, "2002")
    out = tmp_path / "evidence"
    done = demo.access.extract(req.id, "2002", out)
    assert len(done.files) == len(req.clip_ids) and done.package is None and not done.encrypted
    registered = {c.id: c.sha256 for c in demo.footage.list()}
    for f in done.files:
        assert hashlib.sha256((out / f.name).read_bytes()).hexdigest() == f.sha256 == registered[f.clip_id]
    sheet = (out / SHEET_NAME).read_text("utf-8")
    assert "提取人：刘洋（2002）" in sheet and "制作人" in sheet and "提取时间" in sheet
    assert all(f.sha256 in sheet for f in done.files)
    assert sorted(p.name for p in out.iterdir()) == sorted([f.name for f in done.files] + sheets())
    if SHEET_PDF in sheets() and shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-raw", str(out / SHEET_PDF), "-"], capture_output=True, text=True).stdout
        flat = "".join(text.split())
        assert "文字说明材料" in flat and "刘洋（2002）" in flat and "提取时间" in flat
        assert all(f.sha256 in flat for f in done.files)  # whole, not cut at the cell's edge
    assert [e.request_id for e in demo.access.extractions()] == [req.id]
    assert demo.audit.list()[-1].action == "extract" and demo.audit.verify().ok
    # a second extraction into the same, now full, folder is refused
    assert "不是空目录" in refused(demo, demo.access.extract, req.id, "2002", out)


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
    with pytest.raises(UserError, match="密码错误"):
        package_names(done.package, "wrong")
    with pytest.raises(UserError, match="需要密码"):
        package_names(done.package)
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
    before = events(demo)
    with pytest.raises(UserError, match="没有批准"):
        demo.access.preview(clip.id)
    assert events(demo) == before + 1 and demo.audit.list()[-1].action == "view_refused"
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
    assert "取消保密" in refused(demo, demo.activities.set_confidential, activity_id, False)
    act_as(demo, "2001")
    assert "保密" in refused(demo, demo.access.approve, req.id, "2001")  # decided as confidential now
    act_as(demo, "1002")
    done = demo.access.approve(req.id, "1002")
    assert done.confidential and done.status == "approved"
    assert not demo.activities.set_confidential(activity_id, False).confidential
    assert demo.audit.verify().ok
