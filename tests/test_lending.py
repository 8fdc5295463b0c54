"""The lending ledger, pre-use check, faults, repairs and losses (issue 3 services and CLI)."""

from __future__ import annotations

import datetime as dt

import pytest

from avledger.errors import UserError
from avledger.models.schema import AuditEvent, Loan
from avledger.services.lending import PreCheck

GOOD = PreCheck(battery_pct=95, free_gb=30, clock_offset_s=3, notice_given=True)


@pytest.fixture
def office(services):
    services.staff.add("刘洋", "2002", "执法一队", cert_no="C2002", roles=["officer"])
    services.devices.add("JL-001", "bodycam", "执法一队", "2001", price="2380")
    return services


def refused(fn, *args, code: str, field: str | None, **kwargs):
    """``fn`` refuses with ``code``, naming ``field`` (the parameter that held the bad value), and changes nothing."""
    before = AuditEvent.select().count()
    with pytest.raises(UserError) as info:
        fn(*args, **kwargs)
    assert (info.value.code, info.value.field) == (code, field), info.value.render()
    assert AuditEvent.select().count() == before
    return info.value


def test_issue_return_cycle(office):
    loan = office.lending.issue("JL-001", "2001", GOOD, purpose="日常检查")
    assert office.devices.view("JL-001").status == "issued"
    assert office.devices.view("JL-001").holder_number == "2001"
    assert office.devices.view("JL-001").custodian_number == "2001"
    back = office.lending.give_back("JL-001", content="检查三家门店")
    assert back.end_kind == "return" and back.content == "检查三家门店" and back.id == loan.id
    assert office.devices.view("JL-001").status == "in_store"
    assert office.devices.view("JL-001").holder is None
    assert office.audit.verify().ok


def test_only_enforcement_staff_may_hold(office):
    refused(office.lending.issue, "JL-001", "1001", GOOD, code="staff.not_officer", field="holder")
    office.staff.update("2002", active=False)
    refused(office.lending.issue, "JL-001", "2002", GOOD, code="staff.left", field="holder")
    refused(office.lending.issue, "JL-001", "9999", GOOD, code="staff.unknown", field="holder")
    refused(office.lending.issue, "JL-404", "2001", GOOD, code="device.unknown", field="asset_no")
    assert Loan.select().count() == 0


def test_failed_check_refused_unless_reason(office):
    weak = PreCheck(battery_pct=20, free_gb=1, clock_offset_s=300, notice_given=False)
    error = refused(office.lending.issue, "JL-001", "2001", weak, code="loan.check_failed", field="despite")
    for word in ("电量不足", "存储空间不足", "时钟误差过大", "未提醒告知用语"):  # the message names every failure
        assert word in error.render()
    loan = office.lending.issue("JL-001", "2001", weak, despite="紧急出警，无备用设备")
    assert set(loan.check_failures) == {"battery", "storage", "clock", "notice"}
    assert loan.despite == "紧急出警，无备用设备"


def test_thresholds_come_from_the_profile(office):
    office.office.set_value("precheck.min_battery_pct", "99")
    assert office.lending.check_failures(GOOD) == ["battery"]
    refused(office.lending.issue, "JL-001", "2001", GOOD, code="loan.check_failed", field="despite")


def test_impossible_check_values_refused(office):
    bad_battery = PreCheck(battery_pct=101, free_gb=30, clock_offset_s=0, notice_given=True)
    refused(office.lending.issue, "JL-001", "2001", bad_battery, code="input.out_of_range", field="battery")
    bad_storage = PreCheck(battery_pct=90, free_gb=-1, clock_offset_s=0, notice_given=True)
    refused(office.lending.issue, "JL-001", "2001", bad_storage, code="input.out_of_range", field="free_gb")
    refused(office.lending.issue, "JL-001", "2001", GOOD, due="明天", code="input.bad_datetime", field="due")
    refused(
        office.lending.issue,
        "JL-001",
        "2001",
        GOOD,
        at="2026-01-10 09:00",
        due="2026-01-10 08:00",
        code="input.end_before_start",
        field="due",
    )


def test_one_open_loan_and_status_rules(office):
    office.lending.issue("JL-001", "2001", GOOD)
    refused(office.lending.issue, "JL-001", "2002", GOOD, code="device.unavailable", field="asset_no")
    office.lending.give_back("JL-001")
    refused(office.lending.give_back, "JL-001", code="loan.not_out", field="asset_no")
    refused(office.lending.handover, "JL-001", "2002", code="loan.not_out", field="asset_no")
    office.lending.report_fault("JL-001", "无法开机")
    assert office.devices.view("JL-001").status == "in_repair"
    refused(office.lending.issue, "JL-001", "2001", GOOD, code="device.unavailable", field="asset_no")


