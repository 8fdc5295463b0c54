"""Statistics (统计, issue 16): for a period, per department or per officer, what the leaders are shown.

Every number is one SQL aggregate (``GROUP BY``) over an indexed range of the period (migration 12): no row
of the register is loaded, so a year of a million clips answers as fast as a week.

How each fact is attributed:

- activities, full-record duty and not-recorded work records: per officer, to each officer of the activity
  (an activity of two officers counts for both; the total counts it once); per department, to the
  activity's department;
- clips, hours, late collection, interruptions (the officer whose camera stopped: the holder of the clip
  before it), loans and overdue returns: to the holder, per department to the holder's department;
- devices: the distinct devices lent in the period; per department the allocation standard too;
- spot checks (抽查, F18): the activities of the period checked in a spot check and the mean of their scores,
  attributed as activities are (per officer to each officer of the activity, per department to its department).

A metric is a :class:`Metric` in :data:`METRICS`; another part of avledger adds its own (spot-check counts and
scores: append a Metric whose queries give ``(group id, value)`` rows) and the CLI, the JSON, the printed
report and the TUI show it with the others.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
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
    """One column of the statistics: ``sql[by]`` selects ``(group id, value)`` rows for the period
    (parameters ``:start`` and ``:end``, naive UTC; ``:now``), ``total`` the value over everyone (None: the sum
    of the groups)."""

    key: str
    label: str  # message id
    sql: dict[str, str]
    total: str | None = None
    kind: str = "count"  # count | hours | mean (None when nothing to average) | rate (computed after)


# a clip's, a gap's or a loan's holder and their department
_HOLDER = {"officer": "{h}", "dept": "(SELECT department_id FROM staff WHERE id = {h})"}
_ACTIVITY = {
    "officer": "SELECT ao.staff_id, {value} FROM activity a JOIN activity_officer ao ON ao.activity_id = a.id"
    " WHERE a.start_at >= :start AND a.start_at < :end GROUP BY ao.staff_id",
    "dept": "SELECT a.department_id, {value} FROM activity a"
    " WHERE a.start_at >= :start AND a.start_at < :end GROUP BY a.department_id",
}
_ACTIVITY_TOTAL = "SELECT {value} FROM activity a WHERE a.start_at >= :start AND a.start_at < :end"
_MET = (
    "a.full_record AND (EXISTS (SELECT 1 FROM clip c WHERE c.activity_id = a.id)"
    " OR EXISTS (SELECT 1 FROM norecord r WHERE r.activity_id = a.id))"
)


def _activity_metric(key: str, label: str, value: str) -> Metric:
    return Metric(
        key, label, {by: sql.format(value=value) for by, sql in _ACTIVITY.items()}, _ACTIVITY_TOTAL.format(value=value)
    )


def _held(key: str, label: str, table: str, holder: str, when: str, value: str, kind: str = "count") -> Metric:
    sql = {
        by: f"SELECT {group.format(h=holder)} AS g, {value} FROM {table} WHERE {when} >= :start AND {when} < :end"
        " GROUP BY g"
        for by, group in _HOLDER.items()
    }
    return Metric(key, label, sql, f"SELECT {value} FROM {table} WHERE {when} >= :start AND {when} < :end", kind)


# spot checks (抽查, F18): an activity of the period checked in any spot check, and the mean of the scores
# given to the activities of the period (an activity checked twice counts both scores)
_CHECKED = "SELECT activity_id FROM spot_check_activity WHERE checked_at IS NOT NULL"
_GAP_HOLDER = "(SELECT holder_id FROM clip WHERE clip.id = gap.after_clip_id)"
_OVERDUE = "due_at IS NOT NULL AND ((end_at IS NOT NULL AND end_at > due_at) OR (end_at IS NULL AND due_at < :now))"

METRICS: list[Metric] = [
    _activity_metric("activities", N_("执法活动"), "count(*)"),
    _activity_metric("full_record", N_("须全程记录"), "sum(a.full_record)"),
    _activity_metric("full_record_met", N_("全程记录已履行"), f"sum({_MET})"),
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
    _held("clips", N_("音像文件"), "clip", "holder_id", "start_at", "count(*)"),
    _held("hours", N_("音像时长（小时）"), "clip", "holder_id", "start_at", "sum(duration_s) / 3600.0", "hours"),
    _held("on_time", N_("按时采集"), "clip", "holder_id", "start_at", "sum(late = 0)"),
    _held("gaps", N_("记录中断"), "gap", _GAP_HOLDER, "start_at", "count(*)"),
    _held("gaps_explained", N_("中断已说明"), "gap", _GAP_HOLDER, "start_at", "sum(reason IS NOT NULL)"),
    _held("loans", N_("领用"), "loan", "holder_id", "start_at", "count(*)"),
    _held("overdue", N_("逾期归还"), "loan", "holder_id", "start_at", f"sum({_OVERDUE})"),
    _held("devices_used", N_("使用设备"), "loan", "holder_id", "start_at", "count(DISTINCT device_id)"),
    _activity_metric("spot_checked", N_("已抽查活动"), f"sum(a.id IN ({_CHECKED}))"),
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

# The month-by-month figures (:meth:`StatsService.trend`): per table, the figures its rows give, each a SQL
# aggregate over the table's rows whose time falls in a month (the index on that time: migrations 5 and 12);
# and the rows of one department (a holder's department, as the per-department figures count them).
_TREND_TABLES = (
    ("activity a", "a.start_at", "a.department_id = :dept", (("activities", "count(*)"),)),
    (
        "clip c",
        "c.start_at",
        "c.holder_id IN (SELECT id FROM staff WHERE department_id = :dept)",
        (("clips", "count(*)"), ("on_time", "sum(c.late = 0)")),
    ),
    (
        "gap",
        "gap.start_at",
        f"{_GAP_HOLDER} IN (SELECT id FROM staff WHERE department_id = :dept)",
        (("gaps", "count(*)"), ("gaps_explained", "sum(gap.reason IS NOT NULL)")),
    ),
    (
        "loan",
        "loan.start_at",
        "loan.holder_id IN (SELECT id FROM staff WHERE department_id = :dept)",
        (("loans", "count(*)"), ("overdue", f"sum({_OVERDUE})")),
    ),
)
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
        ``trend``, the office's figures month by month too (:meth:`trend`)."""
        check_text(by, N_("统计方式"), field="by")
        if by not in BY:
            raise UserError(
                "input.bad_choice", "{label}无效：{value}（可选：{choices}）", field="by", label=N_("统计方式"),
                value=by, choices=" ".join(BY),
            )  # fmt: skip
        first, last = self.period(date_from, date_to)
        self.ctx.require("register.read")
        profile = self.ctx.profile()
        tz = profile.tz
        params = {
            "start": from_local(dt.datetime.combine(first, dt.time()), tz).isoformat(" "),
            "end": from_local(dt.datetime.combine(last + dt.timedelta(days=1), dt.time()), tz).isoformat(" "),
            "now": self.ctx.clock().isoformat(" "),
        }
        db = self.ctx.db
        rows: dict[int | None, StatsRow] = {}
        names = self._names(by)
        for metric in METRICS:
            for key, value in db.execute_sql(metric.sql[by], params).fetchall():
                row = rows.get(key) or rows.setdefault(key, StatsRow(key, *names.get(key, ("—", ""))))
                row.values[metric.key] = _number(value, metric.kind)
        for key, (name, dept) in names.items():
            if by == "dept" or key in rows:
                rows.setdefault(key, StatsRow(key, name, dept))
        total = StatsRow(None, N_("合计"))
        for metric in METRICS:
            if metric.total is not None:
                total.values[metric.key] = _number(db.execute_sql(metric.total, params).fetchone()[0], metric.kind)
            else:
                total.values[metric.key] = sum(r.values.get(metric.key) or 0 for r in rows.values())
        for row in rows.values():
            for metric in METRICS:
                row.values.setdefault(metric.key, None if metric.kind == "mean" else 0)
        metrics = list(METRICS)
        if by == "dept":
            self._allocation(rows, total, profile)
        ordered = sorted(rows.values(), key=lambda r: (r.key is None, r.dept, r.name))
        return StatsReport(first, last, by, metrics, ordered, total, self.trend(first, last) if trend else None)

    def trend(self, date_from: str | dt.date, date_to: str | dt.date, *, dept_id: int | None = None) -> Trend:
        """The office's figures (or one department's) month by month over the period (local dates, both
        included): one query per table, the period's months joined to the table's rows by the index on their
        time (each month a range of it), grouped by month. A month is the profile's time zone's, so that a
        clip at 00:30 on the 1st, Beijing time, counts in its month (the bounds are computed here and given to
        the query, right across a change of the clocks too)."""
        first, last = self.period(date_from, date_to)
        self.ctx.require("register.read")
        tz = self.ctx.profile().tz
        months, params = [], {"now": self.ctx.clock().isoformat(" "), "dept": dept_id}
        start = first
        while start <= last:
            after = (start.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
            end = min(after, last + dt.timedelta(days=1))
            n = len(months)
            months.append(start.strftime("%Y-%m"))
            params[f"s{n}"] = from_local(dt.datetime.combine(start, dt.time()), tz).isoformat(" ")
            params[f"e{n}"] = from_local(dt.datetime.combine(end, dt.time()), tz).isoformat(" ")
            start = after
        index = {m: i for i, m in enumerate(months)}
        series: dict[str, list] = {key: [0] * len(months) for key in TREND if key != "on_time_rate"}
        bounds = ", ".join(f"('{m}', :s{i}, :e{i})" for i, m in enumerate(months))
        for table, when, of_dept, figures in _TREND_TABLES:
            values = ", ".join(value for _key, value in figures)
            sql = (
                f"WITH m (k, s, e) AS (VALUES {bounds}) SELECT m.k, {values} FROM m CROSS JOIN {table}"
                f" ON {when} >= m.s AND {when} < m.e{'' if dept_id is None else ' AND ' + of_dept} GROUP BY m.k"
            )
            for month, *got in self.ctx.db.execute_sql(sql, params).fetchall():
                for (key, _value), value in zip(figures, got, strict=True):
                    series[key][index[month]] = int(value or 0)
        series["on_time_rate"] = [
            round(100.0 * on_time / clips, 1) if clips else None
            for on_time, clips in zip(series["on_time"], series["clips"], strict=True)
        ]
        return Trend(months, {key: series[key] for key in TREND})

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
