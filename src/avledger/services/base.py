"""What every service shares: the database, the clock, who is acting, the profile."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from peewee import DatabaseError, Model, OperationalError, SqliteDatabase

from avledger import witness
from avledger.errors import UserError
from avledger.fsutil import SPACE_MARGIN, free_space
from avledger.home import Home
from avledger.i18n import N_
from avledger.identity import Identity
from avledger.models import audit
from avledger.models.schema import Office, SshKey, Staff
from avledger.plaintext import describe, unsafe_chars
from avledger.profile import Profile
from avledger.services import permissions
from avledger.timeutil import utcnow

log = logging.getLogger(__name__)

# What SQLite says when the disk under the register fails it, and how a person reads it.
_STORAGE_FAILURES = (
    ("database or disk is full", N_("磁盘已满")),
    ("disk i/o error", N_("磁盘读写出错")),
    ("attempt to write a readonly database", N_("磁盘或文件为只读")),
    ("readonly database", N_("磁盘或文件为只读")),
    ("unable to open database file", N_("无法打开数据库文件")),
)


def _full(folder: object) -> bool:
    """The disk of ``folder`` has (next to) no room left."""
    known = free_space(Path(str(folder))) if folder else None
    return known is not None and known[0] < SPACE_MARGIN


def storage_failure(exc: BaseException, folder: object) -> UserError | None:
    """The refusal for a register its disk would not let be written (full, failing, read-only): SQLite rolled
    the transaction back, so nothing changed. None for any other error. The cause may be the context of
    the error raised (peewee's "cannot rollback - no transaction is active" after SQLite rolled back on its
    own)."""
    import sqlite3

    seen: BaseException | None = exc
    for _depth in range(8):
        if seen is None:
            break
        if isinstance(seen, (OperationalError, sqlite3.OperationalError)):
            text = str(seen).lower()
            for needle, reason in _STORAGE_FAILURES:
                if needle in text:
                    if needle == "disk i/o error" and _full(folder):  # SQLite's word for a WAL it cannot grow
                        reason = _STORAGE_FAILURES[0][1]
                    return UserError(
                        "register.unwritable",
                        "无法写入数据目录 {path} 中的登记库（{reason}）；"
                        "本次操作未作任何更改，请检查磁盘的剩余空间和权限后再试",
                        path=str(folder),
                        reason=reason,
                    )
        seen = seen.__cause__ or seen.__context__
    return None


@dataclass(frozen=True)
class Acting:
    """Who is acting now, as the register says: resolved from the run's :class:`Identity` again whenever the
    register may have changed, so that a change of mapping, roles or keys takes effect at once (and
    ssh-serve checks the register itself, whatever authorized_keys holds)."""

    identity: Identity
    how: str  # "staff": the console account mapped to staff; "administrator": the owner, unmapped;
    # "ssh": a registered key of active staff; "nobody": a key removed, unknown or of someone who left
    roles: frozenset[str]
    staff_id: int | None = None
    staff_name: str = ""
    staff_number: str = ""

    @property
    def person(self) -> str:
        """The person, as forms and lists name them: "王建国（1001）", or the account's name."""
        if self.staff_number:
            return f"{self.staff_name}（{self.staff_number}）"
        return self.identity.account if self.how == "administrator" else ""

    @property
    def actor(self) -> str:
        """The audit log's actor: the person, the account that acted and, over SSH, the key."""
        where = self.identity.account + (f" ssh#{self.identity.key_id}" if self.identity.via_ssh else "")
        if self.how == "administrator":
            return where
        return f"{self.person}[{where}]"


