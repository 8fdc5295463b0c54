"""Supervision spot checks (监督抽查, F18: D15 D32) and the register of violations (过错责任追究, F19: W17 D33
D34 R18 L20 P13 P14).

A spot check draws a random sample of the activities of a period (a share or a number, optionally of one
department or officer). The draw is reproducible: ``random.Random(seed).sample`` over the ids of the
activities in ascending order, the seed kept with the check, so that anyone may draw again and get the same
activities. Each drawn activity is checked against the checklist (the three items of D32, ``recorded``,
``continuous``, ``handling``, and the office's own from its profile); findings (ok / fail per item), a note
and a score are recorded, and the check is closed when every activity has been checked.

A violation names the person, what happened, the article it breaks (from the profile's list), the evidence
(activity, clip, loan, spot check) and, once decided by the profile's decider role, the sanction. A decided
suspension keeps its person from lending and from activities for its period
(:mod:`avledger.services.suspensions`). Failed findings are offered as candidates, and so are raw facts of the
register (:meth:`ViolationService.candidates`): an interruption still unexplained ``supervision.unexplained_days``
after it was found (when the clip after it was collected), a late-collected clip with no reason, and a
full-record activity with neither footage nor a not-recorded record once the collection deadline after its end
has passed. None is filed by itself; each names its person, the fact and the article to consider (the first of
the profile's articles, the one that lists the acts: W17, D33, R18, L20, P13).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import random
import secrets
from dataclasses import dataclass

from peewee import fn

from avledger.errors import UserError
from avledger.i18n import N_, _
from avledger.models.audit import snapshot
from avledger.models.schema import (
    Activity,
    ActivityOfficer,
    Clip,
    Gap,
    Loan,
    NoRecord,
    SpotCheck,
    SpotCheckActivity,
    Staff,
    Violation,
)
from avledger.services.base import Context, check_text, optional_text, require_choice, require_text
from avledger.services.clearance import Clearance, today
from avledger.services.permissions import allowed, requires
from avledger.services.register import DepartmentService, StaffService
from avledger.timeutil import fmt_local, from_local, parse_date, parse_local_datetime
from avledger.vocab import FINDINGS, ROLES, SANCTIONS, SPOTCHECK_ITEMS, VIOLATION_ARTICLES, label


@dataclass(frozen=True)
class DrawnView:
    """An activity drawn in a spot check, and its findings."""

    id: int
    activity_id: int
    title: str
    kind: str
    start_at: dt.datetime
    department: str
    officers: tuple[str, ...]  # "name（number）"
    findings: dict[str, str]
    note: str
    score: int | None
    checked_at: dt.datetime | None
    checked_by: str
    withheld: bool = False  # a confidential activity the person acting is not cleared for (F17): no details

    @property
    def failed(self) -> tuple[str, ...]:
        return tuple(k for k, v in self.findings.items() if v == "fail")


@dataclass(frozen=True)
class SpotCheckView:
    id: int
    period_from: dt.date
    period_to: dt.date
    share: float | None
    count: int | None
    department: str
    officer: str
    seed: str
    population: int
    items: tuple[str, ...]
    drawn_by: str
    drawn_at: dt.datetime
    status: str
    closed_at: dt.datetime | None
    drawn: tuple[DrawnView, ...]

    @property
    def checked(self) -> int:
        return sum(1 for d in self.drawn if d.checked_at is not None)

    @property
    def failures(self) -> int:
        return sum(1 for d in self.drawn if d.failed)

    @property
    def mean_score(self) -> float | None:
        scores = [d.score for d in self.drawn if d.score is not None]
        return round(sum(scores) / len(scores), 1) if scores else None

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "from": self.period_from.isoformat(),
            "to": self.period_to.isoformat(),
            "share": self.share,
            "count": self.count,
            "department": self.department,
            "officer": self.officer,
            "seed": self.seed,
            "population": self.population,
            "items": list(self.items),
            "drawn_by": self.drawn_by,
            "drawn_at": self.drawn_at.isoformat(sep=" "),
            "status": self.status,
            "closed_at": self.closed_at.isoformat(sep=" ") if self.closed_at else None,
            "mean_score": self.mean_score,
            "activities": [
                {
                    "activity_id": d.activity_id,
                    "title": d.title,
                    "withheld": d.withheld,
                    "findings": d.findings,
                    "note": d.note,
                    "score": d.score,
                    "checked_at": d.checked_at.isoformat(sep=" ") if d.checked_at else None,
                }
                for d in self.drawn
            ],
        }


@dataclass(frozen=True)
class Candidate:
    """A failed finding or a raw fact that may be filed as a violation (never filed by itself)."""

    check_id: int | None
    activity_id: int | None
    title: str
    staff_number: str
    staff_name: str
    failed: tuple[str, ...]
    note: str
    kind: str = "finding"  # finding | gap_unexplained | late_no_reason | no_record
    article: str = ""
    clip_id: int | None = None
    gap_id: int | None = None

    def fact(self) -> str:
        """What happened, in the user's language (the failed items of a finding are named by the caller)."""
        if self.kind == "gap_unexplained":
            return _("记录中断 {id} 超过期限未说明原因").format(id=self.gap_id)
        if self.kind == "late_no_reason":
            return _("音像文件 {id} 逾期采集且未说明原因").format(id=self.clip_id)
        if self.kind == "no_record":
            return _("须全程记录的执法活动既无音像资料也无无法记录工作记录")
        return _("监督抽查 {id} 不符合").format(id=self.check_id)

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "check_id": self.check_id,
            "activity_id": self.activity_id,
            "clip_id": self.clip_id,
            "gap_id": self.gap_id,
            "staff": self.staff_number,
            "name": self.staff_name,
            "article": self.article,
            "failed": list(self.failed),
            "note": self.note,
        }


