"""Viewing approvals, the viewing register and evidence extraction (F14-F17).

A request (查阅/调阅/复制申请) names what is asked for (an activity, a case
number or chosen clips: the clips are fixed when the request is made), who
asks, why, whether to view or to copy, and until when. Only staff with the
profile's approver role decide it, never the requester; a request covering
confidential footage needs the profile's confidential approver role. The
manager may record an approval given on a paper form on the approver's
behalf; it is kept and shown as such.

An approval holds to the end of its date, in the office's local time. A
refused, undecided or expired request allows nothing. Each viewing is
registered (who, when, how long, which clips); an attempt without an approval
is refused and the refusal itself is written to the audit log.

Who is acting is the member of staff of the console account or of the SSH key (:meth:`Context.acting`);
who may decide, record paper approvals and extract is in the permission table (:mod:`permissions`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from avledger.digests import CHUNK, hash_file
from avledger.errors import UserError
from avledger.fsutil import (
    PRIVATE_DIR,
    PRIVATE_FILE,
    TEMP_PREFIX,
    clean_leftovers,
    is_space_error,
    make_dirs,
    opener,
    publish,
    require_space,
    require_writable_folder,
    temporary,
    windows_text,
    write_whole,
)
from avledger.i18n import N_
from avledger.models.audit import snapshot
from avledger.models.schema import (
    AccessClip,
    AccessRequest,
    Activity,
    Clip,
    Extraction,
    SpotCheck,
    SpotCheckActivity,
    Staff,
    Viewing,
)
from avledger.services import listing, search
from avledger.services.activities import ActivityService
from avledger.services.base import Context, check_text, check_texts, optional_text, require_choice, require_text
from avledger.services.clearance import Clearance, current_staff, today
from avledger.services.footage import ClipView, FootageService
from avledger.services.ingest import IngestService, safe_name
from avledger.services.listing import (
    BOOL,
    DATE,
    DATETIME,
    FLOAT,
    INT,
    INTS,
    Column,
    Condition,
    Cursor,
    Page,
    Rows,
    Select,
    SortKey,
    any_of,
    json_list,
)
from avledger.services.permissions import allowed, requires
from avledger.services.register import StaffService
from avledger.services.typeset import Typesetter
from avledger.timeutil import fmt_local, parse_date
from avledger.vocab import ACCESS_KINDS, ACCESS_REASONS, ACCESS_STATUSES, CLIP_FLAGS, ROLES, label, labels

DEFAULT_DAYS = 7  # an approval without a date holds for a week
VIEW_HOWS = ("details", "player", "screen")  # how a viewing was made: listed, in the player, pictures on screen
# How the recipient opens an encrypted package: Windows' own archive viewer cannot open a 7z whose file list is
# encrypted (it reports the file as invalid), 7-Zip and p7zip can.
OPEN_WITH = N_(
    "本包为 7z 格式，AES-256 加密，文件列表也已加密：Windows 自带的压缩文件查看器无法打开，"
    "请用 7-Zip（Windows，https://www.7-zip.org）或 p7zip（Linux：7z x 文件名）打开并输入密码"
)
SHEET_NAME = "文字说明材料.txt"
SHEET_PDF = "文字说明材料.pdf"


@dataclass(frozen=True)
class AccessView:
    id: int
    scope: str
    activity_id: int | None
    case_no: str
    requester: str
    requester_number: str
    reason_kind: str
    reason: str
    kind: str
    until: dt.date
    confidential: bool
    status: str  # requested | approved | refused | expired
    requested_at: dt.datetime
    decided_by: str | None
    decided_by_number: str | None
    decided_at: dt.datetime | None
    decision_note: str
    paper_form_no: str
    recorded_by: str
    clip_ids: tuple[int, ...]
    viewings: int
    extractions: int

    @property
    def on_paper(self) -> bool:
        return bool(self.paper_form_no)

    @property
    def usable(self) -> bool:
        return self.status == "approved"


@dataclass(frozen=True)
class ViewingView:
    id: int
    request_id: int
    viewer: str
    viewer_number: str
    at: dt.datetime
    duration_s: float | None
    clip_ids: tuple[int, ...]
    how: str


@dataclass(frozen=True)
class ExtractedFile:
    name: str
    clip_id: int
    size: int
    sha256: str


@dataclass(frozen=True)
class DamagedClip:
    """A clip of a request that ingest flagged (vocab.CLIP_FLAGS), to be named before it is extracted."""

    clip_id: int
    name: str
    flags: tuple[str, ...]

    def describe(self) -> str:
        return f"{self.clip_id}  {self.name}（{labels(CLIP_FLAGS, self.flags)}）"


@dataclass(frozen=True)
class ExtractionView:
    id: int
    request_id: int
    extractor: str
    extractor_number: str
    at: dt.datetime
    out_dir: str
    files: tuple[ExtractedFile, ...]
    package: str | None
    encrypted: bool


@dataclass(frozen=True)
class Look:
    """Pictures of a clip, and the approval they were shown under (None: the manager's own look)."""

    pictures: list
    approval: AccessView | None
    viewing_id: int | None


@dataclass(frozen=True)
class ApprovalMode:
    """How the person at the keyboard takes part in deciding viewing requests."""

    how: str | None  # "decide": as an approver; "paper": records approvals signed on paper (the manager); None
    refusal: UserError | None = None  # why neither, when ``how`` is None

    @property
    def on_paper(self) -> bool:
        return self.how == "paper"


@dataclass(frozen=True)
class Opened:
    """A viewing that was registered, with the clips to show."""

    viewing: ViewingView
    request: AccessView
    clips: tuple[ClipView, ...]
    paths: tuple[Path, ...]


# A request's status as read on a date: an approval past its date has expired.
_STATUS = "CASE WHEN r.status = 'approved' AND r.until < ? THEN 'expired' ELSE r.status END"
_CLIPS = "SELECT clip_id AS item FROM access_clip WHERE request_id = r.id ORDER BY id"


def access_rows(today: dt.date) -> Rows[AccessView]:
    """The requests' columns, their status as read on ``today``."""
    count = "(SELECT count(*) FROM {table} WHERE request_id = r.id)"
    return Rows(
        AccessView,
        [
            Column("id", "r.id", INT),
            Column("scope", "r.scope"),
            Column("activity_id", "r.activity_id", INT),
            Column("case_no", "r.case_no"),
            Column("requester", "q.name"),
            Column("requester_number", "q.number"),
            Column("reason_kind", "r.reason_kind"),
            Column("reason", "r.reason"),
            Column("kind", "r.kind"),
            Column("until", "r.until", DATE),
            Column("confidential", "r.confidential", BOOL),
            Column("status", _STATUS, params=(today.isoformat(),)),
            Column("requested_at", "r.requested_at", DATETIME),
            Column("decided_by", "b.name"),
            Column("decided_by_number", "b.number"),
            Column("decided_at", "r.decided_at", DATETIME),
            Column("decision_note", "r.decision_note"),
            Column("paper_form_no", "r.paper_form_no"),
            Column("recorded_by", "r.recorded_by"),
            Column("clip_ids", f"(SELECT group_concat(item) FROM ({_CLIPS}))", INTS, json=json_list(_CLIPS, INT)),
            Column("viewings", count.format(table="viewing"), INT),
            Column("extractions", count.format(table="extraction"), INT),
        ],
        json_extra=[Column("on_paper", "r.paper_form_no != ''", BOOL)],
    )


ACCESS_JOINS = "JOIN staff q ON q.id = r.requester_id LEFT JOIN staff b ON b.id = r.decided_by_id"

VIEWING_ROWS = Rows(
    ViewingView,
    [
        Column("id", "v.id", INT),
        Column("request_id", "v.request_id", INT),
        Column("viewer", "s.name"),
        Column("viewer_number", "s.number"),
        Column("at", "v.at", DATETIME),
        Column("duration_s", "v.duration_s", FLOAT),
        Column("clip_ids", "v.clip_ids", INTS),
        Column("how", "v.how"),
    ],
)


def _files(text: str) -> tuple[ExtractedFile, ...]:
    return tuple(ExtractedFile(**f) for f in json.loads(text))


EXTRACTION_ROWS = Rows(
    ExtractionView,
    [
        Column("id", "x.id", INT),
        Column("request_id", "x.request_id", INT),
        Column("extractor", "s.name"),
        Column("extractor_number", "s.number"),
        Column("at", "x.at", DATETIME),
        Column("out_dir", "x.out_dir"),
        Column("files", "x.files", decode=_files),
        Column("package", "x.package"),
        Column("encrypted", "x.encrypted", BOOL),
    ],
)


@dataclass(frozen=True)
class AccessQuery:
    """Which viewing requests a listing shows: newest first, or those waiting for a decision first."""

    open_only: bool = False  # waiting for a decision
    waiting_first: bool = False
    text: str = ""  # what is typed in the filter (avledger.services.search)


def _ids(text: str) -> tuple[int, ...]:
    return tuple(int(i) for i in (text or "").split(",") if i)


class AccessService:
    def __init__(
        self,
        ctx: Context,
        staff: StaffService,
        activities: ActivityService,
        footage: FootageService,
        ingest: IngestService,
        typesetter: Typesetter,
    ):
        self.ctx = ctx
        self.staff = staff
        self.activities = activities
        self.footage = footage
        self.ingest = ingest  # the archive
        self.typesetter = typesetter  # the explanation sheet as PDF too (when the font is there)

    # --- lookups --------------------------------------------------------------
    def get(self, request_id: int | str, *, field: str = "request_id") -> AccessRequest:
        """The request with that id; ``field``: the caller's parameter that named it."""
        check_text(request_id if isinstance(request_id, str) else None, N_("申请编号"), field=field)
        try:
            key = int(request_id)
        except (TypeError, ValueError):
            key = None
        request = AccessRequest.get_or_none(AccessRequest.id == key) if key is not None else None
        if request is None:
            raise UserError("access.unknown", "没有这个编号的查阅申请：{id}", field=field, id=request_id)
        return request

    def me(self):
        """The member of staff acting (a StaffView), or None (the administrator, or nobody)."""
        person = current_staff(self.ctx)
        return self.staff._view(person) if person is not None else None

    def status(self, request: AccessRequest) -> str:
        if request.status == "approved" and request.until < today(self.ctx):
            return "expired"
        return request.status

    def _active_staff(self, number: str, field: str) -> Staff:
        person = self.staff.get(number, field=field)
        if not person.active:
            raise UserError(
                "staff.left", "{name}（{number}）已离职", field=field, name=person.name, number=person.number
            )
        return person

    # --- request ----------------------------------------------------------------
    @requires("access.request", "access.request_others")
    def request(
        self,
        requester: str,
        reason: str,
        *,
        activity: int | str | None = None,
        case_no: str | None = None,
        clips: list[int | str] | tuple = (),
        reason_kind: str = "case_handling",
        kind: str = "view",
        until: str | dt.date | None = None,
        check: int | str | None = None,
    ) -> AccessView:
        """查阅申请: what, who, why, view or copy, until when.

        ``check``: a spot check (监督抽查, F18) whose sample holds ``activity``: the request is made for
        supervision (执法监督), its reason names the check (``reason`` adds to it), it is decided and used as any
        other (F15; a confidential activity's by the confidential approver), and only one who may do spot checks
        makes it."""
        check_text(requester, N_("申请人"), field="requester")
        spot = None
        if check not in (None, ""):
            self.ctx.require("supervision.check", entity="access_request")
            if activity in (None, "") or (case_no or "").strip() or clips:
                raise UserError(
                    "access.check_activity", "按监督抽查申请查阅时，须指定抽查样本中的一项执法活动", field="activity"
                )
            spot, _drawn = self._drawn(check, activity)
            reason_kind = "supervision"
            more = optional_text(reason, N_("事由说明"), field="reason")
            reason = f"监督抽查 {spot.id}" + (f"：{more}" if more else "")
        check_text(activity if isinstance(activity, str) else None, N_("执法活动编号"), field="activity")
        check_text(case_no, N_("案件编号"), field="case_no")
        check_texts([c for c in clips or () if isinstance(c, str)], N_("音像文件编号"), field="clips")
        check_text(until if isinstance(until, str) else None, N_("有效期至"), field="until")
        scopes = [
            s
            for s, given in (
                ("activity", activity not in (None, "")),
                ("case", bool((case_no or "").strip())),
                ("clips", bool(clips)),
            )
            if given
        ]
        if len(scopes) != 1:
            raise UserError("input.one_of", "请指定一项查阅范围：执法活动、案件编号或音像文件")
        scope = scopes[0]
        require_choice(reason_kind, ACCESS_REASONS, N_("查阅事由"), field="reason_kind")
        require_choice(kind, ACCESS_KINDS, N_("查阅方式"), field="kind")
        reason = require_text(reason, N_("事由说明"), field="reason")
        now_day = today(self.ctx)
        if until in (None, ""):
            until_day = now_day + dt.timedelta(days=DEFAULT_DAYS)
        else:
            until_day = until if isinstance(until, dt.date) else parse_date(until, label=N_("有效期至"), field="until")
        if until_day < now_day:
            raise UserError("input.past", "有效期不能早于今天：{date}", field="until", date=until_day.isoformat())
        me = current_staff(self.ctx)
        if me is None or me.number != (requester or "").strip():
            self.ctx.require("access.request_others", entity="access_request")
        with self.ctx.change():
            person = self._active_staff(requester, "requester")
            target = None
            if scope == "activity":
                target = self.activities.get(activity, field="activity")
                found = list(Clip.select().where(Clip.activity == target).order_by(Clip.start_at, Clip.id))
            elif scope == "case":
                case_no = case_no.strip()
                acts = list(Activity.select().where(Activity.case_no == case_no))
                if not acts:
                    raise UserError("case.unknown", "没有这个案件编号的执法活动：{no}", field="case_no", no=case_no)
                found = list(
                    Clip.select().where(Clip.activity.in_([a.id for a in acts])).order_by(Clip.start_at, Clip.id)
                )
            else:
                found = [self.footage.get(c, field="clips") for c in dict.fromkeys(str(c).strip() for c in clips)]
            if not found:
                raise UserError(
                    "access.no_footage", "申请范围内没有音像文件", field=scope if scope != "case" else "case_no"
                )
            confidential = any(c.activity_id and c.activity.confidential for c in found) or bool(
                target is not None and target.confidential
            )
            req = AccessRequest.create(
                scope=scope,
                activity=target,
                case_no=case_no.strip() if scope == "case" else "",
                requester=person,
                reason_kind=reason_kind,
                reason=reason,
                kind=kind,
                until=until_day,
                confidential=confidential,
                status="requested",
                requested_at=self.ctx.clock(),
                spot_check_id=spot.id if spot is not None else None,
            )
            self.ctx.log(
                "access_request", req, summary=f"{req.id} {person.name}（{person.number}） {kind} {len(found)}"
            )
            for clip in found:
                link = AccessClip.create(request=req, clip=clip)
                self.ctx.log("create", link, summary=f"{req.id} #{clip.id}")
        return self.view(req.id)

    def _drawn(self, check: int | str, activity: int | str) -> tuple[SpotCheck, Activity]:
        """The spot check and the activity, refused unless the activity is in the check's sample."""
        check_text(check if isinstance(check, str) else None, N_("抽查编号"), field="check")
        try:
            key = int(str(check).strip())
        except ValueError:
            key = None
        spot = SpotCheck.get_or_none(SpotCheck.id == key) if key is not None else None
        if spot is None:
            raise UserError("spotcheck.unknown", "没有这个编号的监督抽查：{id}", field="check", id=check)
        target = self.activities.get(activity, field="activity")
        drawn = SpotCheckActivity.select().where(
            (SpotCheckActivity.check == spot) & (SpotCheckActivity.activity == target)
        )
        if not drawn.exists():
            raise UserError(
                "spotcheck.not_drawn",
                "执法活动 {activity} 不在监督抽查 {id} 的样本中",
                field="activity",
                activity=target.id,
                id=spot.id,
            )
        return spot, target

    def for_check(self, check: int | str, activity: int | str) -> AccessView | None:
        """The latest request of the person acting for the footage of an activity drawn in a spot check."""
        spot, target = self._drawn(check, activity)
        me = current_staff(self.ctx)
        if me is None:
            return None
        found = (
            AccessRequest.select()
            .where(
                (AccessRequest.requester == me)
                & (AccessRequest.spot_check_id == spot.id)
                & (AccessRequest.activity == target)
            )
            .order_by(AccessRequest.id.desc())
        )
        live = [r for r in found if self.status(r) in ("approved", "requested")]
        latest = sorted(live, key=lambda r: (self.status(r) == "approved", r.id))[-1] if live else found.first()
        return self.view(latest.id) if latest is not None else None

    @requires("access.request")
    def view_for_check(self, check: int | str, activity: int | str, *, how: str = "details") -> Opened | AccessView:
        """查阅抽查样本的音像资料 (F15 with F18): a supervisor's viewing of the footage of an activity drawn in a
        spot check goes through the viewing rules. Under the person's approved request for that check and
        activity: a registered viewing (:class:`Opened`). With none waiting or approved: the request is made
        (执法监督, its reason naming the check) and returned for the approver (:class:`AccessView`). One waiting
        for its decision: refused, as :meth:`view_clips` refuses it (the attempt is logged)."""
        self.ctx.require("supervision.check", entity="access_request")
        require_choice(how, VIEW_HOWS, N_("查阅方式"), field="how")
        spot, target = self._drawn(check, activity)
        me = current_staff(self.ctx)
        if me is None:
            raise UserError("access.nobody", "当前身份没有对应的在职人员，不能审批和查阅")
        latest = self.for_check(spot.id, target.id)
        if latest is not None and latest.status in ("approved", "requested"):
            return self.view_clips(latest.id, how=how)
        return self.request(me.number, "", activity=target.id, check=spot.id)

    # --- decide -------------------------------------------------------------------
    def _decider(self, req: AccessRequest, by: str) -> tuple[Staff, str]:
        """The approver (checked against every rule) and who records the decision on their behalf ('' if nobody)."""
        if req.status != "requested":
            raise UserError(
                "access.decided",
                "查阅申请 {id} 已经审批（{status}）",
                field="request_id",
                id=req.id,
                status=label_status(req.status),
            )
        approver = self._active_staff(by, "by")
        if approver.id == req.requester_id:
            raise UserError("access.self_approval", "不能审批本人的申请", field="by")
        if not req.confidential and (
            Clip.select()
            .join(AccessClip, on=(AccessClip.clip == Clip.id))
            .switch(Clip)
            .join(Activity)
            .where((AccessClip.request == req) & (Activity.confidential == True))  # noqa: E712
            .exists()
        ):
            req.confidential = True  # marked since the request was made: decided as confidential (saved with it)
        profile = self.ctx.profile()
        role = profile.get("viewing.approver_role")
        high = profile.get("viewing.confidential_approver_role")
        may = allowed(approver.role_list, profile)  # the permission table, the named approver's roles
        if req.confidential:
            if "access.decide_confidential" not in may:
                raise UserError(
                    "access.not_confidential_approver",
                    "申请涉及保密的音像记录，须由{role}审批；{name}（{number}）不是",
                    field="by",
                    role=label(ROLES, high),
                    name=approver.name,
                    number=approver.number,
                )
        elif "access.decide" not in may:
            raise UserError(
                "access.not_approver",
                "{name}（{number}）不是{role}，不能审批查阅申请",
                field="by",
                name=approver.name,
                number=approver.number,
                role=label(ROLES, role),
            )
        acting = self.ctx.acting()
        if acting.staff_id == approver.id:
            return approver, ""
        if not self.ctx.may("access.record_paper"):
            raise UserError("access.approver_absent", "只有审批人本人可以审批；管理员可代为登记纸质审批", field="by")
        return approver, acting.person

    def approval_mode(self) -> ApprovalMode:
        """Whether the person at the keyboard decides requests as an approver ("decide": holds the profile's
        approver or confidential approver role), records approvals signed on paper on an approver's behalf
        ("paper": the manager), or neither (None, with the reason). :meth:`approve` and :meth:`refuse` still
        check each request (the requester's own, a confidential one)."""
        may = self.ctx.allowed()
        if "access.decide" in may:
            return ApprovalMode("decide")
        if "access.record_paper" in may:
            return ApprovalMode("paper")
        me = current_staff(self.ctx)
        if me is None:
            return ApprovalMode(None, UserError("access.nobody", "当前身份没有对应的在职人员，不能审批和查阅"))
        role = self.ctx.profile().get("viewing.approver_role")
        return ApprovalMode(
            None,
            UserError(
                "access.not_approver",
                "{name}（{number}）不是{role}，不能审批查阅申请",
                name=me.name,
                number=me.number,
                role=label(ROLES, role),
            ),
        )

    @requires("access.decide", "access.record_paper")
    def approve(self, request_id: int | str, by: str, *, paper_form: str | None = None) -> AccessView:
        """批准. ``paper_form``: the number of the paper form the approver signed (recorded on their behalf)."""
        check_text(request_id if isinstance(request_id, str) else None, N_("申请编号"), field="request_id")
        check_text(by, N_("审批人"), field="by")
        paper = optional_text(paper_form, N_("纸质审批表编号"), field="paper_form")
        with self.ctx.change():
            req = self.get(request_id)
            if req.until < today(self.ctx):
                raise UserError(
                    "access.expired",
                    "查阅申请 {id} 已于 {date} 过期",
                    field="request_id",
                    id=req.id,
                    date=req.until.isoformat(),
                )
            before = snapshot(req)
            approver, recorder = self._decider(req, by)
            if recorder and not paper:
                raise UserError(
                    "access.paper_form_needed", "代为登记审批时须填写纸质审批表编号（--paper-form）", field="paper_form"
                )
            req.status = "approved"
            req.decided_by = approver
            req.decided_at = self.ctx.clock()
            req.paper_form_no = paper
            req.recorded_by = recorder
            req.save()
            note = (
                f"（纸质审批表 {paper}，{recorder} 代为登记）"
                if recorder
                else (f"（纸质审批表 {paper}）" if paper else "")
            )
            self.ctx.log("approve", req, before=before, summary=f"{req.id} {approver.name}（{approver.number}）{note}")
        return self.view(req.id)

    @requires("access.decide", "access.record_paper")
    def refuse(self, request_id: int | str, by: str, reason: str) -> AccessView:
        """不予批准, with the reason."""
        reason = require_text(reason, N_("不予批准理由"), field="reason")
        check_text(request_id if isinstance(request_id, str) else None, N_("申请编号"), field="request_id")
        check_text(by, N_("审批人"), field="by")
        with self.ctx.change():
            req = self.get(request_id)
            before = snapshot(req)
            approver, recorder = self._decider(req, by)
            req.status = "refused"
            req.decided_by = approver
            req.decided_at = self.ctx.clock()
            req.decision_note = reason
            req.recorded_by = recorder
            req.save()
            self.ctx.log(
                "refuse", req, before=before, summary=f"{req.id} {approver.name}（{approver.number}）：{reason}"
            )
        return self.view(req.id)

    # --- use ----------------------------------------------------------------------
    def _refuse_use(self, refusal: UserError, *, entity: str, entity_id: int | None, summary: str) -> None:
        """Log the refused attempt (committed on its own), then raise ``refusal``."""
        with self.ctx.change():
            self.ctx.log("view_refused", entity=entity, entity_id=entity_id, summary=summary)
        raise refusal

    def _usable(self, req: AccessRequest, *, need: str = "view", extractor: Staff | None = None) -> Staff:
        """The person at the keyboard, if they may use this request now; otherwise a logged refusal.

        Viewing: only the requester. Copying out: the requester, the named extractor or the manager."""
        me = current_staff(self.ctx)
        who = self.ctx.acting().person or self.ctx.identity.account
        state = self.status(req)
        if state != "approved":
            if state == "requested":
                refusal = UserError("access.not_approved", "查阅申请 {id} 尚未批准", field="request_id", id=req.id)
            elif state == "refused":
                refusal = UserError("access.refused", "查阅申请 {id} 已不予批准", field="request_id", id=req.id)
            else:
                refusal = UserError(
                    "access.expired",
                    "查阅申请 {id} 已于 {date} 过期",
                    field="request_id",
                    id=req.id,
                    date=req.until.isoformat(),
                )
            self._refuse_use(refusal, entity="access_request", entity_id=req.id, summary=f"{req.id} {who}：{state}")
        named_extractor = me is not None and extractor is not None and me.id == extractor.id
        allowed = (me is not None and me.id == req.requester_id) or (
            need == "copy" and (named_extractor or self.ctx.may("evidence.extract"))
        )
        if not allowed:
            self._refuse_use(
                UserError(
                    "access.not_requester",
                    "只有申请人本人可以按查阅申请 {id} 查阅（当前系统用户：{who}）",
                    field="request_id",
                    id=req.id,
                    who=who,
                ),
                entity="access_request",
                entity_id=req.id,
                summary=f"{req.id} {who}：not the requester",
            )
        if need == "copy" and req.kind != "copy":
            raise UserError("access.view_only", "查阅申请 {id} 只批准查阅，不能复制调取", field="request_id", id=req.id)
        return me

    @requires("access.request")
    def view_clips(self, request_id: int | str, *, clip: int | str | None = None, how: str = "details") -> Opened:
        """查阅: register a viewing of the request's clips (or one of them) by the person at the keyboard."""
        check_text(clip if isinstance(clip, str) else None, N_("音像文件编号"), field="clip")
        require_choice(how, VIEW_HOWS, N_("查阅方式"), field="how")
        req = self.get(request_id)
        me = self._usable(req)
        covered = [
            link.clip_id for link in AccessClip.select().where(AccessClip.request == req).order_by(AccessClip.id)
        ]
        if clip not in (None, ""):
            wanted = self.footage.get(clip, field="clip").id
            if wanted not in covered:
                self._refuse_use(
                    UserError(
                        "access.not_covered",
                        "音像文件 {clip} 不在查阅申请 {id} 的范围内",
                        field="clip",
                        clip=wanted,
                        id=req.id,
                    ),
                    entity="clip",
                    entity_id=wanted,
                    summary=f"{req.id} {me.name}（{me.number}）：#{wanted} not covered",
                )
            covered = [wanted]
        with self.ctx.change():
            viewing = Viewing.create(
                request=req,
                staff=me,
                at=self.ctx.clock(),
                duration_s=None,
                clip_ids=",".join(str(c) for c in covered),
                how=how,
            )
            self.ctx.log(
                "view", viewing, summary=f"{req.id} {me.name}（{me.number}） {' '.join('#' + str(c) for c in covered)}"
            )
        root = self.ingest.archive_root()
        views = tuple(self.footage.view(c) for c in covered)
        return Opened(
            self._viewing_view(viewing), self.view(req.id), views, tuple(root / v.archive_path for v in views)
        )

    @requires("access.request")
    def finish(self, viewing_id: int) -> ViewingView:
        """The viewing ended: its duration is registered."""
        with self.ctx.change():
            viewing = Viewing.get_by_id(viewing_id)
            if viewing.duration_s is None:
                before = snapshot(viewing)
                viewing.duration_s = max(0.0, (self.ctx.clock() - viewing.at).total_seconds())
                viewing.save()
                self.ctx.log(
                    "view_end", viewing, before=before, summary=f"{viewing.request_id} {viewing.duration_s:.0f}s"
                )
        return self._viewing_view(viewing)

    @requires("access.request", "footage.preview")
    def open_clip(self, clip_id: int | str) -> tuple[AccessView | None, int | None]:
        """May the person at the keyboard see this clip's pictures? (approval, viewing id) or a logged refusal.

        Under an approval the look is a registered viewing. The manager may look at non-confidential footage
        without one (the look is audited as a preview by the caller)."""
        from avledger.services.clearance import approval_for_clip

        clip = self.footage.get(clip_id)
        me = current_staff(self.ctx)
        req = approval_for_clip(self.ctx, clip.id, me)
        if req is not None:
            opened = self.view_clips(req.id, clip=clip.id, how="screen")
            return opened.request, opened.viewing.id
        confidential = bool(clip.activity_id and clip.activity.confidential)
        if self.ctx.may("footage.preview") and not confidential:
            return None, None
        who = self.ctx.acting().person or self.ctx.identity.account
        self._refuse_use(
            UserError(
                "access.no_approval", "没有批准查阅音像文件 {clip} 的申请，不能打开", field="clip_id", clip=clip.id
            ),
            entity="clip",
            entity_id=clip.id,
            summary=f"#{clip.id} {who}：no approval",
        )
        raise AssertionError  # pragma: no cover

    @requires("access.request", "footage.preview")
    def look(self, clip_id: int | str, *, count: int = 3, width: int = 24) -> Look:
        """A few pictures from an archived clip, read only, under an approval (F15): the look is a registered
        viewing (end it with :meth:`finish`). The manager may look at non-confidential footage without one;
        that look is audited as a preview. Anyone else is refused, and the attempt is logged."""
        from avledger.services.thumbs import thumbnails

        clip = self.footage.get(clip_id)
        approval, viewing_id = self.open_clip(clip.id)
        pictures = thumbnails(self.ingest.archive_root() / clip.archive_path, count=count, width=width)
        if approval is None:
            with self.ctx.change():
                self.ctx.log(
                    "preview", entity="clip", entity_id=clip.id, summary=f"{clip.original_name}（{len(pictures)}）"
                )
        return Look(pictures, approval, viewing_id)

    def preview(self, clip_id: int | str, *, count: int = 3, width: int = 24) -> list:
        """A few pictures from an archived clip (see :meth:`look`)."""
        return self.look(clip_id, count=count, width=width).pictures

    def banner(self, clip_id: int | str) -> AccessView | None:
        """The approval of the person at the keyboard that covers a clip, if any (for display; not logged)."""
        from avledger.services.clearance import approval_for_clip

        req = approval_for_clip(self.ctx, self.footage.get(clip_id).id)
        return self.view(req.id) if req is not None else None

    # --- extract ----------------------------------------------------------------------
    @requires("access.request", "evidence.extract")
    def damaged_clips(self, request_id: int | str) -> list[DamagedClip]:
        """The request's clips flagged as damaged when they were collected (said before extracting them)."""
        req = self.get(request_id)
        clips = (
            Clip.select(Clip.id, Clip.original_name, Clip.flags)
            .join(AccessClip, on=(AccessClip.clip == Clip.id))
            .where((AccessClip.request == req) & (Clip.flags != ""))
            .order_by(Clip.start_at, Clip.id)
        )
        return [DamagedClip(c.id, c.original_name, tuple(f for f in c.flags.split(",") if f)) for c in clips]

    @requires("access.request", "evidence.extract")
    def extract(
        self,
        request_id: int | str,
        extractor: str,
        out: str | Path,
        *,
        seven_zip: bool = False,
        password_file: str | Path | None = None,
        password: str | None = None,
    ) -> ExtractionView:
        """作为证据调取: copy the request's clips out with their SHA-256 checked, write the explanation sheet
        (文字说明材料), optionally pack them into a 7z (AES-256, encrypted file list with a password), register."""
        check_text(out if isinstance(out, str) else None, N_("输出目录"), field="out")
        check_text(password_file if isinstance(password_file, str) else None, N_("密码文件"), field="password_file")
        req = self.get(request_id)
        person = self._active_staff(extractor, "extractor")
        if password is not None and not password:
            raise UserError("input.empty", "密码不能为空", field="password")
        if password is None:
            password = read_password(password_file)
        if password is not None:
            seven_zip = True
        out_dir = Path(out).expanduser().resolve()
        self._usable(req, need="copy", extractor=person)
        clips = list(
            Clip.select()
            .join(AccessClip, on=(AccessClip.clip == Clip.id))
            .where(AccessClip.request == req)
            .order_by(Clip.start_at, Clip.id)
        )
        root = self.ingest.archive_root()
        files = [ExtractedFile(f"{c.id}_{safe_name(c.original_name)}", c.id, c.size, c.sha256) for c in clips]
        # a new or empty folder; or one holding only what a killed run of this extraction left (its clips whole,
        # its sheets), which this run checks and completes; never the folder of a registered extraction
        ours = {f.name for f in files} | {SHEET_NAME, SHEET_PDF}
        done_here = Extraction.select().where(Extraction.out_dir == str(out_dir)).exists()
        if out_dir.exists() and (
            not out_dir.is_dir() or any(done_here or p.name not in ours for p in _not_leftovers(out_dir))
        ):
            raise UserError("output.not_empty", "输出目录已存在且不是空目录：{path}", field="out", path=str(out_dir))
        require_writable_folder(out_dir, field="out")
        try:
            created = make_dirs(out_dir, PRIVATE_DIR)  # the topmost folder created (removed again on failure)
        except OSError as exc:
            raise UserError(
                "write.failed", "无法创建目录 {path}：{err}", field="out", path=str(out_dir), err=exc.strerror
            ) from None
        clean_leftovers(out_dir)  # a package an extraction killed here left unfinished (encrypted, never published)
        try:  # room for the clips and the sheets (the package is about as large), before anything is written
            require_space(out_dir, sum(c.size for c in clips), N_("调取输出目录"), files=len(clips) + 2, field="out")
        except UserError:
            if created is not None:
                shutil.rmtree(created, ignore_errors=True)
            raise
        written: list[Path] = []
        package = None
        try:
            if seven_zip:
                # straight from the archive into the package: no clip is ever staged in plain text
                package = out_dir / f"证据调取_{req.id}.7z"
                written.append(package)
                with _Package(package, password) as packing:
                    for clip, f in zip(clips, files):
                        packing.add_checked(root / clip.archive_path, f.name, clip.sha256)
                    at = self.ctx.clock()
                    sheet = self._sheet(req, person, at, clips, files, packed=True)
                    packing.add_bytes(SHEET_NAME, windows_text(sheet))
                    pdf = self._sheet_pdf(req, person, at, clips, files, packed=True)
                    if pdf is not None:
                        packing.add_bytes(SHEET_PDF, pdf)
            else:
                for clip, f in zip(clips, files):
                    target = out_dir / f.name
                    if _already_copied(target, clip.size, clip.sha256):  # by a run killed after it
                        continue
                    written.append(target)
                    _copy_checked(root / clip.archive_path, target, clip.sha256)
                at = self.ctx.clock()
                written.append(out_dir / SHEET_NAME)
                write_whole(
                    out_dir / SHEET_NAME, windows_text(self._sheet(req, person, at, clips, files)), mode=PRIVATE_FILE
                )
                pdf = self._sheet_pdf(req, person, at, clips, files)
                if pdf is not None:
                    written.append(out_dir / SHEET_PDF)
                    write_whole(out_dir / SHEET_PDF, pdf, mode=PRIVATE_FILE)
            with self.ctx.change():
                record = Extraction.create(
                    request=req,
                    extractor=person,
                    at=at,
                    out_dir=str(out_dir),
                    files=json.dumps([f.__dict__ for f in files], ensure_ascii=False),
                    package=str(package) if package else None,
                    encrypted=password is not None,
                )
                self.ctx.log(
                    "extract",
                    record,
                    summary=f"{req.id} {person.name}（{person.number}） {len(files)} → {package or out_dir}",
                )
        except BaseException as exc:
            for path in written:
                path.unlink(missing_ok=True)
            if created is not None:
                shutil.rmtree(created, ignore_errors=True)
            if is_space_error(exc):
                raise UserError(
                    "space.ran_out",
                    "调取输出目录 {path} 的空间已用完；未留下任何文件，也未登记，请腾出空间后再试",
                    field="out",
                    path=str(out_dir),
                ) from None
            if isinstance(exc, OSError):  # the folder became unwritable, or vanished, meanwhile
                raise UserError(
                    "write.failed",
                    "无法写入 {path}：{err}",
                    field="out",
                    path=str(exc.filename or out_dir),
                    err=exc.strerror or str(exc),
                ) from None
            raise
        return self._extraction_view(record)

    def _sheet(
        self,
        req: AccessRequest,
        extractor: Staff,
        at: dt.datetime,
        clips: list[Clip],
        files: list[ExtractedFile],
        packed: bool = False,
    ) -> str:
        """文字说明材料 (W14, D27, L17): maker, extractor, extraction time, and each file with its fingerprint."""
        tz = self.ctx.profile().tz
        unit = self.ctx.office().unit
        lines = [
            "文字说明材料",
            "",
            f"单位：{unit}",
            f"调取依据：查阅申请第 {req.id} 号（{label(ACCESS_REASONS, req.reason_kind)}：{req.reason}）",
        ]
        approver = req.decided_by
        lines.append(
            f"批准人：{approver.name}（{approver.number}），{fmt_local(req.decided_at, tz)}"
            + (f"，纸质审批表 {req.paper_form_no}" if req.paper_form_no else "")
        )
        lines += [
            f"提取人：{extractor.name}（{extractor.number}）",
            f"提取时间：{fmt_local(at, tz)}",
            "提取方式：从音像记录存储中复制，逐一核对 SHA-256 与入库时登记的一致",
        ]
        if packed:
            lines.append(f"打开方式：{OPEN_WITH}")
        lines += [
            "",
            "文件：",
        ]
        for n, (clip, f) in enumerate(zip(clips, files), 1):
            maker = f"{clip.holder.name}（{clip.holder.number}）" if clip.holder_id else "（未登记）"
            device = clip.device.asset_no if clip.device_id else "（未登记）"
            activity = clip.activity if clip.activity_id else None
            lines += [
                f"{n}. {f.name}",
                f"   制作人：{maker}；设备：{device}；录制时间：{fmt_local(clip.start_at, tz)}",
                f"   执法活动：{(activity.case_no + ' ') if activity and activity.case_no else ''}"
                f"{activity.title if activity else '（未分配）'}",
                f"   大小：{f.size} 字节；SHA-256：{f.sha256}",
            ]
        lines += ["", "提取人签名：__________    日期：__________", ""]
        return "\n".join(lines)

    def _sheet_pdf(
        self,
        req: AccessRequest,
        extractor: Staff,
        at: dt.datetime,
        clips: list[Clip],
        files: list[ExtractedFile],
        packed: bool = False,
    ) -> bytes | None:
        """The explanation sheet as an A4 PDF, through the print service; None when printing is not possible
        here (no CJK font): the text sheet stands alone then."""
        from avledger.i18n import _
        from avledger.services.sheets import Column
        from avledger.services.typeset import find_cjk_font

        try:
            find_cjk_font()
        except UserError:
            return None
        tz = self.ctx.profile().tz
        approver = req.decided_by
        fields = [
            (
                _("调取依据"),
                _("查阅申请第 {id} 号（{reason}：{text}）").format(
                    id=req.id, reason=_(label(ACCESS_REASONS, req.reason_kind)), text=req.reason
                ),
            ),
            (
                _("批准人"),
                f"{approver.name}（{approver.number}），{fmt_local(req.decided_at, tz)}"
                + (_("，纸质审批表 {no}").format(no=req.paper_form_no) if req.paper_form_no else ""),
            ),
            (_("提取人"), f"{extractor.name}（{extractor.number}）"),
            (_("提取时间"), fmt_local(at, tz)),
            (_("提取方式"), _("从音像记录存储中复制，逐一核对 SHA-256 与入库时登记的一致")),
        ]
        if packed:
            fields.append((_("打开方式"), _(OPEN_WITH)))
        columns = [
            Column("seq", N_("序号"), "auto", "center"),
            Column("name", N_("文件"), 1.6),
            Column("maker", N_("制作人"), 1),
            Column("device", N_("设备"), 0.9),
            Column("recorded", N_("录制时间"), 1, "center"),
            Column("size", N_("大小（字节）"), 0.8, "right"),
            Column("sha256", "SHA-256", 2.4, kind="hash"),
        ]
        rows = [
            {
                "seq": n,
                "name": f.name,
                "maker": f"{c.holder.name}（{c.holder.number}）" if c.holder_id else "—",
                "device": c.device.asset_no if c.device_id else "—",
                "recorded": fmt_local(c.start_at, tz),
                "size": f.size,
                "sha256": f.sha256,  # one piece, wrapping every 16 characters (common.typ: hash-text)
            }
            for n, (c, f) in enumerate(zip(clips, files), 1)
        ]
        return self.typesetter.form_pdf(
            "explanation",
            N_("文字说明材料"),
            _("查阅申请第 {id} 号").format(id=req.id),
            columns,
            rows,
            signatures=(N_("提取人："), N_("制作人：")),
            extra={"fields": fields},
        )

    # --- lists --------------------------------------------------------------------
    def _seen(self, select: Select) -> Select:
        """Only the requests the person at the keyboard may see (F17): confidential ones their own."""
        clearance = Clearance(self.ctx)
        if clearance.sees_all:
            return select
        me = clearance.staff.id if clearance.staff is not None else None
        return select.where("r.confidential = 0 OR r.requester_id = ?", me)

    def _select(self, query: AccessQuery) -> Select:
        order = (SortKey("r.requested_at", desc=True), SortKey("r.id", desc=True))
        if query.waiting_first:
            order = (SortKey("(r.status != 'requested')"), *order)
        select = self._seen(Select("access_request r", order, ACCESS_JOINS))
        if query.open_only:
            select.where("r.status = 'requested'")
        day = today(self.ctx).isoformat()
        return select.search(self._word(w, day) for w in search.words(query.text))

    @staticmethod
    def _word(word: str, day: str) -> Condition:
        """A request whose number, requester, reason, status, approver or paper form holds ``word``."""
        people = "SELECT id FROM staff WHERE name LIKE ? ESCAPE '\\' OR number LIKE ? ESCAPE '\\'"
        pattern = search.like(word)
        statuses = search.label_ids(ACCESS_STATUSES, word)
        found = [
            Condition(f"r.requester_id IN ({people})", (pattern, pattern)),
            Condition(f"r.decided_by_id IN ({people})", (pattern, pattern)),
            search.contains("r.reason", word),
            search.contains("r.paper_form_no", word),
            search.one_of("r.reason_kind", search.label_ids(ACCESS_REASONS, word)),
        ]
        if statuses:
            found.append(Condition(f"({_STATUS}) IN ({', '.join('?' * len(statuses))})", (day, *statuses)))
        if (n := search.number(word)) is not None:
            found.append(Condition("r.id = ?", (n,)))
        return any_of(found)

    def page(
        self, query: AccessQuery = AccessQuery(), after: Cursor | None = None, limit: int = 200, *, quick: bool = False
    ) -> Page[AccessView]:
        return listing.page(self.ctx.db, access_rows(today(self.ctx)), self._select(query), after, limit, quick=quick)

    def count(self, query: AccessQuery = AccessQuery()) -> int:
        return listing.count(self.ctx.db, self._select(query))

    def rows(self, query: AccessQuery = AccessQuery()) -> Iterator[AccessView]:
        return listing.rows(self.ctx.db, access_rows(today(self.ctx)), self._select(query))

    def write_json(self, query: AccessQuery, out: BinaryIO) -> int:
        """The requests of ``query`` as ``access list --json`` prints them, streamed to ``out``."""
        return listing.write_json(self.ctx.db, access_rows(today(self.ctx)), self._select(query), out)

    def view(self, request_id: int | str) -> AccessView:
        select = Select("access_request r", (SortKey("r.id"),), ACCESS_JOINS)
        select.where("r.id = ?", self.get(request_id).id)
        return next(listing.rows(self.ctx.db, access_rows(today(self.ctx)), select))

    def list(self, *, open_only: bool = False) -> list[AccessView]:
        """Requests, newest first; confidential ones only for those cleared to see them (F17)."""
        return list(self.rows(AccessQuery(open_only)))

    def _viewings(self, request: int | str | None) -> Select:
        select = Select(
            "viewing v",
            (SortKey("v.at"), SortKey("v.id")),
            "JOIN staff s ON s.id = v.staff_id JOIN access_request r ON r.id = v.request_id",
        )
        if request not in (None, ""):
            select.where("v.request_id = ?", self.get(request, field="request").id)
        return self._seen(select)

    def page_viewings(
        self, request: int | str | None = None, after: Cursor | None = None, limit: int = 200
    ) -> Page[ViewingView]:
        return listing.page(self.ctx.db, VIEWING_ROWS, self._viewings(request), after, limit)

    def count_viewings(self, request: int | str | None = None) -> int:
        return listing.count(self.ctx.db, self._viewings(request))

    def write_viewings_json(self, out: BinaryIO, *, request: int | str | None = None) -> int:
        return listing.write_json(self.ctx.db, VIEWING_ROWS, self._viewings(request), out)

    def viewings(self, *, request: int | str | None = None) -> list[ViewingView]:
        """The viewing register (查阅登记), oldest first; viewings of hidden requests are left out."""
        return list(listing.rows(self.ctx.db, VIEWING_ROWS, self._viewings(request)))

    def _extractions(self, request: int | str | None) -> Select:
        select = Select(
            "extraction x",
            (SortKey("x.at"), SortKey("x.id")),
            "JOIN staff s ON s.id = x.extractor_id JOIN access_request r ON r.id = x.request_id",
        )
        if request not in (None, ""):
            select.where("x.request_id = ?", self.get(request, field="request").id)
        return self._seen(select)

    def page_extractions(
        self, request: int | str | None = None, after: Cursor | None = None, limit: int = 200
    ) -> Page[ExtractionView]:
        return listing.page(self.ctx.db, EXTRACTION_ROWS, self._extractions(request), after, limit)

    def count_extractions(self, request: int | str | None = None) -> int:
        return listing.count(self.ctx.db, self._extractions(request))

    def extractions(self, *, request: int | str | None = None) -> list[ExtractionView]:
        return list(listing.rows(self.ctx.db, EXTRACTION_ROWS, self._extractions(request)))

    @staticmethod
    def _viewing_view(v: Viewing) -> ViewingView:
        return ViewingView(
            v.id, v.request_id, v.staff.name, v.staff.number, v.at, v.duration_s, _ids(v.clip_ids), v.how
        )

    @staticmethod
    def _extraction_view(e: Extraction) -> ExtractionView:
        files = tuple(ExtractedFile(**f) for f in json.loads(e.files))
        return ExtractionView(
            e.id, e.request_id, e.extractor.name, e.extractor.number, e.at, e.out_dir, files, e.package, e.encrypted
        )


def label_status(status: str) -> str:
    from avledger.vocab import ACCESS_STATUSES

    return ACCESS_STATUSES.get(status, status)


# --- files ------------------------------------------------------------------------------
def _already_copied(target: Path, size: int, sha256: str) -> bool:
    """``target`` is a regular file holding exactly the clip (a killed extraction copied it whole: its copies
    are renamed into place only once checked); anything else there is refused."""
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        return False
    if stat.S_ISREG(st.st_mode) and st.st_size == size and hash_file(target) == sha256:
        return True
    raise UserError("output.not_empty", "输出目录已存在且不是空目录：{path}", field="out", path=str(target.parent))


def _copy_checked(source: Path, target: Path, sha256: str) -> None:
    """Copy with the crash-safe pattern of ingest: temp name, fsync, read back, rename; the hash must be the
    registered one, before and after."""
    if not source.is_file():
        raise UserError("archive.file_missing", "存储中缺少音像文件：{path}", path=str(source))
    digest = hashlib.sha256()
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    with temporary(target.parent) as temp:
        with open(source, "rb", buffering=0) as src, open(temp, "xb", buffering=0, opener=opener(PRIVATE_FILE)) as dst:
            while n := src.readinto(buffer):
                digest.update(view[:n])
                written = 0
                while written < n:
                    written += dst.write(view[written:n])
            os.fsync(dst.fileno())
        if digest.hexdigest() != sha256:
            raise UserError(
                "archive.file_changed", "存储中的文件与登记的指纹不一致，已停止调取：{path}", path=str(source)
            )
        if hash_file(temp, drop_cache=True) != sha256:
            raise UserError("write.readback_mismatch", "{name} 写入后回读校验不一致，已停止调取", name=str(target))
        publish(temp, target)


class _HashingReader(io.BufferedReader):
    """An archived clip read for the package: every byte py7zr reads is hashed on the way (read once)."""

    def __init__(self, path: Path):
        super().__init__(io.FileIO(os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)), "rb"), CHUNK)
        self.digest = hashlib.sha256()
        self.count = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.digest.update(data)
        self.count += len(data)
        return data

    def read1(self, size: int = -1) -> bytes:
        data = super().read1(size)
        self.digest.update(data)
        self.count += len(data)
        return data

    def readinto(self, buffer) -> int:  # pragma: no cover - py7zr reads with read(); kept exact all the same
        n = super().readinto(buffer)
        self.digest.update(memoryview(buffer)[:n])
        self.count += n
        return n


