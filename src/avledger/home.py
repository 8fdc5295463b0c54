"""The data folder: ``avledger.db``, ``config.toml`` and the footage archive.

Default: the platform's user data folder; ``--home DIR`` or ``AVLEDGER_HOME``
overrides it. ``config.toml`` holds this PC's settings (the language), not
the register's rules, which live in the database with the audit log.

Private by default (issue 13). avledger creates its data folder, and every
folder in it, readable by its owner only (:data:`avledger.fsutil.PRIVATE_DIR`);
a folder that exists already keeps its mode: avledger never changes the mode
of a folder it did not create. A folder without a register is taken as a data
folder only when it is empty or holds nothing but avledger's own files
(:data:`OWN_NAMES`): ``AVLEDGER_HOME=/home`` is refused rather than writing
the register beside the users' folders. A data folder written by an older
version (a register readable by every account) is tightened when it is opened:
the group's and the others' permissions are taken off the files avledger owns
there (the register and its journal files, ``config.toml``, the witness file,
the logs, the prints, the sample card and the archive it created), never
adding one and never following a symbolic link; the data folder itself keeps
its mode, and the message that says what was tightened says so once.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path

from avledger.errors import UserError
from avledger.fsutil import (
    OTHERS,
    OWN_PREFIX,
    PRIVATE_DIR,
    make_dirs,
    needs_tightening,
    tighten,
    tighten_tree,
    write_whole,
)

ENV_HOME = "AVLEDGER_HOME"
DB_NAME = "avledger.db"
SAMPLE_CARD = "示例存储卡"  # the sample office's camera card (avledger demo), in the data folder
WITNESS_NAME = "audit-witness.log"  # the audit head after every change (avledger.witness)
# The register and the files that travel with it: private files, tightened when found open.
REGISTER_FILES = (DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm", DB_NAME + "-journal", "config.toml", WITNESS_NAME)
# Folders avledger fills itself (the archive too, see Home.tighten): tightened whole when found open.
OWN_FOLDERS = ("logs", "prints", "screenshots", SAMPLE_CARD)
# Everything avledger may keep in a data folder (and its own files, named OWN_PREFIX...): a folder without a
# register that holds anything else is not taken as a data folder.
OWN_NAMES = frozenset({*REGISTER_FILES, *OWN_FOLDERS, "archive", "templates"})
FOREIGN_SHOWN = 5  # foreign entries named in the refusal


@dataclass(frozen=True)
class Home:
    path: Path

    @property
    def db_path(self) -> Path:
        return self.path / "avledger.db"

    @property
    def config_path(self) -> Path:
        return self.path / "config.toml"

    @property
    def archive_path(self) -> Path:
        return self.path / "archive"

    @property
    def witness_path(self) -> Path:
        """The audit head after each change (avledger.witness)."""
        return self.path / "audit-witness.log"

    @property
    def initialised(self) -> bool:
        return self.db_path.exists()

    def check(self) -> None:
        """Refuse a data folder that is a file, or that holds anything but avledger's own files while it has
        no register yet; nothing is written. A folder that does not exist yet is fine (it will be created)."""
        path = self.path
        if not (path.exists() or path.is_symlink()):
            return
        if not path.is_dir():
            raise UserError(
                "home.not_a_folder",
                "数据目录 {path} 不是文件夹，请指定一个文件夹（--home 或 AVLEDGER_HOME）",
                path=str(path),
            )
        if self.initialised:
            return
        try:
            foreign = self.foreign()
        except OSError as exc:
            raise UserError(
                "home.unusable", "无法使用数据目录 {path}：{err}", path=str(path), err=exc.strerror or str(exc)
            ) from None
        if foreign:
            shown = "、".join(foreign[:FOREIGN_SHOWN]) + ("……" if len(foreign) > FOREIGN_SHOWN else "")
            raise UserError(
                "home.not_ours",
                "{path} 中已有不属于 avledger 的文件（{names}，共 {n} 项），不能用作数据目录："
                "请指定一个新的或空的文件夹（--home 或 AVLEDGER_HOME）",
                path=str(path),
                names=shown,
                n=len(foreign),
            )

    def foreign(self) -> list[str]:
        """What the folder holds that is not avledger's own (OSError when it cannot be listed)."""
        return sorted(n for n in os.listdir(self.path) if n not in OWN_NAMES and not n.startswith(OWN_PREFIX))

    def ensure(self) -> list[str]:
        """Make the data folder ready: :meth:`check` it, create it private when it does not exist, and tighten
        what an older version left readable by others (:meth:`tighten`). Returns what was tightened."""
        self.check()
        try:
            make_dirs(self.path, PRIVATE_DIR)
        except OSError as exc:
            raise UserError(
                "write.failed", "无法创建数据目录 {path}：{err}", path=str(self.path), err=exc.strerror
            ) from None
        return self.tighten()

    def tighten(self) -> list[str]:
        """Take the group's and the others' permissions off what avledger owns in the data folder (see the
        module's docstring); returns the names of what changed. Cheap when there is nothing to do: the files
        are stat'ed, and a folder is walked only when it is open itself (a walk tightens a folder last)."""
        changed: list[str] = []
        for name in REGISTER_FILES:
            if tighten(self.path / name):
                changed.append(name)
        for name in (*OWN_FOLDERS, "archive"):
            folder = self.path / name
            if needs_tightening(folder) and tighten_tree(folder):
                changed.append(name)
        return changed

    def folder_open(self) -> str | None:
        """The data folder's mode (``0755``) when the group or the others may enter it, else None."""
        try:
            mode = stat.S_IMODE(os.stat(self.path).st_mode)
        except OSError:
            return None
        return f"{mode:04o}" if mode & OTHERS else None

    # --- config.toml ---------------------------------------------------
    def read_config(self) -> dict:
        try:
            return tomllib.loads(self.config_path.read_text("utf-8"))
        except (FileNotFoundError, NotADirectoryError):  # no config yet (or no folder: refused on writing)
            return {}
        except tomllib.TOMLDecodeError as exc:
            raise UserError(
                "home.bad_config", "配置文件 {path} 有误：{err}", path=str(self.config_path), err=str(exc)
            ) from None

    def write_config(self, config: dict) -> None:
        """Write config.toml whole or not at all (avledger.fsutil.safe_write), private."""
        self.ensure()
        lines = ["# avledger settings for this PC (the office's rules are in the register)"]
        for section, values in config.items():
            lines.append(f"\n[{section}]")
            for key, value in values.items():
                lines.append(f"{key} = {_toml_value(value)}")
        write_whole(self.config_path, "\n".join(lines) + "\n")

    def language(self) -> str | None:
        return self.read_config().get("ui", {}).get("lang")

    def set_language(self, lang: str) -> None:
        config = self.read_config()
        config.setdefault("ui", {})["lang"] = lang
        self.write_config(config)

    def audit_anchors(self) -> list[str]:
        """The folders ``audit anchor`` writes the audit head to and ``audit verify`` reads it back from
        (``[audit] anchors``). Kept here, outside the register, so that a register rewritten or copied back
        cannot forget them."""
        anchors = self.read_config().get("audit", {}).get("anchors", [])
        return [str(a) for a in anchors] if isinstance(anchors, list) else [str(anchors)]

    def set_audit_anchors(self, anchors: list[str]) -> None:
        config = self.read_config()
        config.setdefault("audit", {})["anchors"] = list(anchors)
        self.write_config(config)