@dataclass(frozen=True)
class ViolationView:
    id: int
    staff_number: str
    staff_name: str
    department: str
    article: str
    what: str
    activity_id: int | None
    clip_id: int | None
    loan_id: int | None
    check_id: int | None
    recorded_at: dt.datetime
    recorded_by: str
    status: str
    sanction: str | None
    suspended_from: dt.date | None
    until: dt.date | None
    decided_by: str
    decided_at: dt.datetime | None
    paper_form_no: str
    decision_recorded_by: str
    acknowledged_at: dt.datetime | None = None
    acknowledged_note: str = ""
    acknowledgement_recorded_by: str = ""

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "staff": self.staff_number,
            "name": self.staff_name,
            "department": self.department,
            "article": self.article,
            "what": self.what,
            "activity_id": self.activity_id,
            "clip_id": self.clip_id,
            "loan_id": self.loan_id,
            "check_id": self.check_id,
            "recorded_at": self.recorded_at.isoformat(sep=" "),
            "status": self.status,
            "sanction": self.sanction,
            "suspended_from": self.suspended_from.isoformat() if self.suspended_from else None,
            "until": self.until.isoformat() if self.until else None,
            "decided_by": self.decided_by,
            "decided_at": self.decided_at.isoformat(sep=" ") if self.decided_at else None,
            "paper_form_no": self.paper_form_no,
            "acknowledged_at": self.acknowledged_at.isoformat(sep=" ") if self.acknowledged_at else None,
            "acknowledged_note": self.acknowledged_note,
            "acknowledgement_recorded_by": self.acknowledgement_recorded_by,
        }


def _person(staff: Staff | None) -> str:
    return f"{staff.name}（{staff.number}）" if staff is not None else ""


def _key(value: int | str | None, label_id: str, field: str) -> int | None:
    check_text(value if isinstance(value, str) else None, label_id, field=field)
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


