"""Statistics (统计): every number matches a count this test makes itself from the register's rows."""

from __future__ import annotations

import collections
import datetime as dt
import json
import subprocess
import sys
from math import ceil

import pytest

from avledger.errors import UserError
from avledger.home import Home
from avledger.identity import Identity
from avledger.models.schema import (
    Activity,
    ActivityOfficer,
    Clip,
    Device,
    Gap,
    Loan,
    NoRecord,
    SpotCheckActivity,
    Staff,
)
from avledger.services import Services
from avledger.timeutil import to_local
from avledger.vocab import WORKING_STATUSES
from conftest import cli_env

NOW = dt.datetime(2030, 1, 1)


@pytest.fixture
def synth(synth_home):
    svc = Services(Home(synth_home), Identity.of_process(), clock=lambda: NOW)
    yield svc
    svc.close()


def expected(svc, first: dt.date, last: dt.date, by: str) -> dict:
    """The statistics counted in Python, row by row, from the register."""
    tz = svc.ctx.profile().tz
    dept_of = {s.id: s.department_id for s in Staff.select()}

    def inside(when) -> bool:
        return when is not None and first <= to_local(when, tz).date() <= last

    def group(staff_id):
        return staff_id if by == "officer" else dept_of.get(staff_id)

    out = collections.defaultdict(collections.Counter)
    officers = collections.defaultdict(list)
    for ao in ActivityOfficer.select():
        officers[ao.activity_id].append(ao.staff_id)
    has_clip = {c.activity_id for c in Clip.select(Clip.activity) if c.activity_id}
    has_record = {r.activity_id for r in NoRecord.select(NoRecord.activity)}
    for a in Activity.select():
        if not inside(a.start_at):
            continue
        keys = officers[a.id] if by == "officer" else [a.department_id]
        for key in keys:
            out[key]["activities"] += 1
            out[key]["full_record"] += int(a.full_record)
            out[key]["full_record_met"] += int(a.full_record and (a.id in has_clip or a.id in has_record))
    for r in NoRecord.select():
        if inside(r.at):
            activity = Activity.get_by_id(r.activity_id)
            for key in officers[r.activity_id] if by == "officer" else [activity.department_id]:
                out[key]["norecords"] += 1
    hours = collections.defaultdict(float)
    for c in Clip.select():
        if inside(c.start_at):
            key = group(c.holder_id)
            out[key]["clips"] += 1
            out[key]["on_time"] += int(not c.late)
            hours[key] += c.duration_s or 0
    holder_of = {c.id: c.holder_id for c in Clip.select(Clip.id, Clip.holder)}
    for g in Gap.select():
        if inside(g.start_at):
            key = group(holder_of[g.after_clip_id])
            out[key]["gaps"] += 1
            out[key]["gaps_explained"] += int(g.reason is not None)
    devices = collections.defaultdict(set)
    for loan in Loan.select():
        if inside(loan.start_at):
            key = group(loan.holder_id)
            out[key]["loans"] += 1
            late = loan.due_at is not None and (
                (loan.end_at is not None and loan.end_at > loan.due_at) or (loan.end_at is None and loan.due_at < NOW)
            )
            out[key]["overdue"] += int(late)
            devices[key].add(loan.device_id)
    for key, used in devices.items():
        out[key]["devices_used"] = len(used)
    for key, value in hours.items():
        out[key]["hours"] = round(value / 3600, 2)
    checked = {d.activity_id for d in SpotCheckActivity.select() if d.checked_at is not None}
    scores = collections.defaultdict(list)
    for d in SpotCheckActivity.select():
        if d.score is not None:
            scores[d.activity_id].append(d.score)
    given = collections.defaultdict(list)
    for a in Activity.select():
        if not inside(a.start_at):
            continue
        for key in officers[a.id] if by == "officer" else [a.department_id]:
            out[key]["spot_checked"] += int(a.id in checked)
            given[key] += scores[a.id]
    for key in set(out) | set(given):
        out[key]["spot_score"] = round(sum(given[key]) / len(given[key]), 1) if given[key] else None
    return out


