"""The forms of supervision: a spot check's draw, one activity's findings, a violation and its decision."""

from __future__ import annotations

from dataclasses import dataclass

from avledger.i18n import _
from avledger.tui.forms.base import Field, FormScreen, required_text, select, text_input
from avledger.vocab import FINDINGS, SANCTIONS, VIOLATION_ARTICLES, label


@dataclass(frozen=True)
class DrawForm:
    date_from: str
    date_to: str
    share: str
    count: str
    dept: str
    by: str
    seed: str


class DrawFormScreen(FormScreen[DrawForm | None]):
    """抽取抽查样本: the period, a share or a number, a department, the checker, a seed."""

    PARAM_FIELDS = {"date_from": "date_from", "date_to": "date_to"}

    def __init__(self, *, departments: list[str], initial: DrawForm, error=None, error_field=None) -> None:
        super().__init__(error=error, error_field=error_field)
        self.departments = departments
        self.initial = initial
        self.title_text = _("抽取抽查样本")

    def fields(self) -> list[Field]:
        d = self.initial
        return [
            Field("date_from", _("开始日期"), text_input(d.date_from, placeholder="YYYY-MM-DD"), required=True),
            Field("date_to", _("结束日期"), text_input(d.date_to, placeholder="YYYY-MM-DD"), required=True),
            Field("share", _("抽查比例（%）"), text_input(d.share)),
            Field("count", _("抽查数量"), text_input(d.count)),
            Field("dept", _("科室"), select([(n, n) for n in self.departments], d.dept or None, allow_blank=True)),
            Field("by", _("抽查人工号"), text_input(d.by), required=True),
            Field("seed", _("随机种子"), text_input(d.seed, placeholder=_("不填则随机生成"))),
        ]

    def check(self, name: str) -> str | None:
        if name in ("date_from", "date_to", "by"):
            return required_text(
                self.value(name), {"date_from": _("开始日期"), "date_to": _("结束日期")}.get(name, _("抽查人工号"))
            )
        return None

    def result(self) -> DrawForm:
        dept = self.value("dept")
        return DrawForm(
            self.value("date_from"),
            self.value("date_to"),
            self.value("share"),
            self.value("count"),
            dept if isinstance(dept, str) else "",
            self.value("by"),
            self.value("seed"),
        )


@dataclass(frozen=True)
class FindingsForm:
    items: dict[str, str]
    note: str
    score: str


class FindingsFormScreen(FormScreen[FindingsForm | None]):
    """One drawn activity checked item by item (ok / fail), with a note and a score."""

    PARAM_FIELDS = {"items": "note"}

    def __init__(self, *, heading: str, items: dict[str, str], initial: FindingsForm, error=None, error_field=None):
        super().__init__(error=error, error_field=error_field)
        self.items = items  # key -> label
        self.initial = initial
        self.title_text = _("登记抽查结果：{activity}").format(activity=heading)

    def fields(self) -> list[Field]:
        options = [(label(FINDINGS, k), k) for k in FINDINGS]
        return [
            *(
                Field(f"item_{key}", text, select(options, self.initial.items.get(key), allow_blank=True))
                for key, text in self.items.items()
            ),
            Field("note", _("说明"), text_input(self.initial.note)),
            Field("score", _("评分（0–100）"), text_input(self.initial.score)),
        ]

    def result(self) -> FindingsForm:
        items = {}
        for key in self.items:
            value = self.value(f"item_{key}")
            if isinstance(value, str) and value:
                items[key] = value
        return FindingsForm(items, self.value("note"), self.value("score"))


@dataclass(frozen=True)
class ViolationForm:
    staff: str
    article: str
    what: str
    activity: str
    check: str


class ViolationFormScreen(FormScreen[ViolationForm | None]):
    """登记过错责任: the person, the article, what happened, the evidence."""

    def __init__(self, *, articles: list[str], initial: ViolationForm, error=None, error_field=None) -> None:
        super().__init__(error=error, error_field=error_field)
        self.articles = articles
        self.initial = initial
        self.title_text = _("登记过错责任")

    def fields(self) -> list[Field]:
        d = self.initial
        options = [(f"{a} {label(VIOLATION_ARTICLES, a)}", a) for a in self.articles]
        return [
            Field("staff", _("责任人工号"), text_input(d.staff), required=True),
            Field("article", _("违反条款"), select(options, d.article or self.articles[0]), required=True),
            Field("what", _("过错事实"), text_input(d.what), required=True),
            Field("activity", _("证据：执法活动编号"), text_input(d.activity)),
            Field("check", _("证据：监督抽查编号"), text_input(d.check)),
        ]

    def check(self, name: str) -> str | None:
        if name == "staff":
            return required_text(self.value(name), _("责任人工号"))
        if name == "what":
            return required_text(self.value(name), _("过错事实"))
        return None

    def result(self) -> ViolationForm:
        return ViolationForm(
            self.value("staff"), self.value("article"), self.value("what"), self.value("activity"), self.value("check")
        )


@dataclass(frozen=True)
class DecideForm:
    sanction: str
    until: str
    by: str
    paper_form: str


class DecideFormScreen(FormScreen[DecideForm | None]):
    """The decision on a violation: the sanction, a suspension's last day, the decider, a paper decision."""

    def __init__(self, *, heading: str, sanctions: list[str], initial: DecideForm, error=None, error_field=None):
        super().__init__(error=error, error_field=error_field)
        self.sanctions = sanctions
        self.initial = initial
        self.title_text = _("作出追究决定：{violation}").format(violation=heading)

    def fields(self) -> list[Field]:
        d = self.initial
        options = [(label(SANCTIONS, s), s) for s in self.sanctions]
        return [
            Field("sanction", _("追究方式"), select(options, d.sanction or self.sanctions[0]), required=True),
            Field("until", _("停止执法至"), text_input(d.until, placeholder=_("停止执法工作时填写，可不填"))),
            Field("by", _("决定人工号"), text_input(d.by), required=True),
            Field("paper_form", _("纸质决定书编号"), text_input(d.paper_form)),
        ]

    def check(self, name: str) -> str | None:
        if name == "by":
            return required_text(self.value(name), _("决定人工号"))
        return None

    def result(self) -> DecideForm:
        return DecideForm(self.value("sanction"), self.value("until"), self.value("by"), self.value("paper_form"))


@dataclass
class AcknowledgeForm:
    at: str
    note: str


class AcknowledgeFormScreen(FormScreen[AcknowledgeForm | None]):
    """The person's acknowledgement of a decision (本人签收): when (now if left empty: an acknowledgement signed on
    paper earlier gives its time) and a note."""

    def __init__(self, *, heading: str, initial: AcknowledgeForm, error=None, error_field=None):
        super().__init__(error=error, error_field=error_field)
        self.initial = initial
        self.title_text = _("本人签收追究决定：{violation}").format(violation=heading)

    def fields(self) -> list[Field]:
        d = self.initial
        return [
            Field("at", _("签收时间"), text_input(d.at, placeholder=_("不填为现在；补登纸质签收填 YYYY-MM-DD HH:MM"))),
            Field("note", _("签收说明"), text_input(d.note)),
        ]

    def result(self) -> AcknowledgeForm:
        return AcknowledgeForm(self.value("at"), self.value("note"))