class SpotCheckService:
    def __init__(self, ctx: Context, staff: StaffService, departments: DepartmentService):
        self.ctx = ctx
        self.staff = staff
        self.departments = departments

    # --- rules ----------------------------------------------------------------
    def items(self) -> dict[str, str]:
        """The checklist: D32's three items (fixed keys), then the office's own (key -> label)."""
        return {**SPOTCHECK_ITEMS, **self.ctx.profile().get("supervision.extra_items")}

    def item_label(self, key: str) -> str:
        return label(SPOTCHECK_ITEMS, key) if key in SPOTCHECK_ITEMS else self.items().get(key, key)

    def get(self, check_id: int | str, *, field: str = "check_id") -> SpotCheck:
        key = _key(check_id, N_("抽查编号"), field)
        found = SpotCheck.get_or_none(SpotCheck.id == key) if key is not None else None
        if found is None:
            raise UserError("spotcheck.unknown", "没有这个编号的监督抽查：{id}", field=field, id=check_id)
        return found

    def _active(self, number: str, field: str) -> Staff:
        person = self.staff.get(number, field=field)
        if not person.active:
            raise UserError(
                "staff.left", "{name}（{number}）已离职", field=field, name=person.name, number=person.number
            )
        return person

    def population(
        self, start: dt.date, end: dt.date, *, department_id: int | None = None, officer_id: int | None = None
    ) -> list[int]:
        """The ids, ascending, of the activities that started on a local date from ``start`` to ``end``."""
        tz = self.ctx.profile().tz
        low = from_local(dt.datetime.combine(start, dt.time()), tz)
        high = from_local(dt.datetime.combine(end + dt.timedelta(days=1), dt.time()), tz)
        query = Activity.select(Activity.id).where((Activity.start_at >= low) & (Activity.start_at < high))
        if department_id is not None:
            query = query.where(Activity.department == department_id)
        if officer_id is not None:
            query = query.where(
                Activity.id.in_(
                    ActivityOfficer.select(ActivityOfficer.activity).where(ActivityOfficer.staff == officer_id)
                )
            )
        return [row.id for row in query.order_by(Activity.id)]

    @staticmethod
    def sample(ids: list[int], k: int, seed: str) -> list[int]:
        """The draw: ``k`` of ``ids`` (ascending) by ``random.Random(seed)``, in ascending order."""
        return sorted(random.Random(seed).sample(sorted(ids), min(k, len(ids))))

    # --- actions --------------------------------------------------------------
    @requires("supervision.check")
    def draw(
        self,
        date_from: str,
        date_to: str,
        *,
        by: str,
        share: float | str | None = None,
        count: int | str | None = None,
        dept: str | None = None,
        officer: str | None = None,
        seed: str | None = None,
    ) -> SpotCheckView:
        """抽查: draw the sample and register the check with its seed."""
        start = parse_date(
            require_text(date_from, N_("开始日期"), field="date_from"), label="开始日期", field="date_from"
        )
        end = parse_date(require_text(date_to, N_("结束日期"), field="date_to"), label="结束日期", field="date_to")
        if end < start:
            raise UserError("input.end_before_start", "结束日期不能早于开始日期", field="date_to")
        check_text(by, N_("抽查人"), field="by")
        check_text(dept, N_("科室"), field="dept")
        check_text(officer, N_("执法人员"), field="officer")
        check_text(share if isinstance(share, str) else None, N_("抽查比例"), field="share")
        check_text(count if isinstance(count, str) else None, N_("抽查数量"), field="count")
        seed = optional_text(seed, N_("随机种子"), field="seed") or str(secrets.randbelow(10**12))
        if (share is None or share == "") == (count is None or count == ""):
            raise UserError("spotcheck.size", "请给出抽查比例（--share）或抽查数量（--count）之一", field="share")
        pct: float | None = None
        number: int | None = None
        if share not in (None, ""):
            try:
                pct = float(share)
            except (TypeError, ValueError):
                pct = None
            if pct is None or not math.isfinite(pct) or not 0 < pct <= 100:
                raise UserError(
                    "spotcheck.bad_share",
                    "抽查比例应为大于 0、不超过 100 的百分数：{value}",
                    field="share",
                    value=share,
                )
        else:
            try:
                number = int(count)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                number = None
            if number is None or number < 1:
                raise UserError("spotcheck.bad_count", "抽查数量应为正整数：{value}", field="count", value=count)
        with self.ctx.change():
            drawer = self._active(by, "by")
            department = self.departments.get(dept, field="dept") if dept else None
            person = self.staff.get(officer, field="officer") if officer else None
            ids = self.population(
                start,
                end,
                department_id=department.id if department else None,
                officer_id=person.id if person else None,
            )
            if not ids:
                raise UserError(
                    "spotcheck.empty",
                    "{start} 至 {end} 期间没有可抽查的执法活动",
                    field="date_from",
                    start=start.isoformat(),
                    end=end.isoformat(),
                )
            k = number if number is not None else max(1, math.ceil(len(ids) * pct / 100))  # type: ignore[operator]
            picked = self.sample(ids, k, seed)
            check = SpotCheck.create(
                period_from=start,
                period_to=end,
                share=pct,
                count=number,
                department=department,
                officer=person,
                seed=seed,
                population=len(ids),
                items=",".join(self.items()),
                drawn_by=drawer,
                drawn_at=self.ctx.clock(),
            )
            self.ctx.log(
                "spotcheck_draw",
                check,
                summary=f"{check.id} {start.isoformat()}～{end.isoformat()} {len(picked)}/{len(ids)} seed={seed}",
            )
            for activity_id in picked:
                row = SpotCheckActivity.create(check=check, activity=activity_id)
                self.ctx.log("create", row, summary=f"{check.id} {activity_id}")
        return self.view(check.id)

    @staticmethod
    def parse_items(pairs: list[str] | tuple[str, ...]) -> dict[str, str]:
        """``KEY=ok|fail`` pairs (the CLI's ``--item``) as a dict; a malformed pair refused."""
        found: dict[str, str] = {}
        for pair in pairs:
            check_text(pair, N_("抽查项目"), field="items")
            key, sep, value = pair.partition("=")
            if not sep or not key.strip():
                raise UserError(
                    "spotcheck.bad_item", "抽查项目应写作 项目=ok 或 项目=fail：{value}", field="items", value=pair
                )
            found[key.strip()] = value.strip()
        return found

    @requires("supervision.check")
    def record(
        self,
        check_id: int | str,
        activity_id: int | str,
        items: dict[str, str],
        *,
        note: str | None = None,
        score: int | str | None = None,
    ) -> SpotCheckView:
        """Record the findings of one drawn activity (merged with those recorded before)."""
        note_text = optional_text(note, N_("说明"), field="note")
        for key, value in items.items():
            check_text(key, N_("抽查项目"), field="items")
            check_text(value, N_("抽查结果"), field="items")
        check_text(score if isinstance(score, str) else None, N_("评分"), field="score")
        points: int | None = None
        if score not in (None, ""):
            try:
                points = int(score)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                points = None
            if points is None or not 0 <= points <= 100:
                raise UserError("spotcheck.bad_score", "评分应为 0 到 100 的整数：{value}", field="score", value=score)
        with self.ctx.change():
            check = self.get(check_id)
            if check.status != "open":
                raise UserError("spotcheck.closed", "监督抽查 {id} 已结束，不能再登记", field="check_id", id=check.id)
            key = _key(activity_id, N_("执法活动编号"), "activity_id")
            row = (
                SpotCheckActivity.get_or_none((SpotCheckActivity.check == check) & (SpotCheckActivity.activity == key))
                if key is not None
                else None
            )
            if row is None:
                raise UserError(
                    "spotcheck.not_drawn",
                    "执法活动 {activity} 不在监督抽查 {id} 的样本中",
                    field="activity_id",
                    activity=activity_id,
                    id=check.id,
                )
            allowed_items = [k for k in check.items.split(",") if k]
            if not items and points is None and not note_text:
                raise UserError("spotcheck.nothing", "请至少登记一个抽查项目（--item 项目=ok|fail）", field="items")
            for item, value in items.items():
                require_choice(item, allowed_items, N_("抽查项目"), field="items")
                require_choice(value, FINDINGS, N_("抽查结果"), field="items")
            before = snapshot(row)
            findings = json.loads(row.findings or "{}")
            findings.update(items)
            row.findings = json.dumps({k: findings[k] for k in allowed_items if k in findings}, ensure_ascii=False)
            if note_text:
                row.note = note_text
            if points is not None:
                row.score = points
            row.checked_at = self.ctx.clock()
            row.checked_by = self.ctx.person()
            row.save()
            failed = [k for k, v in findings.items() if v == "fail"]
            self.ctx.log(
                "spotcheck_record",
                row,
                before=before,
                summary=f"{check.id} {row.activity_id}" + (f" 不符合：{','.join(failed)}" if failed else ""),
            )
        return self.view(check.id)

    @requires("supervision.check")
    def close(self, check_id: int | str) -> SpotCheckView:
        """End a check once every drawn activity has a finding for every item."""
        with self.ctx.change():
            check = self.get(check_id)
            if check.status != "open":
                raise UserError("spotcheck.closed", "监督抽查 {id} 已结束，不能再登记", field="check_id", id=check.id)
            items = [k for k in check.items.split(",") if k]
            missing = [
                row.activity_id
                for row in check.drawn.order_by(SpotCheckActivity.activity)
                if not set(items) <= set(json.loads(row.findings or "{}"))
            ]
            if missing:
                raise UserError(
                    "spotcheck.unchecked",
                    "还有 {n} 项执法活动未逐项检查：{ids}",
                    field="check_id",
                    n=len(missing),
                    ids=" ".join(str(i) for i in missing),
                )
            before = snapshot(check)
            check.status = "closed"
            check.closed_at = self.ctx.clock()
            check.save()
            self.ctx.log("spotcheck_close", check, before=before, summary=str(check.id))
        return self.view(check.id)

    # --- reading --------------------------------------------------------------
    def _drawn(self, row: SpotCheckActivity, clearance: Clearance) -> DrawnView:
        """A drawn activity; a confidential one the person acting is not cleared for (F17) is drawn and checked
        like any other, but listed without its title, kind, officers or note (its number, time, department,
        findings and score stay: the check's own record)."""
        activity = row.activity
        if not clearance.sees_activity(activity.id, activity.confidential):
            return DrawnView(
                id=row.id,
                activity_id=activity.id,
                title=_("涉密执法活动"),
                kind="",
                start_at=activity.start_at,
                department=activity.department.name if activity.department_id else "",
                officers=(),
                findings=json.loads(row.findings or "{}"),
                note="",
                score=row.score,
                checked_at=row.checked_at,
                checked_by=row.checked_by,
                withheld=True,
            )
        officers = (
            Staff.select()
            .join(ActivityOfficer, on=(ActivityOfficer.staff == Staff.id))
            .where(ActivityOfficer.activity == activity)
            .order_by(ActivityOfficer.id)
        )
        return DrawnView(
            id=row.id,
            activity_id=activity.id,
            title=activity.title,
            kind=activity.kind,
            start_at=activity.start_at,
            department=activity.department.name if activity.department_id else "",
            officers=tuple(_person(s) for s in officers),
            findings=json.loads(row.findings or "{}"),
            note=row.note,
            score=row.score,
            checked_at=row.checked_at,
            checked_by=row.checked_by,
        )

    def view(self, check_id: int | str) -> SpotCheckView:
        check = self.get(check_id)
        clearance = Clearance(self.ctx)
        return SpotCheckView(
            id=check.id,
            period_from=check.period_from,
            period_to=check.period_to,
            share=check.share,
            count=check.count,
            department=check.department.name if check.department_id else "",
            officer=_person(check.officer) if check.officer_id else "",
            seed=check.seed,
            population=check.population,
            items=tuple(k for k in check.items.split(",") if k),
            drawn_by=_person(check.drawn_by),
            drawn_at=check.drawn_at,
            status=check.status,
            closed_at=check.closed_at,
            drawn=tuple(self._drawn(r, clearance) for r in check.drawn.order_by(SpotCheckActivity.activity)),
        )

    def list(self) -> list[SpotCheckView]:
        """Every spot check, newest first."""
        return [self.view(c.id) for c in SpotCheck.select(SpotCheck.id).order_by(SpotCheck.id.desc())]

    def candidates(self) -> list[Candidate]:
        """Failed findings whose activity's officers have no violation filed for that check and activity yet."""
        found: list[Candidate] = []
        for check in SpotCheck.select().order_by(SpotCheck.id):
            for drawn in self.view(check.id).drawn:
                if not drawn.failed:
                    continue
                people = (
                    Staff.select()
                    .join(ActivityOfficer, on=(ActivityOfficer.staff == Staff.id))
                    .where(ActivityOfficer.activity == drawn.activity_id)
                    .order_by(ActivityOfficer.id)
                )
                for person in people:
                    filed = (
                        Violation.select()
                        .where(
                            (Violation.staff == person)
                            & (Violation.check == check)
                            & (Violation.activity == drawn.activity_id)
                        )
                        .exists()
                    )
                    if not filed:
                        found.append(
                            Candidate(
                                check.id,
                                drawn.activity_id,
                                drawn.title,
                                person.number,
                                person.name,
                                drawn.failed,
                                drawn.note,
                            )
                        )
        return found