def period_of_the_data(svc) -> tuple[dt.date, dt.date]:
    tz = svc.ctx.profile().tz
    starts = [c.start_at for c in Clip.select(Clip.start_at) if c.start_at]
    return to_local(min(starts), tz).date(), to_local(max(starts), tz).date()


@pytest.mark.parametrize("by", ["dept", "officer"])
def test_every_number_matches_the_register(synth, by):
    first, last = period_of_the_data(synth)
    middle = first + (last - first) / 2
    for period in ((first, last), (first, middle), (middle + dt.timedelta(days=1), last)):
        report = synth.stats.report(period[0].isoformat(), period[1].isoformat(), by=by)
        want = expected(synth, *period, by)
        assert sum(want[k]["clips"] for k in want) > 0
        metrics = [m.key for m in report.metrics]
        for row in report.rows:
            for key in metrics:
                value = want[row.key].get(key, None if key == "spot_score" else 0)  # no score: no mean
                if value is None:
                    assert row.values[key] is None, (period, row.name, key)
                else:
                    assert row.values[key] == pytest.approx(value, abs=0.011), (period, row.name, key)
        # the totals: clips, gaps and loans add up; an activity of two officers counts once
        activities = [
            a
            for a in Activity.select()
            if period[0] <= to_local(a.start_at, synth.ctx.profile().tz).date() <= period[1]
        ]
        assert report.total.values["activities"] == len(activities)
        assert report.total.values["clips"] == sum(want[k]["clips"] for k in want)
        assert report.total.values["loans"] == sum(want[k]["loans"] for k in want)
        assert report.total.values["overdue"] == sum(want[k]["overdue"] for k in want)
        clips = report.total.values["clips"]
        assert report.total.on_time_rate == round(100 * report.total.values["on_time"] / clips, 1)


@pytest.fixture
def synth_rw(synth_copy):
    svc = Services(Home(synth_copy), Identity.of_process(), clock=lambda: NOW)
    yield svc
    svc.close()


def test_spot_checks_in_the_statistics(synth_rw, synth_copy):
    """Activities spot-checked and their mean score, per department and per officer of the activity, matching
    what the test computes from the drawn rows; the CLI's JSON and table show them."""
    first, last = period_of_the_data(synth_rw)
    drawer = Staff.select().where(Staff.active).first()
    check = synth_rw.spotchecks.draw(first.isoformat(), last.isoformat(), count="40", by=drawer.number, seed="统计")
    items = {"recorded": "ok", "continuous": "ok", "handling": "ok"}
    for n, drawn in enumerate(check.drawn):
        if n % 4 == 3:
            continue  # drawn, not yet checked
        synth_rw.spotchecks.record(check.id, drawn.activity_id, items, score=None if n % 5 == 0 else 60 + n)
    again = synth_rw.spotchecks.draw(first.isoformat(), last.isoformat(), count="5", by=drawer.number, seed="又")
    for drawn in again.drawn:
        synth_rw.spotchecks.record(again.id, drawn.activity_id, items, score=90)
    for by in ("dept", "officer"):
        report = synth_rw.stats.report(first, last, by=by)
        want = expected(synth_rw, first, last, by)
        assert sum(want[k]["spot_checked"] for k in want) > 0
        for row in report.rows:
            assert row.values["spot_checked"] == want[row.key]["spot_checked"], (by, row.name)
            assert row.values["spot_score"] == want[row.key].get("spot_score"), (by, row.name)
        scored = [d.score for d in SpotCheckActivity.select() if d.score is not None]
        assert report.total.values["spot_score"] == round(sum(scored) / len(scored), 1)
        checked = {d.activity_id for d in SpotCheckActivity.select() if d.checked_at is not None}
        assert report.total.values["spot_checked"] == len(checked)
    args = [sys.executable, "-m", "avledger", "stats", "--from", first.isoformat(), "--to", last.isoformat()]
    out = subprocess.run([*args, "--json"], capture_output=True, text=True, env=cli_env(synth_copy), timeout=60)
    assert out.returncode == 0, out.stderr
    total = json.loads(out.stdout)["total"]
    assert (total["spot_checked"], total["spot_score"]) == (len(checked), report.total.values["spot_score"])
    text = subprocess.run(args, capture_output=True, text=True, env=cli_env(synth_copy), timeout=60).stdout
    assert "已抽查活动" in text and "抽查平均分" in text


