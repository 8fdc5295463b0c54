#!/usr/bin/env python3
"""A synthetic register the size of an office's tenth year, for benchmarks and tests.

Usage: .venv/bin/python bench/synth.py HOME --clips N --loans N --activities N [--seed S]
       [--now "YYYY-MM-DD HH:MM:SS"] [--user OS_USER]

Builds, in the data folder HOME (missing or empty), an initialised avledger
register: ``avledger.db`` created by avledger's own ``open_database`` (so every
migration ran), the office row from the ``wanzhou`` preset through the office
service, the departments and the staff through their services, and then, in
bulk, ten years of devices, loans, activities and cases, officers, footage and
interruptions, with their audit entries. Everything after the migrations is one
transaction. The audit entries are made with ``avledger.models.audit``'s own
functions (``snapshot_of``, ``entry``), so ``avledger --home HOME audit verify``
passes: each audited row's last entry holds the row as stored, and the chain is
intact. The entries are written in time order, like a log kept over the years
(a loan has two: its issue and its return; so the target size, 1,000,000 clips,
100,000 loans, 10,000 activities, makes about 1.27 million). Rows and entries
go in with the sqlite3 connection's ``executemany`` in batches; the build keeps in
memory when things happen and the work in hand, not the rows (and SQLite's page cache,
256 MiB). While it runs, the journal is kept in memory and nothing is synced;
afterwards the register is back in WAL mode like any other, and its audit head
is in the data folder's ``audit-witness.log`` as after any change.

The shape (the office keeps the ``wanzhou`` rules: collection within 24 hours
of the device's return, interruptions over 5 minutes):

- 200 devices of the kinds of ``avledger.vocab`` (mostly body cameras), bought
  over the years, some of the oldest retired, a few faults and repairs (two
  devices away for repair now), one lost with its liability case;
- about 30 officers in four departments, a manager (mapped to the OS user, or
  ``user``) who makes every change after the set-up, a leader who approves;
- ``activities`` activities, one in three a case (``示市监立〔2025〕123号``;
  some cases have a later activity of their own, some are confidential, some
  kept long-term, the older ones closed), each with 2 to 4 officers, each
  officer with a device issued before and returned after it;
- ``clips`` clips, ``clips / activities`` per activity, spread over its
  devices, named as the cameras name them (``VID_20250101_083000_0001.MP4``),
  one after another with short pauses; 5 % collected late (after the
  deadline), half of those with a late reason; in one activity in ten an
  interruption nobody has explained yet, in one in twenty one explained;
- ``loans`` loans over the devices, one open loan per device at most: those of
  the activities, everyday ones before them (older than ten days), a few
  handovers, and 40 open at ``now``, 10 of them overdue;
- the manager's work (registering, collecting, explaining) in office hours.

The footage files do not exist: sizes, durations and SHA-256 values are made up
(well-formed, unique), so ``avledger verify`` (the archive check) reports every
clip missing, and pictures cannot be shown; that is expected of a benchmark
register. With the same ``--seed`` and ``--now`` the register is the same. Not made: viewing
requests, viewings, extractions, discs, not-recorded work records. The device
status changes at each issue and return are not logged one by one (a device's
log holds its registration, its repairs, retirement, loss and its issue when
out now); every other change is logged as the services log it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import heapq
import json
import random
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from avledger.home import Home
from avledger.identity import Identity
from avledger.models import audit
from avledger.models.db import PRAGMAS
from avledger.models.schema import (
    AUDITED,
    Activity,
    ActivityOfficer,
    AuditEvent,
    Clip,
    Device,
    Fault,
    Gap,
    Liability,
    Loan,
    Staff,
)
from avledger.profile import Profile, load_preset
from avledger.services import Services
from avledger.services.ingest import safe_name
from avledger.timeutil import from_local, to_local, utcnow

UNIT = "示例市市场监督管理局"
PRESET = "wanzhou"
DAYS = 3652  # ten years
DEVICES = 200
OPEN_LOANS = 40
OVERDUE_LOANS = 10
LATE_SHARE = 0.05
REASON_SHARE = 0.5
OPEN_GAP_EVERY = 10
EXPLAINED_GAP_EVERY = 20
CASE_EVERY = 3
BATCH = 20_000
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)

# department, allocation class, officers
DEPARTMENTS = [
    ("办公室", "C", 0),
    ("执法一队", "A", 10),
    ("执法二队", "A", 10),
    ("稽查科", "FULL", 6),
    ("法制科", "C", 4),
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟"
)
GIVEN = (
    "伟 芳 娜 敏 静 磊 强 军 洋 勇 艳 杰 涛 明 超 秀兰 建华 志强 海燕 丽华 建国 晓东 文静 "
    "春梅 国庆 红霞 振宇 思远 雨婷 浩然 立新 玉梅 俊杰 雪梅 子涵 德明 永刚 桂英"
).split()

# kind, asset prefix, share of the fleet, models: (model, serial prefix, price in fen, abilities, width, height, codecs)
DEVICE_KINDS = [
    (
        "bodycam",
        "JL",
        0.80,
        [
            ("DSJ-V9", "V9A", 238000, "infrared,gps", 1920, 1080, "h264,aac"),
            ("DSJ-K7", "K7B", 198000, "gps", 1920, 1080, "h264,aac"),
            ("DSJ-EX2", "EX2", 465000, "explosion_proof,infrared", 1280, 720, "h264,aac"),
            ("DSJ-V11", "V11C", 268000, "infrared,gps,wireless", 2304, 1296, "hevc,aac"),
        ],
    ),
    ("terminal", "ZD", 0.08, [("ZF-T60", "T60", 320000, "gps,wireless", 1280, 720, "h264,aac")]),
    ("camera", "XJ", 0.03, [("Canon EOS R50", "R50-", 559900, "", 1920, 1080, "h264,aac")]),
    ("recorder", "LY", 0.04, [("SONY ICD-UX570", "UX570", 69900, "", None, None, "pcm_s16le")]),
    ("camcorder", "SX", 0.02, [("Panasonic HC-V385", "HCV385", 219900, "", 1920, 1080, "h264,ac3")]),
    ("storage", "CC", 0.01, [("采集工作站 DS-8", "DS8-", 1280000, "", None, None, "")]),
]
POOL_OF_KIND = {"bodycam": "video", "terminal": "video", "camcorder": "video", "camera": "camera", "recorder": "audio"}

SHOPS = (
    "老街 福源 鑫盛 华联 金穗 永辉 百姓 家家乐 宏达 顺发 万家 惠民 龙腾 佳美 新世纪 东方 平安 康宁 瑞丰 嘉禾".split()
)
# party kind, what an inspection of it is called
PARTY_KINDS = [
    ("小吃店", "餐饮单位"),
    ("餐饮有限公司", "餐饮单位"),
    ("超市", "食品经营单位"),
    ("商行", "个体经营户"),
    ("药房", "药品零售企业"),
    ("加油站", "成品油经营单位"),
    ("物流仓库", "仓储企业"),
    ("农贸市场", "集贸市场"),
    ("眼镜店", "计量器具使用单位"),
    ("电动车销售店", "个体经营户"),
]
OFFENCES = (
    "无证经营 销售过期食品 虚假宣传 价格欺诈 销售假冒注册商标商品 未按规定明码标价 使用未经检定的计量器具 "
    "销售不合格产品 销售无中文标签进口食品"
).split()
ROADS = "老街 东风路 解放路 人民路 建设路 滨江路 开发区仓储路 新华路 胜利街 北山大道 太白路 沙龙路".split()
CASE_KINDS = ["investigation", "investigation", "inspection", "complaint", "preservation", "coercion"]
FOLLOW_UP_KINDS = ["service", "service", "hearing", "coercion"]
OTHER_KINDS = ["inspection"] * 6 + ["complaint"] * 3 + ["other"]
PURPOSES = "日常巡查 市场巡查 节假日值守 专项检查 夜间巡查 培训演练".split()
LATE_REASONS = [
    "执法人员外出连续执勤，次日返回单位后才交回存储卡",
    "采集工作站故障，修复后补录",
    "节假日值班人员不足，未能及时采集",
    "存储卡读取异常，经厂家协助后导出",
]
FAULTS = [
    ("无法开机", "更换主板"),
    ("电池续航不足", "更换电池"),
    ("屏幕碎裂", "更换屏幕"),
    ("录像无声音", "更换麦克风"),
    ("无法充电", "更换充电接口"),
    ("时钟无法保存", "更换纽扣电池"),
]
GAP_NOTES = {
    "fault": "记录仪死机，重启后继续录制",
    "weather": "暴雨，暂停录制转移至室内",
    "battery": "电量耗尽，更换备用电池",
    "storage": "存储已满，更换存储卡",
    "place_change": "转换检查场所，途中暂停",
    "other": "当事人要求暂停，已口头告知",
}


@dataclass
class Figures:
    rows: dict[str, int]
    audit_entries: int
    file_bytes: int
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float

    def lines(self) -> list[str]:
        out = [f"{name:<18}{count:>12,}" for name, count in self.rows.items() if count]
        out += [
            f"{'audit entries':<18}{self.audit_entries:>12,}",
            f"{'file size':<18}{self.file_bytes / 2**20:>12,.1f} MiB",
            f"{'seconds':<18}{self.seconds:>12,.1f}",
            f"{'CPU seconds':<18}{self.cpu_seconds:>12,.1f}",
            f"{'peak RSS':<18}{self.peak_rss_mb:>12,.1f} MiB",
        ]
        return out


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- writing: rows in batches, audit entries in time order ------------------------------------------------------------
class _Change:
    """An audit entry whose before and after states are only known when the log reaches it (a device's status)."""

    __slots__ = ("apply",)

    def __init__(self, apply: Callable[[], tuple[dict, dict]]):
        self.apply = apply


class Writer:
    """Row inserts in batches (parents first), and the audit entries kept in a heap by time and written
    through ``audit.entry`` once no entry can come before them."""

    ORDER = [Device, Loan, Activity, ActivityOfficer, Clip, Gap, Fault, Liability]

    def __init__(self, conn, actor: audit.Actor):
        self.conn = conn
        self.actor = actor
        last = conn.execute("SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1").fetchone()
        self.prev_hash = last[0] if last else audit.GENESIS
        self.rows: dict[type, list[tuple]] = {m: [] for m in self.ORDER}
        self.pending = 0
        self.sql = {m: self._insert_sql(m) for m in self.ORDER}
        columns = [f.column_name for f in AuditEvent._meta.sorted_fields if f.name != "id"]
        self.entry_sql = self._sql("audit_event", columns)
        self.entry_fields = [f.name for f in AuditEvent._meta.sorted_fields if f.name != "id"]
        self.entries: list[tuple] = []
        self.written = 0
        self.heap: list[tuple] = []
        self.seq = 0

    @staticmethod
    def _sql(table: str, columns: list[str]) -> str:
        names = ", ".join(f'"{c}"' for c in columns)
        return f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})'

    def _insert_sql(self, model) -> str:
        return self._sql(model._meta.table_name, [f.column_name for f in model._meta.sorted_fields])

    # rows ----------------------------------------------------------------------------------------------------------
    def row(self, model, snap: dict) -> None:
        """Queue a row, given as its snapshot (stored values, in the model's field order)."""
        self.rows[model].append(tuple(snap.values()))
        self.pending += 1
        if self.pending >= BATCH:
            self.flush_rows()

    def flush_rows(self) -> None:
        for model in self.ORDER:
            rows = self.rows[model]
            if rows:
                self.conn.executemany(self.sql[model], rows)
                rows.clear()
        self.pending = 0

    # audit entries ----------------------------------------------------------------------------------------------------
    def log(self, at: dt.datetime, action: str, entity: str, entity_id: int | None, summary: str, before, after):
        heapq.heappush(self.heap, (at, self.seq, action, entity, entity_id, summary, before, after))
        self.seq += 1

    def log_change(self, at: dt.datetime, action: str, entity: str, entity_id: int, summary: str, apply) -> None:
        self.log(at, action, entity, entity_id, summary, _Change(apply), None)

    def flush_log(self, until: dt.datetime | None = None) -> None:
        """Write the entries dated up to ``until`` (all with None), oldest first."""
        heap = self.heap
        while heap and (until is None or heap[0][0] <= until):
            at, _seq, action, entity, entity_id, summary, before, after = heapq.heappop(heap)
            if isinstance(before, _Change):
                before, after = before.apply()
            values = audit.entry(
                self.prev_hash,
                self.actor,
                action,
                entity,
                entity_id,
                before=before,
                after=after,
                at=at,
                summary=summary,
            )
            values["at"] = audit.jsonable(at)
            self.prev_hash = values["hash"]
            self.entries.append(tuple(values[name] for name in self.entry_fields))
            if len(self.entries) >= BATCH:
                self.flush_entries()

    def flush_entries(self) -> None:
        if self.entries:
            self.conn.executemany(self.entry_sql, self.entries)
            self.written += len(self.entries)
            self.entries.clear()

    def finish(self) -> None:
        self.flush_rows()
        self.flush_log()
        self.flush_entries()


