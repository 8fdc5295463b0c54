"""The database handle and the numbered schema migrations.

The database is created unopened and bound to a file once the path is known.
Each migration is plain SQL, so that an old register upgrades the same way
whatever the models look like today; ``PRAGMA user_version`` holds the
number of migrations applied. Migrations run in one transaction each.
"""

from __future__ import annotations

from pathlib import Path

from peewee import SqliteDatabase

from avledger.errors import UserError

database = SqliteDatabase(None)

PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "synchronous": "full",
}

# An activity's searchable text (migration 6): ``INSERT INTO activity_text`` this ``FROM activity a [WHERE ...]``.
# The officers in the order they were named. Part of a released migration: never edit it.
_ACTIVITY_TEXT = (
    "(rowid, title, case_name, case_no, party, place, officers)"
    " SELECT a.id, a.title, a.case_name, a.case_no, a.party, a.place,"
    " coalesce((SELECT group_concat(o, ' ') FROM (SELECT s.name || ' ' || s.number AS o FROM activity_officer ao"
    " JOIN staff s ON s.id = ao.staff_id WHERE ao.activity_id = a.id ORDER BY ao.id)), '')"
)

# Each entry: a list of SQL statements. Never edit a released migration; add one.
MIGRATIONS: list[list[str]] = [
    # 1: office, departments, staff, devices, audit log
    [
        """CREATE TABLE office (
            id INTEGER PRIMARY KEY,
            unit TEXT NOT NULL,
            preset TEXT NOT NULL,
            profile TEXT NOT NULL,
            created_at DATETIME NOT NULL
        )""",
        """CREATE TABLE department (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            alloc_class TEXT NOT NULL
        )""",
        """CREATE TABLE staff (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            number TEXT NOT NULL UNIQUE,
            department_id INTEGER NOT NULL REFERENCES department (id),
            cert_no TEXT,
            roles TEXT NOT NULL DEFAULT '',
            active INTEGER NOT NULL DEFAULT 1,
            os_user TEXT UNIQUE
        )""",
        "CREATE INDEX staff_department_id ON staff (department_id)",
        """CREATE TABLE device (
            id INTEGER PRIMARY KEY,
            asset_no TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            model TEXT NOT NULL DEFAULT '',
            serial TEXT NOT NULL DEFAULT '',
            fixed_asset_no TEXT NOT NULL DEFAULT '',
            purchased DATE,
            price_fen INTEGER,
            department_id INTEGER NOT NULL REFERENCES department (id),
            custodian_id INTEGER NOT NULL REFERENCES staff (id),
            status TEXT NOT NULL,
            abilities TEXT NOT NULL DEFAULT '',
            media_time TEXT NOT NULL DEFAULT 'utc',
            notes TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX device_department_id ON device (department_id)",
        "CREATE INDEX device_custodian_id ON device (custodian_id)",
        """CREATE TABLE audit_event (
            id INTEGER PRIMARY KEY,
            at DATETIME NOT NULL,
            actor TEXT NOT NULL,
            actor_staff_id INTEGER,
            action TEXT NOT NULL,
            entity TEXT NOT NULL,
            entity_id INTEGER,
            summary TEXT NOT NULL DEFAULT '',
            before TEXT,
            after TEXT,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        )""",
        "CREATE INDEX audit_event_entity ON audit_event (entity, entity_id)",
    ],
    # 2: lending and handover ledger with the pre-use check; faults and repairs; accountability cases
    [
        """CREATE TABLE loan (
            id INTEGER PRIMARY KEY,
            device_id INTEGER NOT NULL REFERENCES device (id),
            holder_id INTEGER NOT NULL REFERENCES staff (id),
            start_at DATETIME NOT NULL,
            start_kind TEXT NOT NULL,
            from_loan_id INTEGER REFERENCES loan (id),
            due_at DATETIME,
            purpose TEXT NOT NULL DEFAULT '',
            battery_pct INTEGER,
            free_gb REAL,
            clock_offset_s INTEGER,
            notice_given INTEGER,
            check_failures TEXT NOT NULL DEFAULT '',
            despite TEXT,
            end_at DATETIME,
            end_kind TEXT,
            content TEXT NOT NULL DEFAULT '',
            condition TEXT
        )""",
        "CREATE UNIQUE INDEX loan_one_open_per_device ON loan (device_id) WHERE end_at IS NULL",
        "CREATE INDEX loan_device_start ON loan (device_id, start_at)",
        "CREATE INDEX loan_holder_start ON loan (holder_id, start_at)",
        "CREATE INDEX loan_open_due ON loan (due_at) WHERE end_at IS NULL",
        """CREATE TABLE fault (
            id INTEGER PRIMARY KEY,
            device_id INTEGER NOT NULL REFERENCES device (id),
            reported_at DATETIME NOT NULL,
            description TEXT NOT NULL,
            sent_at DATETIME,
            back_at DATETIME,
            outcome TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX fault_device ON fault (device_id, reported_at)",
        """CREATE TABLE liability (
            id INTEGER PRIMARY KEY,
            device_id INTEGER NOT NULL REFERENCES device (id),
            staff_id INTEGER NOT NULL REFERENCES staff (id),
            kind TEXT NOT NULL,
            at DATETIME NOT NULL,
            amount_fen INTEGER NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            loan_id INTEGER REFERENCES loan (id)
        )""",
        "CREATE INDEX liability_device ON liability (device_id)",
    ],
    # 3: enforcement activities and cases, archived footage, recording gaps, not-recorded work records
    [
        """CREATE TABLE activity (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            title TEXT NOT NULL,
            case_name TEXT NOT NULL DEFAULT '',
            case_no TEXT NOT NULL DEFAULT '',
            party TEXT NOT NULL DEFAULT '',
            place TEXT NOT NULL DEFAULT '',
            department_id INTEGER REFERENCES department (id),
            start_at DATETIME NOT NULL,
            end_at DATETIME,
            full_record INTEGER NOT NULL DEFAULT 0,
            circumstances TEXT NOT NULL DEFAULT '',
            confidential INTEGER NOT NULL DEFAULT 0,
            long_term TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'open',
            closed_at DATE,
            created_at DATETIME NOT NULL
        )""",
        "CREATE INDEX activity_start ON activity (start_at)",
        "CREATE INDEX activity_case_no ON activity (case_no)",
        """CREATE TABLE activity_officer (
            id INTEGER PRIMARY KEY,
            activity_id INTEGER NOT NULL REFERENCES activity (id),
            staff_id INTEGER NOT NULL REFERENCES staff (id),
            UNIQUE (activity_id, staff_id)
        )""",
        "CREATE INDEX activity_officer_staff ON activity_officer (staff_id)",
        """CREATE TABLE clip (
            id INTEGER PRIMARY KEY,
            activity_id INTEGER REFERENCES activity (id),
            device_id INTEGER REFERENCES device (id),
            holder_id INTEGER REFERENCES staff (id),
            original_name TEXT NOT NULL,
            source_path TEXT NOT NULL,
            archive_path TEXT NOT NULL UNIQUE,
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            duration_s REAL,
            start_at DATETIME,
            time_source TEXT NOT NULL,
            width INTEGER,
            height INTEGER,
            codecs TEXT NOT NULL DEFAULT '',
            bitrate INTEGER,
            tags TEXT NOT NULL DEFAULT '{}',
            flags TEXT NOT NULL DEFAULT '',
            ingested_at DATETIME NOT NULL,
            deadline_at DATETIME,
            late INTEGER NOT NULL DEFAULT 0,
            late_reason TEXT
        )""",
        "CREATE INDEX clip_activity ON clip (activity_id, start_at)",
        "CREATE INDEX clip_device ON clip (device_id, start_at)",
        """CREATE TABLE gap (
            id INTEGER PRIMARY KEY,
            device_id INTEGER NOT NULL REFERENCES device (id),
            activity_id INTEGER NOT NULL REFERENCES activity (id),
            after_clip_id INTEGER NOT NULL REFERENCES clip (id),
            before_clip_id INTEGER NOT NULL REFERENCES clip (id),
            start_at DATETIME NOT NULL,
            end_at DATETIME NOT NULL,
            minutes INTEGER NOT NULL,
            reason TEXT,
            note TEXT NOT NULL DEFAULT '',
            reported INTEGER NOT NULL DEFAULT 0,
            UNIQUE (after_clip_id, before_clip_id)
        )""",
        "CREATE INDEX gap_activity ON gap (activity_id)",
        """CREATE TABLE norecord (
            id INTEGER PRIMARY KEY,
            activity_id INTEGER NOT NULL REFERENCES activity (id),
            reason TEXT NOT NULL,
            basis TEXT NOT NULL,
            signer_ids TEXT NOT NULL,
            reported_to_id INTEGER NOT NULL REFERENCES staff (id),
            at DATETIME NOT NULL
        )""",
        "CREATE INDEX norecord_activity ON norecord (activity_id)",
    ],
    # viewing approvals, the clips they cover, the viewing register, evidence extractions (F14-F17)
    [
        """CREATE TABLE access_request (
            id INTEGER PRIMARY KEY,
            scope TEXT NOT NULL,
            activity_id INTEGER REFERENCES activity (id),
            case_no TEXT NOT NULL DEFAULT '',
            requester_id INTEGER NOT NULL REFERENCES staff (id),
            reason_kind TEXT NOT NULL,
            reason TEXT NOT NULL,
            kind TEXT NOT NULL,
            until DATE NOT NULL,
            confidential INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'requested',
            requested_at DATETIME NOT NULL,
            decided_by_id INTEGER REFERENCES staff (id),
            decided_at DATETIME,
            decision_note TEXT NOT NULL DEFAULT '',
            paper_form_no TEXT NOT NULL DEFAULT '',
            recorded_by TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX access_request_status ON access_request (status, requested_at)",
        "CREATE INDEX access_request_requester ON access_request (requester_id)",
        """CREATE TABLE access_clip (
            id INTEGER PRIMARY KEY,
            request_id INTEGER NOT NULL REFERENCES access_request (id),
            clip_id INTEGER NOT NULL REFERENCES clip (id),
            UNIQUE (request_id, clip_id)
        )""",
        "CREATE INDEX access_clip_clip ON access_clip (clip_id)",
        """CREATE TABLE viewing (
            id INTEGER PRIMARY KEY,
            request_id INTEGER NOT NULL REFERENCES access_request (id),
            staff_id INTEGER NOT NULL REFERENCES staff (id),
            at DATETIME NOT NULL,
            duration_s REAL,
            clip_ids TEXT NOT NULL,
            how TEXT NOT NULL
        )""",
        "CREATE INDEX viewing_request ON viewing (request_id, at)",
        """CREATE TABLE extraction (
            id INTEGER PRIMARY KEY,
            request_id INTEGER NOT NULL REFERENCES access_request (id),
            extractor_id INTEGER NOT NULL REFERENCES staff (id),
            at DATETIME NOT NULL,
            out_dir TEXT NOT NULL,
            files TEXT NOT NULL,
            package TEXT,
            encrypted INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX extraction_request ON extraction (request_id)",
    ],
    # disc archives: sets of discs for an activity or a case, each disc's copies, and their checks
    [
        """CREATE TABLE disc_set (
            id INTEGER PRIMARY KEY,
            activity_id INTEGER REFERENCES activity (id),
            case_no TEXT NOT NULL DEFAULT '',
            media TEXT NOT NULL,
            discs INTEGER NOT NULL,
            created_at DATETIME NOT NULL,
            created_by TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX disc_set_activity ON disc_set (activity_id)",
        "CREATE INDEX disc_set_case_no ON disc_set (case_no)",
        """CREATE TABLE disc (
            id INTEGER PRIMARY KEY,
            set_id INTEGER NOT NULL REFERENCES disc_set (id),
            number INTEGER NOT NULL,
            volume_id TEXT NOT NULL UNIQUE,
            clip_ids TEXT NOT NULL,
            files INTEGER NOT NULL,
            payload_bytes INTEGER NOT NULL,
            image_path TEXT,
            image_sha256 TEXT,
            size INTEGER,
            manifest_sha256 TEXT,
            built_at DATETIME,
            UNIQUE (set_id, number)
        )""",
        """CREATE TABLE disc_copy (
            id INTEGER PRIMARY KEY,
            disc_id INTEGER NOT NULL REFERENCES disc (id),
            copy INTEGER NOT NULL,
            drive TEXT NOT NULL,
            burned_at DATETIME NOT NULL,
            burned_by TEXT NOT NULL,
            kept_at TEXT NOT NULL DEFAULT '',
            verified INTEGER NOT NULL DEFAULT 0,
            verified_at DATETIME,
            UNIQUE (disc_id, copy)
        )""",
        """CREATE TABLE disc_check (
            id INTEGER PRIMARY KEY,
            disc_id INTEGER NOT NULL REFERENCES disc (id),
            copy_id INTEGER REFERENCES disc_copy (id),
            at DATETIME NOT NULL,
            kind TEXT NOT NULL,
            result TEXT NOT NULL,
            problems TEXT NOT NULL DEFAULT '[]',
            by TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX disc_check_disc ON disc_check (disc_id, at)",
    ],
    # 6: the audit log's last state of each row, for audit verify: the entries that set a row's state, by row
    [
        "CREATE INDEX audit_event_state ON audit_event (entity, entity_id, id)"
        " WHERE entity_id IS NOT NULL AND (after IS NOT NULL OR action = 'delete')",
    ],
    # 7: colleagues' SSH public keys (avledger ssh add): a login with one acts as its member of staff;
    # a removed key keeps its row (removed_at), and may be registered again
    [
        """CREATE TABLE ssh_key (
            id INTEGER PRIMARY KEY,
            staff_id INTEGER NOT NULL REFERENCES staff (id),
            kind TEXT NOT NULL,
            key TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            comment TEXT NOT NULL DEFAULT '',
            added_at DATETIME NOT NULL,
            removed_at DATETIME
        )""",
        "CREATE UNIQUE INDEX ssh_key_active ON ssh_key (key) WHERE removed_at IS NULL",
        "CREATE INDEX ssh_key_staff ON ssh_key (staff_id)",
    ],
    # 8: ingest's lookups, so that a file costs the same in a register of a million clips as in a new one:
    # a re-run's doubles by name and size, an interruption's neighbours (one device in one activity),
    # the activities a clip's time falls in, and the return a collection deadline counts from
    [
        "CREATE INDEX clip_name_size ON clip (original_name, size)",
        "CREATE INDEX clip_activity_device ON clip (activity_id, device_id, start_at)",
        "CREATE INDEX activity_end ON activity (end_at)",
        "CREATE INDEX loan_device_end ON loan (device_id, end_at)",
    ],
    # 9: what the listings ask: the indexes of their orders and filters, and the text they are searched by
    # (trigram full-text indexes, kept in step by triggers; see avledger.services.search)
    [
        # footage newest (or oldest) first, all of it or an officer's; late footage; late footage waiting for
        # its reason (the home screen counts it)
        "CREATE INDEX clip_start ON clip (start_at)",
        "CREATE INDEX clip_holder ON clip (holder_id, start_at)",
        "CREATE INDEX clip_late ON clip (start_at) WHERE late = 1",
        "CREATE INDEX clip_late_waiting ON clip (start_at)"
        " WHERE late = 1 AND (late_reason IS NULL OR late_reason = '')",
        # the whole ledger newest first; the loans out now, newest first
        "CREATE INDEX loan_start ON loan (start_at)",
        "CREATE INDEX loan_open ON loan (start_at) WHERE end_at IS NULL",
        # the audit log by date; the viewing requests newest first
        "CREATE INDEX audit_event_at ON audit_event (at)",
        "CREATE INDEX access_request_requested ON access_request (requested_at)",
        # clip names
        "CREATE VIRTUAL TABLE clip_text USING fts5(name, tokenize = 'trigram')",
        "INSERT INTO clip_text (rowid, name) SELECT id, original_name FROM clip",
        "CREATE TRIGGER clip_text_insert AFTER INSERT ON clip BEGIN"
        " INSERT INTO clip_text (rowid, name) VALUES (new.id, new.original_name); END",
        "CREATE TRIGGER clip_text_update AFTER UPDATE OF id, original_name ON clip BEGIN"
        " DELETE FROM clip_text WHERE rowid = old.id;"
        " INSERT INTO clip_text (rowid, name) VALUES (new.id, new.original_name); END",
        "CREATE TRIGGER clip_text_delete AFTER DELETE ON clip BEGIN DELETE FROM clip_text WHERE rowid = old.id; END",
        # an activity's title, case, party and place, and its officers' names and numbers
        "CREATE VIRTUAL TABLE activity_text USING fts5("
        "title, case_name, case_no, party, place, officers, tokenize = 'trigram')",
        f"INSERT INTO activity_text {_ACTIVITY_TEXT} FROM activity a",
        "CREATE TRIGGER activity_text_insert AFTER INSERT ON activity BEGIN"
        f" INSERT INTO activity_text {_ACTIVITY_TEXT} FROM activity a WHERE a.id = new.id; END",
        "CREATE TRIGGER activity_text_update AFTER UPDATE ON activity BEGIN"
        " DELETE FROM activity_text WHERE rowid = old.id;"
        f" INSERT INTO activity_text {_ACTIVITY_TEXT} FROM activity a WHERE a.id = new.id; END",
        "CREATE TRIGGER activity_text_delete AFTER DELETE ON activity BEGIN"
        " DELETE FROM activity_text WHERE rowid = old.id; END",
        *(
            f"CREATE TRIGGER activity_text_officer_{event.lower()} AFTER {event} ON activity_officer BEGIN"
            f" DELETE FROM activity_text WHERE rowid IN ({ids});"
            f" INSERT INTO activity_text {_ACTIVITY_TEXT} FROM activity a WHERE a.id IN ({ids}); END"
            for event, ids in (
                ("INSERT", "new.activity_id"),
                ("UPDATE", "old.activity_id, new.activity_id"),
                ("DELETE", "old.activity_id"),
            )
        ),
        "CREATE TRIGGER activity_text_staff AFTER UPDATE OF name, number ON staff BEGIN"
        " DELETE FROM activity_text WHERE rowid IN (SELECT activity_id FROM activity_officer WHERE staff_id = new.id);"
        f" INSERT INTO activity_text {_ACTIVITY_TEXT} FROM activity a"
        " WHERE a.id IN (SELECT activity_id FROM activity_officer WHERE staff_id = new.id); END",
        # the audit log's actor and summary: an index only (no copy of the text, no positions), each match checked
        # against the entry itself
        "CREATE VIRTUAL TABLE audit_text USING fts5("
        "actor, summary, tokenize = 'trigram', content = '', detail = 'none')",
        "INSERT INTO audit_text (rowid, actor, summary) SELECT id, actor, summary FROM audit_event",
        "CREATE TRIGGER audit_text_insert AFTER INSERT ON audit_event BEGIN"
        " INSERT INTO audit_text (rowid, actor, summary) VALUES (new.id, new.actor, new.summary); END",
        "CREATE TRIGGER audit_text_update AFTER UPDATE OF id, actor, summary ON audit_event BEGIN"
        " INSERT INTO audit_text (audit_text, rowid, actor, summary) VALUES ('delete', old.id, old.actor, old.summary);"
        " INSERT INTO audit_text (rowid, actor, summary) VALUES (new.id, new.actor, new.summary); END",
        "CREATE TRIGGER audit_text_delete AFTER DELETE ON audit_event BEGIN"
        " INSERT INTO audit_text (audit_text, rowid, actor, summary) VALUES ('delete', old.id, old.actor, old.summary);"
        " END",
    ],
    # 10: each burn of a disc copy, registered before xorriso starts (an interrupted burn is found again)
    [
        """CREATE TABLE disc_burn (
            id INTEGER PRIMARY KEY,
            disc_id INTEGER NOT NULL REFERENCES disc (id),
            copy INTEGER NOT NULL,
            drive TEXT NOT NULL,
            started_at DATETIME NOT NULL,
            started_by TEXT NOT NULL DEFAULT '',
            state TEXT NOT NULL DEFAULT 'burning',
            ended_at DATETIME,
            failure TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX disc_burn_disc ON disc_burn (disc_id, copy)",
        "CREATE INDEX disc_burn_burning ON disc_burn (drive) WHERE state = 'burning'",
    ],
    # 11: the record checklist (音像记录事项清单, F20): each item of the profile's checklist ticked for an activity,
    # by whom and when, with the item's words as they were when it was ticked
    [
        """CREATE TABLE checklist_tick (
            id INTEGER PRIMARY KEY,
            activity_id INTEGER NOT NULL REFERENCES activity (id),
            item TEXT NOT NULL,
            content TEXT NOT NULL,
            ticked_by_id INTEGER REFERENCES staff (id),
            ticked_by TEXT NOT NULL DEFAULT '',
            ticked_at DATETIME NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            UNIQUE (activity_id, item)
        )""",
    ],
    # 12: the statistics (avledger stats): each fact of a period read from an index of its time alone: a clip's
    # holder, length and lateness beside its start (no row read), interruptions and work records by time
    [
        "CREATE INDEX clip_stats ON clip (start_at, holder_id, duration_s, late)",
        "CREATE INDEX gap_start ON gap (start_at)",
        "CREATE INDEX norecord_at ON norecord (at)",
    ],
    # 13: supervision spot checks (监督抽查, F18): each draw with its seed, the activities drawn and their findings;
    # the register of violations and their sanctions (过错责任追究, F19)
    [
        """CREATE TABLE spot_check (
            id INTEGER PRIMARY KEY,
            period_from DATE NOT NULL,
            period_to DATE NOT NULL,
            share REAL,
            count INTEGER,
            department_id INTEGER REFERENCES department (id),
            officer_id INTEGER REFERENCES staff (id),
            seed TEXT NOT NULL,
            population INTEGER NOT NULL,
            items TEXT NOT NULL,
            drawn_by_id INTEGER NOT NULL REFERENCES staff (id),
            drawn_at DATETIME NOT NULL,
            status TEXT NOT NULL DEFAULT 'open',
            closed_at DATETIME
        )""",
        "CREATE INDEX spot_check_drawn ON spot_check (drawn_at)",
        """CREATE TABLE spot_check_activity (
            id INTEGER PRIMARY KEY,
            check_id INTEGER NOT NULL REFERENCES spot_check (id),
            activity_id INTEGER NOT NULL REFERENCES activity (id),
            findings TEXT NOT NULL DEFAULT '{}',
            note TEXT NOT NULL DEFAULT '',
            score INTEGER,
            checked_at DATETIME,
            checked_by TEXT NOT NULL DEFAULT '',
            UNIQUE (check_id, activity_id)
        )""",
        "CREATE INDEX spot_check_activity_activity ON spot_check_activity (activity_id)",
        """CREATE TABLE violation (
            id INTEGER PRIMARY KEY,
            staff_id INTEGER NOT NULL REFERENCES staff (id),
            article TEXT NOT NULL,
            what TEXT NOT NULL,
            activity_id INTEGER REFERENCES activity (id),
            clip_id INTEGER REFERENCES clip (id),
            loan_id INTEGER REFERENCES loan (id),
            check_id INTEGER REFERENCES spot_check (id),
            recorded_at DATETIME NOT NULL,
            recorded_by TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'open',
            sanction TEXT,
            suspended_from DATE,
            until DATE,
            decided_by_id INTEGER REFERENCES staff (id),
            decided_at DATETIME,
            paper_form_no TEXT NOT NULL DEFAULT '',
            decision_recorded_by TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX violation_staff ON violation (staff_id, status)",
        "CREATE INDEX violation_suspension ON violation (staff_id, until) WHERE sanction = 'suspension'",
    ],
    # 14: retention (F11): manual holds, the keeping period of a case file, disposal plans and the record of
    # each disposed file (kept for ever)
    [
        """CREATE TABLE retention_hold (
            id INTEGER PRIMARY KEY,
            activity_id INTEGER REFERENCES activity (id),
            case_no TEXT NOT NULL DEFAULT '',
            reason TEXT NOT NULL,
            set_by TEXT NOT NULL,
            set_at DATETIME NOT NULL,
            released_at DATETIME,
            released_by TEXT NOT NULL DEFAULT '',
            release_reason TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX retention_hold_activity ON retention_hold (activity_id) WHERE released_at IS NULL",
        "CREATE INDEX retention_hold_case ON retention_hold (case_no) WHERE released_at IS NULL",
        """CREATE TABLE case_file (
            id INTEGER PRIMARY KEY,
            case_no TEXT NOT NULL UNIQUE,
            months INTEGER,
            entered_by TEXT NOT NULL,
            entered_at DATETIME NOT NULL
        )""",
        """CREATE TABLE disposal_plan (
            id INTEGER PRIMARY KEY,
            status TEXT NOT NULL DEFAULT 'planned',
            planned_at DATETIME NOT NULL,
            planned_by TEXT NOT NULL,
            due_on DATE NOT NULL,
            files INTEGER NOT NULL,
            bytes INTEGER NOT NULL,
            approved_by_id INTEGER REFERENCES staff (id),
            approved_at DATETIME,
            paper_form_no TEXT NOT NULL DEFAULT '',
            recorded_by TEXT NOT NULL DEFAULT '',
            finished_at DATETIME
        )""",
        """CREATE TABLE disposal (
            id INTEGER PRIMARY KEY,
            plan_id INTEGER NOT NULL REFERENCES disposal_plan (id),
            clip_id INTEGER NOT NULL REFERENCES clip (id),
            original_name TEXT NOT NULL,
            archive_path TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            recorded_at DATETIME,
            ingested_at DATETIME NOT NULL,
            activity_id INTEGER REFERENCES activity (id),
            keep_until DATE NOT NULL,
            state TEXT NOT NULL DEFAULT 'planned',
            skip_reason TEXT NOT NULL DEFAULT '',
            deleted_at DATETIME,
            deleted_by TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX disposal_plan_state ON disposal (plan_id, state)",
        "CREATE INDEX disposal_clip ON disposal (clip_id, state)",
    ],
    # 15: device retirement (报废, D14 P6) and upkeep (保养, W5 D13 L6)
    [
        """CREATE TABLE device_retirement (
            id INTEGER PRIMARY KEY,
            device_id INTEGER NOT NULL REFERENCES device (id),
            at DATETIME NOT NULL,
            reason TEXT NOT NULL,
            approved_by_id INTEGER NOT NULL REFERENCES staff (id),
            paper_form_no TEXT NOT NULL DEFAULT '',
            recorded_by TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX device_retirement_device ON device_retirement (device_id)",
        """CREATE TABLE upkeep (
            id INTEGER PRIMARY KEY,
            device_id INTEGER NOT NULL REFERENCES device (id),
            at DATETIME NOT NULL,
            done_by TEXT NOT NULL,
            what TEXT NOT NULL
        )""",
        "CREATE INDEX upkeep_device ON upkeep (device_id, at)",
    ],
    # 16: the person's acknowledgement of a decision on a violation (本人签收, F19): when, a note, and who
    # recorded it when it was signed on paper
    [
        "ALTER TABLE violation ADD COLUMN acknowledged_at DATETIME",
        "ALTER TABLE violation ADD COLUMN acknowledged_note TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE violation ADD COLUMN acknowledgement_recorded_by TEXT NOT NULL DEFAULT ''",
    ],
    # 17 (the statistics in one pass): each holder's clips and
    # loans in the order of their time with all the statistics count of them, so that a period's figures per
    # holder and month read each clip's and loan's index entry once, in order, with no sort and no row read
    [
        "CREATE INDEX clip_holder_stats ON clip (holder_id, start_at, duration_s, late)",
        "CREATE INDEX loan_holder_stats ON loan (holder_id, start_at, due_at, end_at, device_id)",
    ],
    # 18: a viewing request made under a spot check (监督抽查,
    # F15 with F18) names the check
    [
        "ALTER TABLE access_request ADD COLUMN spot_check_id INTEGER REFERENCES spot_check (id)",
    ],
    # 19 (disposal plans in bulk): a plan's files registered in one statement under the plan's audit
    # entry, which holds the SHA-256 of their records (items_digest; NULL for the plans made before, whose
    # files have an entry each); and the reason a plan was cancelled (cancel_reason). Both NULL on the rows
    # already there, as their logged states have them. A file's record is narrow while planned (plan, clip,
    # keep-until, state): the file's name, place, SHA-256, size, dates and activity are copied from its clip
    # when a run comes to it, so they may be NULL (the table rebuilt, its rows as they were); the plan's index
    # holds the clip, so that what the plans that stand take is read from it alone, and the clip's index holds
    # only the files deleted (a plan's hundreds of thousands of records are appended to the plan's index alone).
    [
        "ALTER TABLE disposal_plan ADD COLUMN items_digest TEXT",
        "ALTER TABLE disposal_plan ADD COLUMN cancel_reason TEXT",
        """CREATE TABLE disposal_19 (
            id INTEGER PRIMARY KEY,
            plan_id INTEGER NOT NULL REFERENCES disposal_plan (id),
            clip_id INTEGER NOT NULL REFERENCES clip (id),
            original_name TEXT,
            archive_path TEXT,
            sha256 TEXT,
            size INTEGER,
            recorded_at DATETIME,
            ingested_at DATETIME,
            activity_id INTEGER REFERENCES activity (id),
            keep_until DATE NOT NULL,
            state TEXT NOT NULL DEFAULT 'planned',
            skip_reason TEXT NOT NULL DEFAULT '',
            deleted_at DATETIME,
            deleted_by TEXT NOT NULL DEFAULT ''
        )""",
        "INSERT INTO disposal_19 SELECT id, plan_id, clip_id, original_name, archive_path, sha256, size, recorded_at,"
        " ingested_at, activity_id, keep_until, state, skip_reason, deleted_at, deleted_by FROM disposal",
        "DROP TABLE disposal",
        "ALTER TABLE disposal_19 RENAME TO disposal",
        "CREATE INDEX disposal_plan_state ON disposal (plan_id, state, clip_id)",
        "CREATE INDEX disposal_clip ON disposal (clip_id) WHERE state = 'done'",
    ],
]

SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(db: SqliteDatabase) -> int:
    return db.execute_sql("PRAGMA user_version").fetchone()[0]


def migrate(db: SqliteDatabase, target: int = SCHEMA_VERSION) -> int:
    """Apply the migrations after the register's version up to ``target``."""
    current = schema_version(db)
    if current > SCHEMA_VERSION:
        raise UserError(
            "database.too_new",
            "登记库版本（{have}）比本程序（{want}）新，请升级 avledger",
            have=current,
            want=SCHEMA_VERSION,
        )
    for number in range(current + 1, target + 1):
        with db.atomic():
            for statement in MIGRATIONS[number - 1]:
                db.execute_sql(statement)
            db.execute_sql(f"PRAGMA user_version = {number}")
    return schema_version(db)


def open_database(path: Path, *, upgrade: bool = True) -> SqliteDatabase:
    """Bind the shared database to ``path`` and bring its schema up to date."""
    if not database.is_closed():
        database.close()
    database.init(str(path), pragmas=PRAGMAS)
    database.connect()
    if upgrade:
        migrate(database)
    return database
