"""The record checklist (音像记录事项清单, F20): Pingdingshan's annex 2 on an activity, ticked, missing, printed."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from avledger.errors import UserError
from avledger.identity import Identity
from avledger.models.schema import AuditEvent, ChecklistTick, Office
from avledger.services import Services

ANNEX2_RECORD = "记录当事人或在场有关人员不配合调查笔录审核及签字的过程及结果"


@pytest.fixture
def pds(home):
    """A Pingdingshan register: a hearing and an inspection."""
    svc = Services(home, Identity.console("tester"))
    svc.office.init("平顶山市民族宗教事务局", "pingdingshan")
    svc.departments.add("执法科", "A")
    svc.staff.add("张伟", "2001", "执法科", cert_no="C2001", roles=["officer"])
    svc.activities.add("hearing", "行政处罚听证", "2026-01-05 09:00", officers=["2001"])
    svc.activities.add("inspection", "宗教活动场所检查", "2026-01-06 09:00", officers=["2001"], place="某寺院")
    yield svc
    svc.close()


def test_annex2_items_by_kind(pds):
    hearing = {e.item.key: e.item for e in pds.checklist.entries(1)}
    assert "annex2_hearing" in hearing and "annex2_record" not in hearing
    row = hearing["annex2_hearing"]
    # the annex's columns, as the regulation gives them
    assert (row.category, row.matter, row.stage, row.place, row.recorder) == (
        "行政处罚",
        "听证",
        "调查取证",
        "听证会场",
        "听证记录员",
    )
    assert (row.start, row.content, row.end, row.storage, row.record_type) == (
        "举行听证会开始",
        "听证全过程",
        "听证会议结束",
        "与文字材料存储时间一致",
        "会议类",
    )
    inspection = [e.item.key for e in pds.checklist.entries(2)]
    assert inspection == ["landmark", "credentials", "scene", "questioning", "signing", "annex2_record"]
    assert all(not e.ticked for e in pds.checklist.entries(2))


def test_tick_shows_who_and_what_is_missing(pds):
    entry = pds.checklist.tick(2, "annex2_record", note="第2段 03:10")
    assert entry.ticked and entry.note == "第2段 03:10" and entry.ticked_by == "tester"
    missing = [i.key for i in pds.checklist.missing(2)]
    assert missing == ["landmark", "credentials", "scene", "questioning", "signing"]
    with pytest.raises(UserError) as info:
        pds.checklist.tick(2, "annex2_record")
    assert info.value.code == "checklist.already_ticked"
    with pytest.raises(UserError) as info:
        pds.checklist.tick(2, "annex2_hearing")  # a hearing's item, not an inspection's
    assert (info.value.code, info.value.field) == ("checklist.unknown_item", "item")
    assert ChecklistTick.select().count() == 1
    [event] = AuditEvent.select().where(AuditEvent.action == "checklist_tick")
    assert event.entity == "checklist_tick" and json.loads(event.after)["item"] == "annex2_record"
    assert pds.audit.verify().ok


def test_an_item_dropped_from_the_profile_still_reads_as_ticked(pds):
    pds.checklist.tick(1, "annex2_hearing")
    office = Office.get_by_id(1)
    data = json.loads(office.profile)
    data["checklist"]["items"] = [i for i in data["checklist"]["items"] if i["key"] != "annex2_hearing"]
    Office.update(profile=json.dumps(data, ensure_ascii=False)).where(Office.id == 1).execute()
    pds.ctx.forget_profile()
    [dropped] = [e for e in pds.checklist.entries(1) if e.dropped]
    assert (dropped.item.key, dropped.item.content, dropped.ticked) == ("annex2_hearing", "听证全过程", True)


def test_a_register_older_than_the_checklist_reads_its_preset(pds):
    office = Office.get_by_id(1)
    data = json.loads(office.profile)
    del data["checklist"]
    Office.update(profile=json.dumps(data, ensure_ascii=False)).where(Office.id == 1).execute()
    pds.ctx.forget_profile()
    assert "annex2_record" in [e.item.key for e in pds.checklist.entries(2)]


def test_an_officer_ticks_but_a_leader_may_not(pds, home):
    pds.staff.add("李局", "1001", "执法科", roles=["leader"], os_user="boss")
    boss = Services(home, Identity.console("boss"))
    try:
        with pytest.raises(UserError) as info:
            boss.checklist.tick(2, "scene")
        assert info.value.code == "permission.denied"
    finally:
        boss.close()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_printed_checklist(pds, tmp_path):
    pds.checklist.tick(2, "annex2_record", note="笔录签字")
    from avledger.services.printing import Filters

    pdf = pds.printing.render_pdf("checklist", Filters(activity="2"), tmp_path / "c.pdf")
    text = "".join(subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True).stdout.split())
    assert "音像记录事项清单" in text
    for words in ("行政检查", "调查取证", "调查笔录", "进入检查现场时", ANNEX2_RECORD, "离开检查现场时", "场景类"):
        assert words in text, words
    assert "共6项，缺5项" in text
    assert "听证全过程" not in text  # only the activity asked for
    path, rows = pds.printing.export("checklist", Filters(), tmp_path / "c.xlsx")
    assert rows == 8  # the hearing's two items (P7(二) and annex 2 no. 2) and the inspection's six


def test_cli(pds, cli):
    shown = cli("checklist", "show", "2", "--json")
    assert shown.code == 0, shown.err
    assert shown.json()["missing"][-1] == "annex2_record"
    ticked = cli("checklist", "tick", "2", "annex2_record", "--note", "笔录")
    assert ticked.code == 0, ticked.err
    again = cli("checklist", "tick", "2", "annex2_record", "--json")
    assert again.code == 2
    text = cli("checklist", "show", "2")
    assert "缺 5 项" in text.out and ANNEX2_RECORD in text.out
    assert cli("audit", "verify").code == 0