class ViolationService:
    def __init__(self, ctx: Context, staff: StaffService, spotchecks: SpotCheckService):
        self.ctx = ctx
        self.staff = staff
        self.spotchecks = spotchecks

    def articles(self) -> list[str]:
        """The articles of the office's regulation (the profile's list; every known one if it names none)."""
        return list(self.ctx.profile().get("supervision.articles")) or list(VIOLATION_ARTICLES)

    def sanctions(self) -> list[str]:
        return [s for s in self.ctx.profile().get("supervision.sanctions") if s in SANCTIONS]

    def candidates(self) -> list[Candidate]:
        """What may be filed as a violation, none filed by itself: the spot checks' failed findings, then the raw
        facts (see the module's docstring), each for its person with no violation filed on that evidence yet."""
        article = self.articles()[0] if self.articles() else ""
        found = [dataclasses.replace(c, article=article) for c in self.spotchecks.candidates()]
        profile = self.ctx.profile()
        now = self.ctx.clock()
        filed_clips = {(v.staff_id, v.clip_id) for v in Violation.select() if v.clip_id is not None}
        filed_activities = {(v.staff_id, v.activity_id) for v in Violation.select() if v.activity_id is not None}
        staff = {p.id: p for p in Staff.select()}
        titles = {}
        clearance = Clearance(self.ctx)

        def title(activity_id: int | None) -> str:
            if activity_id is not None and activity_id not in titles:
                activity = Activity.get_by_id(activity_id)
                seen = clearance.sees_activity(activity.id, activity.confidential)
                titles[activity_id] = activity.title if seen else _("涉密执法活动")
            return titles.get(activity_id, "")

        def offer(person_id: int | None, kind: str, activity_id: int | None, **ids) -> None:
            person = staff.get(person_id)
            if person is None:
                return  # footage of no known holder: nobody to hold to account
            found.append(
                Candidate(
                    None, activity_id, title(activity_id), person.number, person.name, (), "", kind, article, **ids
                )
            )

        limit = now - dt.timedelta(days=profile.get("supervision.unexplained_days"))
        for gap in Gap.select().where(Gap.reason.is_null()).order_by(Gap.id):
            after, before = Clip.get_by_id(gap.after_clip_id), Clip.get_by_id(gap.before_clip_id)
            found_at = max(after.ingested_at, before.ingested_at)  # found when the later of its clips came in
            if found_at <= limit and (after.holder_id, after.id) not in filed_clips:
                offer(after.holder_id, "gap_unexplained", gap.activity_id, clip_id=after.id, gap_id=gap.id)
        late = Clip.select().where(Clip.late & (Clip.late_reason.is_null() | (Clip.late_reason == "")))
        for clip in late.order_by(Clip.id):
            if (clip.holder_id, clip.id) not in filed_clips:
                offer(clip.holder_id, "late_no_reason", clip.activity_id, clip_id=clip.id)
        due = now - dt.timedelta(hours=profile.get("ingest.deadline_hours"))
        bare = (
            Activity.select()
            .where(
                Activity.full_record
                & (fn.coalesce(Activity.end_at, Activity.start_at) <= due)
                & ~fn.EXISTS(Clip.select(Clip.id).where(Clip.activity == Activity.id))
                & ~fn.EXISTS(NoRecord.select(NoRecord.id).where(NoRecord.activity == Activity.id))
            )
            .order_by(Activity.id)
        )
        for activity in bare:
            officers = ActivityOfficer.select().where(ActivityOfficer.activity == activity).order_by(ActivityOfficer.id)
            for ao in officers:
                if (ao.staff_id, activity.id) not in filed_activities:
                    offer(ao.staff_id, "no_record", activity.id)
        return found

    def get(self, violation_id: int | str, *, field: str = "violation_id") -> Violation:
        key = _key(violation_id, N_("过错责任编号"), field)
        found = Violation.get_or_none(Violation.id == key) if key is not None else None
        if found is None:
            raise UserError("violation.unknown", "没有这个编号的过错责任记录：{id}", field=field, id=violation_id)
        return found

    @staticmethod
    def _row(model, value: int | str | None, field: str, what: str):
        if value in (None, ""):
            return None
        key = _key(value, what, field)
        row = model.get_or_none(model.id == key) if key is not None else None
        if row is None:
            raise UserError("violation.bad_evidence", "找不到作为证据的{what}：{id}", field=field, what=what, id=value)
        return row

    @requires("violations.edit")
    def add(
        self,
        staff: str,
        article: str,
        what: str,
        *,
        activity: int | str | None = None,
        clip: int | str | None = None,
        loan: int | str | None = None,
        check: int | str | None = None,
    ) -> ViolationView:
        """登记过错责任: the person, what happened, the article, the evidence."""
        check_text(staff, N_("工号"), field="staff")
        what_text = require_text(what, N_("过错事实"), field="what")
        require_choice(article, self.articles(), N_("违反条款"), field="article")
        with self.ctx.change():
            person = self.staff.get(staff, field="staff")
            violation = Violation.create(
                staff=person,
                article=article,
                what=what_text,
                activity=self._row(Activity, activity, "activity", N_("执法活动")),
                clip=self._row(Clip, clip, "clip", N_("音像文件")),
                loan=self._row(Loan, loan, "loan", N_("领用记录")),
                check=self._row(SpotCheck, check, "check", N_("监督抽查")),
                recorded_at=self.ctx.clock(),
                recorded_by=self.ctx.person(),
            )
            self.ctx.log("create", violation, summary=f"{violation.id} {person.name}（{person.number}）{article}")
        return self.view(violation.id)

    @requires("violations.decide", "violations.record_paper")
    def decide(
        self,
        violation_id: int | str,
        sanction: str,
        *,
        by: str,
        until: str | None = None,
        paper_form: str | None = None,
    ) -> ViolationView:
        """The decision: the sanction and who decided (the profile's decider role); a suspension runs from today
        to ``until`` (default: the profile's ``supervision.suspension_days``)."""
        check_text(by, N_("决定人"), field="by")
        check_text(until, N_("停止执法至"), field="until")
        paper = optional_text(paper_form, N_("纸质决定书编号"), field="paper_form")
        require_choice(sanction, self.sanctions(), N_("追究方式"), field="sanction")
        profile = self.ctx.profile()
        start = today(self.ctx)
        end: dt.date | None = None
        if sanction == "suspension":
            if until:
                end = parse_date(until, label="停止执法至", field="until")
                if end < start:
                    raise UserError("input.end_before_start", "停止执法的截止日期不能早于今天", field="until")
            else:
                end = start + dt.timedelta(days=profile.get("supervision.suspension_days") - 1)
        elif until:
            raise UserError(
                "violation.until_without_suspension", "只有停止执法工作才有截止日期（--until）", field="until"
            )
        with self.ctx.change():
            violation = self.get(violation_id)
            if violation.status != "open":
                raise UserError(
                    "violation.decided", "过错责任 {id} 已经作出决定", field="violation_id", id=violation.id
                )
            decider = self.staff.get(by, field="by")
            role = profile.get("supervision.decider_role")
            if not decider.active or "violations.decide" not in allowed(decider.role_list, profile):
                raise UserError(
                    "violation.not_decider",
                    "{name}（{number}）不是{role}，不能作出追究决定",
                    field="by",
                    name=decider.name,
                    number=decider.number,
                    role=label(ROLES, role),
                )
            if decider.id == violation.staff_id:
                raise UserError("violation.self_decision", "不能对本人的过错作出决定", field="by")
            acting = self.ctx.acting()
            recorder = ""
            if acting.staff_id != decider.id:
                if not self.ctx.may("violations.record_paper"):
                    raise UserError(
                        "violation.decider_absent", "只有决定人本人可以作出决定；管理员可代为登记纸质决定", field="by"
                    )
                if not paper:
                    raise UserError(
                        "violation.paper_form_needed",
                        "代为登记决定时须填写纸质决定书编号（--paper-form）",
                        field="paper_form",
                    )
                recorder = acting.person
            before = snapshot(violation)
            violation.status = "decided"
            violation.sanction = sanction
            violation.suspended_from = start if end else None
            violation.until = end
            violation.decided_by = decider
            violation.decided_at = self.ctx.clock()
            violation.paper_form_no = paper
            violation.decision_recorded_by = recorder
            violation.save()
            self.ctx.log(
                "decide",
                violation,
                before=before,
                summary=f"{violation.id} {sanction}" + (f" {start.isoformat()}～{end.isoformat()}" if end else ""),
            )
        return self.view(violation.id)

    @requires("violations.acknowledge", "violations.record_paper")
    def acknowledge(self, violation_id: int | str, *, at: str | None = None, note: str | None = None) -> ViolationView:
        """本人签收: the person acknowledges the decision on their violation, once it is decided, at ``at`` (local
        time, default now; not before the decision nor in the future). The person does it themselves; an
        acknowledgement signed on paper is recorded by someone who may record paper decisions, who is logged."""
        check_text(at, N_("签收时间"), field="at")
        note_text = optional_text(note, N_("签收说明"), field="note")
        with self.ctx.change():
            violation = self.get(violation_id)
            if violation.status != "decided":
                raise UserError(
                    "violation.not_decided",
                    "过错责任 {id} 尚未作出决定，不能签收",
                    field="violation_id",
                    id=violation.id,
                )
            if violation.acknowledged_at is not None:
                raise UserError(
                    "violation.acknowledged",
                    "过错责任 {id} 已由本人签收",
                    field="violation_id",
                    id=violation.id,
                )
            acting = self.ctx.acting()
            recorder = ""
            if acting.staff_id != violation.staff_id:
                if not self.ctx.may("violations.record_paper"):
                    raise UserError(
                        "violation.acknowledge_not_yours",
                        "只能签收对本人的追究决定；管理员可代为登记本人在纸质决定书上的签收",
                        field="violation_id",
                    )
                recorder = acting.person
            now = self.ctx.clock()
            when = now
            if at:
                when = parse_local_datetime(at, self.ctx.profile().tz, label=N_("签收时间"), field="at")
                if when > now:
                    raise UserError("violation.acknowledged_in_future", "签收时间不能晚于现在", field="at")
                if when < violation.decided_at.replace(second=0, microsecond=0):  # (typed to the minute)
                    raise UserError(
                        "violation.acknowledged_before_decision",
                        "签收时间不能早于决定时间 {decided}",
                        field="at",
                        decided=fmt_local(violation.decided_at, self.ctx.profile().tz),
                    )
            before = snapshot(violation)
            violation.acknowledged_at = when
            violation.acknowledged_note = note_text
            violation.acknowledgement_recorded_by = recorder
            violation.save()
            self.ctx.log("acknowledge", violation, before=before, summary=f"{violation.id} {violation.staff.name}")
        return self.view(violation.id)

    # --- reading --------------------------------------------------------------
    def _view(self, v: Violation) -> ViolationView:
        person = v.staff
        return ViolationView(
            id=v.id,
            staff_number=person.number,
            staff_name=person.name,
            department=person.department.name,
            article=v.article,
            what=v.what,
            activity_id=v.activity_id,
            clip_id=v.clip_id,
            loan_id=v.loan_id,
            check_id=v.check_id,
            recorded_at=v.recorded_at,
            recorded_by=v.recorded_by,
            status=v.status,
            sanction=v.sanction,
            suspended_from=v.suspended_from,
            until=v.until,
            decided_by=_person(v.decided_by) if v.decided_by_id else "",
            decided_at=v.decided_at,
            paper_form_no=v.paper_form_no,
            decision_recorded_by=v.decision_recorded_by,
            acknowledged_at=v.acknowledged_at,
            acknowledged_note=v.acknowledged_note,
            acknowledgement_recorded_by=v.acknowledgement_recorded_by,
        )

    def view(self, violation_id: int | str) -> ViolationView:
        return self._view(self.get(violation_id))

    def list(self, *, staff: str | None = None) -> list[ViolationView]:
        """Violations newest first; of one person when ``staff`` (a staff number) is given."""
        query = Violation.select().order_by(Violation.id.desc())
        if staff:
            query = query.where(Violation.staff == self.staff.get(staff, field="staff"))
        return [self._view(v) for v in query]