DAY_FOLDER = re.compile(r"^\d{4}-\d{2}-\d{2}$")  # the archive's folders: <local date>/<activity>/<file>


def tighten_archive(root: Path) -> list[str]:
    """Tighten an archive kept outside the data folder (the profile's ``ingest.archive_dir``): its day
    folders and everything in them, not the folder itself nor anything else in it (the office chose that
    place; avledger did not create it). Returns the day folders that changed."""
    try:
        names = sorted(n for n in os.listdir(root) if DAY_FOLDER.match(n))
    except OSError:
        return []
    return [n for n in names if needs_tightening(Path(root, n)) and tighten_tree(Path(root, n))]


def tightened_notice(home: Home, names: list[str]) -> str:
    """The one message that says what :meth:`Home.tighten` changed (and that the data folder itself was
    left as it is, when others may still enter it)."""
    from avledger.i18n import _

    text = _("数据目录中以下文件此前其他账户也能读取，已收紧为仅本账户可读：{names}").format(names="、".join(names))
    mode = home.folder_open()
    if not mode:
        return text
    try:
        others = home.foreign()
    except OSError:
        others = []
    if others:  # the register beside other things (an older version let AVLEDGER_HOME=/home be used)
        text += "\n" + _(
            "数据目录 {path} 中还有不属于 avledger 的文件（{names}），其他账户可以进入（权限 {mode}）："
            "请把登记库和存储移到一个只属于 avledger 的文件夹"
        ).format(path=home.path, names="、".join(others[:FOREIGN_SHOWN]), mode=mode)
    else:
        text += "\n" + _(
            "数据目录 {path} 本身仍允许其他账户进入（权限 {mode}）；avledger 不改动它没有创建的目录，"
            "如需关闭请运行：chmod 700 {path}"
        ).format(path=home.path, mode=mode)
    return text


def _toml_value(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def resolve_home(option: str | None) -> Home:
    if option:
        return Home(Path(option).expanduser().resolve())
    env = os.environ.get(ENV_HOME)
    if env:
        return Home(Path(env).expanduser().resolve())
    from platformdirs import user_data_path

    return Home(user_data_path("avledger", appauthor=False))