def test_times_cannot_be_before_issue_or_in_the_future(office):
    office.lending.issue("JL-001", "2001", GOOD, at="2026-01-10 09:00")
    refused(office.lending.give_back, "JL-001", at="2026-01-10 08:59", code="input.before_previous", field="at")
    refused(office.lending.give_back, "JL-001", at="2999-01-01 00:00", code="input.future", field="at")
    refused(office.lending.handover, "JL-001", "2002", at="2026-01-09 10:00", code="input.before_previous", field="at")
    refused(office.lending.give_back, "JL-001", at="yesterday", code="input.bad_datetime", field="at")
    refused(office.lending.give_back, "JL-001", condition="lost", code="input.bad_choice", field="condition")
    office.lending.give_back("JL-001", at="2026-01-10 17:30")
    error = refused(
        office.lending.issue, "JL-001", "2001", GOOD, at="2026-01-10 12:00", code="input.before_previous", field="at"
    )
    assert error.params["time"] == "2026-01-10 17:30"  # the last return


def test_past_times_are_local(office):
    loan = office.lending.issue("JL-001", "2001", GOOD, at="2026-01-10 09:00")
    assert loan.start_at == dt.datetime(2026, 1, 10, 1, 0)  # Asia/Shanghai is UTC+8


def test_handover_is_one_step(office):
    office.lending.issue("JL-001", "2001", GOOD, at="2026-01-10 09:00")
    new = office.lending.handover("JL-001", "2002", at="2026-01-10 13:00")
    assert new.holder_number == "2002" and new.start_kind == "handover" and new.from_holder == "张伟"
    assert office.devices.view("JL-001").holder_number == "2002"
    rows = office.lending.list(asset_no="JL-001")
    assert [(r.holder_number, r.end_kind) for r in rows] == [("2002", None), ("2001", "handover")]
    refused(office.lending.handover, "JL-001", "2002", code="loan.same_holder", field="to")
    refused(office.lending.handover, "JL-001", "1001", code="staff.not_officer", field="to")


def test_overdue_and_history(office):
    office.lending.issue("JL-001", "2001", GOOD, at="2026-01-10 09:00", due="2026-01-10 18:00")
    [late] = office.lending.list(overdue=True)
    assert late.asset_no == "JL-001" and late.overdue
    assert office.lending.list(open_only=True, staff_number="2001")[0].id == late.id
    office.lending.give_back("JL-001", at="2026-01-11 09:00", condition="damaged", content="摔坏")
    assert office.lending.list(overdue=True) == []
    assert office.devices.view("JL-001").status == "in_repair"
    office.lending.repair("JL-001", "sent", at="2026-01-12 09:00")
    office.lending.repair("JL-001", "back", at="2026-01-20 09:00")
    assert office.devices.view("JL-001").status == "in_store"
    kinds = [h.kind for h in office.lending.history("JL-001")]
    assert kinds == ["issue", "fault", "return", "repair_sent", "repair_back"]


def test_history_is_data_in_every_language_and_words_in_the_users(office):
    from avledger.i18n import set_language
    from avledger.services.views import to_json

    weak = PreCheck(battery_pct=20, free_gb=30, clock_offset_s=0, notice_given=True)
    office.lending.issue("JL-001", "2001", weak, at="2026-01-10 09:00", despite="紧急出警")
    office.lending.handover("JL-001", "2002", at="2026-01-10 12:00")
    office.lending.give_back("JL-001", at="2026-01-10 18:00", condition="damaged", content="摔坏")
    office.lending.repair("JL-001", "sent", at="2026-01-11 09:00")
    office.lending.repair("JL-001", "back", at="2026-01-12 09:00")
    office.lending.record_liability("JL-001", "damaged", "2002", amount="100", at="2026-01-12 10:00")
    zh = office.lending.history("JL-001")
    words = [e.text for e in zh]
    assert words == [
        "张伟（2001）领用，检查未通过仍领用：紧急出警",
        "张伟 交接给 刘洋（2002）",
        "故障登记：摔坏",
        "刘洋 归还（损坏）；记录内容：摔坏",
        "送厂维修",
        "修复返回入库",
        "损坏，责任人 刘洋（2002），赔偿 100.00 元",
    ]
    assert zh[0].at == dt.datetime(2026, 1, 10, 1, 0)  # naive UTC, not local time
    set_language("en")
    try:
        en = office.lending.history("JL-001")
        assert [to_json(e) for e in en] == [to_json(e) for e in zh]  # the data: the same in every language
        english = [e.text for e in en]  # worded when asked, in the language of the moment
        assert english[0] == "issued to 张伟 (2001), issued despite a failed check: 紧急出警"
        assert all(a != b for a, b in zip(english, words))
    finally:
        set_language("zh")