def open_loans(loans: int) -> int:
    """How many of ``loans`` are out now (OPEN_LOANS, fewer in a small ledger)."""
    return min(OPEN_LOANS, loans // 4)


def whole(at: dt.datetime) -> dt.datetime:
    """To the second, as the services' clock gives times."""
    return at.replace(microsecond=0)


def snap(model, /, **values) -> dict:
    return audit.snapshot_of(model, values)


# --- the office's people and devices ----------------------------------------------------------------------------------
@dataclass
class Officer:
    id: int
    name: str
    number: str
    department: int
    free_at: dt.datetime


@dataclass
class Dev:
    id: int
    kind: str
    asset_no: str
    serial: str
    width: int | None
    height: int | None
    codecs: str
    state: dict  # the row's snapshot as the log last recorded it
    registered: dt.datetime
    free_at: dt.datetime  # back in the cupboard (dt.datetime.max: out for good)
    retire_at: dt.datetime | None = None
    counter: int = 0  # the camera's file counter

    def next_number(self) -> int:
        self.counter = self.counter % 9999 + 1
        return self.counter


class Pools:
    """Lendable devices by kind of footage, the one free longest first; retired ones drop out."""

    def __init__(self):
        self.heaps: dict[str, list] = {"video": [], "camera": [], "audio": []}
        self.seq = 0

    def add(self, dev: Dev, free_at: dt.datetime) -> None:
        pool = POOL_OF_KIND.get(dev.kind)
        if pool:
            heapq.heappush(self.heaps[pool], (free_at, self.seq, dev))
            self.seq += 1

    def take(self, pools: tuple[str, ...], at: dt.datetime, until: dt.datetime) -> Dev:
        """A device free at ``at`` and in service until ``until`` (from the first pool that has one),
        else the one free soonest (the caller waits for it)."""
        soonest = None
        for name in pools:
            heap = self.heaps[name]
            while heap and heap[0][2].retire_at is not None and heap[0][2].retire_at <= until + DAY:
                heapq.heappop(heap)
            if not heap:
                continue
            if heap[0][0] <= at:
                return heapq.heappop(heap)[2]
            if soonest is None or heap[0][0] < self.heaps[soonest][0][0]:
                soonest = name
        if soonest is None:
            raise RuntimeError("no device left in service")
        return heapq.heappop(self.heaps[soonest])[2]


# --- the builder ------------------------------------------------------------------------------------------------------
@dataclass
class _Plan:
    clips: int
    loans: int
    activities: int
    officers_per: list[int] = field(default_factory=list)
    filler_loans: int = 0
    open_loans: int = 0
    overdue_loans: int = 0


class Builder:
    def __init__(self, services: Services, *, clips: int, loans: int, activities: int, seed: int, now: dt.datetime):
        self.svc = services
        self.rng = random.Random(seed)
        self.seed = seed
        self.now = now
        self.tz = Profile(load_preset(PRESET)).tz
        self.t0 = now - DAYS * DAY
        self.setup_at = self.at_work(self.t0 - 10 * DAY)
        self.plan = _Plan(clips, loans, activities)
        self.next_id = {m: 1 for m in (Device, Loan, Activity, ActivityOfficer, Clip, Gap, Fault, Liability)}
        self.late_clips = 0
        self.seen_clips = 0
        self.reasoned_clips = 0
        self.case_serial: dict[int, int] = {}
        self.recent_cases: list[tuple[dt.datetime, str, str, str, str]] = []
        self.holding: dict[int, int] = {}  # devices out now, by officer

    def new_id(self, model) -> int:
        value = self.next_id[model]
        self.next_id[model] = value + 1
        return value

    # time helpers -------------------------------------------------------------------------------------------------
    def local(self, at: dt.datetime) -> dt.datetime:
        return to_local(at, self.tz)

    def working_time(self, at: dt.datetime) -> dt.datetime:
        """A working hour (local 08:30 to 16:30) of the local day of ``at``."""
        day = self.local(at).replace(hour=8, minute=30, second=0, microsecond=0)
        return from_local(day + dt.timedelta(seconds=self.rng.randrange(8 * 3600)), self.tz)

    def uniform_times(self, n: int, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
        span = (end - start).total_seconds()
        times = [self.working_time(start + dt.timedelta(seconds=self.rng.random() * span)) for _ in range(n)]
        return sorted(min(t, end) for t in times)

    def at_work(self, at: dt.datetime) -> dt.datetime:
        """``at`` if it falls in office hours (local 08:00 to 18:00), else the next morning's first hours."""
        local = self.local(at)
        if 8 <= local.hour < 18:
            return whole(at)
        day = local.date() + dt.timedelta(days=1 if local.hour >= 18 else 0)
        morning = from_local(dt.datetime.combine(day, dt.time(8, 0)), self.tz)
        return morning + dt.timedelta(seconds=self.rng.randrange(90 * 60))

    def minutes(self, low: float, high: float) -> dt.timedelta:
        return dt.timedelta(seconds=round(self.rng.uniform(low, high) * 60))

    # ------------------------------------------------------------------------------------------------------------
    def run(self, progress: Callable[[str], None]) -> None:
        svc = self.svc
        self.progress = progress
        svc.office.init(UNIT, PRESET)
        profile = svc.ctx.profile()
        self.tz = profile.tz
        self.deadline_hours = dt.timedelta(hours=profile.get("ingest.deadline_hours"))
        self.deadline_from = profile.get("ingest.deadline_from")
        self.gap_limit = dt.timedelta(minutes=profile.get("ingest.max_gap_minutes"))
        self.gap_reasons = list(profile.get("ingest.gap_reasons"))
        self.full_kinds = set(profile.get("full_record.kinds"))
        self.full_circumstances = set(profile.get("full_record.circumstances"))
        self.min_battery = profile.get("precheck.min_battery_pct")
        self.staff()
        self.writer = Writer(svc.db.connection(), svc.ctx.actor())
        self.devices()
        self.schedule()
        self.writer.finish()
        self.writer.conn.executemany(
            'UPDATE "device" SET "status" = ? WHERE "id" = ?', [(d.state["status"], d.id) for d in self.devs]
        )

    # staff (through the services) --------------------------------------------------------------------------------
    def staff(self) -> None:
        svc, rng = self.svc, self.rng
        for name, cls, _n in DEPARTMENTS:
            svc.departments.add(name, cls)
        names = iter(rng.sample([s + g for s in SURNAMES for g in GIVEN], 64))
        svc.staff.add(next(names), "1001", "办公室", roles=["manager"], os_user=svc.ctx.identity.account)
        svc.staff.add(next(names), "1002", "办公室", cert_no="50010100002", roles=["leader", "approver"])
        for d, (dept, _cls, count) in enumerate(DEPARTMENTS):
            for n in range(1, count + 1):
                number = f"{d + 1}{n:03d}"
                roles = ["officer", "approver"] if n == 1 else ["officer"]
                if dept == "稽查科" and n == 1:
                    roles.append("auditor")
                svc.staff.add(next(names), number, dept, cert_no=f"500101{d + 1}{n:04d}", roles=roles)
        self.officers = [
            Officer(s.id, s.name, s.number, s.department_id, self.t0)
            for s in Staff.select().where(Staff.roles.contains("officer")).order_by(Staff.id)
        ]
        self.heads = {
            s.department_id: s.id for s in Staff.select().where(Staff.roles.contains("approver")).order_by(Staff.id)
        }
        manager = Staff.get(Staff.number == "1001")
        self.manager, self.office_dept = manager.id, manager.department_id

    # devices (bulk) --------------------------------------------------------------------------------------------------
    def devices(self) -> None:
        rng, w = self.rng, self.writer
        kinds = [k for k, _p, share, _m in DEVICE_KINDS for _ in range(round(share * DEVICES))]
        kinds += ["bodycam"] * (DEVICES - len(kinds))
        rng.shuffle(kinds)
        spec = {k: (prefix, models) for k, prefix, _s, models in DEVICE_KINDS}
        depts = [d for d in self.heads if d in {o.department for o in self.officers}]
        # the first fleet bought in the year before, the rest in batches over the years
        first = int(DEVICES * 0.45)
        purchases = [whole(self.t0 - dt.timedelta(days=rng.uniform(30, 400))) for _ in range(first)]
        while len(purchases) < DEVICES:
            day = whole(self.t0 + dt.timedelta(days=rng.uniform(60, DAYS - 90)))
            purchases += [day] * min(rng.randint(6, 18), DEVICES - len(purchases))
        purchases.sort()
        serials: dict[str, int] = {}
        self.devs: list[Dev] = []
        for n, (kind, bought) in enumerate(zip(kinds, purchases)):
            prefix, models = spec[kind]
            late_model = bought > self.t0 + DAYS * 0.5 * DAY
            model, sprefix, price, abilities, width, height, codecs = (
                models[-1] if late_model and len(models) > 1 else models[rng.randrange(max(1, len(models) - 1))]
            )
            year = self.local(bought).year
            serials[f"{prefix}{year}"] = serials.get(f"{prefix}{year}", 0) + 1
            asset_no = f"{prefix}-{year}-{serials[f'{prefix}{year}']:03d}"
            dept = depts[n % len(depts)] if kind != "storage" else self.office_dept
            registered = (
                self.setup_at + HOUR + n * 40 * dt.timedelta(seconds=1)
                if bought < self.t0
                else self.working_time(bought + rng.randint(1, 3) * DAY)
            )
            dev_id = self.new_id(Device)
            serial = f"{sprefix}{year % 100:02d}{rng.randrange(100000):05d}"
            state = snap(
                Device,
                id=dev_id,
                asset_no=asset_no,
                kind=kind,
                model=model,
                serial=serial,
                fixed_asset_no=f"GZ{year}{dev_id:05d}",
                purchased=self.local(bought).date(),
                price_fen=price,
                department=dept,
                custodian=self.heads[dept] if kind != "storage" else self.manager,
                status="in_store",
                abilities=abilities,
                media_time="local" if kind == "camera" else "utc",
                notes="",
            )
            dev = Dev(dev_id, kind, asset_no, serial, width, height, codecs, state, registered, registered)
            if bought < self.now - dt.timedelta(days=365 * 6.5) and kind != "storage" and rng.random() < 0.4:
                retire = self.working_time(bought + dt.timedelta(days=rng.uniform(365 * 6, 365 * 8)))
                if retire < self.now - 20 * DAY:
                    dev.retire_at = retire
                    self.status_later(dev, retire, "retired", f"{asset_no} 报废")
            self.devs.append(dev)
            w.row(Device, state)
            w.log(registered, "create", "device", dev_id, asset_no, None, state)
        self.devs_by_registration = sorted(self.devs, key=lambda d: d.registered, reverse=True)  # pop() = next
        self.pools = Pools()

    def status_later(self, dev: Dev, at: dt.datetime, status: str, summary: str) -> None:
        def apply() -> tuple[dict, dict]:
            before = dev.state
            dev.state = {**before, "status": status}
            return before, dev.state

        self.writer.log_change(at, "status", "device", dev.id, summary, apply)

    def join_devices(self, until: dt.datetime) -> None:
        while self.devs_by_registration and self.devs_by_registration[-1].registered <= until:
            dev = self.devs_by_registration.pop()
            self.pools.add(dev, dev.registered)

    # the years, in time order -----------------------------------------------------------------------------------------
    def schedule(self) -> None:
        rng, plan = self.rng, self.plan
        A = plan.activities
        plan.open_loans = open_loans(plan.loans)
        plan.overdue_loans = plan.open_loans // 4
        clips_of = [plan.clips * (i + 1) // A - plan.clips * i // A for i in range(A)] if A else []
        per = [min(rng.choices((2, 3, 4), (45, 40, 15))[0], max(1, c)) for c in clips_of]
        budget = plan.loans - plan.open_loans
        i = 0
        while sum(per) > budget:  # fewer officers per activity until the loans suffice
            per[i % A] = max(1, per[i % A] - 1)
            i += 1
        plan.officers_per = per
        plan.filler_loans = budget - sum(per)
        self.clips_of = clips_of
        # which activities are cases, and have an open or an explained interruption
        self.cases = set(rng.sample(range(A), A // CASE_EVERY))
        rest = [a for a in range(A)]
        rng.shuffle(rest)
        self.open_gaps = set(rest[: A // OPEN_GAP_EVERY])
        self.explained_gaps = set(rest[A // OPEN_GAP_EVERY : A // OPEN_GAP_EVERY + A // EXPLAINED_GAP_EVERY])
        case_list = sorted(self.cases)
        self.confidential = set(rng.sample(case_list, max(1, len(case_list) // 30))) if case_list else set()
        self.long_term = set(rng.sample(case_list, max(1, len(case_list) // 10))) if case_list else set()
        # the items, in time order
        last = self.working_time(self.now - 2 * DAY)  # the newest: the day before yesterday
        acts = self.uniform_times(A, self.t0 + 5 * DAY, last)
        if acts:
            acts[-1] = last
        fillers = self.uniform_times(plan.filler_loans, self.t0 + DAY, self.now - 11 * DAY)
        n_faults = max(2, plan.loans // 1000)
        faults = self.uniform_times(n_faults, self.t0 + 30 * DAY, self.now - 40 * DAY)
        items = [(t, 1, "activity", n) for n, t in enumerate(acts)]
        items += [(t, 2, "loan", n) for n, t in enumerate(fillers)]
        items += [(t, 3, "fault", n) for n, t in enumerate(faults)]
        items += [(self.working_time(self.now - rng.randint(4, 9) * DAY), 3, "repair", n) for n in range(2)]
        items += [(t, 4, "open", n) for n, t in enumerate(self.open_loan_times())]
        if plan.filler_loans > 100:
            lost_at = self.working_time(self.t0 + DAYS * 0.55 * DAY)
            items.append((lost_at, 0, "lost", 0))
        items.sort(key=lambda item: (item[0], item[1], item[3]))
        self.skip_fillers = 0
        self.fillers_made = 0
        self.lost_pending = False
        started = time.perf_counter()
        step = max(1, len(items) // 20)
        for n, (t, _order, kind, index) in enumerate(items):
            self.join_devices(t)
            self.writer.flush_log(t - 3 * HOUR)
            if kind == "activity":
                self.activity(index, t)
            elif kind == "loan":
                self.filler(t)
            elif kind == "fault":
                self.fault(t, current=False)
            elif kind == "repair":
                self.fault(t, current=True)
            elif kind == "open":
                self.open_loan(index, t)
            elif kind == "lost":
                self.lost_pending = True
            if (n + 1) % step == 0:
                self.progress(
                    f"  {100 * (n + 1) // len(items):3d} %  {self.local(t):%Y-%m-%d}  clips {self.next_id[Clip] - 1:,}"
                    f"  loans {self.next_id[Loan] - 1:,}  audit entries {self.writer.written:,}"
                    f"  {time.perf_counter() - started:.0f} s  {peak_rss_mb():.0f} MiB"
                )

    # officers ------------------------------------------------------------------------------------------------------
    def take_officers(self, k: int, at: dt.datetime) -> tuple[list[Officer], dt.datetime]:
        """``k`` officers free at ``at`` (or as soon as ``k`` are), of one department where possible."""
        k = min(k, len(self.officers))
        free = [o for o in self.officers if o.free_at <= at]
        if len(free) < k:
            at = sorted(o.free_at for o in self.officers)[k - 1] + 10 * MINUTE
            free = [o for o in self.officers if o.free_at <= at]
        self.rng.shuffle(free)
        dept = free[0].department
        free.sort(key=lambda o: o.department != dept)
        return free[:k], at

    # loans -----------------------------------------------------------------------------------------------------------
    def precheck(self) -> dict:
        rng = self.rng
        low = self.min_battery
        battery = rng.randint(low, 100) if rng.random() > 0.04 else rng.randint(low // 2, low - 1)
        failures = "" if battery >= low else "battery"
        return dict(
            battery_pct=battery,
            free_gb=round(rng.uniform(6, 60), 1),
            clock_offset_s=rng.randint(-20, 20),
            notice_given=True,
            check_failures=failures,
            despite="备用电池已随机携带" if failures else None,
        )

    def loan(
        self,
        dev: Dev,
        holder: Officer,
        start: dt.datetime,
        end: dt.datetime | None,
        *,
        purpose: str,
        content: str = "",
        due: dt.datetime | None = None,
        end_kind: str = "return",
        handover_from: tuple[int, Officer] | None = None,
    ) -> int:
        """One loan row with its entries: issue (or handover), and its end when it has one."""
        loan_id = self.new_id(Loan)
        if handover_from is None:
            check = self.precheck()
            start_kind, summary = "issue", f"{dev.asset_no} → {holder.name}（{holder.number}）"
        else:
            check = dict(
                battery_pct=None, free_gb=None, clock_offset_s=None, notice_given=None, check_failures="", despite=None
            )
            start_kind, summary = "handover", f"{dev.asset_no} {handover_from[1].name} → {holder.name}"
        opened = snap(
            Loan,
            id=loan_id,
            device=dev.id,
            holder=holder.id,
            start_at=start,
            start_kind=start_kind,
            from_loan=handover_from[0] if handover_from else None,
            due_at=due,
            purpose=purpose,
            end_at=None,
            end_kind=None,
            content="",
            condition=None,
            **check,
        )
        w = self.writer
        w.log(start, start_kind, "loan", loan_id, summary, None, opened)
        if end is None:
            w.row(Loan, opened)
            return loan_id
        closed = dict(opened)
        closed.update(end_at=audit.jsonable(end), end_kind=end_kind)
        if end_kind == "return":
            closed.update(content=content, condition="ok")
        w.row(Loan, closed)
        w.log(end, end_kind, "loan", loan_id, f"{dev.asset_no} {end_kind}", opened, closed)
        return loan_id

    def filler(self, t: dt.datetime) -> None:
        """An everyday loan without registered footage (or a handover pair, or the loss)."""
        if self.skip_fillers:
            self.skip_fillers -= 1
            return
        rng = self.rng
        [officer], t = self.take_officers(1, t)
        length = self.minutes(120, 540)
        dev = self.pools.take(("video",), t, t + length)
        start = max(t, dev.free_at)
        end = start + length
        purpose = rng.choice(PURPOSES)
        due = start + 9 * HOUR if rng.random() < 0.7 else None
        remaining = self.plan.filler_loans - self.fillers_made
        if self.lost_pending and dev.retire_at is None:
            self.lost_pending = False
            self.lose(dev, officer, start, end, purpose, due)
            self.fillers_made += 1
            return
        if rng.random() < 0.03 and remaining >= 2:
            mid = start + length / 2
            mid = mid.replace(microsecond=0)
            takers = [o for o in self.officers if o.free_at <= mid and o is not officer]
            if takers:
                taker = rng.choice(takers)
                first = self.loan(dev, officer, start, mid, purpose=purpose, due=due, end_kind="handover")
                second_end = mid + self.minutes(60, 300)
                self.loan(
                    dev,
                    taker,
                    mid,
                    second_end,
                    purpose=purpose,
                    due=due,
                    content="巡查完毕，无需记录",
                    handover_from=(first, officer),
                )
                officer.free_at = mid
                taker.free_at = second_end
                self.release(dev, second_end)
                self.fillers_made += 2
                self.skip_fillers += 1
                return
        self.loan(dev, officer, start, end, purpose=purpose, due=due, content="巡查完毕，无需记录")
        officer.free_at = end
        self.release(dev, end)
        self.fillers_made += 1

    def release(self, dev: Dev, free_at: dt.datetime) -> None:
        dev.free_at = free_at
        self.pools.add(dev, free_at)

    def lose(self, dev: Dev, officer: Officer, start, end, purpose, due) -> None:
        """The one device lost over the years: the loan ends lost, the device is lost, the holder is liable."""
        loan_id = self.loan(dev, officer, start, end, purpose=purpose, due=due, end_kind="lost")
        officer.free_at = end
        self.status_later(dev, end, "lost", f"{dev.asset_no} 丢失")
        liability_id = self.new_id(Liability)
        row = snap(
            Liability,
            id=liability_id,
            device=dev.id,
            staff=officer.id,
            kind="lost",
            at=end,
            amount_fen=dev.state["price_fen"],
            description="执勤途中遗失，经查找未果",
            loan=loan_id,
        )
        self.writer.row(Liability, row)
        self.writer.log(
            end,
            "liability",
            "liability",
            liability_id,
            f"{dev.asset_no} lost {officer.name}（{officer.number}）",
            None,
            row,
        )

    def fault(self, t: dt.datetime, *, current: bool) -> None:
        rng, w = self.rng, self.writer
        dev = self.pools.take(("video",), t, t + 30 * DAY)
        reported = max(t, dev.free_at + 30 * MINUTE)
        description, outcome = rng.choice(FAULTS)
        sent = reported + dt.timedelta(days=rng.randint(1, 3))
        back = None if current else sent + dt.timedelta(days=rng.randint(5, 20))
        fault_id = self.new_id(Fault)
        opened = snap(
            Fault,
            id=fault_id,
            device=dev.id,
            reported_at=reported,
            description=description,
            sent_at=None,
            back_at=None,
            outcome="",
        )
        w.log(reported, "fault", "fault", fault_id, f"{dev.asset_no} {description}", None, opened)
        self.status_later(dev, reported, "in_repair", f"{dev.asset_no} 故障")
        sent_state = {**opened, "sent_at": audit.jsonable(sent)}
        w.log(sent, "repair_sent", "fault", fault_id, f"{dev.asset_no} 送厂维修", opened, sent_state)
        final = sent_state
        if back is not None:
            final = {**sent_state, "back_at": audit.jsonable(back), "outcome": outcome}
            w.log(back, "repair_back", "fault", fault_id, f"{dev.asset_no} 修复返回", sent_state, final)
            self.status_later(dev, back, "in_store", f"{dev.asset_no} 修复入库")
            self.release(dev, back)
        w.row(Fault, final)

    def open_loan_times(self) -> list[dt.datetime]:
        """When the loans out now were issued: the overdue ones one to three working days ago, the others
        in the last working day's hours (today's, from 10:00 local on)."""
        rng, plan = self.rng, self.plan
        local_now = self.local(self.now)
        day = local_now.date() - dt.timedelta(days=0 if local_now.hour >= 10 else 1)
        opens = from_local(dt.datetime.combine(day, dt.time(8, 0)), self.tz)
        closes = min(from_local(dt.datetime.combine(day, dt.time(17, 0)), self.tz), self.now - 30 * MINUTE)
        times = [self.working_time(opens - rng.randint(1, 3) * DAY) for _ in range(plan.overdue_loans)]
        times += [whole(opens + (closes - opens) * rng.random()) for _ in range(plan.open_loans - plan.overdue_loans)]
        return times

    def open_loan(self, n: int, wanted: dt.datetime) -> None:
        """A device out now; the first ``overdue_loans`` are past their due time."""
        rng = self.rng
        overdue = n < self.plan.overdue_loans
        dev = self.pools.take(("video", "audio", "camera"), wanted, self.now)
        start = max(wanted, dev.free_at + 10 * MINUTE)
        if overdue:
            due = min(start + self.minutes(4 * 60, 9 * 60), self.now - 30 * MINUTE)
        else:
            due = self.now + self.minutes(120, 600) if rng.random() < 0.8 else None
        if start >= (due or self.now) - 5 * MINUTE:
            raise SystemExit("no free device for the loans out now")
        officer = min(self.officers, key=lambda o: (o.free_at > start, self.holding.get(o.id, 0), rng.random()))
        self.holding[officer.id] = self.holding.get(officer.id, 0) + 1
        self.loan(dev, officer, start, None, purpose=rng.choice(PURPOSES), due=due)
        self.status_later(dev, start, "issued", f"{dev.asset_no} 领用")
        officer.free_at = max(officer.free_at, start)
        dev.free_at = dt.datetime.max

    # activities ------------------------------------------------------------------------------------------------------
    def party(self) -> tuple[str, str]:
        kind, inspected = self.rng.choice(PARTY_KINDS)
        return f"示例市{self.rng.choice(SHOPS)}{kind}", inspected

    def activity(self, index: int, t: dt.datetime) -> None:
        rng, w = self.rng, self.writer
        n_clips = self.clips_of[index]
        officers, issue_at = self.take_officers(self.plan.officers_per[index], t - self.minutes(10, 50))
        t = max(t, issue_at + 10 * MINUTE)
        # what it is
        party, inspected = self.party()
        case_no = case_name = ""
        offence = rng.choice(OFFENCES)
        if index in self.cases:
            follow = [c for c in self.recent_cases if c[0] > t - 120 * DAY]
            if follow and rng.random() < 0.2:  # a later step of a recent case
                _when, case_no, case_name, party, offence = rng.choice(follow)
                kind = rng.choice(FOLLOW_UP_KINDS)
            else:
                kind = rng.choice(CASE_KINDS)
                year = self.local(t).year
                serial = self.case_serial.get(year, rng.randint(1, 30)) + rng.randint(1, 4)
                self.case_serial[year] = serial
                case_no = f"示市监立〔{year}〕{serial}号"
                case_name = f"{party.removeprefix('示例市')}{offence}案"
                self.recent_cases = [c for c in self.recent_cases if c[0] > t - 120 * DAY][-50:]
                self.recent_cases.append((t, case_no, case_name, party, offence))
        else:
            kind = rng.choice(OTHER_KINDS)
            if kind == "other":
                party = ""
        title = {
            "inspection": f"{inspected}日常检查",
            "complaint": f"投诉举报处置：{party}",
            "investigation": f"涉嫌{offence}调查取证",
            "preservation": "证据先行登记保存",
            "service": "行政处罚决定书送达",
            "coercion": "查封扣押涉案物品",
            "hearing": "行政处罚听证",
            "other": "专项整治联合检查",
        }[kind]
        circumstances = ""
        if rng.random() < 0.04:
            circumstances = rng.choice(["major_property", "obstruction", "criminal_referral", "life_health"])
        long_term = ""
        if index in self.long_term:
            long_term = ",".join(
                rng.sample(["objection", "obstruction", "mass_incident", "major"], rng.choice((1, 1, 2)))
            )
        activity_id = self.new_id(Activity)
        folder = safe_name(f"{activity_id}-{case_no or title}")
        # its footage: each officer's device records one clip after another
        devs = []
        for j in range(len(officers)):
            pools = ("video",)
            if j > 0 and rng.random() < 0.08:
                pools = ("audio", "video")
            elif j > 0 and rng.random() < 0.05:
                pools = ("camera", "video")
            dev = self.pools.take(pools, issue_at, t + DAY)
            devs.append(dev)
        free = max([issue_at] + [d.free_at + 10 * MINUTE for d in devs])
        if free > issue_at:  # a device was still out: the activity waits for it
            shift = free - issue_at
            issue_at, t = issue_at + shift, t + shift
        shares = [rng.uniform(0.6, 1.4) for _ in officers]
        counts = [max(1, int(n_clips * s / sum(shares))) for s in shares] if n_clips >= len(officers) else []
        if counts:
            while sum(counts) > n_clips:
                counts[counts.index(max(counts))] -= 1
            counts[0] += n_clips - sum(counts)
        else:
            counts = [1 if j < n_clips else 0 for j in range(len(officers))]
        gap_device = 0 if index in self.open_gaps or index in self.explained_gaps else None  # a video device
        sequences = []
        end = t + 10 * MINUTE
        for j, (officer, dev, count) in enumerate(zip(officers, devs, counts)):
            seq = self.record(dev, officer, t + self.minutes(0, 4), count, gap=(j == gap_device))
            sequences.append(seq)
            if seq:
                end = max(end, seq[-1]["stop"])
        end = (end + self.minutes(2, 10)).replace(microsecond=0)
        created = self.at_work(end + self.minutes(3, 15))  # registered by the manager
        status, closed_at = "open", None
        if case_no and t < self.now - 60 * DAY and rng.random() < 0.9:
            day = self.local(t).date() + dt.timedelta(days=rng.randint(15, 240))
            if day < self.local(self.now).date():
                status, closed_at = "closed", day
        values = dict(
            id=activity_id,
            kind=kind,
            title=title,
            case_name=case_name,
            case_no=case_no,
            party=party,
            place=f"{rng.choice(ROADS)} {rng.randint(1, 300)} 号",
            department=officers[0].department,
            start_at=t,
            end_at=end,
            full_record=kind in self.full_kinds or circumstances in self.full_circumstances,
            circumstances=circumstances,
            confidential=index in self.confidential,
            long_term=long_term,
            status="open",
            closed_at=None,
            created_at=created,
        )
        opened = snap(Activity, **values)
        w.log(created, "create", "activity", activity_id, f"{activity_id} {title}", None, opened)
        final = opened
        if status == "closed":
            final = {**opened, "status": "closed", "closed_at": audit.jsonable(closed_at)}
            close_at = from_local(dt.datetime.combine(closed_at, dt.time(10, 0)), self.tz)
            w.log(close_at, "close", "activity", activity_id, f"{activity_id} {title}", opened, final)
        w.row(Activity, final)
        for officer in officers:
            link_id = self.new_id(ActivityOfficer)
            link = snap(ActivityOfficer, id=link_id, activity=activity_id, staff=officer.id)
            w.row(ActivityOfficer, link)
            w.log(
                created,
                "create",
                "activity_officer",
                link_id,
                f"{activity_id} {officer.name}（{officer.number}）",
                None,
                link,
            )
        # the loans, then the footage collected card by card after the return
        batches = []
        for officer, dev, seq in zip(officers, devs, sequences):
            last = seq[-1]["stop"] if seq else t
            returned = (max(last, end) + self.minutes(20, 120)).replace(microsecond=0)
            due = issue_at + 9 * HOUR if rng.random() < 0.7 else None
            self.loan(dev, officer, issue_at, returned, purpose=title, due=due, content=f"{title}，拍摄 {len(seq)} 段")
            officer.free_at = returned
            self.release(dev, returned)
            if seq:
                batches.append((returned, dev, officer, seq))
        self.collect(activity_id, folder, end, created, batches, index)

    def record(self, dev: Dev, officer: Officer, start: dt.datetime, count: int, *, gap: bool) -> list[dict]:
        """What one device recorded: ``count`` files, one after another (``gap``: with one interruption)."""
        rng = self.rng
        limit = self.gap_limit.total_seconds()
        pause = min(90.0, limit / 3)
        clips = []
        photo_share = {"camera": 0.85, "recorder": 0.0}.get(dev.kind, 0.05)
        kinds = ["audio" if dev.kind == "recorder" else "photo" if rng.random() < photo_share else "video"]
        for _ in range(count - 1):
            kinds.append("audio" if dev.kind == "recorder" else "photo" if rng.random() < photo_share else "video")
        moving = [q for q, k in enumerate(kinds) if k != "photo"]
        gap_at = rng.choice(moving[1:]) if gap and len(moving) >= 2 else None
        cur = start
        last_stop = None  # the end of the last video or audio file (interruptions are measured between those)
        for q, kind in enumerate(kinds):
            if q == gap_at:
                cur = last_stop + dt.timedelta(seconds=rng.uniform(limit + 60, limit + 2400))
            cur = cur.replace(microsecond=0)
            corrupt = kind == "video" and rng.random() < 0.0005
            if kind == "photo":
                duration = None
                length = 0.0
            elif corrupt:
                duration = None
                length = rng.uniform(5, 60)
            else:
                duration = round(rng.uniform(15, 360), 3)
                length = duration
            stop = cur + dt.timedelta(seconds=duration or 0)
            clips.append(
                dict(kind=kind, start=cur, duration=duration, stop=stop, corrupt=corrupt, number=dev.next_number())
            )
            if kind == "photo":  # photos do not count for interruptions: the next file still comes within the limit
                cur = cur + dt.timedelta(seconds=rng.uniform(2, 20))
                if last_stop is not None:
                    cur = min(cur, last_stop + dt.timedelta(seconds=limit - 30))
            else:
                last_stop = stop
                cur = cur + dt.timedelta(seconds=length + rng.uniform(2, pause))
        return clips

    def collect(self, activity_id: int, folder: str, end, created, batches: list, index: int) -> None:
        """Ingest each device's card after its return and the activity's registration, in office hours:
        on time or late, card after card."""
        rng = self.rng
        planned = []
        for returned, dev, officer, seq in batches:
            size = len(seq)
            # whole cards are late or not: late when that brings the share nearer LATE_SHARE
            late = LATE_SHARE * (self.seen_clips + size) - self.late_clips >= size / 2
            if late:
                at = self.at_work(max(returned + self.deadline_hours, created) + self.minutes(60, 72 * 60))
                if at + 10 * MINUTE > self.now:
                    late = False
            if not late:
                at = self.at_work(max(returned, created) + self.minutes(10, 90))
            self.seen_clips += size
            reason = None
            if late:
                self.late_clips += size
                if REASON_SHARE * self.late_clips - self.reasoned_clips >= size / 2:
                    explained = self.at_work(at + self.minutes(60, 240 * 60))
                    if explained < self.now - MINUTE:
                        reason = (rng.choice(LATE_REASONS), explained)
                        self.reasoned_clips += size
            planned.append((at, returned, dev, officer, seq, reason))
        planned.sort(key=lambda p: p[0])
        names: set[str] = set()
        for at, returned, dev, officer, seq, reason in planned:
            deadline = self.deadline(returned, end, seq)
            ingested = at.replace(microsecond=0)
            made = []
            for c in sorted(seq, key=lambda c: (c["start"], c["number"])):
                made.append(self.clip(activity_id, folder, dev, officer, c, ingested, deadline, reason, names))
                ingested += dt.timedelta(seconds=max(1, made[-1]["size"] // 150_000_000))
            self.gaps(activity_id, dev, made, index)

    def deadline(self, returned: dt.datetime, end: dt.datetime, seq: list[dict]) -> dt.datetime:
        """As ``IngestService.deadline``: the profile says from what (this loan ends with the return)."""
        recorded_end = seq[-1]["stop"] if seq else None
        base = {"return": returned, "activity_end": end, "recording_end": recorded_end}[self.deadline_from]
        return base + self.deadline_hours

    def clip(self, activity_id, folder, dev: Dev, officer: Officer, c: dict, ingested, deadline, reason, names) -> dict:
        rng, w = self.rng, self.writer
        kind, start, duration = c["kind"], c["start"], c["duration"]
        local = self.local(start)
        stamp = f"{local:%Y%m%d_%H%M%S}_{c['number']:04d}"
        name = {"video": f"VID_{stamp}.MP4", "photo": f"IMG_{stamp}.JPG", "audio": f"REC_{stamp}.WAV"}[kind]
        relative = f"{local:%Y-%m-%d}/{folder}/{name}"
        n = 1
        while relative in names:
            n += 1
            stem, ext = name.rsplit(".", 1)
            relative = f"{local:%Y-%m-%d}/{folder}/{stem} ({n}).{ext}"
        names.add(relative)
        clip_id = self.new_id(Clip)
        if c["corrupt"]:
            width = height = bitrate = None
            codecs, tags, source, size = "", "{}", "name", rng.randint(2_000_000, 90_000_000)
        elif kind == "photo":
            width, height, bitrate, codecs = 4000, 3000, None, "mjpeg"
            size = rng.randint(2_000_000, 6_500_000)
            tags = json.dumps(
                {"DateTimeOriginal": f"{local:%Y:%m:%d %H:%M:%S}", "Model": dev.state["model"]},
                ensure_ascii=False,
                sort_keys=True,
            )
            source = "tag"
        elif kind == "audio":
            width = height = None
            bitrate, codecs, tags, source = 1_411_200, "pcm_s16le", "{}", "name"
            size = int(bitrate * duration / 8) + 44
        else:
            width, height, codecs = dev.width, dev.height, dev.codecs
            bitrate = rng.randint(6_000_000, 10_000_000)
            size = int(bitrate * duration / 8) + rng.randint(20_000, 200_000)
            tagged = local if dev.state["media_time"] == "local" else start
            tags = json.dumps(
                {
                    "comment": dev.serial,
                    "creation_time": f"{tagged:%Y-%m-%dT%H:%M:%S}.000000Z",
                    "encoder": f"{dev.state['model']} 2.1",
                    "major_brand": "isom",
                },
                ensure_ascii=False,
                sort_keys=True,
            )
            source = "tag"
        late = ingested > deadline
        row = snap(
            Clip,
            id=clip_id,
            activity=activity_id,
            device=dev.id,
            holder=officer.id,
            original_name=name,
            source_path=f"/media/manager/{dev.serial}/DCIM/100MEDIA/{name}",
            archive_path=relative,
            size=size,
            sha256=hashlib.sha256(f"avledger-synth {self.seed} {clip_id}".encode()).hexdigest(),
            kind=kind,
            duration_s=duration,
            start_at=start,
            time_source=source,
            width=width,
            height=height,
            codecs=codecs,
            bitrate=bitrate,
            tags=tags,
            flags="corrupt" if c["corrupt"] else "",
            ingested_at=ingested,
            deadline_at=deadline,
            late=late,
            late_reason=None,
        )
        w.log(ingested, "ingest", "clip", clip_id, f"{name} → {relative}", None, row)
        if late and reason is not None:
            text, explained = reason
            final = {**row, "late_reason": text}
            w.log(explained, "late_reason", "clip", clip_id, f"{name}：{text}", row, final)
            row = final
        w.row(Clip, row)
        return {**row, "_start": start, "_duration": duration, "_ingested": ingested}

    def gaps(self, activity_id: int, dev: Dev, made: list[dict], index: int) -> None:
        """The interruptions between consecutive clips of this device, found as ``refresh_gaps`` finds them."""
        rng, w = self.rng, self.writer
        moving = sorted((c for c in made if c["kind"] != "photo"), key=lambda c: (c["_start"], c["id"]))
        for before, after in zip(moving, moving[1:]):
            stop = before["_start"] + dt.timedelta(seconds=before["_duration"] or 0)
            if after["_start"] - stop <= self.gap_limit:
                continue
            gap_id = self.new_id(Gap)
            minutes = round((after["_start"] - stop).total_seconds() / 60)
            found_at = max(before["_ingested"], after["_ingested"])
            opened = snap(
                Gap,
                id=gap_id,
                device=dev.id,
                activity=activity_id,
                after_clip=before["id"],
                before_clip=after["id"],
                start_at=stop,
                end_at=after["_start"],
                minutes=minutes,
                reason=None,
                note="",
                reported=False,
            )
            w.log(found_at, "gap", "gap", gap_id, f"{minutes} min", None, opened)
            final = opened
            if index in self.explained_gaps:
                reason = rng.choice(self.gap_reasons)
                final = {**opened, "reason": reason, "note": GAP_NOTES.get(reason, ""), "reported": rng.random() < 0.3}
                when = min(self.at_work(found_at + self.minutes(60, 120 * 60)), self.now - MINUTE)
                w.log(when, "explain", "gap", gap_id, f"{gap_id} {reason}", opened, final)
            w.row(Gap, final)


def build(
    home: str | Path,
    *,
    clips: int,
    loans: int,
    activities: int,
    seed: int = 1,
    now: dt.datetime | None = None,
    user: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> Figures:
    """Build the register in ``home`` (missing or empty) and return its figures."""
    say = progress or (lambda _text: None)
    started, cpu_started = time.perf_counter(), cpu_seconds()
    path = Path(home)
    if path.exists() and any(path.iterdir()):
        raise SystemExit(f"{path} is not empty: give a missing or empty folder")
    if min(clips, loans, activities) < 0 or loans < activities + open_loans(loans):
        raise SystemExit(
            f"too few loans: {loans} (each activity needs one, and {open_loans(loans)} are out now)"
            if loans >= 0
            else "the sizes cannot be negative"
        )
    when = (now or utcnow()).replace(microsecond=0)
    setup_clock = [when]
    identity = Identity.console(user) if user else Identity.of_process()
    svc = Services(Home(path), identity, clock=lambda: setup_clock[0])
    try:
        db = svc.db
        # the build writes straight into the new file; the register's own settings come back at the end
        db.execute_sql("PRAGMA journal_mode = MEMORY")
        db.execute_sql("PRAGMA synchronous = OFF")
        db.execute_sql("PRAGMA cache_size = -262144")
        builder = Builder(svc, clips=clips, loans=loans, activities=activities, seed=seed, now=when)
        setup_clock[0] = builder.setup_at
        say(f"building {path}: {clips:,} clips, {loans:,} loans, {activities:,} activities (seed {seed})")
        with db.atomic():
            builder.run(say)
        db.execute_sql(f"PRAGMA journal_mode = {PRAGMAS['journal_mode']}")
        db.execute_sql(f"PRAGMA synchronous = {PRAGMAS['synchronous']}")
        setup_clock[0] = when
        svc.ctx.witness()  # the head in the data folder's audit-witness.log, as after any committed change
        rows = {
            name: db.execute_sql(f'SELECT COUNT(*) FROM "{model._meta.table_name}"').fetchone()[0]
            for name, model in AUDITED.items()
        }
        entries = db.execute_sql("SELECT COUNT(*) FROM audit_event").fetchone()[0]
    finally:
        svc.close()
    size = sum(p.stat().st_size for p in path.glob("avledger.db*"))
    return Figures(rows, entries, size, time.perf_counter() - started, cpu_seconds() - cpu_started, peak_rss_mb())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("home", help="the data folder to create (missing or empty)")
    parser.add_argument("--clips", type=int, required=True)
    parser.add_argument("--loans", type=int, required=True)
    parser.add_argument("--activities", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--now", help='the register\'s "now", naive UTC "YYYY-MM-DD HH:MM:SS" (default: now)')
    parser.add_argument("--user", help="the OS account acting, mapped to the manager (default: who runs this)")
    args = parser.parse_args(argv)
    now = dt.datetime.fromisoformat(args.now) if args.now else None
    figures = build(
        args.home,
        clips=args.clips,
        loans=args.loans,
        activities=args.activities,
        seed=args.seed,
        now=now,
        user=args.user,
        progress=lambda text: print(text, flush=True),
    )
    print("\n".join(figures.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
