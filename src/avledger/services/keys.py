"""Colleagues' SSH keys: remote use of the office PC with no server of avledger's own (as gitolite does).

The data folder belongs to one account. Each colleague's public key is registered to their staff number
(``avledger ssh add``), and avledger writes one line per active key into a block of that account's
``authorized_keys`` that it manages::

    # avledger start /home/office/avledger
    restrict,pty,command="/…/avledger --home /home/office/avledger ssh-serve 3" ssh-ed25519 AAAA… avledger-key-3
    # avledger end /home/office/avledger

sshd then runs nothing but ``avledger ssh-serve 3`` for a login with that key, as the owner account:
the TUI, or one CLI command from ``SSH_ORIGINAL_COMMAND``, acting as the key's member of staff
(:mod:`avledger.cli.serve`). ``restrict`` turns off forwarding, agent, X11 and the user's rc file;
``pty`` gives the TUI its terminal back.

The block is rewritten, whole and atomically, inside the transaction of every change of keys (and of a
member of staff who has keys), so that a failure to write it changes nothing in the register; lines
outside the block are kept byte for byte. A key removed, or of someone who has left, loses its line, and
``ssh-serve`` checks the register again anyway. A key already written elsewhere in the file is refused:
sshd uses the first line that matches a key, which would not be avledger's.

Where the file is: ``[ssh] authorized_keys`` in the data folder's ``config.toml`` (the owner's file; a
person logging in over SSH cannot change it), else ``~/.ssh/authorized_keys`` of the owner account, its
home taken from the password database.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import shlex
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

from avledger.errors import UserError
from avledger.fsutil import write_whole
from avledger.home import Home
from avledger.i18n import N_
from avledger.identity import account_home
from avledger.models.audit import snapshot
from avledger.models.schema import SshKey, Staff
from avledger.services.base import Context, check_text
from avledger.services.permissions import requires
from avledger.services.views import KeyView

KEY_TYPES = (
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "ssh-rsa",
)
MIN_RSA_BITS = 2048
START = "# avledger start "
END = "# avledger end "


@dataclass(frozen=True)
class PublicKey:
    kind: str
    key: str  # base64, as written
    comment: str
    fingerprint: str  # SHA256:…


def parse_public_key(text: str) -> PublicKey:
    """One SSH public key line of a known type (``ssh-ed25519 AAAA… comment``), checked: its base64 decodes
    to a key of the type it names (an RSA key of at least 2048 bits). Anything else is refused, a private
    key with its own message (and never echoed)."""
    if "PRIVATE KEY" in text:
        raise UserError("ssh.private_key", "这是私钥，请给出公钥文件（.pub）；私钥不要交给任何人", field="key")
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if len(lines) != 1:
        raise UserError("ssh.bad_key", "公钥文件应只有一行公钥，此文件有 {n} 行", field="key", n=len(lines))
    parts = lines[0].split()
    if len(parts) < 2 or parts[0] not in KEY_TYPES:
        raise UserError(
            "ssh.bad_key_type",
            "不是可用的 SSH 公钥：应以 {types} 之一开头",
            field="key",
            types=" ".join(KEY_TYPES),
        )
    kind, data = parts[0], parts[1]
    try:
        blob = base64.b64decode(data, validate=True)
        fields = _fields(blob)
    except (binascii.Error, ValueError, struct.error):
        raise UserError("ssh.bad_key", "公钥已损坏：{kind} 之后的内容不是有效的密钥", field="key", kind=kind) from None
    if fields[0] != kind.encode("ascii"):
        raise UserError("ssh.bad_key", "公钥已损坏：{kind} 之后的内容不是有效的密钥", field="key", kind=kind)
    if kind == "ssh-rsa":
        bits = int.from_bytes(fields[2], "big").bit_length() if len(fields) >= 3 else 0
        if bits < MIN_RSA_BITS:
            raise UserError(
                "ssh.weak_key", "RSA 密钥只有 {bits} 位，至少需要 {min} 位", field="key", bits=bits, min=MIN_RSA_BITS
            )
    comment = "".join(ch for ch in " ".join(parts[2:]) if ch.isprintable())[:200]
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode("ascii").rstrip("=")
    return PublicKey(kind, data, comment, f"SHA256:{digest}")


def _fields(blob: bytes) -> list[bytes]:
    """The length-prefixed strings of an SSH key blob (RFC 4253 section 6.6)."""
    out, at = [], 0
    while at < len(blob):
        (n,) = struct.unpack(">I", blob[at : at + 4])
        if at + 4 + n > len(blob):
            raise ValueError("truncated")
        out.append(blob[at + 4 : at + 4 + n])
        at += 4 + n
    if not out:
        raise ValueError("empty")
    return out


class KeyService:
    def __init__(self, ctx: Context, home: Home):
        self.ctx = ctx
        self.home = home

    # --- where -----------------------------------------------------------------
    def authorized_keys_path(self) -> Path:
        """``[ssh] authorized_keys`` of config.toml, else the owner account's ``~/.ssh/authorized_keys``."""
        configured = self.home.read_config().get("ssh", {}).get("authorized_keys")
        if configured:
            return Path(str(configured)).expanduser()
        home = account_home(self.ctx.identity.uid)
        if not home:
            raise UserError(
                "ssh.no_home",
                "账户 {account} 没有主目录，请在 config.toml 的 [ssh] 中设置 authorized_keys",
                account=self.ctx.identity.account,
            )
        return Path(home) / ".ssh" / "authorized_keys"

    def entry(self) -> list[str]:
        """How sshd starts this avledger: the ``avledger`` program beside this Python, else ``python -m``."""
        script = Path(sys.executable).absolute().parent / "avledger"
        return [str(script)] if script.is_file() else [str(Path(sys.executable).absolute()), "-m", "avledger"]

    def line(self, key: SshKey) -> str:
        """The authorized_keys line of a key: its forced command, and the key (its comment left out)."""
        command = shlex.join([*self.entry(), "--home", str(self.home.path), "ssh-serve", str(key.id)])
        if any(ch in command for ch in "\n\r\0"):
            raise UserError(
                "ssh.bad_path", "路径中有换行符，不能写入 authorized_keys：{path}", path=str(self.home.path)
            )
        quoted = command.replace('"', '\\"')
        return f'restrict,pty,command="{quoted}" {key.kind} {key.key} avledger-key-{key.id}'

    # --- changes -----------------------------------------------------------------
    @requires("ssh.keys")
    def add(self, number: str, key_text: str) -> KeyView:
        """Register a colleague's public key to their staff number and write their line."""
        check_text(number, N_("工号"), field="number")
        check_text((key_text or "").strip(), N_("SSH 公钥"), field="key_text")
        parsed = parse_public_key(key_text)
        with self.ctx.change():
            staff = Staff.get_or_none(Staff.number == (number or "").strip())
            if staff is None:
                raise UserError("staff.unknown", "没有这个工号的人员：{number}", field="number", number=number)
            if not staff.active:
                raise UserError(
                    "staff.left", "{name}（{number}）已离职", field="number", name=staff.name, number=staff.number
                )
            taken = SshKey.get_or_none((SshKey.key == parsed.key) & SshKey.removed_at.is_null())
            if taken is not None:
                raise UserError(
                    "ssh.key_taken",
                    "此公钥已登记（密钥 {id}，{name}（{number}））",
                    field="key",
                    id=taken.id,
                    name=taken.staff.name,
                    number=taken.staff.number,
                )
            path = self.authorized_keys_path()
            if parsed.key in _keys_outside(_read(path), self._start()):
                raise UserError(
                    "ssh.key_elsewhere",
                    "此公钥已写在 {path} 中 avledger 的区块之外，sshd 会先用那一行：请先删除那一行",
                    field="key",
                    path=str(path),
                )
            key = SshKey.create(
                staff=staff,
                kind=parsed.kind,
                key=parsed.key,
                fingerprint=parsed.fingerprint,
                comment=parsed.comment,
                added_at=self.ctx.clock(),
            )
            self.ctx.log("create", key, summary=f"{key.id} {staff.name}（{staff.number}） {parsed.fingerprint}")
            self._write(path)
        return self.view(key.id)

    @requires("ssh.keys")
    def remove(self, key_id: int | str) -> KeyView:
        """Withdraw a key: its line goes, its row stays (removed)."""
        with self.ctx.change():
            key = self.get(key_id)
            if key.removed_at is not None:
                raise UserError("ssh.key_removed", "密钥 {id} 已经撤销", field="key_id", id=key.id)
            before = snapshot(key)
            key.removed_at = self.ctx.clock()
            key.save()
            self.ctx.log("revoke", key, before=before, summary=f"{key.id} {key.staff.name}（{key.staff.number}）")
            self._write(self.authorized_keys_path())
        return self.view(key.id)

    def sync(self, staff_id: int | None = None) -> None:
        """Rewrite the block after a change of staff (inside the caller's transaction): only when the member
        of staff (``staff_id``) has keys, so that offices without SSH never touch the file."""
        if staff_id is not None and not SshKey.select().where(SshKey.staff == staff_id).exists():
            return
        self._write(self.authorized_keys_path())

    def refused_command(self, command: str, refusal: UserError) -> UserError:
        """Log a command refused over SSH (``ssh-serve``) and give back the refusal to raise."""
        acting = self.ctx.acting()
        with self.ctx.change():
            self.ctx.log("denied", entity="ssh_key", entity_id=acting.identity.key_id, summary=f"ssh {command!r}")
        return refusal

    # --- reading -----------------------------------------------------------------
    def get(self, key_id: int | str, *, field: str = "key_id") -> SshKey:
        check_text(key_id if isinstance(key_id, str) else None, N_("密钥编号"), field=field)
        try:
            number = int(key_id)
        except (TypeError, ValueError):
            number = None
        key = SshKey.get_or_none(SshKey.id == number) if number is not None else None
        if key is None:
            raise UserError("ssh.unknown_key", "没有这个编号的 SSH 密钥：{id}", field=field, id=key_id)
        return key

    def list(self) -> list[KeyView]:
        query = SshKey.select(SshKey, Staff).join(Staff).order_by(SshKey.id)
        return [self._view(k) for k in query]

    def view(self, key_id: int) -> KeyView:
        return self._view(self.get(key_id))

    @staticmethod
    def _view(k: SshKey) -> KeyView:
        state = "removed" if k.removed_at is not None else ("active" if k.staff.active else "left")
        return KeyView(
            k.id, k.staff.number, k.staff.name, k.kind, k.fingerprint, k.comment, k.added_at, k.removed_at, state
        )

    # --- the file -------------------------------------------------------------------
    def _start(self) -> str:
        return START + str(self.home.path)

    def block(self) -> list[str]:
        """The lines of avledger's block for the keys of the register now (active keys of active staff)."""
        keys = (
            SshKey.select()
            .join(Staff)
            .where(SshKey.removed_at.is_null() & (Staff.active == True))  # noqa: E712
            .order_by(SshKey.id)
        )
        return [self._start(), *(self.line(k) for k in keys), END + str(self.home.path)]

    def _write(self, path: Path) -> None:
        old = _read(path)
        new = _replace_block(old, self._start(), END + str(self.home.path), self.block())
        if new == old:
            return
        try:
            if not path.parent.exists() and path.parent.name == ".ssh":
                path.parent.mkdir(mode=0o700)
            write_whole(path, new, mode=0o600)
        except OSError as exc:
            raise UserError(
                "ssh.write_failed", "无法写入 {path}：{err}", path=str(path), err=exc.strerror or str(exc)
            ) from None