def test_the_allocation_standard_per_department(synth):
    first, last = period_of_the_data(synth)
    report = synth.stats.report(first, last, by="dept")
    profile = synth.ctx.profile()
    for dept in synth.departments.list():
        row = next(r for r in report.rows if r.key == dept.id)
        working = (
            Device.select()
            .where(
                (Device.department == dept.id)
                & Device.status.in_(WORKING_STATUSES)
                & Device.kind.in_(profile.counted_kinds)
            )
            .count()
        )
        per = profile.officers_per_device(dept.alloc_class)
        assert row.values["devices"] == working
        assert row.values["devices_required"] == (None if per is None else ceil(dept.officer_count / per))


def test_refusals(synth):
    with pytest.raises(UserError) as info:
        synth.stats.report("2026-02-01", "2026-01-01")
    assert (info.value.code, info.value.field) == ("input.end_before_start", "date_to")
    with pytest.raises(UserError) as info:
        synth.stats.report("2026-01-01", "2026-02-01", by="week")
    assert info.value.field == "by"


def test_cli(demo, cli):
    out = cli("stats", "--from", "2020-01-01", "--to", "2035-12-31", "--json")
    assert out.code == 0, out.err
    data = out.json()
    assert data["total"]["activities"] == Activity.select().count()
    assert data["total"]["clips"] == Clip.select().count()
    assert data["total"]["loans"] == Loan.select().count()
    officers = cli("stats", "--from", "2020-01-01", "--to", "2035-12-31", "--by", "officer")
    assert officers.code == 0 and "合计" in officers.out
    assert cli("stats", "--from", "2026-02-01", "--to", "2026-01-01").code == 2


