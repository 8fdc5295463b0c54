"""Viewing approvals' forms (F14-F16): a request, a decision (refusal, or an approval signed on paper),
and evidence extraction under a copy approval."""

from __future__ import annotations

from dataclasses import dataclass

from avledger.i18n import _
from avledger.services.access import AccessView
from avledger.tui.forms.base import Field, FormScreen, required_text, select, text_input
from avledger.tui.widgets.tick import Tick
from avledger.vocab import ACCESS_KINDS, ACCESS_REASONS, ACCESS_SCOPES


@dataclass
class RequestForm:
    scope: str  # activity | case | clips
    target: str  # activity id, case number, or clip ids separated by spaces
    requester: str
    reason_kind: str
    reason: str
    kind: str
    until: str


class RequestFormScreen(FormScreen[RequestForm | None]):
    """查阅申请: what, who, why, view or copy, until when."""

    # AccessService.request(requester, reason, *, activity, case_no, clips, ...): the scope is one field here.
    PARAM_FIELDS = {"activity": "target", "case_no": "target", "clips": "target"}

    def __init__(
        self,
        activities: list[tuple[str, str]],
        initial: RequestForm,
        *,
        error: str | None = None,
        error_field: str | None = None,
    ) -> None:
        super().__init__(error=error, error_field=error_field)
        self.activities = activities
        self.initial = initial
        self.title_text = _("查阅申请")

    def fields(self) -> list[Field]:
        i = self.initial
        return [
            Field(
                "scope", _("查阅范围"), select([(_(v), k) for k, v in ACCESS_SCOPES.items()], i.scope), required=True
            ),
            Field(
                "target",
                _("执法活动编号、案件编号或文件编号"),
                text_input(i.target, placeholder=_("音像文件编号用空格分隔")),
                required=True,
            ),
            Field("requester", _("申请人工号"), text_input(i.requester), required=True),
            Field(
                "reason_kind",
                _("查阅事由"),
                select([(_(v), k) for k, v in ACCESS_REASONS.items()], i.reason_kind),
                required=True,
            ),
            Field("reason", _("事由说明"), text_input(i.reason), required=True),
            Field("kind", _("查阅方式"), select([(_(v), k) for k, v in ACCESS_KINDS.items()], i.kind), required=True),
            Field("until", _("有效期至"), text_input(i.until, placeholder="YYYY-MM-DD")),
        ]

    def check(self, name: str) -> str | None:
        if name == "target":
            return required_text(self.value(name), _("查阅范围"))
        if name == "requester":
            return required_text(self.value(name), _("申请人工号"))
        if name == "reason":
            return required_text(self.value(name), _("事由说明"))
        return None

    def result(self) -> RequestForm:
        return RequestForm(
            self.value("scope"),
            self.value("target"),
            self.value("requester"),
            self.value("reason_kind"),
            self.value("reason"),
            self.value("kind"),
            self.value("until"),
        )


@dataclass
class DecisionForm:
    by: str
    paper_form: str
    reason: str


class DecisionFormScreen(FormScreen[DecisionForm | None]):
    """Approve on paper (the manager records it) or refuse, with the reason."""

    def __init__(
        self,
        title: str,
        *,
        refuse: bool,
        on_paper: bool,
        initial: DecisionForm,
        error: str | None = None,
        error_field: str | None = None,
    ) -> None:
        super().__init__(error=error, error_field=error_field)
        self.title_text = title
        self.refuse = refuse
        self.on_paper = on_paper
        self.initial = initial

    def fields(self) -> list[Field]:
        i = self.initial
        out = [Field("by", _("审批人工号"), text_input(i.by, disabled=not self.on_paper), required=True)]
        if self.on_paper and not self.refuse:
            out.append(Field("paper_form", _("纸质审批表编号"), text_input(i.paper_form), required=True))
        if self.refuse:
            out.append(Field("reason", _("不予批准理由"), text_input(i.reason), required=True))
        return out

    def check(self, name: str) -> str | None:
        labels = {"by": _("审批人工号"), "paper_form": _("纸质审批表编号"), "reason": _("不予批准理由")}
        return required_text(self.value(name), labels[name])

    def result(self) -> DecisionForm:
        names = set(self._rows)
        return DecisionForm(
            self.value("by"),
            self.value("paper_form") if "paper_form" in names else "",
            self.value("reason") if "reason" in names else "",
        )


@dataclass
class ExtractForm:
    extractor: str
    out: str
    seven_zip: bool
    password: str


class ExtractFormScreen(FormScreen[ExtractForm | None]):
    """作为证据调取: where the copies go, who extracts them, and an encrypted 7z when a password is given."""

    def __init__(
        self,
        request: AccessView,
        people: list[tuple[str, str]],
        initial: ExtractForm,
        *,
        error: str | None = None,
        error_field: str | None = None,
    ) -> None:
        super().__init__(error=error, error_field=error_field)
        self.people = people
        self.initial = initial
        self.title_text = _("证据调取：查阅申请 {id}（{n} 个文件）").format(id=request.id, n=len(request.clip_ids))

    def fields(self) -> list[Field]:
        d = self.initial
        password = text_input(d.password, placeholder=_("可选：填写后打包为 AES-256 加密的 7z，文件名也加密"))
        password.password = True
        again = text_input(d.password, placeholder=_("与上面的密码相同"))
        again.password = True
        return [
            Field("extractor", _("提取人"), select(self.people, d.extractor or None, allow_blank=True), required=True),
            Field("out", _("输出目录"), text_input(d.out, placeholder=_("一个新的空目录")), required=True),
            Field("seven_zip", _("7z 打包"), Tick(_("打包为 7z"), d.seven_zip, compact=True)),
            Field("password", _("密码"), password),
            Field("password_again", _("再次输入密码"), again),
        ]

    def check(self, name: str) -> str | None:
        if name == "extractor" and not self.value(name):
            return _("请选择提取人")
        if name == "out":
            return required_text(self.value(name), _("输出目录"))
        if name == "password_again" and self.control(name).value != self.control("password").value:
            return _("两次输入的密码不一致")
        return None

    def on_field_changed(self, name: str) -> None:
        if name == "password" and self.control("password_again").value:
            self.recheck("password_again")

    def result(self) -> ExtractForm:
        return ExtractForm(
            self.value("extractor"), self.value("out"), self.value("seven_zip"), self.control("password").value
        )