def _read(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(
            "ssh.read_failed", "无法读取 {path}：{err}", path=str(path), err=getattr(exc, "strerror", None) or str(exc)
        ) from None


def _replace_block(text: str, start: str, end: str, block: list[str]) -> str:
    """``text`` with avledger's block (from ``start`` to ``end``) replaced by ``block``, or ``block`` appended;
    every other line kept as it was. A block of only its markers (no keys) is left out."""
    lines = text.splitlines(keepends=True)
    stripped = [line.rstrip("\r\n") for line in lines]
    keep_block = len(block) > 2
    new_block = [line + "\n" for line in block] if keep_block else []
    if start in stripped:
        first = stripped.index(start)
        try:
            last = stripped.index(end, first)
        except ValueError:
            raise UserError(
                "ssh.broken_block", "authorized_keys 中 avledger 的区块缺少结束行：{end}", end=end
            ) from None
        return "".join(lines[:first] + new_block + lines[last + 1 :])
    if not keep_block:
        return text
    if text and not text.endswith("\n"):
        text += "\n"
    return text + "".join(new_block)


def _keys_outside(text: str, start: str) -> set[str]:
    """The keys (base64) written on lines outside avledger's block of this data folder."""
    found: set[str] = set()
    inside = False
    end = END + start[len(START) :]
    for raw in text.splitlines():
        line = raw.strip()
        if line == start:
            inside = True
        elif inside:
            inside = line != end
        elif line and not line.startswith("#"):
            found.update(m.group(2) for m in _KEY_ON_LINE.finditer(line))
    return found


_KEY_ON_LINE = re.compile(r"(?:^|[\s,])(" + "|".join(re.escape(t) for t in KEY_TYPES) + r")\s+([A-Za-z0-9+/]+=*)")


def read_key_file(keyfile: str) -> str:
    """The text of a public key file (``zhang.pub``), for :meth:`KeyService.add`; a refusal naming it."""
    check_text(keyfile, N_("公钥文件"), field="keyfile")
    try:
        with open(Path(keyfile).expanduser(), encoding="utf-8") as fh:
            return fh.read(64 * 1024)
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(
            "ssh.key_unreadable",
            "无法读取公钥文件 {path}：{err}",
            field="keyfile",
            path=keyfile,
            err=getattr(exc, "strerror", None) or str(exc),
        ) from None