def test_fault_on_issued_device_refused(office):
    office.lending.issue("JL-001", "2001", GOOD)
    refused(office.lending.report_fault, "JL-001", "镜头裂", code="device.in_use", field="asset_no")
    refused(office.lending.repair, "JL-001", "back", code="repair.no_fault", field="asset_no")


def test_repair_times_follow_the_fault(office):
    office.lending.report_fault("JL-001", "无法开机", at="2026-01-10 09:00")
    refused(office.lending.repair, "JL-001", "sent", at="2026-01-10 08:00", code="input.before_previous", field="at")
    office.lending.repair("JL-001", "sent", at="2026-01-10 10:00")
    refused(office.lending.repair, "JL-001", "sent", code="repair.already_sent", field="asset_no")
    refused(office.lending.repair, "JL-001", "back", at="2026-01-10 09:30", code="input.before_previous", field="at")


def test_loss_closes_loan_and_charges_original_price(office):
    office.lending.issue("JL-001", "2001", GOOD)
    case = office.lending.record_liability("JL-001", "lost", "2001")
    assert case.amount_yuan == "2380.00"
    assert office.devices.view("JL-001").status == "lost"
    assert office.lending.list(open_only=True) == []
    refused(office.lending.issue, "JL-001", "2001", GOOD, code="device.unavailable", field="asset_no")
    refused(office.lending.record_liability, "JL-001", "lost", "2001", code="device.unavailable", field="asset_no")


def test_liability_needs_an_amount_without_a_price(office):
    office.devices.add("JL-002", "bodycam", "执法一队", "2001")
    refused(office.lending.record_liability, "JL-002", "damaged", "2001", code="liability.no_price", field="amount")
    refused(
        office.lending.record_liability,
        "JL-002",
        "damaged",
        "2001",
        amount="1,5",
        code="input.bad_amount",
        field="amount",
    )
    refused(office.lending.record_liability, "JL-002", "damaged", "9999", code="staff.unknown", field="liable")
    assert office.audit.verify().ok


def test_liability_amount_that_is_not_money_refused(office):
    refused(
        office.lending.record_liability, "JL-001", "lost", "2001", amount="NaN", code="input.bad_amount", field="amount"
    )
    assert office.devices.view("JL-001").status == "in_store"


def test_cli_loan_flow(office, cli):
    office.close()
    out = cli(
        "loan",
        "out",
        "JL-001",
        "--to",
        "2001",
        "--battery",
        "90",
        "--free-gb",
        "20",
        "--clock-offset",
        "2",
        "--notice-given",
        "--at",
        "2026-01-10 09:00",
        "--due",
        "2026-01-10 18:00",
    )
    assert out.code == 0, out.err
    overdue = cli("loan", "list", "--overdue", "--json").json()
    assert [r["asset_no"] for r in overdue] == ["JL-001"]
    bad = cli(
        "loan",
        "out",
        "JL-001",
        "--to",
        "2002",
        "--battery",
        "90",
        "--free-gb",
        "20",
        "--clock-offset",
        "2",
        "--notice-given",
    )
    assert bad.code == 2 and "不能领用" in bad.err
    assert cli("loan", "handover", "JL-001", "--to", "2002", "--at", "2026-01-10 12:00").code == 0
    back = cli("loan", "in", "JL-001", "--content", "现场检查", "--at", "2026-01-10 17:00")
    assert back.code == 0, back.err
    weak = cli(
        "loan",
        "out",
        "JL-001",
        "--to",
        "2001",
        "--battery",
        "5",
        "--free-gb",
        "20",
        "--clock-offset",
        "2",
        "--notice-given",
    )
    assert weak.code == 2 and "电量不足" in weak.err
    assert cli("device", "fault", "JL-001", "--desc", "无法开机").code == 0
    assert cli("device", "repair", "JL-001", "--sent").code == 0
    assert cli("device", "repair", "JL-001", "--back").code == 0
    assert cli("device", "lost", "JL-001", "--liable", "2001").code == 0
    assert cli("device", "show", "JL-001", "--json").json()["status"] == "lost"
    assert cli("audit", "verify").code == 0
    assert len(cli("loan", "list", "--device", "JL-001", "--json").json()) == 2
    history = cli("device", "history", "JL-001", "--json").json()
    kinds = [e["kind"] for e in history]
    assert kinds[:3] == ["issue", "handover", "return"] and kinds[-1] == "liability"
    assert {"fault", "repair_sent", "repair_back"} <= set(kinds)
    shown = cli("device", "show", "JL-001")
    assert "使用与维修记录" in shown.out and "送厂维修" in shown.out
    assert cli("device", "history", "NO-SUCH").code == 2


def test_demo_device_in_repair_can_come_back(demo):
    assert demo.devices.view("SX-2020-001").status == "in_repair"
    demo.lending.repair("SX-2020-001", "back")
    assert demo.devices.view("SX-2020-001").status == "in_store"