def test_the_report_prints_and_exports_the_same_figures(demo, tmp_path):
    """统计表: per department (with the allocation standard), or the officers of one department (--dept); the
    xlsx holds numbers; every figure is the service's."""
    import subprocess

    from openpyxl import load_workbook

    from avledger.services.printing import Filters

    today = to_local(demo.ctx.clock(), demo.office.profile().tz).date()
    first = dt.date(today.year, 1, 1)
    report = demo.stats.report(first, today, by="dept")
    pdf = demo.printing.render_pdf("stats", Filters(), tmp_path / "stats.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "执法音像记录工作统计表" in text and f"统计期间：{first.isoformat()} 至 {today.isoformat()}" in text
    for row in report.rows:
        assert row.name in text
    # with the period given, the head names it and the summary says only how it is counted
    dated = demo.printing.render_pdf(
        "stats", Filters(date_from=first.isoformat(), date_to=today.isoformat()), tmp_path / "dated.pdf"
    )
    text = subprocess.run(["pdftotext", "-layout", str(dated), "-"], capture_output=True, text=True).stdout
    assert f"期间：{first.isoformat()} 至 {today.isoformat()}" in text
    assert "统计口径：按科室" in text and "统计期间" not in text
    out, count = demo.printing.export("stats", Filters(), tmp_path / "stats.xlsx")
    assert count == len(report.rows) + 1
    ws = load_workbook(out).active
    header = [c.value for c in ws[2]]
    last = [c.value for c in ws[ws.max_row]]
    total = dict(zip(header, last, strict=True))
    assert total["执法活动"] == report.total.values["activities"] and isinstance(total["执法活动"], int)
    assert total["音像文件"] == report.total.values["clips"]
    team = demo.departments.get("执法一队")
    officers = demo.stats.report(first, today, by="officer")
    per = demo.printing.export("stats", Filters(dept=team.name), tmp_path / "team.csv")[1]
    assert per == len([r for r in officers.rows if r.dept == "执法一队"]) + 1


def test_the_trend_month_by_month_matches_the_register(synth):
    """Per month (the profile's local months; the period's first and last months cut by it), for the office and
    for one department: activities, clips and those on time, interruptions, loans and overdue returns, each as
    counted here from the rows; every query reads its table through the index on its time."""
    first, last = period_of_the_data(synth)
    first, last = first + dt.timedelta(days=40), last - dt.timedelta(days=50)  # parts of the end months
    tz = synth.ctx.profile().tz
    dept_of = {s.id: s.department_id for s in Staff.select()}
    holder_of = {c.id: c.holder_id for c in Clip.select(Clip.id, Clip.holder)}
    dept = dept_of[Clip.select().where(Clip.holder.is_null(False)).first().holder_id]  # one holding cameras

    def month(when) -> str | None:
        day = to_local(when, tz).date() if when is not None else None
        return day.strftime("%Y-%m") if day is not None and first <= day <= last else None

    for dept_id in (None, dept):

        def mine(staff_id, dept_id=dept_id) -> bool:
            return dept_id is None or dept_of.get(staff_id) == dept_id

        want = collections.defaultdict(collections.Counter)
        for a in Activity.select():
            if month(a.start_at) and (dept_id is None or a.department_id == dept_id):
                want[month(a.start_at)]["activities"] += 1
        for c in Clip.select(Clip.start_at, Clip.holder, Clip.late):
            if month(c.start_at) and mine(c.holder_id):
                want[month(c.start_at)]["clips"] += 1
                want[month(c.start_at)]["on_time"] += int(not c.late)
        for g in Gap.select():
            if month(g.start_at) and mine(holder_of[g.after_clip_id]):
                want[month(g.start_at)]["gaps"] += 1
                want[month(g.start_at)]["gaps_explained"] += int(g.reason is not None)
        for loan in Loan.select():
            if month(loan.start_at) and mine(loan.holder_id):
                want[month(loan.start_at)]["loans"] += 1
                end, due = loan.end_at, loan.due_at
                late = due is not None and ((end is not None and end > due) or (end is None and due < NOW))
                want[month(loan.start_at)]["overdue"] += int(late)
        trend = synth.stats.trend(first, last, dept_id=dept_id)
        assert trend.months[0] == first.strftime("%Y-%m") and trend.months[-1] == last.strftime("%Y-%m")
        assert len(trend.months) == len(set(trend.months)) > 12
        assert sum(want[m]["clips"] for m in want) > 0
        for i, m in enumerate(trend.months):
            for key in ("activities", "clips", "on_time", "gaps", "gaps_explained", "loans", "overdue"):
                assert trend.series[key][i] == want[m][key], (dept_id, m, key)
            clips = want[m]["clips"]
            assert trend.series["on_time_rate"][i] == (round(100 * want[m]["on_time"] / clips, 1) if clips else None)
        if dept_id is None:  # the months add up to the period's totals
            report = synth.stats.report(first, last, trend=True)
            for key in ("activities", "clips", "loans", "overdue", "gaps"):
                assert sum(trend.series[key]) == report.total.values[key], key
            assert report.as_json()["trend"] == trend.as_json()
    connection = synth.ctx.db.connection()
    statements: list[str] = []
    connection.set_trace_callback(statements.append)
    try:
        synth.stats.trend(first, last)
    finally:
        connection.set_trace_callback(None)
    plans = [" | ".join(s[-1] for s in connection.execute("EXPLAIN QUERY PLAN " + sql)) for sql in statements]
    for index in ("activity_start", "clip_stats", "gap_start", "loan_start"):
        assert any(f"INDEX {index} (start_at>? AND start_at<?)" in plan for plan in plans), (index, plans)


def test_the_report_reads_each_clip_and_loan_once_from_a_covering_index(synth):
    """The report (with its trend) reads clips and loans with one query each: every holder's range of a month
    in the index by holder and time that holds what is counted (no row read, no sort of the rows)."""
    first, last = period_of_the_data(synth)
    connection = synth.ctx.db.connection()
    statements: list[str] = []
    connection.set_trace_callback(statements.append)
    try:
        synth.stats.report(first, last, by="officer", trend=True)
    finally:
        connection.set_trace_callback(None)
    for table, index in (("clip", "clip_holder_stats"), ("loan", "loan_holder_stats")):
        reading = [s for s in statements if f" FROM {table} t " in s]
        assert len(reading) == 1, (table, reading)
        plan = " | ".join(r[-1] for r in connection.execute("EXPLAIN QUERY PLAN " + reading[0]))
        assert f"COVERING INDEX {index} (holder_id=? AND start_at>? AND start_at<?)" in plan, plan
        assert "TEMP B-TREE FOR GROUP BY" not in plan, plan


def test_the_printed_report_carries_the_charts_and_the_months(synth, tmp_path):
    """The 统计表 prints the screen's charts (a bar per department for each charted figure, with its value) and a
    column a month of the same figures, after the table and before the signature lines, its columns all on the
    page (a title breaks between its characters); the xlsx has the months on a sheet of their own."""
    from openpyxl import load_workbook

    from avledger.services.printing import Filters
    from avledger.services.stats import CHARTED

    first, last = period_of_the_data(synth)
    first, last = dt.date(last.year - 1, 1, 1), dt.date(last.year - 1, 12, 31)
    filters = Filters(date_from=first.isoformat(), date_to=last.isoformat())
    pdf = synth.printing.render_pdf("stats", filters, tmp_path / "stats.pdf")
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout.split("\f")
    table, charts = pages[0], "\n".join(pages[1:])
    report = synth.stats.report(first, last, trend=True)
    assert "缺额" in table and "应配" in table  # the last columns are on the page
    assert "图示：按科室" in charts and "逐月趋势（全单位）" in charts
    assert charts.index("逐月趋势") < charts.index("制表人：")
    labels = {"activities": "执法活动", "clips": "音像文件", "on_time_rate": "按时采集率（%）", "gaps": "记录中断"}
    labels |= {"loans": "领用", "overdue": "逾期归还"}
    assert set(labels) == set(CHARTED)
    for key in CHARTED:
        assert labels[key] in charts
    busiest = max((r for r in report.rows if r.key is not None), key=lambda r: r.values["clips"])
    assert any(busiest.name in line and str(busiest.values["clips"]) in line for line in charts.splitlines())
    # a column a month, each with its value (twelve months: few enough to print them)
    most = max(report.trend.series["clips"])
    assert f"最大值 {most}" in charts
    months = [line.split() for line in charts.splitlines() if line.split()[:3] == ["01", "02", "03"]]
    assert [m for line in months for m in line] == [f"{i:02d}" for i in range(1, 13)] * len(CHARTED)  # three a row
    out, _count = synth.printing.export("stats", filters, tmp_path / "stats.xlsx")
    book = load_workbook(out)
    assert book.sheetnames[1] == "逐月趋势"
    sheet = book["逐月趋势"]
    assert sheet["A1"].value == "逐月趋势（全单位）"
    header = [c.value for c in sheet[2]]
    assert header[:3] == ["月份", "执法活动", "音像文件"]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=3)]
    assert [r[0] for r in rows] == report.trend.months
    for row, entry in zip(rows, report.trend.as_json(), strict=True):
        assert row[1:3] == [entry["activities"], entry["clips"]]
        assert row[header.index("逾期归还")] == entry["overdue"]