@dataclass
class Context:
    db: SqliteDatabase
    identity: Identity
    clock: Callable[[], dt.datetime] = utcnow
    _profile: Profile | None = None
    home: Home | None = None  # the data folder, whose audit-witness.log gets the head after each change
    witness_error: str | None = None  # why the last head could not be witnessed (its change was committed)
    _local: threading.local = field(default_factory=threading.local, repr=False)
    _acting: dict = field(default_factory=dict)  # thread -> (identity, connection, data_version, Acting)

    # --- who ------------------------------------------------------------
    def acting(self) -> Acting:
        """Who is acting, by the register now: the staff member mapped to the console account (else the
        account itself, as the administrator), or the staff member of the SSH key.

        Kept until the register changes: a unit of work of this context ends (:meth:`change`), or another
        connection commits (SQLite's ``data_version``), so that every check and entry reads it once."""
        identity = self.identity
        connection = self.db.connection()  # each thread has its own (peewee)
        version = connection.execute("PRAGMA data_version").fetchone()[0]
        kept = self._acting.get(threading.get_ident())
        if kept is not None and kept[0] == identity and kept[1] is connection and kept[2] == version:
            return kept[3]
        acting = self._resolve(identity)
        self._acting[threading.get_ident()] = (identity, connection, version, acting)
        return acting

    def _resolve(self, identity: Identity) -> Acting:
        if identity.via_ssh:
            key = SshKey.get_or_none(SshKey.id == identity.key_id)
            staff = key.staff if key is not None and key.removed_at is None else None
            if staff is None or not staff.active:
                return Acting(identity, "nobody", frozenset())
            how = "ssh"
        else:
            staff = Staff.get_or_none((Staff.os_user == identity.account) & (Staff.active == True))  # noqa: E712
            if staff is None:
                return Acting(identity, "administrator", frozenset({permissions.ADMINISTRATOR}))
            how = "staff"
        return Acting(identity, how, frozenset(staff.role_list), staff.id, staff.name, staff.number)

    def staff(self) -> Staff | None:
        """The member of staff acting (None for the administrator and for nobody)."""
        acting = self.acting()
        return Staff.get_by_id(acting.staff_id) if acting.staff_id is not None else None

    def actor(self) -> audit.Actor:
        acting = self.acting()
        return audit.Actor(acting.actor, acting.staff_id)

    def person(self) -> str:
        """Who is acting, as a form or a disc label names them."""
        return self.acting().person

    def allowed(self, acting: Acting | None = None) -> frozenset[str]:
        """The actions of the permission table the person acting may take."""
        acting = acting or self.acting()
        try:
            profile = self.profile()
        except UserError:  # no register yet (init): no profile, no profile roles
            profile = None
        return permissions.allowed(acting.roles, profile)

    def may(self, action: str) -> bool:
        return action in self.allowed()

    def require(self, *actions: str, entity: str = "", entity_id: int | None = None) -> Acting:
        """The person acting, if they may take one of ``actions``; otherwise the attempt is logged (in its
        own transaction: check before the change begins) and refused."""
        acting = self.acting()
        if self.allowed(acting) & set(actions):
            return acting
        self.deny(actions[0], acting, entity=entity, entity_id=entity_id)
        raise AssertionError  # pragma: no cover

    def deny(self, action: str, acting: Acting | None = None, *, entity: str = "", entity_id: int | None = None):
        """Log a refused attempt at ``action``, then raise ``permission.denied``."""
        acting = acting or self.acting()
        with self.change():
            self.log("denied", entity=entity, entity_id=entity_id, summary=f"{action} {acting.actor}")
        raise UserError(
            "permission.denied",
            "{who}无权{action}",
            who=acting.person or acting.actor,
            action=permissions.ACTIONS[action],
        )

    # --- rules ----------------------------------------------------------
    def office(self) -> Office:
        office = Office.get_or_none(Office.id == 1)
        if office is None:
            raise UserError(
                "office.not_initialised", "登记库尚未初始化，请先运行 avledger init --unit 单位名称 --profile 预设"
            )
        return office

    def profile(self) -> Profile:
        if self._profile is None:
            self._profile = Profile(json.loads(self.office().profile))
        return self._profile

    def forget_profile(self) -> None:
        self._profile = None

    # --- changes --------------------------------------------------------
    @contextmanager
    def change(self) -> Iterator[None]:
        """One unit of work: the change and its audit entries commit together, or neither.

        Once a unit that logged something has committed, the log's new head is appended to the data folder's
        witness file (:meth:`witness`)."""
        try:
            if self.db.in_transaction():
                with self.db.atomic():
                    yield
                return
            self._local.logged = False
            try:
                with self.db.atomic("IMMEDIATE"):
                    yield
            except OperationalError as exc:
                refusal = storage_failure(exc, self._folder())
                if refusal is None:
                    raise
                raise refusal from exc
        finally:
            self._acting.clear()  # staff, mappings or keys may have changed (for every thread's connection)
        if self._local.logged:
            self.witness()

    def _folder(self) -> object:
        """The data folder (the register's folder when the context has none)."""
        if self.home is not None:
            return self.home.path
        path = getattr(self.db, "database", None)
        return Path(path).parent if path and path != ":memory:" else path

    def witness(self) -> None:
        """Append the log's head to the data folder's witness file (avledger.witness), after a commit.

        Never raises: the change is committed, and losing it for want of a witness line would be worse than a
        witness behind the log (which ``audit verify`` accepts; the next change appends the newer head). A
        failure is kept in :attr:`witness_error` and logged."""
        if self.home is None:
            return
        try:
            head = audit.head(self.db)
            if head.n:
                witness.append(self.home.witness_path, head, self.clock())
            self.witness_error = None
        except (OSError, DatabaseError) as exc:
            self.witness_error = f"{self.home.witness_path}: {getattr(exc, 'strerror', None) or exc}"
            log.warning("audit head not witnessed: %s", self.witness_error)

    def log(
        self,
        action: str,
        instance: Model | None = None,
        *,
        entity: str | None = None,
        entity_id: int | None = None,
        before: dict | None = None,
        after: dict | None = None,
        summary: str = "",
    ) -> None:
        """Record a change. ``instance`` (saved) gives the entity, id and after-state."""
        if instance is not None:
            entity = entity or instance._meta.table_name
            entity_id = instance.id
            if after is None and action != "delete":
                after = audit.snapshot(instance)
        audit.append(
            self.actor(), action, entity or "", entity_id, before=before, after=after, at=self.clock(), summary=summary
        )
        self._local.logged = True
        if not self.db.in_transaction():  # committed on its own
            self.witness()


