"""What every service shares: the database, the clock, the actor, the profile."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from peewee import DatabaseError, Model, SqliteDatabase

from avledger import witness
from avledger.errors import UserError
from avledger.home import Home
from avledger.models import audit
from avledger.models.schema import Office, Staff
from avledger.plaintext import describe, unsafe_chars
from avledger.profile import Profile
from avledger.timeutil import utcnow

log = logging.getLogger(__name__)


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return "unknown"


@dataclass
class Context:
    db: SqliteDatabase
    clock: Callable[[], dt.datetime] = utcnow
    os_user: str = field(default_factory=os_user)
    _profile: Profile | None = None
    home: Home | None = None  # the data folder, whose audit-witness.log gets the head after each change
    witness_error: str | None = None  # why the last head could not be witnessed (its change was committed)
    _local: threading.local = field(default_factory=threading.local, repr=False)

    # --- who ------------------------------------------------------------
    def actor(self) -> audit.Actor:
        staff = Staff.get_or_none((Staff.os_user == self.os_user) & (Staff.active == True))  # noqa: E712
        if staff is None:
            return audit.Actor(self.os_user)
        return audit.Actor(f"{staff.name}（{staff.number}）", staff.id)

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
        if self.db.in_transaction():
            with self.db.atomic():
                yield
            return
        self._local.logged = False
        with self.db.atomic("IMMEDIATE"):
            yield
        if self._local.logged:
            self.witness()

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