class _Package:
    """A 7z package written straight from the archive (with a password: AES-256 and an encrypted file list).

    Nothing is staged: each clip is read from the archive into the package once, its SHA-256 taken as it is
    read and compared with the registered one. The package is written under a temporary name in its folder,
    private, flushed, read back (every file's CRC, with the password) and only then published under its
    name; a failure, a refusal or a kill leaves no package under that name, and never a clip in plain text
    when a password was given (what a kill leaves is an encrypted, unpublished ``.avledger-part-*`` file,
    removed by the next extraction into that folder).
    """

    def __init__(self, package: Path, password: str | None):
        self.package, self.password = package, password
        self.names: list[str] = []

    def __enter__(self) -> _Package:
        import py7zr

        self._temporary = temporary(self.package.parent, ".7z")
        self.temp = self._temporary.__enter__()
        try:
            self.fh = open(self.temp, "xb", opener=opener(PRIVATE_FILE))
            filters = [{"id": py7zr.FILTER_COPY}]
            if self.password is not None:
                filters.append({"id": py7zr.FILTER_CRYPTO_AES256_SHA256})
            self.archive = py7zr.SevenZipFile(
                self.fh, "w", password=self.password, header_encryption=self.password is not None, filters=filters
            )
        except BaseException:
            self._abandon()
            raise
        return self

    def add_checked(self, source: Path, name: str, sha256: str) -> None:
        """Pack an archived clip as ``name``; its bytes must hash to the registered ``sha256``."""
        try:
            reader = _HashingReader(source)
        except FileNotFoundError:
            raise UserError("archive.file_missing", "存储中缺少音像文件：{path}", path=str(source)) from None
        with reader:
            self.archive.writef(reader, name)
            reader.read()  # anything py7zr did not read (none: it reads to the end) still counts in the hash
        if reader.digest.hexdigest() != sha256:
            raise UserError(
                "archive.file_changed", "存储中的文件与登记的指纹不一致，已停止调取：{path}", path=str(source)
            )
        self.names.append(name)

    def add_bytes(self, name: str, data: bytes) -> None:
        self.archive.writestr(data, name)
        self.names.append(name)

    def __exit__(self, kind, exc, tb) -> None:
        if kind is not None:
            self._abandon()
            return
        try:
            self.archive.close()
            self.fh.flush()
            os.fsync(self.fh.fileno())
            self.fh.close()
            listed = package_names(self.temp, self.password)
            if sorted(listed) != sorted(self.names):
                raise UserError(
                    "write.readback_mismatch", "7z 包回读校验不一致，已停止调取：{path}", path=str(self.package)
                )
            publish(self.temp, self.package)
        except BaseException:
            self._abandon()
            raise
        self._temporary.__exit__(None, None, None)

    def _abandon(self) -> None:
        """Close what is open and remove the temporary package (it never had a clip in plain text)."""
        with contextlib.suppress(Exception):
            self.fh.close()
        self._temporary.__exit__(None, None, None)


