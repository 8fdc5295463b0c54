"""The audit log in words: every field of every audited model has a label (issue 18)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from avledger.auditfields import FIELD_LABELS, field_value, record_name
from avledger.models.schema import AUDITED


def test_every_field_of_every_audited_model_has_a_label():
    missing = [
        f"{entity}.{name}"
        for entity, model in AUDITED.items()
        for name in model._meta.sorted_field_names
        if name != "id" and name not in FIELD_LABELS.get(entity, {})
    ]
    assert missing == []


def test_values_read_in_words_and_local_time():
    tz = ZoneInfo("Asia/Shanghai")
    assert field_value("loan", "start_at", "2026-03-01 16:30:00", tz) == "2026-03-02 00:30"
    assert field_value("device", "purchased", "2024-05-01", tz) == "2024-05-01"  # a date stays a date
    assert field_value("activity", "kind", "inspection", tz) == "日常检查"
    assert field_value("device", "kind", "bodycam", tz) == "执法记录仪"
    assert field_value("norecord", "reason", "dark_no_infrared", tz) == "较黑暗的地下空间未配备红外夜视设备"
    assert field_value("loan", "holder", 4, tz, person={4: "刘洋（2002）"}.get) == "刘洋（2002）"
    assert field_value("device", "price_fen", 259900, tz) == "2599.00"


def test_records_are_named_as_a_person_knows_them():
    assert record_name("device", 2, {"asset_no": "JL-2024-003"}) == "设备 JL-2024-003"
    assert record_name("staff", 1, {"name": "王建国", "number": "1001"}) == "人员 王建国（1001）"
    assert record_name("loan", 3, {"device": 2}) == "领用 #3"