# --- text and numbers a person typed ------------------------------------------------------
# Every free-text parameter of every service goes through check_text (require_text and optional_text
# call it): names, numbers, titles, notes, reasons, places, paths typed as text, and the names and
# numbers a lookup is given. tests/test_text_input.py walks every public method that takes text.


def check_text(value: str | None, label: str, *, field: str) -> str | None:
    """``value`` as given, or a refusal (``input.control_chars``, naming ``label`` and ``field``) when it holds
    a control character (C0, DEL, C1), a bidirectional control or a lone surrogate
    (:data:`avledger.plaintext.UNSAFE`): they would drive a terminal or make the text read otherwise."""
    if value and isinstance(value, str) and (found := unsafe_chars(value)):
        raise UserError(
            "input.control_chars",
            "{label}含有控制字符或双向控制字符：{chars}，请删除后重新输入",
            field=field,
            label=label,
            chars=describe(found),
        )
    return value


def check_texts(values: Iterable[str] | None, label: str, *, field: str) -> None:
    """:func:`check_text` of each item of a list (officers, signers, clips, roles)."""
    for value in values or ():
        check_text(value if isinstance(value, str) else None, label, field=field)


def require_text(value: str | None, label: str, *, field: str) -> str:
    """``value`` stripped, or a refusal naming ``label`` (a message id) and ``field`` (the parameter): empty,
    or holding a character :func:`check_text` refuses."""
    text = (value or "").strip()
    if not text:
        raise UserError("input.empty", "{label}不能为空", field=field, label=label)
    return check_text(text, label, field=field)


def optional_text(value: str | None, label: str, *, field: str) -> str:
    """``value`` stripped (empty when not given), checked as :func:`check_text` does."""
    return check_text((value or "").strip(), label, field=field)


def require_choice(value: str, choices: Iterable[str], label: str, *, field: str) -> str:
    """``value`` if it is one of ``choices`` (a vocabulary's ids), else a refusal listing them."""
    check_text(value, label, field=field)
    choices = list(choices)
    if value not in choices:
        raise UserError(
            "input.bad_choice",
            "{label}无效：{value}（可选：{choices}）",
            field=field,
            label=label,
            value=value,
            choices=" ".join(choices),
        )
    return value


def require_choices(values: Iterable[str] | None, choices: Iterable[str], label: str, *, field: str) -> str:
    """Several choices, each checked, stored comma-separated without repeats."""
    choices = list(choices)
    items = [v.strip() for v in values or () if v and v.strip()]
    for item in items:
        require_choice(item, choices, label, field=field)
    return ",".join(dict.fromkeys(items))
