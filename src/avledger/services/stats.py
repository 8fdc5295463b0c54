"""Statistics (统计, issue 16): for a period, per department or per officer, what the leaders are shown.

Each table of the period is read once, through an index holding what is counted (migrations 12 and 17): one
query per table gives each holder's figures (per month for the trend), added up here per department or
officer, per month and for the office; no row of the register is loaded, and ten years of a million clips
answer in a fraction of a second (``bench/stats.py``).

How each fact is attributed:

- activities, full-record duty and not-recorded work records: per officer, to each officer of the activity
  (an activity of two officers counts for both; the total counts it once); per department, to the
  activity's department;
- clips, hours, late collection, interruptions (the officer whose camera stopped: the holder of the clip
  before it), loans and overdue returns: to the holder, per department to the holder's department;
- devices: the distinct devices lent in the period; per department the allocation standard too;
- spot checks (抽查, F18): the activities of the period checked in a spot check and the mean of their scores,
  attributed as activities are (per officer to each officer of the activity, per department to its department).

A metric is a :class:`Metric` in :data:`METRICS`; another part of avledger adds its own (append a Metric whose
queries give ``(group id, value)`` rows, as the not-recorded records and the spot-check scores do) and the CLI,
the JSON, the printed report and the TUI show it with the others.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from math import ceil

from avledger.errors import UserError
from avledger.i18n import N_
from avledger.services.base import Context, check_text
from avledger.services.register import DepartmentService
from avledger.timeutil import from_local, parse_date
from avledger.vocab import WORKING_STATUSES

BY = ("dept", "officer")


@dataclass(frozen=True)
class Metric:
    """One column of the statistics. A built-in figure (``sql`` None) comes from the tallies of
    :meth:`StatsService.report`; another part of avledger may add its own with ``sql[by]`` selecting
    ``(group id, value)`` rows for the period (parameters ``:start`` and ``:end``, naive UTC; ``:now``) and
    ``total`` the value over everyone (None: the sum of the groups)."""

    key: str
    label: str  # message id
    sql: dict[str, str] | None = None
    total: str | None = None
    kind: str = "count"  # count | hours | mean (None when nothing to average) | rate (computed after)


# spot checks (抽查, F18): an activity of the period checked in any spot check, and the mean of the scores
# given to the activities of the period (an activity checked twice counts both scores)
_CHECKED = "SELECT activity_id FROM spot_check_activity WHERE checked_at IS NOT NULL"
_OVERDUE = "due_at IS NOT NULL AND ((end_at IS NOT NULL AND end_at > due_at) OR (end_at IS NULL AND due_at < :now))"
_MET = (
    "a.full_record AND (EXISTS (SELECT 1 FROM clip c WHERE c.activity_id = a.id)"
    " OR EXISTS (SELECT 1 FROM norecord r WHERE r.activity_id = a.id))"
)
_ACTIVITY = {
    "officer": "SELECT ao.staff_id, {value} FROM activity a JOIN activity_officer ao ON ao.activity_id = a.id"
    " WHERE a.start_at >= :start AND a.start_at < :end GROUP BY ao.staff_id",
    "dept": "SELECT a.department_id, {value} FROM activity a"
    " WHERE a.start_at >= :start AND a.start_at < :end GROUP BY a.department_id",
}

METRICS: list[Metric] = [
    Metric("activities", N_("执法活动")),
    Metric("full_record", N_("须全程记录")),
    Metric("full_record_met", N_("全程记录已履行")),
    Metric(
        "norecords",
        N_("无法记录工作记录"),
        {
            "officer": "SELECT ao.staff_id, count(*) FROM norecord r JOIN activity_officer ao"
            " ON ao.activity_id = r.activity_id WHERE r.at >= :start AND r.at < :end GROUP BY ao.staff_id",
            "dept": "SELECT a.department_id, count(*) FROM norecord r JOIN activity a ON a.id = r.activity_id"
            " WHERE r.at >= :start AND r.at < :end GROUP BY a.department_id",
        },
        "SELECT count(*) FROM norecord WHERE at >= :start AND at < :end",
    ),
    Metric("clips", N_("音像文件")),
    Metric("hours", N_("音像时长（小时）"), kind="hours"),
    Metric("on_time", N_("按时采集")),
    Metric("gaps", N_("记录中断")),
    Metric("gaps_explained", N_("中断已说明")),
    Metric("loans", N_("领用")),
    Metric("overdue", N_("逾期归还")),
    Metric("devices_used", N_("使用设备")),
    Metric("spot_checked", N_("已抽查活动")),
    Metric(
        "spot_score",
        N_("抽查平均分"),
        {
            by: sql.format(value="avg(s.score)").replace(
                " WHERE ", " JOIN spot_check_activity s ON s.activity_id = a.id WHERE s.score IS NOT NULL AND "
            )
            for by, sql in _ACTIVITY.items()
        },
        "SELECT avg(s.score) FROM activity a JOIN spot_check_activity s ON s.activity_id = a.id"
        " WHERE s.score IS NOT NULL AND a.start_at >= :start AND a.start_at < :end",
        "mean",
    ),
]

# The tallies the built-in figures come from: per table, one query giving each holder's (or group's) figures per
# range of time (the whole period, or each month of it for the trend), which Python then adds up per department
# or officer, per month and for everyone. Each row of the period is counted once, through an index that holds
# what is counted (migrations 12 and 17), in the index's order: no sort of a million rows, no row read.
#
# Clips and loans: for each holder (and no holder) and each range, one aggregate over that holder's entries in
# the range of ``clip_holder_stats`` or ``loan_holder_stats`` (the holder, then the time); for the office's
# trend alone (no holders), each range of the index on the time. The devices lent come as the list of the
# distinct ones, so that a department and the office count a device once.
_HELD = {
    "clip": (("clips", "count(*)"), ("hours", "sum(t.duration_s)"), ("on_time", "sum(t.late = 0)")),
    "loan": (
        ("loans", "count(*)"),
        ("overdue", f"sum({_OVERDUE})"),
        ("devices_used", "json_group_array(DISTINCT t.device_id)"),
    ),
}
_EVERYONE = "SELECT id FROM staff UNION ALL SELECT NULL"
# an interruption's holder is the holder of the clip before it (the officer whose camera stopped)
_GAPS = (
    "WITH m (k, s, e) AS (VALUES {ranges}) SELECT c.holder_id, m.k, count(*), sum(g.reason IS NOT NULL)"
    " FROM m CROSS JOIN gap g ON g.start_at >= m.s AND g.start_at < m.e JOIN clip c ON c.id = g.after_clip_id"
    " GROUP BY c.holder_id, m.k"
)
# activities: per department (each activity once, so the office's figures are their sum) or per officer
_ACTIVITIES = (
    "WITH m (k, s, e) AS (VALUES {ranges}) SELECT {group}, m.k, count(*), sum(a.full_record), sum(" + _MET + "),"
    " sum(a.id IN (" + _CHECKED + ")) FROM m CROSS JOIN activity a ON a.start_at >= m.s AND a.start_at < m.e"
    "{join} GROUP BY {group}, m.k"
)
_ACTIVITY_FIGURES = ("activities", "full_record", "full_record_met", "spot_checked")
_ACTIVITY_GROUP = {
    "dept": ("a.department_id", ""),
    "officer": ("ao.staff_id", " JOIN activity_officer ao ON ao.activity_id = a.id"),
}

# the figures charted (bars per department or officer, and month by month), on screen and on paper
CHARTED = ("activities", "clips", "on_time_rate", "gaps", "loans", "overdue")
TREND = ("activities", "clips", "on_time", "on_time_rate", "gaps", "gaps_explained", "loans", "overdue")


@dataclass
class StatsRow:
    key: int | None  # department or staff id (None: not known, e.g. footage of no holder)
    name: str
    dept: str = ""
    values: dict[str, float | int | None] = field(default_factory=dict)

    @property
    def on_time_rate(self) -> float | None:
        clips = self.values.get("clips") or 0
        return round(100.0 * (self.values.get("on_time") or 0) / clips, 1) if clips else None

    def as_json(self) -> dict:
        return {"id": self.key, "name": self.name, "dept": self.dept, **self.values, "on_time_rate": self.on_time_rate}


@dataclass
class Trend:
    """The office's figures month by month over a period (:data:`TREND`): ``months`` as ``YYYY-MM`` (the first
    and the last may be parts of their month, as the period cuts them), and per figure one value a month."""

    months: list[str]
    series: dict[str, list[float | int | None]]

    def as_json(self) -> list[dict]:
        return [{"month": m, **{k: v[i] for k, v in self.series.items()}} for i, m in enumerate(self.months)]


@dataclass
class StatsReport:
    date_from: dt.date
    date_to: dt.date
    by: str
    metrics: list[Metric]
    rows: list[StatsRow]
    total: StatsRow
    trend: Trend | None = None

    def as_json(self) -> dict:
        trend = {"trend": self.trend.as_json()} if self.trend is not None else {}
        return {
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "by": self.by,
            "metrics": [m.key for m in self.metrics] + ["on_time_rate"],
            "rows": [r.as_json() for r in self.rows],
            "total": self.total.as_json(),
            **trend,
        }


class StatsService:
    def __init__(self, ctx: Context, departments: DepartmentService):
        self.ctx = ctx
        self.departments = departments

    def period(self, date_from: str | dt.date, date_to: str | dt.date) -> tuple[dt.date, dt.date]:
        dates = []
        for value, name, label in ((date_from, "date_from", N_("开始日期")), (date_to, "date_to", N_("结束日期"))):
            if isinstance(value, dt.date):
                dates.append(value)
                continue
            check_text(value, label, field=name)
            dates.append(parse_date(value, label=label, field=name))
        if dates[1] < dates[0]:
            raise UserError(
                "input.end_before_start",
                "开始日期 {start} 晚于结束日期 {end}",
                field="date_to",
                start=dates[0].isoformat(),
                end=dates[1].isoformat(),
            )
        return dates[0], dates[1]

    def report(
        self, date_from: str | dt.date, date_to: str | dt.date, *, by: str = "dept", trend: bool = False
    ) -> StatsReport:
        """The statistics of the period (local dates, both included), per department or per officer; with
        ``trend``, the office's figures month by month too (as :meth:`trend` gives them).

        One query per table (the tallies above: each holder's figures per range, the ranges being the whole
        period or, with ``trend``, its months), added up here per department or officer, per month and for the
        office; then the figures other parts add (:class:`Metric` with ``sql``), the allocation standard."""
        check_text(by, N_("统计方式"), field="by")
        if by not in BY:
            raise UserError(
                "input.bad_choice", "{label}无效：{value}（可选：{choices}）", field="by", label=N_("统计方式"),
                value=by, choices=" ".join(BY),
            )  # fmt: skip
        first, last = self.period(date_from, date_to)
        self.ctx.require("register.read")
        profile = self.ctx.profile()
        months, params = self._ranges(first, last, profile.tz, by_month=trend)
        db = self.ctx.db
        dept_of = dict(db.execute_sql("SELECT id, department_id FROM staff").fetchall())

        def group(holder):
            return holder if by == "officer" else dept_of.get(holder)

        cells: dict[int | None, dict] = {}
        office: dict = {}
        per_month: dict[str, dict] = {m: {} for m in months}
        for table in _HELD:
            for holder, month, figures in self._held(table, months, params, _EVERYONE):
                for target in (cells.setdefault(group(holder), {}), office, per_month[month]):
                    _add(target, figures)
        for holder, month, figures in self._gaps(months, params):
            for target in (cells.setdefault(group(holder), {}), office, per_month[month]):
                _add(target, figures)
        for dept, month, figures in self._activities(months, params, "dept"):
            _add(office, figures)
            _add(per_month[month], figures)
            if by == "dept":
                _add(cells.setdefault(dept, {}), figures)
        if by == "officer":
            for officer, _month, figures in self._activities(months, params, "officer"):
                _add(cells.setdefault(officer, {}), figures)
        names = self._names(by)
        rows = {key: StatsRow(key, *names.get(key, ("—", "")), values=_values(c)) for key, c in cells.items()}
        total = StatsRow(None, N_("合计"), values=_values(office))
        for metric in METRICS:
            if metric.sql is None:
                continue
            for key, value in db.execute_sql(metric.sql[by], params).fetchall():
                row = rows.get(key) or rows.setdefault(key, StatsRow(key, *names.get(key, ("—", ""))))
                row.values[metric.key] = _number(value, metric.kind)
            if metric.total is not None:
                total.values[metric.key] = _number(db.execute_sql(metric.total, params).fetchone()[0], metric.kind)
            else:
                total.values[metric.key] = sum(r.values.get(metric.key) or 0 for r in rows.values())
        for key, (name, dept) in names.items():
            if by == "dept" or key in rows:
                rows.setdefault(key, StatsRow(key, name, dept))
        for row in [*rows.values(), total]:
            for metric in METRICS:
                row.values.setdefault(metric.key, None if metric.kind == "mean" else 0)
        metrics = list(METRICS)
        if by == "dept":
            self._allocation(rows, total, profile)
        ordered = sorted(rows.values(), key=lambda r: (r.key is None, r.dept, r.name))
        return StatsReport(first, last, by, metrics, ordered, total, _trend(per_month) if trend else None)

    def trend(self, date_from: str | dt.date, date_to: str | dt.date, *, dept_id: int | None = None) -> Trend:
        """The office's figures (or one department's) month by month over the period (local dates, both
        included): one query per table, each month a range of the index on the rows' time (for one department,
        of its holders' entries in ``clip_holder_stats`` and ``loan_holder_stats``). A month is the profile's
        time zone's, so that a clip at 00:30 on the 1st, Beijing time, counts in its month (the bounds are
        computed here and given to the query, right across a change of the clocks too)."""
        first, last = self.period(date_from, date_to)
        self.ctx.require("register.read")
        months, params = self._ranges(first, last, self.ctx.profile().tz, by_month=True)
        params["dept"] = dept_id
        holders = None if dept_id is None else "SELECT id FROM staff WHERE department_id = :dept"
        per_month: dict[str, dict] = {m: {} for m in months}
        for table in _HELD:
            for _holder, month, figures in self._held(table, months, params, holders, keys=TREND):
                _add(per_month[month], figures)
        dept_of = dict(self.ctx.db.execute_sql("SELECT id, department_id FROM staff").fetchall())
        for holder, month, figures in self._gaps(months, params):
            if dept_id is None or dept_of.get(holder) == dept_id:
                _add(per_month[month], figures)
        for dept, month, figures in self._activities(months, params, "dept"):
            if dept_id is None or dept == dept_id:
                _add(per_month[month], figures)
        return _trend(per_month)

    def _ranges(self, first: dt.date, last: dt.date, tz, *, by_month: bool) -> tuple[list[str], dict]:
        """The period's ranges of time: its months (``YYYY-MM``, the first and the last cut by the period) or
        the whole period (one range, keyed ""); and the query parameters: each range's bounds ``:s<n>`` and
        ``:e<n>`` (naive UTC), the period's ``:start`` and ``:end``, and ``:now``."""

        def utc(day: dt.date) -> str:
            return from_local(dt.datetime.combine(day, dt.time()), tz).isoformat(" ")

        params = {"start": utc(first), "end": utc(last + dt.timedelta(days=1)), "now": self.ctx.clock().isoformat(" ")}
        if not by_month:
            return [""], params | {"s0": params["start"], "e0": params["end"]}
        months, start = [], first
        while start <= last:
            after = (start.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
            params[f"s{len(months)}"], params[f"e{len(months)}"] = (
                utc(start),
                utc(min(after, last + dt.timedelta(days=1))),
            )
            months.append(start.strftime("%Y-%m"))
            start = after
        return months, params

    @staticmethod
    def _values_sql(months: list[str]) -> str:
        return ", ".join(f"('{m}', :s{i}, :e{i})" for i, m in enumerate(months))

    def _held(
        self, table: str, months: list[str], params: dict, holders: str | None, *, keys=None
    ) -> Iterator[tuple[int | None, str, dict]]:
        """Each holder's figures of ``table`` (clip or loan) per range: ``holders`` selects the holders (None:
        the rows of everyone at once, given with no holder)."""
        figures = [(key, value) for key, value in _HELD[table] if keys is None or key in keys]
        values = ", ".join(value for _key, value in figures)
        ranges = self._values_sql(months)
        if holders is None:
            sql = (
                f"WITH m (k, s, e) AS (VALUES {ranges}) SELECT NULL, m.k, (SELECT json_array({values})"
                f" FROM {table} t WHERE t.start_at >= m.s AND t.start_at < m.e) FROM m"
            )
        else:
            sql = (
                f"WITH m (k, s, e) AS (VALUES {ranges}), h (id) AS ({holders}) SELECT h.id, m.k,"
                f" (SELECT json_array({values}) FROM {table} t"
                f" WHERE t.holder_id IS h.id AND t.start_at >= m.s AND t.start_at < m.e) FROM h CROSS JOIN m"
            )
        for holder, month, got in self.ctx.db.execute_sql(sql, params).fetchall():
            got = json.loads(got)
            if got[0]:
                yield holder, month, {key: value for (key, _sql), value in zip(figures, got, strict=True)}

    def _gaps(self, months: list[str], params: dict) -> Iterator[tuple[int | None, str, dict]]:
        sql = _GAPS.format(ranges=self._values_sql(months))
        for holder, month, gaps, explained in self.ctx.db.execute_sql(sql, params).fetchall():
            yield holder, month, {"gaps": gaps, "gaps_explained": explained or 0}

    def _activities(self, months: list[str], params: dict, by: str) -> Iterator[tuple[int | None, str, dict]]:
        group, join = _ACTIVITY_GROUP[by]
        sql = _ACTIVITIES.format(ranges=self._values_sql(months), group=group, join=join)
        for key, month, *got in self.ctx.db.execute_sql(sql, params).fetchall():
            yield key, month, {k: v or 0 for k, v in zip(_ACTIVITY_FIGURES, got, strict=True)}

    def _names(self, by: str) -> dict[int | None, tuple[str, str]]:
        if by == "dept":
            return {d.id: (d.name, d.name) for d in self.departments.list()}
        sql = "SELECT s.id, s.name, s.number, d.name FROM staff s JOIN department d ON d.id = s.department_id"
        return {i: (f"{name}（{number}）", dept) for i, name, number, dept in self.ctx.db.execute_sql(sql).fetchall()}

    def _allocation(self, rows: dict[int | None, StatsRow], total: StatsRow, profile) -> None:
        """The allocation standard per department: working devices, how many it requires, the shortfall."""
        kinds = profile.counted_kinds
        marks = ",".join("?" * len(kinds)), ",".join("?" * len(WORKING_STATUSES))
        working = dict(
            self.ctx.db.execute_sql(
                f"SELECT department_id, count(*) FROM device WHERE kind IN ({marks[0]}) AND status IN ({marks[1]})"
                " GROUP BY department_id",
                [*kinds, *WORKING_STATUSES],
            ).fetchall()
        )
        for d in self.departments.list():
            row = rows.get(d.id)
            if row is None:
                continue
            per = profile.officers_per_device(d.alloc_class)
            required = None if per is None else ceil(d.officer_count / per)
            row.values["devices"] = working.get(d.id, 0)
            row.values["devices_required"] = required
            row.values["devices_short"] = max(0, required - working.get(d.id, 0)) if required is not None else 0
        for key in ("devices", "devices_short"):
            total.values[key] = sum(r.values.get(key) or 0 for r in rows.values())
        total.values["devices_required"] = sum(r.values.get("devices_required") or 0 for r in rows.values())


ALLOCATION_COLUMNS = (("devices", N_("在用设备")), ("devices_required", N_("应配")), ("devices_short", N_("缺额")))


def _add(target: dict, figures: dict) -> None:
    """Add one tally's figures to a group's, a month's or the office's (the devices lent as a set)."""
    for key, value in figures.items():
        if key == "devices_used":
            target.setdefault(key, set()).update(value or ())
        else:
            target[key] = target.get(key, 0) + (value or 0)


def _values(sums: dict) -> dict[str, float | int | None]:
    """A group's figures as the report shows them: hours from seconds, the number of distinct devices."""
    out = {key: value for key, value in sums.items() if key not in ("hours", "devices_used")}
    if "hours" in sums:
        out["hours"] = _number(sums["hours"] / 3600.0, "hours")
    if "devices_used" in sums:
        out["devices_used"] = len(sums["devices_used"])
    return out


def _trend(per_month: dict[str, dict]) -> Trend:
    """The months' sums as a :class:`Trend` (the months in order, each figure of :data:`TREND`)."""
    series = {key: [int(sums.get(key, 0)) for sums in per_month.values()] for key in TREND if key != "on_time_rate"}
    series["on_time_rate"] = [
        round(100.0 * on_time / clips, 1) if clips else None
        for on_time, clips in zip(series["on_time"], series["clips"], strict=True)
    ]
    return Trend(list(per_month), {key: series[key] for key in TREND})


def _number(value, kind: str) -> float | int | None:
    if value is None:
        return None if kind == "mean" else 0
    if kind == "mean":
        return round(float(value), 1)
    return round(float(value), 2) if kind == "hours" else int(value)


Columns = Callable[[StatsReport], list[tuple[str, str]]]


def columns(report: StatsReport) -> list[tuple[str, str]]:
    """The report's columns (key, label message id), in the order shown and printed."""
    out = [(m.key, m.label) for m in report.metrics]
    out.insert(out.index(("on_time", N_("按时采集"))) + 1, ("on_time_rate", N_("按时采集率（%）")))
    if report.by == "dept":
        out += list(ALLOCATION_COLUMNS)
    return out


def trend_columns() -> list[tuple[str, str]]:
    """The trend's figures (key, label message id), in the order shown and printed."""
    labels = {m.key: m.label for m in METRICS} | {"on_time_rate": N_("按时采集率（%）")}
    return [(key, labels[key]) for key in TREND]
