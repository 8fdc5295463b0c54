"""The audit log's witnesses: an anchor to write the head to, and a head typed from paper to check."""

from __future__ import annotations

from dataclasses import dataclass

from avledger.i18n import _
from avledger.tui.forms.base import Field, FormScreen, required_text, text_input
from avledger.tui.widgets.tick import Tick


@dataclass(frozen=True)
class AnchorForm:
    to: str  # "" for the anchor places set
    remember: bool


class AnchorFormScreen(FormScreen[AnchorForm | None]):
    """Where to write the audit head: a folder on a USB stick or another PC, or the places already set."""

    PARAM_FIELDS = {"places": "to"}

    def __init__(self, places: list[str], initial: AnchorForm | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.places = places
        self.initial = initial
        self.title_text = _("把审计头写到锚点")

    def fields(self) -> list[Field]:
        d = self.initial or AnchorForm("", False)
        hint = _("留空则写到已设置的锚点：{places}").format(places="；".join(self.places)) if self.places else ""
        return [
            Field("to", _("文件夹"), text_input(d.to, placeholder=hint or _("例如 /media/usb/审计锚点"))),
            Field("remember", _("以后默认"), Tick(_("记为锚点位置"), d.remember, compact=True)),
        ]

    def check(self, name: str) -> str | None:
        if name == "to" and not self.places:
            return required_text(self.value("to"), _("文件夹"))
        return None

    def result(self) -> AnchorForm:
        return AnchorForm(self.value("to"), bool(self.value("remember")))


@dataclass(frozen=True)
class HeadForm:
    head: str  # N:HASH as printed


class HeadFormScreen(FormScreen[HeadForm | None]):
    """A head from a printed register's footer or a disc's bag-info.txt, to check the log against."""

    PARAM_FIELDS = {"heads": "head"}

    def __init__(self, initial: HeadForm | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.initial = initial
        self.title_text = _("核对纸质登记表或光盘上的审计头")

    def fields(self) -> list[Field]:
        d = self.initial or HeadForm("")
        return [Field("head", _("审计头"), text_input(d.head, placeholder="1234:9f86 d081 884c 7d65"), required=True)]

    def check(self, name: str) -> str | None:
        return required_text(self.value("head"), _("审计头"))

    def result(self) -> HeadForm:
        return HeadForm(self.value("head"))
