"""A realistic sample office, for trying avledger out (``avledger demo``)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from avledger import home
from avledger.fsutil import PRIVATE_DIR, make_dirs, tighten_tree
from avledger.services import Services
from avledger.services.lending import PreCheck
from avledger.timeutil import to_local

UNIT = "示例市市场监督管理局"
PRESET = "dalian"

DEPARTMENTS = [
    ("执法一队", "A"),
    ("执法二队", "B"),
    ("稽查科", "FULL"),
    ("办公室", "C"),
]

# name, number, department, certificate, roles
STAFF = [
    ("王建国", "1001", "办公室", None, ["manager"]),
    ("李秀英", "1002", "办公室", "22010010002", ["leader", "approver"]),
    ("张伟", "2001", "执法一队", "22010020001", ["officer", "approver"]),
    ("刘洋", "2002", "执法一队", "22010020002", ["officer"]),
    ("陈静", "2003", "执法一队", "22010020003", ["officer"]),
    ("杨帆", "2004", "执法一队", "22010020004", ["officer"]),
    ("赵䶮", "2005", "执法一队", "22010020005", ["officer"]),
    ("黄丽", "2006", "执法一队", "22010020006", ["officer"]),
    ("周勇", "2007", "执法一队", "22010020007", ["officer"]),
    ("吴敏", "3001", "执法二队", "22010030001", ["officer", "approver"]),
    ("徐磊", "3002", "执法二队", "22010030002", ["officer"]),
    ("孙婷", "3003", "执法二队", "22010030003", ["officer"]),
    ("胡军", "3004", "执法二队", "22010030004", ["officer"]),
    ("朱琳", "3005", "执法二队", "22010030005", ["officer"]),
    ("高峰", "3006", "执法二队", None, []),
    ("林志强", "4001", "稽查科", "22010040001", ["officer", "auditor"]),
    ("何芳", "4002", "稽查科", "22010040002", ["officer"]),
    ("郭㛃", "4003", "稽查科", "22010040003", ["officer"]),
]

# asset, kind, department, custodian, model, serial, purchased, price, abilities
DEVICES = [
    (
        "JL-2023-001",
        "bodycam",
        "执法一队",
        "2001",
        "DSJ-V9",
        "V9A2301187",
        "2023-03-15",
        "2380.00",
        ["infrared", "gps"],
    ),
    (
        "JL-2023-002",
        "bodycam",
        "执法一队",
        "2001",
        "DSJ-V9",
        "V9A2301188",
        "2023-03-15",
        "2380.00",
        ["infrared", "gps"],
    ),
    ("JL-2024-003", "bodycam", "执法二队", "3001", "DSJ-K7", "K7B2405520", "2024-05-20", "1980.00", ["gps"]),
    ("JL-2024-004", "bodycam", "稽查科", "4001", "DSJ-K7", "K7B2405521", "2024-05-20", "1980.00", ["gps", "wireless"]),
    (
        "JL-2024-005",
        "bodycam",
        "稽查科",
        "4001",
        "DSJ-EX2",
        "EX2240911",
        "2024-09-11",
        "4650.00",
        ["explosion_proof", "infrared"],
    ),
    (
        "ZD-2022-001",
        "terminal",
        "执法二队",
        "3001",
        "ZF-T60",
        "T60220817",
        "2022-08-17",
        "3200.00",
        ["gps", "wireless"],
    ),
    ("XJ-2021-001", "camera", "办公室", "1001", "Canon EOS R50", "R50-0042711", "2021-11-02", "5599.00", []),
    ("LY-2022-001", "recorder", "稽查科", "4001", "SONY ICD-UX570", "UX5700931", "2022-04-08", "699.00", []),
    ("SX-2020-001", "camcorder", "办公室", "1001", "Panasonic HC-V385", "HCV3851122", "2020-06-30", "2199.00", []),
    ("CC-2023-001", "storage", "办公室", "1001", "采集工作站 DS-8", "DS8-230301", "2023-03-01", "12800.00", []),
]


def populate(services: Services) -> None:
    """Fill an empty register with the sample office."""
    services.office.init(UNIT, PRESET)
    for name, cls in DEPARTMENTS:
        services.departments.add(name, cls)
    for name, number, dept, cert, roles in STAFF:
        services.staff.add(name, number, dept, cert_no=cert, roles=roles)
    # Whoever builds the sample office is its manager, 王建国: approvals and viewings need a person.
    services.staff.update("1001", os_user=services.ctx.identity.account)
    for asset, kind, dept, keeper, model, serial, purchased, price, abilities in DEVICES:
        services.devices.add(
            asset, kind, dept, keeper, model=model, serial=serial, purchased=purchased, price=price, abilities=abilities
        )
    services.lending.report_fault("SX-2020-001", "无法自动对焦")
    services.lending.repair("SX-2020-001", "sent")
    lend_out(services)
    activities(services)
    footage(services)


def lend_out(services: Services) -> None:
    """A few days of the counter: a return, an overdue device, a handover."""
    now = services.ctx.clock()
    ago = lambda hours: now - dt.timedelta(hours=hours)  # noqa: E731
    good = PreCheck(battery_pct=95, free_gb=28.5, clock_offset_s=2, notice_given=True)
    lending = services.lending
    lending.issue("JL-2023-001", "2002", good, purpose="日常检查", due=ago(62), at=ago(72))
    lending.give_back("JL-2023-001", content="检查 3 家餐饮单位，拍摄 5 段", at=ago(63))
    lending.issue(
        "JL-2024-003",
        "3002",
        PreCheck(38, 20.0, 1, True),
        purpose="投诉举报处置",
        due=ago(20),
        despite="备用电池已随机携带",
        at=ago(30),
    )
    lending.issue("JL-2024-004", "4002", good, purpose="调查取证", at=ago(3))
    lending.handover("JL-2024-004", "4003", at=ago(1))


def activities(services: Services) -> None:
    """Enforcement activities of the last days: a routine inspection, a case to keep long-term,
    a service of documents that could not be recorded, and a full-record activity still missing footage."""
    now = services.ctx.clock()
    ago = lambda hours: now - dt.timedelta(hours=hours)  # noqa: E731
    acts = services.activities
    acts.add(
        "inspection",
        "餐饮单位日常检查",
        ago(72),
        end=ago(66),
        officers=["2002", "2003"],
        party="示例市老街小吃店",
        place="老街 12 号",
    )
    acts.add(
        "investigation",
        "无证经营调查取证",
        ago(30),
        end=ago(27),
        officers=["3002", "3003"],
        case_no="示市监立〔2026〕118号",
        case_name="某商行无证经营案",
        party="示例市某商行",
        place="东风路 88 号",
        long_term=["objection"],
    )
    served = acts.add(
        "service",
        "行政处罚决定书留置送达",
        ago(8),
        end=ago(7),
        officers=["4002", "4003"],
        case_no="示市监罚〔2026〕97号",
        case_name="某超市销售过期食品案",
        party="示例市某超市",
        place="解放路 5 号",
    )
    services.norecords.add(
        served.id,
        "other",
        "到达现场时记录仪电池故障无法开机，已当场书面记录并由当事人见证",
        ["4002", "4003"],
        "1002",
        at=ago(6),
    )
    acts.add(
        "coercion",
        "查封扣押涉案物品",
        ago(3),
        end=ago(2),
        officers=["4002", "4003"],
        case_no="示市监立〔2026〕121号",
        case_name="某仓库储存假冒商品案",
        party="示例市某物流仓库",
        place="开发区仓储路 3 号",
        circumstances=["major_property"],
    )


SAMPLE_CARD = home.SAMPLE_CARD  # in the data folder, private like everything there


def footage(services: Services) -> None:
    """Footage of the inspection, collected (late: the device came back more than a day ago), with an
    interruption; and a camera card of the investigation left in the data folder to try collecting."""
    from avledger.services.samplecard import write_card

    now = services.ctx.clock()
    ago = lambda hours: now - dt.timedelta(hours=hours)  # noqa: E731
    with tempfile.TemporaryDirectory(prefix="avledger-demo-") as folder:
        collected = Path(folder) / "JL-2023-001"
        write_card(
            collected,
            "V9A2301187",
            [("VID_0001.MP4", ago(71.5), 2), ("VID_0002.MP4", ago(71.45), 1), ("现场检查_VID_0003.MP4", ago(70.9), 2)],
        )
        services.ingest.apply(services.ingest.scan(collected, device="JL-2023-001"))
    local = lambda hours: to_local(ago(hours), services.ctx.profile().tz)  # noqa: E731  (EXIF is local time)
    card = services.home.path / SAMPLE_CARD
    make_dirs(card, PRIVATE_DIR)
    write_card(
        card,
        "K7B2405520",
        [("VID_0101.MP4", ago(29.5), 2), ("VID_0102.MP4", ago(28.8), 2)],
        photos=[("IMG_0101.JPG", local(29.2)), ("IMG_0102.JPG", local(29.1))],
        damaged=True,
    )
    tighten_tree(card)  # written by PyAV with the umask's modes: its owner's only, like the rest of the folder
