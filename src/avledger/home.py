"""The data folder: ``avledger.db``, ``config.toml`` and the footage archive.

Default: the platform's user data folder; ``--home DIR`` or ``AVLEDGER_HOME``
overrides it. ``config.toml`` holds this PC's settings (the language), not
the register's rules, which live in the database with the audit log.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from avledger.errors import UserError
from avledger.fsutil import write_whole

ENV_HOME = "AVLEDGER_HOME"


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

    def ensure(self) -> None:
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(
                "write.failed", "无法创建数据目录 {path}：{err}", path=str(self.path), err=exc.strerror
            ) from None

    # --- config.toml ---------------------------------------------------
    def read_config(self) -> dict:
        try:
            return tomllib.loads(self.config_path.read_text("utf-8"))
        except FileNotFoundError:
            return {}
        except tomllib.TOMLDecodeError as exc:
            raise UserError(
                "home.bad_config", "配置文件 {path} 有误：{err}", path=str(self.config_path), err=str(exc)
            ) from None

    def write_config(self, config: dict) -> None:
        """Write config.toml whole or not at all (avledger.fsutil.safe_write)."""
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
