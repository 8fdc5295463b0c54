"""Free text is refused with control characters and bidirectional controls, and numbers must be finite
(issue 13); text an older register already holds reaches no terminal, page or spreadsheet raw.

The walk: every public method of every service that takes text is listed in CASES with arguments that would
pass, and each of its text parameters in turn is given ``ESC [2J`` (clears a terminal) and U+202E (reverses
what follows); each call must be refused with ``input.control_chars`` naming that parameter, and nothing may
change (the register's tables, the audit log, the files). A method that takes text and is not listed fails
the walk: a new one must be added here (or to EXEMPT, with the reason).
"""

from __future__ import annotations

import dataclasses
import inspect
import io
import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

from avledger.errors import UserError
from avledger.plaintext import UNSAFE, visible
from avledger.services import Services
from avledger.services.lending import PreCheck
from avledger.services.printing import Filters
from avledger.timeutil import fmt_local
from conftest import cli_env

BAD = ("\x1b[2J", "\u202e")
GOOD = PreCheck(battery_pct=95, free_gb=20.0, clock_offset_s=1, notice_given=True)

# (service, method) -> (positional-or-keyword arguments that pass, the text parameters to try). A parameter
# that takes a list is given [bad]. ``changes`` of devices.update and the fields of Filters are walked too.
CASES: dict[tuple[str, str], tuple[dict, tuple[str, ...]]] = {
    ("office", "init"): ({"unit": "某局", "preset": "wanzhou"}, ("unit", "preset")),
    ("office", "set_unit"): ({"unit": "某局"}, ("unit",)),
    ("office", "set_value"): ({"path": "precheck.notice_text", "value": "请配合"}, ("path", "value")),
    ("departments", "add"): ({"name": "新科室", "alloc_class": "A"}, ("name", "alloc_class")),
    ("departments", "get"): ({"name": "执法一队"}, ("name",)),
    ("departments", "set_class"): ({"name": "执法一队", "alloc_class": "B"}, ("name", "alloc_class")),
    ("staff", "add"): (
        {
            "name": "新人",
            "number": "9001",
            "dept": "执法一队",
            "cert_no": "C9001",
            "roles": ["officer"],
            "os_user": "x",
        },
        ("name", "number", "dept", "cert_no", "roles", "os_user"),
    ),
    ("staff", "get"): ({"number": "2002"}, ("number",)),
    ("staff", "view"): ({"number": "2002"}, ("number",)),
    ("staff", "update"): (
        {"number": "2002", "name": "刘洋", "dept": "执法一队", "cert_no": "C1", "roles": ["officer"], "os_user": "y"},
        ("number", "name", "dept", "cert_no", "roles", "os_user"),
    ),
    ("devices", "add"): (
        {
            "asset_no": "JL-NEW-001",
            "kind": "bodycam",
            "dept": "执法一队",
            "custodian": "2001",
            "model": "M",
            "serial": "S",
            "fixed_asset_no": "F",
            "purchased": "2024-01-01",
            "price": "100.00",
            "abilities": ["gps"],
            "media_time": "utc",
            "notes": "N",
        },
        (
            "asset_no",
            "kind",
            "dept",
            "custodian",
            "model",
            "serial",
            "fixed_asset_no",
            "purchased",
            "price",
            "abilities",
            "media_time",
            "notes",
        ),  # fmt: skip
    ),
    ("devices", "get"): ({"asset_no": "JL-2023-002"}, ("asset_no",)),
    ("devices", "view"): ({"asset_no": "JL-2023-002"}, ("asset_no",)),
    ("devices", "list"): ({"status": "in_store", "dept": "执法一队", "kind": "bodycam"}, ("status", "dept", "kind")),
    ("devices", "update"): (
        {
            "asset_no": "JL-2023-002",
            "model": "M2",
            "serial": "S2",
            "fixed_asset_no": "F2",
            "notes": "N2",
            "kind": "bodycam",
            "dept": "执法一队",
            "custodian": "2001",
            "purchased": "2023-03-15",
            "price": "1.00",
            "abilities": ["gps"],
            "media_time": "utc",
        },  # fmt: skip
        (
            "asset_no",
            "model",
            "serial",
            "fixed_asset_no",
            "notes",
            "kind",
            "dept",
            "custodian",
            "purchased",
            "price",
            "abilities",
            "media_time",
        ),  # fmt: skip
    ),
    ("lending", "issue"): (
        {
            "asset_no": "JL-2023-002",
            "holder": "2002",
            "check": GOOD,
            "due": "2099-01-01 12:00",
            "purpose": "检查",
            "despite": "备用",
            "at": "2025-01-01 09:00",
        },  # fmt: skip
        ("asset_no", "holder", "due", "purpose", "despite", "at"),
    ),
    ("lending", "give_back"): (
        {"asset_no": "JL-2024-004", "content": "拍摄", "condition": "ok", "at": "2025-01-01 09:00"},
        ("asset_no", "content", "condition", "at"),
    ),
    ("lending", "handover"): (
        {"asset_no": "JL-2024-004", "to": "2002", "at": "2025-01-01 09:00"},
        ("asset_no", "to", "at"),
    ),
    ("lending", "report_fault"): (
        {"asset_no": "JL-2023-002", "description": "坏了", "at": "2025-01-01 09:00"},
        ("asset_no", "description", "at"),
    ),
    ("lending", "repair"): (
        {"asset_no": "SX-2020-001", "step": "back", "outcome": "修好", "at": "2025-01-01 09:00"},
        ("asset_no", "step", "outcome", "at"),
    ),
    ("lending", "record_liability"): (
        {
            "asset_no": "JL-2023-002",
            "kind": "damaged",
            "liable": "2002",
            "amount": "10.00",
            "description": "摔坏",
            "at": "2025-01-01 09:00",
        },  # fmt: skip
        ("asset_no", "kind", "liable", "amount", "description", "at"),
    ),
    ("lending", "list"): ({"asset_no": "JL-2023-002", "staff_number": "2002"}, ("asset_no", "staff_number")),
    ("lending", "faults"): ({"asset_no": "JL-2023-002"}, ("asset_no",)),
    ("lending", "liabilities"): ({"asset_no": "JL-2023-002"}, ("asset_no",)),
    ("lending", "history"): ({"asset_no": "JL-2023-002"}, ("asset_no",)),
    ("activities", "add"): (
        {
            "kind": "inspection",
            "title": "检查",
            "start": "2025-01-01 09:00",
            "end": "2025-01-01 10:00",
            "officers": ["2002"],
            "case_no": "案1",
            "case_name": "某案",
            "party": "某店",
            "place": "某路",
            "circumstances": ["obstruction"],
            "long_term": ["objection"],
        },  # fmt: skip
        (
            "kind",
            "title",
            "start",
            "end",
            "officers",
            "case_no",
            "case_name",
            "party",
            "place",
            "circumstances",
            "long_term",
        ),  # fmt: skip
    ),
    ("activities", "close"): ({"activity_id": "1", "at": "2099-01-01"}, ("activity_id", "at")),
    ("devicecare", "upkeep"): (
        {"asset_no": "JL-2023-002", "what": "清洁", "at": "2025-01-01 09:00"},
        ("asset_no", "what", "at"),
    ),
    ("devicecare", "upkeep_log"): ({"asset_no": "JL-2023-002"}, ("asset_no",)),
    ("devicecare", "retirement"): ({"asset_no": "JL-2023-002"}, ("asset_no",)),
    ("devicecare", "retire"): (
        {"asset_no": "JL-2023-002", "reason": "老化", "by": "1002", "paper_form": "BF-1"},
        ("asset_no", "reason", "by", "paper_form"),
    ),
    ("activities", "edit"): (
        {
            "activity_id": "1",
            "why": "补录",
            "start": "2025-01-01 09:00",
            "end": "2025-01-01 10:00",
            "place": "某路",
            "party": "某店",
            "case_no": "案1",
            "case_name": "某案",
            "officers": ["2002"],
            "long_term": ["objection"],
            "outside_reason": "复查录像",
        },  # fmt: skip
        (
            "activity_id",
            "why",
            "start",
            "end",
            "place",
            "party",
            "case_no",
            "case_name",
            "officers",
            "long_term",
            "outside_reason",
        ),
    ),
    ("activities", "get"): ({"activity_id": "1"}, ("activity_id",)),
    ("activities", "view"): ({"activity_id": "1"}, ("activity_id",)),
    ("activities", "open"): ({"activity_id": "1"}, ("activity_id",)),
    ("activities", "set_confidential"): ({"activity_id": "1"}, ("activity_id",)),
    ("norecords", "add"): (
        {
            "activity_id": "3",
            "reason": "other",
            "basis": "依据",
            "signers": ["4002", "4003"],
            "reported_to": "1002",
            "at": "2025-01-01 09:00",
        },  # fmt: skip
        ("activity_id", "reason", "basis", "signers", "reported_to", "at"),
    ),
    ("norecords", "list"): ({"activity": "3"}, ("activity",)),
    ("spotchecks", "draw"): (
        {
            "date_from": "2020-01-01",
            "date_to": "2099-12-31",
            "share": "50",
            "dept": "稽查科",
            "officer": "4002",
            "by": "4001",
            "seed": "种子",
        },  # fmt: skip
        ("date_from", "date_to", "share", "dept", "officer", "by", "seed"),
    ),
    ("spotchecks", "record"): (
        {"check_id": "CHECK", "activity_id": "DRAWN", "items": {"recorded": "ok"}, "note": "说明", "score": "80"},
        ("check_id", "activity_id", "note", "score"),
    ),
    ("spotchecks", "close"): ({"check_id": "CHECK"}, ("check_id",)),
    ("spotchecks", "get"): ({"check_id": "CHECK"}, ("check_id",)),
    ("spotchecks", "view"): ({"check_id": "CHECK"}, ("check_id",)),
    ("violations", "add"): (
        {
            "staff": "2002",
            "article": "D33",
            "what": "擅自借给他人",
            "activity": "1",
            "clip": None,
            "loan": None,
            "check": "CHECK",
        },  # fmt: skip
        ("staff", "article", "what", "activity", "check"),
    ),
    ("violations", "decide"): (
        {"violation_id": "VIOL", "sanction": "suspension", "by": "1002", "until": "2099-01-01", "paper_form": "决-1"},
        ("violation_id", "sanction", "by", "until", "paper_form"),
    ),
    ("violations", "get"): ({"violation_id": "VIOL"}, ("violation_id",)),
    ("violations", "view"): ({"violation_id": "VIOL"}, ("violation_id",)),
    ("violations", "list"): ({"staff": "2002"}, ("staff",)),
    ("violations", "acknowledge"): (
        {"violation_id": "DECIDED", "at": "NOW", "note": "已阅"},
        ("violation_id", "at", "note"),
    ),
    ("access", "for_check"): ({"check": "CHECK", "activity": "DRAWN"}, ("check", "activity")),
    ("access", "view_for_check"): (
        {"check": "CHECK", "activity": "DRAWN", "how": "details"},
        ("check", "activity", "how"),
    ),
    ("stats", "trend"): ({"date_from": "2026-01-01", "date_to": "2026-12-31"}, ("date_from", "date_to")),
    ("ingest", "scan"): (
        {"source": "CARD", "device": "JL-2024-003", "activity": "2"},
        ("source", "device", "activity"),
    ),
    ("ingest", "resolve"): (
        {"plan": "PLAN", "index": 0, "device": "JL-2024-003", "activity": "2"},
        ("device", "activity"),
    ),
    ("footage", "assign"): (
        {"clip_id": "1", "activity_id": "2", "reason": "归错"},
        ("clip_id", "activity_id", "reason"),
    ),
    ("footage", "explain_late"): ({"clip_id": "1", "reason": "路远"}, ("clip_id", "reason")),
    ("footage", "explain_late_many"): ({"clip_ids": ["1", "2"], "reason": "路远"}, ("clip_ids", "reason")),
    ("footage", "assign_many"): (
        {"clip_ids": ["1", "2"], "activity_id": "2", "reason": "归错"},
        ("clip_ids", "activity_id", "reason"),
    ),
    ("footage", "waiting_reason"): ({"activity": "1"}, ("activity",)),
    ("footage", "get"): ({"clip_id": "1"}, ("clip_id",)),
    ("footage", "view"): ({"clip_id": "1"}, ("clip_id",)),
    ("footage", "list"): ({"activity": "1"}, ("activity",)),
    ("footage", "verify"): ({"activity": "1"}, ("activity",)),
    ("gaps", "explain"): ({"gap_id": "1", "reason": "battery", "note": "换电池"}, ("gap_id", "reason", "note")),
    ("gaps", "list"): ({"activity": "1"}, ("activity",)),
    ("checklist", "tick"): (
        {"activity_id": "1", "item": "place_time", "note": "见第1段"},
        ("activity_id", "item", "note"),
    ),
    ("checklist", "show"): ({"activity_id": "1"}, ("activity_id",)),
    ("stats", "period"): ({"date_from": "2026-01-01", "date_to": "2026-12-31"}, ("date_from", "date_to")),
    ("stats", "report"): (
        {"date_from": "2026-01-01", "date_to": "2026-12-31", "by": "dept"},
        ("date_from", "date_to", "by"),
    ),
    ("checklist", "entries"): ({"activity": "1"}, ("activity",)),
    ("checklist", "missing"): ({"activity": "1"}, ("activity",)),
    ("access", "request"): (
        {
            "requester": "1001",
            "reason": "复核",
            "activity": "1",
            "reason_kind": "case_handling",
            "kind": "view",
            "until": "2099-01-01",
        },  # fmt: skip
        ("requester", "reason", "activity", "reason_kind", "kind", "until"),
    ),
    ("access", "approve"): (
        {"request_id": "REQ", "by": "1002", "paper_form": "审-9"},
        ("request_id", "by", "paper_form"),
    ),
    ("access", "refuse"): ({"request_id": "REQ", "by": "1002", "reason": "不同意"}, ("request_id", "by", "reason")),
    ("access", "get"): ({"request_id": "REQ"}, ("request_id",)),
    ("access", "damaged_clips"): ({"request_id": "REQ"}, ("request_id",)),
    ("access", "view"): ({"request_id": "REQ"}, ("request_id",)),
    ("access", "view_clips"): (
        {"request_id": "APPROVED", "clip": "1", "how": "details"},
        ("request_id", "clip", "how"),
    ),
    ("access", "extract"): (
        {"request_id": "APPROVED", "extractor": "1001", "out": "OUT", "password_file": "PW"},
        ("request_id", "extractor", "out", "password_file"),
    ),
    ("access", "open_clip"): ({"clip_id": "1"}, ("clip_id",)),
    ("access", "look"): ({"clip_id": "1"}, ("clip_id",)),
    ("access", "preview"): ({"clip_id": "1"}, ("clip_id",)),
    ("access", "banner"): ({"clip_id": "1"}, ("clip_id",)),
    ("access", "viewings"): ({"request": "REQ"}, ("request",)),
    ("access", "extractions"): ({"request": "REQ"}, ("request",)),
    ("discs", "plan"): ({"activity": "2", "media": "dvd"}, ("activity", "media")),
    ("discs", "build"): ({"out": "OUT", "activity": "2", "media": "dvd"}, ("out", "activity", "media")),
    ("discs", "burn"): (
        {"image": "x.iso", "drive": "stdio:x.img", "copy": 1, "kept_at": "柜1"},
        ("image", "drive", "kept_at"),
    ),
    ("discs", "keep"): ({"volume_id": "AVL000000S1D1", "copy": 1, "kept_at": "柜1"}, ("volume_id", "kept_at")),
    ("discs", "get"): ({"volume_id": "AVL000000S1D1"}, ("volume_id",)),
    ("discs", "verify"): ({"drive": "stdio:x.img"}, ("drive",)),
    ("printing", "get"): ({"name": "devices"}, ("name",)),
    ("printing", "sheet"): ({"name": "devices"}, ("name",)),
    ("printing", "render_pdf"): ({"name": "devices", "out_path": "OUT.pdf"}, ("name", "out_path")),
    ("printing", "export"): ({"name": "devices", "out_path": "OUT.csv"}, ("name", "out_path")),
    ("retention", "show"): ({"clip": "1"}, ("clip",)),
    ("retention", "add_hold"): ({"activity": "1", "reason": "投诉"}, ("activity", "reason")),
    ("retention", "release_hold"): ({"hold_id": "1", "reason": "已结"}, ("hold_id", "reason")),
    ("retention", "set_case_file"): ({"case_no": "X", "months": 12}, ("case_no",)),
    ("disposal", "approve"): ({"plan_id": "1", "by": "1002", "paper_form": "审-9"}, ("plan_id", "by", "paper_form")),
    ("disposal", "get"): ({"plan_id": "1"}, ("plan_id",)),
    ("disposal", "run"): ({"plan_id": "1"}, ("plan_id",)),
    ("disposal", "cancel"): ({"plan_id": "1", "reason": "重新拟定"}, ("plan_id", "reason")),
    ("retention", "case_file"): ({"case_no": "X"}, ("case_no",)),
}
# the cases with a second (non-str) case_no and clips scope of access.request
EXTRA: list[tuple[tuple[str, str], dict, str]] = [
    (("spotchecks", "draw"), {"date_from": "2020-01-01", "date_to": "2099-12-31", "count": "1", "by": "4001"}, "count"),
    (("access", "count_viewings"), {"request": "1"}, "request"),
    (("access", "page_viewings"), {"request": "1"}, "request"),
    (("access", "write_viewings_json"), {"out": io.BytesIO(), "request": "1"}, "request"),
    (("access", "count_extractions"), {"request": "1"}, "request"),
    (("access", "page_extractions"), {"request": "1"}, "request"),
    (("gaps", "rows"), {"activity": "1"}, "activity"),
    (("gaps", "write_json"), {"out": io.BytesIO(), "activity": "1"}, "activity"),
    (("norecords", "rows"), {"activity": "1"}, "activity"),
    (("norecords", "write_json"), {"out": io.BytesIO(), "activity": "1"}, "activity"),
    (("footage", "open"), {"clip_id": "1"}, "clip_id"),
    (("retention", "show"), {"activity": "1"}, "activity"),
    (("retention", "add_hold"), {"case_no": "X", "reason": "投诉"}, "case_no"),
    (("keys", "add"), {"number": "2001", "key_text": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA x"}, "number"),
    (("keys", "add"), {"number": "2001", "key_text": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA x"}, "key_text"),
    (("keys", "get"), {"key_id": "1"}, "key_id"),
    (("keys", "remove"), {"key_id": "1"}, "key_id"),
    (("audit", "anchor"), {"to": "/tmp/usb"}, "to"),
    (("audit", "set_anchor_places"), {"places": ["/tmp/usb"]}, "places"),
    (("access", "request"), {"requester": "1001", "reason": "复核", "case_no": "BAD"}, "case_no"),
    (("access", "request"), {"requester": "1001", "reason": "复核", "clips": ["BAD"]}, "clips"),
    (("discs", "plan"), {"case_no": "BAD"}, "case_no"),
    (("access", "request"), {"requester": "1001", "reason": "复核", "activity": "DRAWN", "check": "CHECK"}, "check"),
    (("discs", "build"), {"out": "OUT", "case_no": "BAD"}, "case_no"),
]
# the register each filter of the printed registers is tried on (one that takes it)
FILTER_REGISTERS = {
    "date_from": "loans",
    "date_to": "loans",
    "dept": "devices",
    "device": "devices",
    "staff": "devices",
    "activity": "activities",
    "disc": "discs",
}
# text parameters that are not free text typed by a person, and why
EXEMPT: dict[tuple[str, str, str], str] = {
    ("staff", "able", "action"): "an action of the permission table, named by the program, never typed",
    ("access", "extract", "password"): "a password is never shown nor stored; what it holds is the person's",
    ("devices", "set_status", "status"): "called by the services with a status id (a vocabulary)",
    ("devices", "set_status", "summary"): "written by the services, not typed",
    ("lending", "describe_failures", "failures"): "check ids computed by the service",
    ("audit", "list", "entity"): "a table name chosen by the code (the audit branch's service)",
    ("keys", "refused_command", "command"): "a command line refused over SSH, logged as typed (shown escaped)",
    ("audit", "verify", "heads"): "(number, hash) pairs, parsed by witness.parse_head: digits and hex only",
    ("audit", "sources", "heads"): "(number, hash) pairs, parsed by witness.parse_head: digits and hex only",
    ("discs", "same_place", "kept_at"): "only compared with the places registered; burn and keep check it when stored",
    ("spotchecks", "record", "items"): "a dict of item ids and ok|fail, each refused unless one of the check's items",
    ("spotchecks", "item_label", "key"): "looks an item id up among the profile's labels; stores nothing",
    ("spotchecks", "sample", "seed"): "a pure function of the ids and the seed (draw checks the seed it is given)",
    ("violations", "add", "clip"): "an id, looked up as the activity and the loan are (walked through them)",
    ("violations", "add", "loan"): "an id, looked up as the activity is (walked through it)",
}
# services whose text comes from the code, never from a person
EXEMPT_SERVICES = {"typesetter": "typesetting: templates and data assembled by the other services"}


def text_parameters(services: Services) -> set[tuple[str, str, str]]:
    """Every (service, method, parameter) of the services' public methods whose annotation admits text (a str,
    a list of them, or a path typed as text)."""
    found = set()
    for attr, service in vars(services).items():
        if not type(service).__module__.startswith("avledger.services.") or attr in ("ctx", *EXEMPT_SERVICES):
            continue
        for name, method in inspect.getmembers(type(service), inspect.isfunction):
            if name.startswith("_"):
                continue
            for param in list(inspect.signature(method).parameters.values())[1:]:
                annotation = str(param.annotation)
                if param.name == "field":  # a lookup's: the name of its caller's parameter, from the code
                    continue
                if param.kind is param.VAR_KEYWORD or "str" in annotation or "Path" in annotation:
                    found.add((attr, name, param.name))
    return found


def test_every_method_taking_text_is_walked(demo):
    walked = {(s, m, p) for (s, m), (_args, params) in CASES.items() for p in params}
    walked |= {(s, m, p) for (s, m), _args, p in EXTRA}
    # the fields of Filters, on each method that takes them (FILTER_REGISTERS), and devices.update's **changes
    walked |= {("printing", m, "filters") for m in ("scope", "sheet", "render_pdf", "export")}
    walked |= {("devices", "update", "changes")}
    missing = sorted(text_parameters(demo) - walked - set(EXEMPT))
    assert missing == [], f"a service method takes text the walk does not try: add it to CASES or EXEMPT: {missing}"


def register_state(services: Services, *folders: Path) -> tuple:
    """What must not change: every table's rows (count and highest id), and the files under ``folders``."""
    db = services.db
    tables = [  # (name, has a rowid): the full-text indexes' shadow tables are WITHOUT ROWID
        (name, "WITHOUT ROWID" not in (sql or "").upper())
        for name, sql in db.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
    ]
    counts = tuple(
        (t, *db.execute_sql(f'SELECT count(*), {"max(rowid)" if rowid else "0"} FROM "{t}"').fetchone())
        for t, rowid in sorted(tables)
    )
    files = tuple(sorted(str(p) for folder in folders for p in folder.rglob("*")))
    return counts, files


@pytest.fixture
def walk(demo, tmp_path, monkeypatch):
    """The sample office with an open request and an approved copy request of the manager (the OS user here),
    a plan of the sample card, and this test's folder as the working folder (a path typed as text lands there)."""
    services = demo
    monkeypatch.chdir(tmp_path)
    open_req = services.access.request("1001", "复核", activity=1)
    approved = services.access.request("1001", "复核", activity=1, kind="copy")
    services.access.approve(approved.id, "1002", paper_form="审-1")
    card = services.home.path / "示例存储卡"
    plan = services.ingest.scan(card)
    password = tmp_path / "pw"
    password.write_text("pw")
    check = services.spotchecks.draw("2020-01-01", "2099-12-31", count=2, by="4001", seed="walk")
    violation = services.violations.add("2002", "D33", "未按规定记录")
    decided = services.violations.add("2002", "D33", "未按规定移交")
    services.violations.decide(decided.id, "circular", by="1002", paper_form="决-0")
    values = {
        "CHECK": str(check.id),
        "DRAWN": str(check.drawn[0].activity_id),
        "VIOL": str(violation.id),
        "DECIDED": str(decided.id),
        "NOW": fmt_local(services.ctx.clock(), services.ctx.profile().tz),
        "REQ": str(open_req.id),
        "APPROVED": str(approved.id),
        "CARD": str(card),
        "OUT": str(tmp_path / "out"),
        "OUT.pdf": str(tmp_path / "out.pdf"),
        "OUT.csv": str(tmp_path / "out.csv"),
        "PW": str(password),
    }
    return services, values, plan


def resolved(args: dict, values: dict, plan) -> dict:
    out = {}
    for key, value in args.items():
        if value == "PLAN":
            value = plan
        elif isinstance(value, str) and value in values:
            value = values[value]
        out[key] = value
    return out


def refused_cleanly(services, call, field: str, folders) -> None:
    before = register_state(services, *folders)
    with pytest.raises(UserError) as info:
        call()
    assert (info.value.code, info.value.field) == ("input.control_chars", field), info.value.render()
    assert not UNSAFE.search(info.value.render())  # the refusal shows the character escaped
    assert register_state(services, *folders) == before


@pytest.mark.parametrize("bad", BAD, ids=("escape", "bidi"))
def test_every_text_parameter_refuses_control_characters(walk, tmp_path, bad):
    services, values, plan = walk
    folders = (services.home.path, tmp_path)
    for (attr, name), (args, params) in CASES.items():
        method = getattr(getattr(services, attr), name)
        for param in params:
            given = resolved(args, values, plan)
            given[param] = [bad] if isinstance(given[param], list) else bad
            refused_cleanly(services, lambda: method(**given), param, folders)  # noqa: B023
    for (attr, name), args, param in EXTRA:
        method = getattr(getattr(services, attr), name)
        given = resolved(args, values, plan)
        given[param] = [bad] if isinstance(given[param], list) else bad
        refused_cleanly(services, lambda: method(**given), param, folders)  # noqa: B023
    for key, register in FILTER_REGISTERS.items():
        filters = dataclasses.replace(Filters(), **{key: bad})
        for call in (
            lambda: services.printing.sheet(register, filters),  # noqa: B023
            lambda: services.printing.render_pdf(register, filters, values["OUT.pdf"]),  # noqa: B023
            lambda: services.printing.export(register, filters, values["OUT.csv"]),  # noqa: B023
        ):
            refused_cleanly(services, call, key, folders)


def test_the_walk_would_pass_without_the_bad_text(walk):
    """The arguments in CASES are good ones: the walk refuses because of the character, nothing else."""
    services, values, plan = walk
    services.staff.add(**resolved(CASES["staff", "add"][0], values, plan))
    services.devices.add(**resolved(CASES["devices", "add"][0], values, plan))
    services.activities.add(**resolved(CASES["activities", "add"][0], values, plan))
    services.lending.report_fault(**resolved(CASES["lending", "report_fault"][0], values, plan))
    services.access.refuse(**resolved(CASES["access", "refuse"][0], values, plan))
    services.gaps.explain(**resolved(CASES["gaps", "explain"][0], values, plan))
    services.office.set_value(**resolved(CASES["office", "set_value"][0], values, plan))
    assert services.staff.view("9001").name == "新人"


# --- numbers ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["battery_pct", "free_gb", "clock_offset_s"])
@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_pre_use_check_numbers_must_be_finite(demo, field, value):
    before = len(demo.audit.list())
    check = dataclasses.replace(GOOD, **{field: value})
    with pytest.raises(UserError) as info:
        demo.lending.issue("JL-2023-002", "2002", check)
    assert info.value.code == "input.not_finite"
    assert len(demo.audit.list()) == before


def test_free_gb_nan_is_refused_by_the_cli_and_audit_verify_stays_clean(cli):
    """``--free-gb nan`` passed the pre-use check, then tripped a false tamper alarm in audit verify."""
    assert cli("demo").code == 0
    before = cli("loan", "list", "--json").json()
    for value in ("nan", "inf", "-inf"):
        args = ["--battery", "95", "--free-gb", value, "--clock-offset", "1", "--notice-given"]
        refused = cli("loan", "out", "JL-2023-002", "--to", "2002", *args)
        assert refused.code == 2 and "有限的数字" in refused.err, refused.err
    for option in ("--battery", "--clock-offset"):  # whole numbers: click refuses nan itself
        args = {"--battery": "95", "--free-gb": "20", "--clock-offset": "1"} | {option: "nan"}
        refused = cli("loan", "out", "JL-2023-002", "--to", "2002", *[x for kv in args.items() for x in kv])
        assert refused.code == 2
    assert cli("loan", "list", "--json").json() == before
    assert cli("audit", "verify").code == 0


# --- the attacks of issue 13, through the command line ---------------------------------------------------------


def test_staff_add_with_terminal_escapes_is_refused(cli):
    assert cli("demo").code == 0
    before = cli("audit", "list", "--json").json()
    for name in ("\x1b[2J\x1b]0;pwned\x07张三", "张\u202e三", "李\u2066四", "王\x85五", "赵\x7f六"):
        refused = cli("staff", "add", name, "--number", "9009", "--dept", "办公室")
        assert refused.code == 2 and "姓名含有控制字符或双向控制字符" in refused.err
        assert not UNSAFE.search(refused.err.rstrip("\n")) and refused.out == ""
    refused = cli("activity", "add", "--kind", "inspection", "--title", "检查\u202e", "--start", "2025-01-01 09:00",
                  "--officer", "2002", "--json")  # fmt: skip
    assert refused.code == 2  # with --json, the code and the field for a script
    assert (refused.json()["error"]["code"], refused.json()["error"]["field"]) == ("input.control_chars", "title")
    assert "\\u202e" in refused.json()["error"]["message"]
    assert cli("audit", "list", "--json").json() == before


def test_an_argument_that_is_not_utf8_is_refused_not_a_crash(home, tmp_path):
    """Bytes that are not UTF-8 (``$'\\x85'`` in a shell) arrive as lone surrogates."""
    assert (
        subprocess.run([sys.executable, "-m", "avledger", "demo"], env=cli_env(home), capture_output=True).returncode
        == 0
    )
    proc = subprocess.run(
        [
            sys.executable.encode(),
            b"-m",
            b"avledger",
            b"staff",
            b"add",
            b"X\x85Y",
            b"--number",
            b"9010",
            b"--dept",
            "办公室".encode(),
        ],  # fmt: skip
        env=cli_env(home),
        capture_output=True,
    )
    assert proc.returncode == 2, proc.stderr.decode("utf-8", "replace")
    assert "\\udc85" in proc.stderr.decode("utf-8")


def older_register(demo) -> None:
    """A register written before issue 13: a name, a device model and an audit entry holding a terminal escape
    and a right-to-left override (as they were stored then, with the change logged like any other)."""
    from avledger.models.audit import snapshot
    from avledger.models.schema import Device, Staff

    with demo.ctx.change():
        staff = Staff.get(Staff.number == "2002")
        before = snapshot(staff)
        staff.name = "刘\x1b[2J洋\u202e0001"
        staff.save()
        demo.ctx.log("update", staff, before=before, summary=staff.name)
        device = Device.get(Device.asset_no == "JL-2023-002")
        before = snapshot(device)
        device.model = "=1+2\u202eV9"
        device.save()
        demo.ctx.log("update", device, before=before, summary=device.model)


def run_on_a_terminal(home: Path, *args: str) -> str:
    """The command's output as a terminal receives it (a pseudo-terminal: click strips nothing there)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "avledger", *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=cli_env(home, COLUMNS="200"),
        close_fds=True,
    )
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=30) == 0
    return b"".join(chunks).decode("utf-8")


def test_stored_escapes_reach_no_terminal_raw(demo):
    older_register(demo)
    home = demo.home
    demo.close()
    staff = run_on_a_terminal(home.path, "staff", "list")
    assert "刘\\x1b[2J洋\\u202e0001" in staff
    audit = run_on_a_terminal(home.path, "audit", "list")
    assert "\\u202e" in audit
    shown = run_on_a_terminal(home.path, "device", "show", "JL-2023-002")
    as_json = run_on_a_terminal(home.path, "staff", "list", "--json")
    for out in (staff, audit, shown, as_json):
        assert "\x1b[2J" not in out and "\u202e" not in out
    assert "\\u001b[2J" in as_json and "\\u202e" in as_json
    assert any(p["name"] == "刘\x1b[2J洋\u202e0001" for p in json.loads(as_json))  # the same data for a script


def test_print_audit_shows_the_escape_instead_of_refusing(demo, tmp_path):
    older_register(demo)
    pdf = demo.printing.render_pdf("audit", Filters(), tmp_path / "audit.pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "\\u202e0001" in text and "\\x1b[2J" in text
    pdf = demo.printing.render_pdf("devices", Filters(), tmp_path / "devices.pdf")
    assert "\\u202eV9" in subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout


def test_export_audit_holds_the_text_escaped_and_never_a_formula(demo, tmp_path):
    from openpyxl import load_workbook

    older_register(demo)
    path, _rows = demo.printing.export("audit", Filters(), tmp_path / "audit.xlsx")
    cells = [c.value for row in load_workbook(path).active.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("刘\\x1b[2J洋\\u202e0001" in c for c in cells)
    assert not any(UNSAFE.search(c) for c in cells)
    path, _rows = demo.printing.export("devices", Filters(), tmp_path / "devices.csv")
    text = path.read_text("utf-8-sig")
    assert "'=1+2\\u202eV9" in text and "\u202e" not in text  # text, not a formula; the override escaped
    ws = load_workbook(demo.printing.export("devices", Filters(), tmp_path / "devices.xlsx")[0]).active
    model = next(c for row in ws.iter_rows() for c in row if c.value == "=1+2\\u202eV9")
    assert model.data_type == "s"


def test_visible_escapes():
    assert visible("a\x1b[2Jb\u202ec\x85d\ud800e") == "a\\x1b[2Jb\\u202ec\\x85d\\ud800e"
    assert visible("line\nbreak", keep="\n") == "line\nbreak"
    assert visible("行\t") == "行\\t"
    assert visible("普通文字 ABC") == "普通文字 ABC"


def test_a_custodian_named_as_a_formula_is_text_in_every_export(demo, tmp_path):
    """Issue 13: a custodian ``=HYPERLINK(…)`` became a formula in the xlsx and in the CSV (so did ``+``, ``-``,
    ``@``)."""
    import csv

    from openpyxl import load_workbook

    names = ['=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(A1)"]
    for n, name in enumerate(names):
        demo.staff.add(name, f"F{n}", "办公室")
        demo.devices.add(f"FX-{n}", "bodycam", "办公室", f"F{n}")
    ws = load_workbook(demo.printing.export("devices", Filters(), tmp_path / "d.xlsx")[0]).active
    cells = [c for row in ws.iter_rows(min_row=3) for c in row if str(c.value).startswith(tuple(names))]
    assert len(cells) == len(names) and all(c.data_type == "s" for c in cells)  # text, not formulas
    path = demo.printing.export("devices", Filters(), tmp_path / "d.csv")[0]
    values = {v for row in csv.reader(path.read_text("utf-8-sig").splitlines()) for v in row}
    assert all(any(v.startswith("'" + name) for v in values) for name in names)
    assert not any(v.startswith(("=", "+", "-", "@")) for v in values)
