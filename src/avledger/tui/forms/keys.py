"""A colleague's SSH public key, registered to their staff number (avledger ssh add)."""

from __future__ import annotations

from dataclasses import dataclass

from avledger.i18n import _
from avledger.tui.forms.base import Field, FormScreen, required_text, text_input


@dataclass(frozen=True)
class KeyForm:
    number: str
    key: str  # the key's line (ssh-ed25519 AAAA… name) or the path of its .pub file


class KeyFormScreen(FormScreen[KeyForm | None]):
    PARAM_FIELDS = {"key_text": "key", "keyfile": "key"}

    def __init__(self, initial: KeyForm | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.initial = initial
        self.title_text = _("登记 SSH 密钥")

    def fields(self) -> list[Field]:
        d = self.initial or KeyForm("", "")
        return [
            Field("number", _("工号"), text_input(d.number), required=True),
            Field(
                "key",
                _("公钥"),
                text_input(d.key, placeholder=_("粘贴 ssh-ed25519 … 一行，或填写 .pub 文件的路径")),
                required=True,
            ),
        ]

    def check(self, name: str) -> str | None:
        return required_text(self.value(name), _("工号") if name == "number" else _("公钥"))

    def result(self) -> KeyForm:
        return KeyForm(self.value("number"), self.value("key"))