def _not_leftovers(folder: Path):
    """What ``folder`` holds but the temporary files a killed run of avledger left there."""
    return (p for p in folder.iterdir() if not p.name.startswith(TEMP_PREFIX))


def package_names(path: str | Path, password: str | None = None) -> list[str]:
    """The files in a 7z package, each checked against its CRC. A wrong password is reported as one
    (py7zr raises unrelated errors for it: a TypeError, a bad-file or LZMA error)."""
    import lzma

    import py7zr
    from py7zr.exceptions import PasswordRequired

    path = Path(path)
    if not path.is_file():
        raise UserError("evidence.no_package", "没有这个文件：{path}", field="path", path=str(path))
    try:
        with py7zr.SevenZipFile(path, "r", password=password) as archive:
            names = archive.getnames()
            bad = archive.testzip()
    except PasswordRequired:
        raise UserError(
            "evidence.password_needed",
            "7z 包已加密，需要密码（--password-file）：{path}",
            field="password",
            path=str(path),
        ) from None
    except (
        TypeError,
        ValueError,
        KeyError,
        IndexError,
        lzma.LZMAError,
        py7zr.exceptions.Bad7zFile,
        py7zr.exceptions.CrcError,
        py7zr.exceptions.UnsupportedCompressionMethodError,
    ) as exc:
        if password is not None:
            raise UserError(
                "evidence.wrong_password", "7z 包的密码错误：{path}", field="password", path=str(path)
            ) from None
        raise UserError(
            "evidence.bad_package", "不是有效的 7z 包：{path}（{error}）", field="path", path=str(path), error=str(exc)
        ) from None
    if bad:
        if password is not None:
            raise UserError("evidence.wrong_password", "7z 包的密码错误：{path}", field="password", path=str(path))
        raise UserError("evidence.bad_package", "7z 包中的文件校验失败：{name}", field="path", name=bad)
    return names


def read_password(password_file: str | Path | None) -> str | None:
    if password_file in (None, ""):
        return None
    try:
        password = Path(password_file).read_text("utf-8").rstrip("\r\n")
    except OSError as exc:
        raise UserError(
            "evidence.password_file_unreadable",
            "无法读取密码文件：{path}（{error}）",
            field="password_file",
            path=str(password_file),
            error=exc.strerror or str(exc),
        ) from None
    if not password:
        raise UserError(
            "evidence.password_file_empty", "密码文件是空的：{path}", field="password_file", path=str(password_file)
        )
    return password
