"""The printable registers of supervision (F18, F19): the spot-check record (监督抽查记录表), the circular of
the quality assessment (音像记录质量考评表, the 通报 of D32's results) and the register of violations
(过错责任追究登记表)."""

from __future__ import annotations

from avledger.i18n import N_, _
from avledger.services.sheets import SEQ, Column, Scope, Sheet, register
from avledger.timeutil import fmt_local, local_today
from avledger.vocab import FINDINGS, SANCTIONS, SPOTCHECK_STATUSES, VIOLATION_STATUSES, label


def _checks(scope: Scope):
    """The spot checks whose period meets the scope's, oldest first, of the scope's department when given."""
    for check in reversed(scope.services.spotchecks.list()):
        if scope.date_from and check.period_to < scope.date_from:
            continue
        if scope.date_to and check.period_from > scope.date_to:
            continue
        yield check


def _in_dept(scope: Scope, department: str) -> bool:
    return scope.dept is None or department == scope.dept.name


def _findings(scope: Scope, drawn) -> str:
    items = scope.services.spotchecks
    return _("；").join(f"{items.item_label(k)}：{label(FINDINGS, v)}" for k, v in drawn.findings.items())


# --- 监督抽查记录表 (F18: D15 D32) --------------------------------------------------------------
@register(
    "spotchecks",
    N_("监督抽查记录表"),
    landscape=True,
    filters={"date_from", "date_to", "dept"},
    signatures=(N_("抽查人："), N_("法制机构："), N_("负责人：")),
    columns=[
        SEQ,
        Column("check", N_("抽查"), 0.9, "center", 12, fit=True),
        Column("activity", N_("执法活动"), 2, xlsx_width=28),
        Column("start", N_("开始时间"), 1.1, "center", 17, kind="datetime"),
        Column("officers", N_("执法人员"), 1.4, xlsx_width=18),
        Column("findings", N_("抽查结果"), 3, xlsx_width=40),
        Column("note", N_("说明"), 1.4, xlsx_width=20),
        Column("score", N_("评分"), 0.6, "center", 8, kind="number"),
    ],
)
def spotchecks(scope: Scope) -> Sheet:
    rows = []
    seeds = []
    for check in _checks(scope):
        seeds.append(
            _(
                "抽查 {id}：{start}～{end}，从 {population} 项中抽取 {n} 项，随机种子 {seed}，抽查人 {by}，{status}"
            ).format(
                id=check.id,
                start=check.period_from.isoformat(),
                end=check.period_to.isoformat(),
                population=check.population,
                n=len(check.drawn),
                seed=check.seed,
                by=check.drawn_by,
                status=label(SPOTCHECK_STATUSES, check.status),
            )
        )
        for drawn in check.drawn:
            if not _in_dept(scope, drawn.department):
                continue
            rows.append(
                {
                    "seq": len(rows) + 1,
                    "check": check.id,
                    "activity": f"{drawn.activity_id} {drawn.title}",
                    "start": fmt_local(drawn.start_at, scope.tz),
                    "officers": _("、").join(drawn.officers),
                    "findings": _findings(scope, drawn) if drawn.findings else _("未检查"),
                    "note": drawn.note,
                    "score": "" if drawn.score is None else drawn.score,
                }
            )
    return Sheet(rows, {"summary": "\n".join(seeds) if seeds else _("（无）")})


