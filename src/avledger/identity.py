"""Who runs avledger: established once per run from the operating system, never from the environment.

At the console the person is the account the process runs as (``os.geteuid()``, named by the password
database), whatever ``LOGNAME``, ``USER`` or ``SUDO_USER`` say. Over SSH, sshd runs avledger as the data
folder's owner account through the forced command of one registered key (``avledger ssh-serve KEY_ID``,
written by ``avledger ssh add``), and the person is the member of staff that key is registered to.

Only the data folder's owner account may use it (:func:`admit`): every other local account is refused
before the register is opened. That includes root on a data folder it does not own: the files root
would create there (the register's journal, archived footage) would belong to root and lock the owner
out of its own register, and root can always act as the owner (``runuser -u OWNER -- avledger …``),
which the log then names.

This module reads the operating system only; what an identity may do is decided by the services
(:mod:`avledger.services.permissions`).
"""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass, replace

from avledger.errors import UserError
from avledger.home import Home


def account_name(uid: int) -> str:
    """The account's name in the password database (``uid1001`` when it has no entry: containers)."""
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid{uid}"


def account_home(uid: int) -> str | None:
    """The account's home folder in the password database (not ``$HOME``)."""
    try:
        return pwd.getpwuid(uid).pw_dir
    except KeyError:
        return None


@dataclass(frozen=True)
class Identity:
    """The account a run acts under and, over SSH, the registered key the person logged in with."""

    account: str  # the OS account's name
    uid: int  # its user id (the data folder must belong to it)
    key_id: int | None = None  # over SSH: the id of the key (``avledger ssh list``)

    @classmethod
    def of_process(cls) -> Identity:
        """The account this process runs as (its effective user id)."""
        uid = os.geteuid()
        return cls(account_name(uid), uid)

    @classmethod
    def console(cls, account: str, uid: int | None = None) -> Identity:
        """An account at the console, by name (tests and tools name the account they act as); its user
        id is this process's unless given."""
        return cls(account, os.geteuid() if uid is None else uid)

    def over_ssh(self, key_id: int) -> Identity:
        """The same account serving a person who logged in over SSH with key ``key_id``."""
        return replace(self, key_id=int(key_id))

    @property
    def via_ssh(self) -> bool:
        return self.key_id is not None


def admit(home: Home, identity: Identity) -> None:
    """Refuse an account that does not own the data folder, before anything in it is opened.

    A data folder that does not exist yet is created by this account, which then owns it."""
    try:
        owner = home.path.stat().st_uid
    except FileNotFoundError:
        return
    except OSError:  # cannot even look at it: certainly not its owner
        owner = None
    if owner != identity.uid:
        raise UserError(
            "identity.not_owner",
            "数据目录 {path} 属于账户 {owner}，账户 {account} 无权使用；请以 {owner} 登录，或请管理员为您登记 SSH 密钥",
            path=str(home.path),
            owner=account_name(owner) if owner is not None else "?",
            account=identity.account,
        )
