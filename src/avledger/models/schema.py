"""peewee models over the tables that ``db.MIGRATIONS`` creates."""

from __future__ import annotations

from dataclasses import dataclass

from peewee import SQL as _SQL
from peewee import (
    AutoField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from avledger.models.db import database


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class Office(BaseModel):
    id = AutoField()
    unit = TextField()
    preset = TextField()
    profile = TextField()  # JSON of the office's rules
    created_at = DateTimeField()


class Department(BaseModel):
    id = AutoField()
    name = TextField(unique=True)
    alloc_class = CharField()


class Staff(BaseModel):
    id = AutoField()
    name = TextField()
    number = TextField(unique=True)
    department = ForeignKeyField(Department, backref="staff", column_name="department_id")
    cert_no = TextField(null=True)
    roles = TextField(default="")  # comma-separated role ids
    active = BooleanField(default=True)
    os_user = TextField(null=True, unique=True)

    @property
    def role_list(self) -> list[str]:
        return [r for r in self.roles.split(",") if r]


class Device(BaseModel):
    id = AutoField()
    asset_no = TextField(unique=True)
    kind = CharField()
    model = TextField(default="")
    serial = TextField(default="")
    fixed_asset_no = TextField(default="")
    purchased = DateField(null=True)
    price_fen = IntegerField(null=True)  # original price in fen (0.01 yuan)
    department = ForeignKeyField(Department, backref="devices", column_name="department_id")
    custodian = ForeignKeyField(Staff, backref="custody", column_name="custodian_id")
    status = CharField()
    abilities = TextField(default="")  # comma-separated ability ids
    media_time = CharField(default="utc")  # how the device writes container times: utc or local
    notes = TextField(default="")

    @property
    def ability_list(self) -> list[str]:
        return [a for a in self.abilities.split(",") if a]


class Loan(BaseModel):
    """One holder's period with a device: from issue (or handover) to return (or handover, or loss)."""

    id = AutoField()
    device = ForeignKeyField(Device, backref="loans", column_name="device_id")
    holder = ForeignKeyField(Staff, backref="loans", column_name="holder_id")
    start_at = DateTimeField()
    start_kind = CharField()  # issue | handover
    from_loan = ForeignKeyField("self", null=True, column_name="from_loan_id")
    due_at = DateTimeField(null=True)
    purpose = TextField(default="")
    battery_pct = IntegerField(null=True)
    free_gb = FloatField(null=True)
    clock_offset_s = IntegerField(null=True)
    notice_given = BooleanField(null=True)
    check_failures = TextField(default="")  # comma-separated check ids that failed
    despite = TextField(null=True)  # why it went out although the check failed
    end_at = DateTimeField(null=True)
    end_kind = CharField(null=True)  # return | handover | lost
    content = TextField(default="")  # what was recorded (记录内容)
    condition = CharField(null=True)  # ok | damaged


class Fault(BaseModel):
    id = AutoField()
    device = ForeignKeyField(Device, backref="faults", column_name="device_id")
    reported_at = DateTimeField()
    description = TextField()
    sent_at = DateTimeField(null=True)
    back_at = DateTimeField(null=True)
    outcome = TextField(default="")


class Liability(BaseModel):
    """An accountability case for a damaged or lost device (赔偿按原价)."""

    id = AutoField()
    device = ForeignKeyField(Device, backref="liabilities", column_name="device_id")
    staff = ForeignKeyField(Staff, backref="liabilities", column_name="staff_id")
    kind = CharField()  # damaged | lost
    at = DateTimeField()
    amount_fen = IntegerField()
    description = TextField(default="")
    loan = ForeignKeyField(Loan, null=True, column_name="loan_id")


class DeviceRetirement(BaseModel):
    """报废 (D14, P6): the device leaves service for good, with the reason and who approved it; the device
    stays in the register with its history (status ``retired``)."""

    id = AutoField()
    device = ForeignKeyField(Device, backref="retirements", column_name="device_id")
    at = DateTimeField()
    reason = TextField()
    approved_by = ForeignKeyField(Staff, column_name="approved_by_id")
    paper_form_no = TextField(default="")  # the paper form the approver signed, when recorded on their behalf
    recorded_by = TextField(default="")  # who recorded it on the approver's behalf ("" when they did it)


class Upkeep(BaseModel):
    """保养 (W5, D13, L6): one piece of upkeep done on a device: when, by whom, what was done."""

    id = AutoField()
    device = ForeignKeyField(Device, backref="upkeep", column_name="device_id")
    at = DateTimeField()
    done_by = TextField()  # the person who recorded it, as the register names them
    what = TextField()


class Activity(BaseModel):
    """An enforcement activity (执法活动), a case when it has a case number."""

    id = AutoField()
    kind = CharField()
    title = TextField()
    case_name = TextField(default="")
    case_no = TextField(default="")
    party = TextField(default="")
    place = TextField(default="")
    department = ForeignKeyField(Department, null=True, backref="activities", column_name="department_id")
    start_at = DateTimeField()
    end_at = DateTimeField(null=True)
    full_record = BooleanField(default=False)
    circumstances = TextField(default="")  # comma-separated circumstance ids
    confidential = BooleanField(default=False)
    long_term = TextField(default="")  # comma-separated long-term keeping reasons
    status = CharField(default="open")  # open | closed
    closed_at = DateField(null=True)
    created_at = DateTimeField()


class ActivityOfficer(BaseModel):
    id = AutoField()
    activity = ForeignKeyField(Activity, backref="officers", column_name="activity_id")
    staff = ForeignKeyField(Staff, backref="activities", column_name="staff_id")


class Clip(BaseModel):
    """One archived original (video, audio or photo)."""

    id = AutoField()
    activity = ForeignKeyField(Activity, null=True, backref="clips", column_name="activity_id")
    device = ForeignKeyField(Device, null=True, backref="clips", column_name="device_id")
    holder = ForeignKeyField(Staff, null=True, backref="clips", column_name="holder_id")
    original_name = TextField()
    source_path = TextField()
    archive_path = TextField(unique=True)  # relative to the archive folder, with "/"
    size = IntegerField()
    sha256 = TextField(unique=True)
    kind = CharField()  # video | audio | photo
    duration_s = FloatField(null=True)
    start_at = DateTimeField(null=True)  # naive UTC, corrected by the loan's clock offset
    time_source = CharField()  # tag | name | file
    width = IntegerField(null=True)
    height = IntegerField(null=True)
    codecs = TextField(default="")
    bitrate = IntegerField(null=True)
    tags = TextField(default="{}")  # JSON
    flags = TextField(default="")  # comma-separated: corrupt
    ingested_at = DateTimeField()
    deadline_at = DateTimeField(null=True)
    late = BooleanField(default=False)
    late_reason = TextField(null=True)


class Gap(BaseModel):
    """An interruption between two consecutive clips of one device in one activity."""

    id = AutoField()
    device = ForeignKeyField(Device, backref="gaps", column_name="device_id")
    activity = ForeignKeyField(Activity, backref="gaps", column_name="activity_id")
    after_clip = ForeignKeyField(Clip, column_name="after_clip_id")
    before_clip = ForeignKeyField(Clip, column_name="before_clip_id")
    start_at = DateTimeField()
    end_at = DateTimeField()
    minutes = IntegerField()
    reason = CharField(null=True)
    note = TextField(default="")
    reported = BooleanField(default=False)


class NoRecord(BaseModel):
    """A not-recorded work record (无法记录工作记录)."""

    id = AutoField()
    activity = ForeignKeyField(Activity, backref="norecords", column_name="activity_id")
    reason = CharField()
    basis = TextField()
    signer_ids = TextField()  # comma-separated staff ids
    reported_to = ForeignKeyField(Staff, column_name="reported_to_id")
    at = DateTimeField()

    class Meta:
        table_name = "norecord"


class AccessRequest(BaseModel):
    """A request to view or copy footage (查阅/调阅/复制申请) and its decision (F15)."""

    id = AutoField()
    scope = CharField()  # activity | case | clips
    activity = ForeignKeyField(Activity, null=True, column_name="activity_id")
    case_no = TextField(default="")
    requester = ForeignKeyField(Staff, column_name="requester_id")
    reason_kind = CharField()
    reason = TextField()
    kind = CharField()  # view | copy
    until = DateField()  # the approval holds to the end of this local date
    confidential = BooleanField(default=False)  # covers footage of a confidential activity (F17)
    status = CharField(default="requested")  # requested | approved | refused
    requested_at = DateTimeField()
    decided_by = ForeignKeyField(Staff, null=True, column_name="decided_by_id")
    decided_at = DateTimeField(null=True)
    decision_note = TextField(default="")  # the reason of a refusal
    paper_form_no = TextField(default="")  # approved on a paper form, recorded on the approver's behalf
    recorded_by = TextField(default="")  # who recorded a paper approval
    spot_check_id = IntegerField(null=True)  # made under this spot check (监督抽查), its activity drawn in it

    class Meta:
        table_name = "access_request"


class AccessClip(BaseModel):
    """One clip a request covers, fixed when the request is made."""

    id = AutoField()
    request = ForeignKeyField(AccessRequest, backref="clips", column_name="request_id")
    clip = ForeignKeyField(Clip, column_name="clip_id")

    class Meta:
        table_name = "access_clip"


class Viewing(BaseModel):
    """One viewing under an approval (查阅登记): who, when, how long, which clips."""

    id = AutoField()
    request = ForeignKeyField(AccessRequest, backref="viewings", column_name="request_id")
    staff = ForeignKeyField(Staff, column_name="staff_id")
    at = DateTimeField()
    duration_s = FloatField(null=True)
    clip_ids = TextField()  # comma-separated
    how = CharField()  # player | details | screen


class Extraction(BaseModel):
    """Footage copied out as evidence (作为证据调取, F14)."""

    id = AutoField()
    request = ForeignKeyField(AccessRequest, backref="extractions", column_name="request_id")
    extractor = ForeignKeyField(Staff, column_name="extractor_id")
    at = DateTimeField()
    out_dir = TextField()
    files = TextField()  # JSON: [{name, clip_id, size, sha256}]
    package = TextField(null=True)  # the 7z file, when packed
    encrypted = BooleanField(default=False)


class DiscSet(BaseModel):
    """The discs that hold one activity's or one case's footage (刻录光盘, F12 to F14)."""

    id = AutoField()
    activity = ForeignKeyField(Activity, null=True, backref="disc_sets", column_name="activity_id")
    case_no = TextField(default="")  # set for a whole case
    media = CharField()  # cd | dvd | dvd-dl | bd25 | bd50 | bd100
    discs = IntegerField()
    created_at = DateTimeField()
    created_by = TextField(default="")

    class Meta:
        table_name = "disc_set"


class Disc(BaseModel):
    """Disc n of N of a set: what goes on it and, once built, its image."""

    id = AutoField()
    disc_set = ForeignKeyField(DiscSet, backref="disc_list", column_name="set_id")
    number = IntegerField()
    volume_id = TextField(unique=True)  # ASCII, at most 16 characters (Joliet)
    clip_ids = TextField()  # comma-separated, in disc order
    files = IntegerField()
    payload_bytes = IntegerField()
    image_path = TextField(null=True)
    image_sha256 = TextField(null=True)
    size = IntegerField(null=True)  # bytes of the image (its own length, without a drive's padding)
    manifest_sha256 = TextField(null=True)
    built_at = DateTimeField(null=True)

    @property
    def clip_id_list(self) -> list[int]:
        return [int(i) for i in self.clip_ids.split(",") if i]


class DiscCopy(BaseModel):
    """Copy 1 or 2 of a disc (一式两份): who burned it, where it is kept; only a verified copy counts."""

    id = AutoField()
    disc = ForeignKeyField(Disc, backref="copies", column_name="disc_id")
    copy = IntegerField()
    drive = TextField()
    burned_at = DateTimeField()
    burned_by = TextField()
    kept_at = TextField(default="")
    verified = BooleanField(default=False)
    verified_at = DateTimeField(null=True)

    class Meta:
        table_name = "disc_copy"


class DiscCheck(BaseModel):
    """One read-back of a disc: at burning or a later re-check."""

    id = AutoField()
    disc = ForeignKeyField(Disc, backref="checks", column_name="disc_id")
    copy = ForeignKeyField(DiscCopy, null=True, backref="checks", column_name="copy_id")
    at = DateTimeField()
    kind = CharField()  # burn | recheck
    result = CharField()  # ok | failed
    problems = TextField(default="[]")  # JSON list of {kind, path}
    by = TextField(default="")

    class Meta:
        table_name = "disc_check"


class DiscBurn(BaseModel):
    """One burn of a copy of a disc, registered before xorriso starts: ``burning`` while it runs, then ``burned``
    (the copy is registered in :class:`DiscCopy`) or ``failed`` with its reason. A ``burning`` row whose burner
    is gone (its lock free: avledger was killed) is an interrupted burn, which ``disc verify`` completes or fails."""

    id = AutoField()
    disc = ForeignKeyField(Disc, backref="burns", column_name="disc_id")
    copy = IntegerField()
    drive = TextField()
    started_at = DateTimeField()
    started_by = TextField(default="")
    state = CharField(default="burning")  # burning | burned | failed
    ended_at = DateTimeField(null=True)
    failure = TextField(default="")  # why it failed, in the register's words

    class Meta:
        table_name = "disc_burn"


class RetentionHold(BaseModel):
    """A manual hold (e.g. a complaint or a court request) that stops the keeping clock of an activity or a case."""

    id = AutoField()
    activity = ForeignKeyField(Activity, null=True, backref="holds", column_name="activity_id")
    case_no = TextField(default="")
    reason = TextField()
    set_by = TextField()
    set_at = DateTimeField()
    released_at = DateTimeField(null=True)
    released_by = TextField(default="")
    release_reason = TextField(default="")

    class Meta:
        table_name = "retention_hold"


class CaseFile(BaseModel):
    """How long a case's paper file is kept (entered when the case is filed): its footage is kept as long
    (D25, L16, P11). ``months`` None: kept for ever (永久)."""

    id = AutoField()
    case_no = TextField(unique=True)
    months = IntegerField(null=True)
    entered_by = TextField()
    entered_at = DateTimeField()

    class Meta:
        table_name = "case_file"


class DisposalPlan(BaseModel):
    """A disposal plan (清除处理): the files due on ``due_on``, approved by the profile's role, then run."""

    id = AutoField()
    status = CharField(default="planned")  # planned | approved | done | cancelled
    planned_at = DateTimeField()
    planned_by = TextField()
    due_on = DateField()
    files = IntegerField()
    bytes = IntegerField()
    approved_by = ForeignKeyField(Staff, null=True, column_name="approved_by_id")
    approved_at = DateTimeField(null=True)
    paper_form_no = TextField(default="")
    recorded_by = TextField(default="")
    finished_at = DateTimeField(null=True)
    # The SHA-256 over its files' records (:data:`COVERED`), which are registered in bulk under the plan's own
    # audit entry; NULL for a plan of an older avledger, whose files each have their own entry.
    items_digest = TextField(null=True)
    cancel_reason = TextField(null=True)  # why the plan was cancelled (NULL: not cancelled, or before migration 19)

    class Meta:
        table_name = "disposal_plan"


class Disposal(BaseModel):
    """One file of a disposal plan, kept for ever: ``planned``, ``disposing`` (being deleted), ``done``
    (deleted), or ``skipped`` (a hold appeared or its content changed; it stays in the archive). A planned file
    of a cancelled plan stays ``planned`` in the table: the plan's status says it was not disposed of.

    While planned, the record is narrow (plan, clip, keep-until, state): the file's name, place, SHA-256, size,
    dates and activity are NULL and read from its clip; a run copies them from the clip's row when it comes to
    the file (before deleting it), so a deleted file's record holds them for ever. Plans of an older avledger
    (before migration 19) have them from the start."""

    id = AutoField()
    plan = ForeignKeyField(DisposalPlan, backref="items", column_name="plan_id")
    clip = ForeignKeyField(Clip, backref="disposals", column_name="clip_id")
    original_name = TextField(null=True)
    archive_path = TextField(null=True)
    sha256 = TextField(null=True)
    size = IntegerField(null=True)
    recorded_at = DateTimeField(null=True)
    ingested_at = DateTimeField(null=True)
    activity = ForeignKeyField(Activity, null=True, column_name="activity_id")
    keep_until = DateField()
    state = CharField(default="planned")
    skip_reason = TextField(default="")
    deleted_at = DateTimeField(null=True)
    deleted_by = TextField(default="")


def deleted_file():
    """The condition of a deleted file's record (``state = 'done'``), written as a literal so that SQLite uses
    the partial index on the deleted files' clips (disposal_clip), which a plan's planned records never enter."""
    return Disposal.state == _SQL("'done'")


class SshKey(BaseModel):
    """A colleague's SSH public key (``avledger ssh add``): logging in with it acts as that member of staff."""

    id = AutoField()
    staff = ForeignKeyField(Staff, backref="ssh_keys", column_name="staff_id")
    kind = TextField()  # ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa, ...
    key = TextField()  # the key itself (base64), as in a .pub file
    fingerprint = TextField()  # SHA256:... as ssh-keygen -l shows it
    comment = TextField(default="")
    added_at = DateTimeField()
    removed_at = DateTimeField(null=True)  # removed keys are kept (and open nothing)

    class Meta:
        table_name = "ssh_key"


class ChecklistTick(BaseModel):
    """One item of the record checklist (音像记录事项清单, F20) ticked for an activity: the recording shows it."""

    id = AutoField()
    activity = ForeignKeyField(Activity, backref="checklist_ticks", column_name="activity_id")
    item = TextField()  # the item's key in the profile's checklist
    content = TextField()  # its words when it was ticked
    ticked_by_staff = ForeignKeyField(Staff, null=True, column_name="ticked_by_id")
    ticked_by = TextField(default="")  # who ticked it, as forms name a person
    ticked_at = DateTimeField()
    note = TextField(default="")

    class Meta:
        table_name = "checklist_tick"


class SpotCheck(BaseModel):
    """A supervision spot check (监督抽查, D15 D32): a reproducible random draw of activities and its findings."""

    id = AutoField()
    period_from = DateField()
    period_to = DateField()
    share = FloatField(null=True)  # percent of the activities in the period (or count)
    count = IntegerField(null=True)
    department = ForeignKeyField(Department, null=True, column_name="department_id")
    officer = ForeignKeyField(Staff, null=True, column_name="officer_id")
    seed = TextField()  # random.Random(seed) over the ids of the population in ascending order
    population = IntegerField()  # how many activities the draw was made from
    items = TextField()  # the checklist item keys at the draw, comma-separated
    drawn_by = ForeignKeyField(Staff, column_name="drawn_by_id")
    drawn_at = DateTimeField()
    status = CharField(default="open")  # open | closed
    closed_at = DateTimeField(null=True)

    class Meta:
        table_name = "spot_check"


class SpotCheckActivity(BaseModel):
    """One activity drawn in a spot check, and what the check found (item -> ok | fail)."""

    id = AutoField()
    check = ForeignKeyField(SpotCheck, backref="drawn", column_name="check_id")
    activity = ForeignKeyField(Activity, column_name="activity_id")
    findings = TextField(default="{}")  # JSON {item: "ok" | "fail"}
    note = TextField(default="")
    score = IntegerField(null=True)
    checked_at = DateTimeField(null=True)
    checked_by = TextField(default="")

    class Meta:
        table_name = "spot_check_activity"


class Violation(BaseModel):
    """A violation of the rules on recording (过错责任追究, F19), its evidence and its sanction."""

    id = AutoField()
    staff = ForeignKeyField(Staff, column_name="staff_id")
    article = CharField()  # vocab.VIOLATION_ARTICLES
    what = TextField()
    activity = ForeignKeyField(Activity, null=True, column_name="activity_id")
    clip = ForeignKeyField(Clip, null=True, column_name="clip_id")
    loan = ForeignKeyField(Loan, null=True, column_name="loan_id")
    check = ForeignKeyField(SpotCheck, null=True, column_name="check_id")
    recorded_at = DateTimeField()
    recorded_by = TextField(default="")
    status = CharField(default="open")  # open | decided
    sanction = CharField(null=True)  # vocab.SANCTIONS
    suspended_from = DateField(null=True)  # a suspension: from the decision's local date ...
    until = DateField(null=True)  # ... to the end of this local date
    decided_by = ForeignKeyField(Staff, null=True, column_name="decided_by_id")
    decided_at = DateTimeField(null=True)
    paper_form_no = TextField(default="")
    decision_recorded_by = TextField(default="")  # who recorded a decision signed on paper
    acknowledged_at = DateTimeField(null=True)  # the person's acknowledgement of the decision (本人签收)
    acknowledged_note = TextField(default="")
    acknowledgement_recorded_by = TextField(default="")  # who recorded an acknowledgement signed on paper


class AuditEvent(BaseModel):
    id = AutoField()
    at = DateTimeField()
    actor = TextField()
    actor_staff_id = IntegerField(null=True)
    action = TextField()
    entity = TextField()
    entity_id = IntegerField(null=True)
    summary = TextField(default="")
    before = TextField(null=True)
    after = TextField(null=True)
    prev_hash = TextField()
    hash = TextField()


# Tables whose every row is covered by the audit log (entity name -> model).
AUDITED: dict[str, type[BaseModel]] = {
    "office": Office,
    "department": Department,
    "staff": Staff,
    "device": Device,
    "loan": Loan,
    "fault": Fault,
    "liability": Liability,
    "activity": Activity,
    "activity_officer": ActivityOfficer,
    "clip": Clip,
    "gap": Gap,
    "norecord": NoRecord,
    "access_request": AccessRequest,
    "access_clip": AccessClip,
    "viewing": Viewing,
    "extraction": Extraction,
    "disc_set": DiscSet,
    "disc": Disc,
    "disc_copy": DiscCopy,
    "disc_check": DiscCheck,
    "disc_burn": DiscBurn,
    "ssh_key": SshKey,
    "checklist_tick": ChecklistTick,
    "spot_check": SpotCheck,
    "spot_check_activity": SpotCheckActivity,
    "violation": Violation,
    "retention_hold": RetentionHold,
    "case_file": CaseFile,
    "disposal_plan": DisposalPlan,
    "disposal": Disposal,
    "device_retirement": DeviceRetirement,
    "upkeep": Upkeep,
}


@dataclass(frozen=True)
class Covered:
    """The rows of an audited table that are registered in bulk, under one audit entry of their parent, rather
    than one entry each (a disposal plan's files: a plan may hold hundreds of thousands).

    The parent's row holds the rows' number (``count``) and the SHA-256 over their records (``digest``: each
    row's ``columns`` as SQLite's ``json_array`` writes them, in id order, a line each), and is logged like any
    row, so the log vouches for the digest. The row's other columns are vouched for by ``initial`` (SQL over the
    row ``t``), true while the row has no entry of its own: they hold what the bulk statement wrote (a planned
    file: its state, and no copy of its clip's columns yet). A row that changes later (a file a run comes to) is
    logged on its own as before. Parents whose ``digest`` is NULL had their rows logged one by one."""

    parent: str  # the parent's entity (a key of AUDITED)
    key: str  # the row's column naming its parent
    digest: str  # the parent's column holding the digest
    count: str  # the parent's column holding the number of rows
    columns: tuple[str, ...]  # the row's columns the digest covers: never changed once registered
    initial: str


COVERED: dict[str, Covered] = {
    "disposal": Covered(
        parent="disposal_plan",
        key="plan_id",
        digest="items_digest",
        count="files",
        columns=("id", "clip_id", "keep_until"),
        initial=(
            "t.state = 'planned' AND t.skip_reason = '' AND t.deleted_at IS NULL AND t.deleted_by = ''"
            " AND t.original_name IS NULL AND t.archive_path IS NULL AND t.sha256 IS NULL AND t.size IS NULL"
            " AND t.recorded_at IS NULL AND t.ingested_at IS NULL AND t.activity_id IS NULL"
        ),
    ),
}

ALL_MODELS = [
    Office,
    Department,
    Staff,
    Device,
    Loan,
    Fault,
    Liability,
    Activity,
    ActivityOfficer,
    Clip,
    Gap,
    NoRecord,
    AccessRequest,
    AccessClip,
    Viewing,
    Extraction,
    DiscSet,
    Disc,
    DiscCopy,
    DiscCheck,
    DiscBurn,
    SshKey,
    ChecklistTick,
    SpotCheck,
    SpotCheckActivity,
    Violation,
    DeviceRetirement,
    Upkeep,
    AuditEvent,
    RetentionHold,
    CaseFile,
    DisposalPlan,
    Disposal,
]