# --- 音像记录质量考评表：抽查结果通报 (F18: D32 纳入执法质量考评) ---------------------------------------
@register(
    "assessments",
    N_("音像记录质量考评表"),
    filters={"date_from", "date_to", "dept"},
    signatures=(N_("考评人："), N_("负责人：")),
    columns=[
        SEQ,
        Column("officer", N_("执法人员"), 1.4, xlsx_width=16),
        Column("department", N_("科室"), 1.2, xlsx_width=14),
        Column("checked", N_("抽查"), 0.7, "center", 8, kind="number"),
        Column("passed", N_("全部符合"), 0.8, "center", 10, kind="number"),
        Column("failed", N_("不符合的项目"), 2.4, xlsx_width=30),
        Column("score", N_("平均分"), 0.7, "center", 8, kind="number"),
    ],
)
def assessments(scope: Scope) -> Sheet:
    per: dict[str, dict] = {}
    total = passed_all = 0
    scores: list[int] = []
    for check in _checks(scope):
        for drawn in check.drawn:
            if drawn.checked_at is None or not _in_dept(scope, drawn.department):
                continue
            total += 1
            passed_all += not drawn.failed
            if drawn.score is not None:
                scores.append(drawn.score)
            for officer in drawn.officers:
                entry = per.setdefault(
                    officer, {"department": drawn.department, "checked": 0, "passed": 0, "failed": {}, "scores": []}
                )
                entry["checked"] += 1
                entry["passed"] += not drawn.failed
                for key in drawn.failed:
                    entry["failed"][key] = entry["failed"].get(key, 0) + 1
                if drawn.score is not None:
                    entry["scores"].append(drawn.score)
    rows = []
    for officer, entry in sorted(per.items(), key=lambda kv: (kv[1]["department"], kv[0])):
        rows.append(
            {
                "seq": len(rows) + 1,
                "officer": officer,
                "department": entry["department"],
                "checked": entry["checked"],
                "passed": entry["passed"],
                "failed": _("；").join(
                    f"{scope.services.spotchecks.item_label(k)} {n}" for k, n in entry["failed"].items()
                ),
                "score": round(sum(entry["scores"]) / len(entry["scores"]), 1) if entry["scores"] else "",
            }
        )
    mean = round(sum(scores) / len(scores), 1) if scores else None
    summary = _("通报：共抽查执法活动 {n} 项，全部符合 {ok} 项，有不符合项目的 {bad} 项{score}。").format(
        n=total,
        ok=passed_all,
        bad=total - passed_all,
        score=_("，平均分 {score}").format(score=mean) if mean is not None else "",
    )
    return Sheet(rows, {"summary": summary})


# --- 过错责任追究登记表 (F19: W17 D33 D34 R18 L20 P13 P14) ----------------------------------------
@register(
    "violations",
    N_("过错责任追究登记表"),
    landscape=True,
    filters={"date_from", "date_to", "dept", "staff"},
    signatures=(N_("登记人："), N_("负责人："), N_("责任人签字：")),
    columns=[
        SEQ,
        Column("staff", N_("责任人"), 1.2, xlsx_width=14),
        Column("department", N_("科室"), 1, xlsx_width=12),
        Column("article", N_("违反条款"), 0.7, "center", 8, fit=True),
        Column("what", N_("过错事实"), 2.4, xlsx_width=30),
        Column("evidence", N_("证据"), 1.4, xlsx_width=20),
        Column("recorded", N_("登记日期"), 0.9, "center", 12, kind="date"),
        Column("sanction", N_("追究方式"), 1.4, xlsx_width=16),
        Column("decided_by", N_("决定人"), 1.1, xlsx_width=14),
        Column("decided", N_("决定日期"), 0.9, "center", 12, kind="date"),
        Column("acknowledged", N_("本人签收"), 0.9, "center", 12, kind="date"),
    ],
)
def violations(scope: Scope) -> Sheet:
    rows = []
    for v in reversed(scope.services.violations.list()):
        day = local_today(v.recorded_at, scope.tz)
        if (scope.date_from and day < scope.date_from) or (scope.date_to and day > scope.date_to):
            continue
        if not _in_dept(scope, v.department) or (scope.staff is not None and v.staff_number != scope.staff.number):
            continue
        evidence = [
            text.format(id=value)
            for text, value in (
                (_("执法活动 {id}"), v.activity_id),
                (_("音像文件 {id}"), v.clip_id),
                (_("领用 {id}"), v.loan_id),
                (_("抽查 {id}"), v.check_id),
            )
            if value
        ]
        sanction = label(SANCTIONS, v.sanction) if v.sanction else label(VIOLATION_STATUSES, v.status)
        if v.until:
            sanction += _("（{start} 至 {until}）").format(
                start=v.suspended_from.isoformat(), until=v.until.isoformat()
            )
        rows.append(
            {
                "seq": len(rows) + 1,
                "staff": f"{v.staff_name}（{v.staff_number}）",
                "department": v.department,
                "article": v.article,
                "what": v.what,
                "evidence": _("；").join(evidence),
                "recorded": day.isoformat(),
                "sanction": sanction,
                "decided_by": v.decided_by + (_("（纸质 {no}）").format(no=v.paper_form_no) if v.paper_form_no else ""),
                "decided": local_today(v.decided_at, scope.tz).isoformat() if v.decided_at else "",
                # the day the person signed for the decision; recorded from the paper by someone else: said so
                "acknowledged": (
                    local_today(v.acknowledged_at, scope.tz).isoformat()
                    + (_("（代登）") if v.acknowledgement_recorded_by else "")
                    if v.acknowledged_at
                    else ""
                ),
            }
        )
    return Sheet(rows)
