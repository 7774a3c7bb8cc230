"""Input shape for the case pages: the list filters, the report form (with the category's extra questions)
and one small form per workflow action, asking exactly the facts that action requires.

Forms only check shape (required, formats, closed choices); every rule about cases is the action's, and a
DomainError it raises is shown next to the field it is about (`add_domain_error`).
"""

from __future__ import annotations

import uuid

from django import forms
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.models import VOLUNTEER_KINDS, Department, DepartmentKind
from civicgrid.cases import queries
from civicgrid.cases.choices import Channel, ContactPreference, QuestionType, Satisfaction
from civicgrid.cases.intake import MAX_DESCRIPTION
from civicgrid.cases.models import Category
from civicgrid.cases.workflow.vocabulary import FACT_LABELS, FACT_VALUE_LABELS
from civicgrid.core import errors
from civicgrid.core.inputs import DayField, TextField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _required_messages(form: forms.Form) -> None:
    for field in form.fields.values():
        verb = gettext("请上传%(label)s") if isinstance(field, forms.FileField) else gettext("请填写%(label)s")
        field.error_messages["required"] = verb % {"label": field.label}
        if isinstance(field, forms.ChoiceField):
            field.error_messages["invalid_choice"] = gettext("请选择有效的%(label)s") % {"label": field.label}


class DomainErrorMixin:
    # an action error whose code starts with a key belongs next to that field
    FIELD_BY_CODE_PREFIX: dict[str, str] = {}

    def add_domain_error(self, exc: errors.DomainError) -> None:
        field = next((f for prefix, f in self.FIELD_BY_CODE_PREFIX.items() if exc.code.startswith(prefix)), exc.field)
        if exc.code == "missing_fields" and isinstance(exc.details, list):
            missing = [f for f in exc.details if f in self.fields]
            for name in missing:
                self.add_error(name, gettext("请填写%(label)s") % {"label": self.fields[name].label})
            if missing:
                return
        if exc.code.startswith("answer_") and isinstance(exc.details, dict) and f"q_{exc.details.get('key')}" in self.fields:
            field = f"q_{exc.details['key']}"
        self.add_error(field if field in self.fields else None, exc.message)


# ---- list filters ------------------------------------------------------------------------------------

class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("编号/关键词"), required=False, max_length=50,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("案件编号、标题或描述")}))
    case_type = forms.ChoiceField(label=_("案件类型"), required=False)
    # a KPI family (cases.kpis.FAMILIES): the dashboards' links name it; no field is shown for it
    family = forms.ChoiceField(required=False, widget=forms.HiddenInput)
    category = forms.ChoiceField(label=_("问题类别"), required=False)
    state = forms.ChoiceField(label=_("状态"), required=False)
    region = forms.CharField(label=_("区域编码"), required=False, max_length=20,
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": _("前缀即可")}))
    department = forms.ChoiceField(label=_("承办部门"), required=False)
    since = DayField(label=_("上报日期自"), required=False, widget=DATE)
    until = DayField(label=_("至"), required=False, widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case_type"].choices = [("", gettext("全部"))] + queries.type_choices()
        chosen_type = (self.data.get("case_type") or "") if self.is_bound else ""
        self.fields["state"].choices = [("", gettext("全部"))] + queries.state_choices(chosen_type)
        from civicgrid.cases.kpis import FAMILIES

        self.fields["family"].choices = [("", ""), ("all", "all")] + [(name, name) for name in FAMILIES]
        groups = queries.report_categories()
        # a top-level category (大类) filters all its sub-categories (the dashboards link by 大类)
        tops = list(Category.objects.filter(parent__isnull=True, is_active=True).order_by("code")
                    .values_list("code", "name"))
        self.fields["category"].choices = ([("", gettext("全部")), (gettext("大类"), tops)]
                                           + [(name, items) for name, items in groups])
        self.fields["department"].choices = [("", gettext("全部"))] + _departments()

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


# ---- report a problem --------------------------------------------------------------------------------

class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos in one input (Django's documented pattern for multiple uploads)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp",
                                                             "capture": "environment"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            if not data and self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class ReportForm(DomainErrorMixin, forms.Form):
    FIELD_BY_CODE_PREFIX = {"description": "description", "category": "category", "case_type": "category",
                            "unknown_case_type": "category", "location": "region", "region": "region",
                            "contact": "contact_preference", "answer": None, "idempotency": None,
                            "photo": "photos", "too_many_photos": "photos"}

    category = forms.ChoiceField(label=_("问题类别"))
    description = TextField(label=_("问题描述"), max_length=MAX_DESCRIPTION, widget=forms.Textarea(
        attrs={"rows": 4, "placeholder": _("发生了什么?在哪里?持续多久了?")}))
    title = forms.CharField(label=_("标题(选填)"), required=False, max_length=120,
                            widget=forms.TextInput(attrs={"placeholder": _("不填则用问题类别")}))
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    region = forms.ChoiceField(label=_("所在网格"), required=False)
    address = forms.CharField(label=_("详细地址(选填)"), required=False, max_length=200,
                              widget=forms.TextInput(attrs={"placeholder": _("小区、楼号、门牌或附近地标")}))
    reporter_name = forms.CharField(label=_("来电人姓名"), required=False, max_length=50)
    reporter_phone = forms.CharField(label=_("联系电话"), required=False, max_length=20,
                                     widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
    is_anonymous = forms.BooleanField(label=_("匿名反映(不留姓名和电话)"), required=False)
    contact_preference = forms.ChoiceField(label=_("希望的联系方式"), choices=ContactPreference.choices,
                                           initial=ContactPreference.ONLINE, widget=forms.RadioSelect)
    photos = MultiplePhotoField(label=_("现场照片(选填,可多张)"), required=False)
    idempotency_key = forms.CharField(max_length=100, widget=forms.HiddenInput)

    # channels whose reporter may want to be contacted (a resident, a hotline caller); other staff channels
    # neither ask nor are asked: their contact preference is 无需联系
    CONTACT_CHANNELS = ("resident", "hotline")

    def __init__(self, *args, channel: str = "resident", channels: list[str] | None = None,
                 category_code: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.channel = channel  # the default; `chosen_channel()` is what was posted
        self.channels = list(channels or [channel])
        if len(self.channels) > 1:  # a field worker says how they came across it
            self.fields["channel"] = forms.ChoiceField(
                label=gettext("发现方式"), required=False, initial=channel, widget=forms.RadioSelect,
                choices=[(c, Channel(c).label) for c in self.channels])
            self.order_fields(["channel"])
        self.asks_contact = channel in self.CONTACT_CHANNELS
        if not self.asks_contact:
            for name in ("is_anonymous", "contact_preference", "reporter_phone"):
                del self.fields[name]
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
        self.fields["category"].choices = [("", gettext("请选择…"))] + queries.report_categories()
        self.fields["category"].widget.attrs.update({  # swaps in the category's extra questions
            "hx-get": reverse("cases:report_questions"), "hx-target": "#questions", "hx-trigger": "change"})
        places = queries.report_places()
        self.fields["region"].choices = [("", gettext("不选(以地图选点为准)"))] + places["grids"]
        if channel == "hotline":
            self.fields["reporter_name"].required = True
            self.fields["reporter_phone"].label = gettext("来电号码")
            self.fields["reporter_phone"].required = True
        else:
            del self.fields["reporter_name"]
            if self.asks_contact:
                self.fields["reporter_phone"].label = gettext("联系电话(选填,短信或电话联系时使用)")
        code = (self.data.get("category") if self.is_bound else category_code) or ""
        self.questions = queries.category_questions(code)
        for q in self.questions:
            self.fields[f"q_{q['key']}"] = question_field(q)
        _required_messages(self)
        self.fields["category"].error_messages["required"] = gettext("请选择问题类别")
        self.fields["description"].error_messages["required"] = gettext("请描述问题")
        if "channel" in self.fields:
            self.fields["channel"].error_messages["invalid_choice"] = gettext(
                "请选择有效的发现方式(网格员上报、巡查发现或入户走访)")

    @property
    def channel_field(self):
        """The 发现方式 field when offered (`form.channel` in a template is the default channel's code)."""
        return self["channel"] if "channel" in self.fields else None

    def chosen_channel(self) -> str:
        """The channel of a valid form: the one chosen (if offered and given), else the default."""
        return self.cleaned_data.get("channel") or self.channel

    def contact(self) -> dict:
        """The reporter's contact facts for IntakeInput; staff channels that do not ask get 无需联系."""
        data = self.cleaned_data
        if not self.asks_contact:
            return {"reporter_phone": "", "is_anonymous": False, "contact_preference": ContactPreference.NONE}
        return {"reporter_phone": data["reporter_phone"], "is_anonymous": data["is_anonymous"],
                "contact_preference": data["contact_preference"]}

    def question_fields(self):
        return [self[f"q_{q['key']}"] for q in self.questions]

    def clean(self):
        data = super().clean()
        if (data.get("lat") is None) != (data.get("lng") is None):
            self.add_error("region", gettext("地图选点不完整,请重新点选"))
        posted = self.data.get("channel") if "channel" not in self.fields else None
        if posted and posted != self.channel:  # a channel this role has no choice of
            self.add_error(None, gettext("您的岗位只能以“%(channel)s”渠道上报") % {"channel": Channel(self.channel).label})
        if data.get("lat") is None and not data.get("region") and not data.get("photos"):
            # with photos, the first one's GPS position may place it (the action says so if none has one)
            self.add_error("region", gettext("请在地图上选点,或选择所在网格"))
        return data

    def answers(self) -> dict:
        out = {}
        for q in self.questions:
            value = self.cleaned_data.get(f"q_{q['key']}")
            if value in (None, "", []):
                continue
            if q.get("type") == QuestionType.BOOLEAN:
                value = value == "yes"
            elif q.get("type") == QuestionType.DATE:
                value = value.isoformat()
            out[q["key"]] = value
        return out


def question_field(q: dict) -> forms.Field:
    """One Category.questions entry as a form field (text/number/date/choice/multi/boolean)."""
    label, required = q.get("label", q["key"]), bool(q.get("required"))
    kind = q.get("type", QuestionType.TEXT)
    choices = [(c, c) for c in q.get("choices", [])]
    if kind == QuestionType.NUMBER:
        return forms.FloatField(label=label, required=required, widget=forms.NumberInput(attrs={"inputmode": "decimal"}))
    if kind == QuestionType.DATE:
        return DayField(label=label, required=required, widget=DATE)
    if kind == QuestionType.CHOICE:
        return forms.ChoiceField(label=label, required=required, choices=([] if required else [("", gettext("不选"))]) + choices,
                                 widget=forms.RadioSelect)
    if kind == QuestionType.MULTI:
        return forms.MultipleChoiceField(label=label, required=required, choices=choices,
                                         widget=forms.CheckboxSelectMultiple)
    if kind == QuestionType.BOOLEAN:
        return forms.ChoiceField(label=label, required=required, choices=[("yes", gettext("是")), ("no", gettext("否"))],
                                 widget=forms.RadioSelect)
    return forms.CharField(label=label, required=required, max_length=500)


# ---- workflow actions --------------------------------------------------------------------------------

def _choice(label, choices, radio=True):
    return lambda: forms.ChoiceField(label=label, choices=choices, widget=forms.RadioSelect if radio else forms.Select)


def _departments(kind: str | None = None) -> list[tuple[str, str]]:
    """Active departments of one kind, or — without a kind — those that handle ordinary cases (practice
    stations and volunteer teams handle volunteer orders only)."""
    qs = Department.objects.filter(is_active=True)
    qs = qs.filter(kind=kind) if kind else qs.exclude(kind__in=VOLUNTEER_KINDS)
    return list(qs.order_by("code").values_list("code", "name"))


# the department kinds a fact offers for a case type (default: ordinary handling departments)
DEPARTMENT_KIND = {("volunteer_order", "department"): DepartmentKind.PRACTICE,
                   ("volunteer_order", "co_departments"): DepartmentKind.TEAM}


def _text(label, rows=3, placeholder=""):
    return lambda: forms.CharField(label=label, max_length=4000, widget=forms.Textarea(
        attrs={"rows": rows, "placeholder": placeholder}))


def _values(fact: str) -> list[tuple[str, str]]:
    """A closed-choice fact's (value, label) pairs, the workflow's Chinese labels translated when shown."""
    return [(value, _(label)) for value, label in FACT_VALUE_LABELS[fact].items()]


# fact -> a factory of its field (labels from vocabulary.FACT_LABELS, values from FACT_CHOICES)
FACT_FIELDS = {
    "comment": _text(_("意见说明")),
    "reason": _text(_("原因"), rows=2),
    "department": lambda: forms.ChoiceField(label=_("主办单位"), choices=[("", gettext("请选择…"))] + _departments()),
    "co_departments": lambda: forms.MultipleChoiceField(
        label=_("协办单位(可多选)"), required=False, choices=_departments(),
        widget=forms.SelectMultiple(attrs={"size": 4})),
    "extension_until": lambda: DayField(label=_("延期至"), widget=DATE),
    "deadline": lambda: DayField(label=_("整改期限"), widget=DATE),
    "follow_up_date": lambda: DayField(label=_("计划回访日期"), widget=DATE),
    "satisfaction": _choice(_("满意度"), [(str(v), label) for v, label in Satisfaction.choices]),
    "resolved": _choice(_("问题是否解决"), [("yes", _("已解决")), ("no", _("未解决"))]),
    "risk_level": _choice(_("风险等级"), _values("risk_level")),
    "complexity": _choice(_("难易程度"), _values("complexity")),
    "tier": _choice(_("调处层级"), _values("tier")),
    "agreement_form": _choice(_("协议形式"), _values("agreement_form")),
    "agreement_text": _text(_("协议内容"), rows=4, placeholder=_("当事人的权利义务、履行方式和期限")),
    "outcome": _choice(_("去向"), _values("outcome"), radio=False),
    "method": _choice(_("回访方式"), _values("method")),
    "merge_into": lambda: forms.CharField(label=_("合并至案件编号"), max_length=24,
                                          widget=forms.TextInput(attrs={"inputmode": "numeric"})),
    "leader": lambda: forms.CharField(label=_("包案领导"), max_length=50),
    "parties": lambda: forms.CharField(label=_("到场当事人"), max_length=200),
    "responsible_party": lambda: forms.CharField(label=_("责任单位/责任人"), max_length=100),
    "attachments": lambda: MultiplePhotoField(label=_("现场照片")),  # kinds per move: evidence_field()
}

# what an evidence input accepts, by the kinds a move takes (vocabulary.EVIDENCE)
EVIDENCE_ACCEPT = {"photo": "image/jpeg,image/png,image/webp", "pdf": "application/pdf"}


def evidence_field(transition) -> forms.Field:
    """The file input of a move that takes evidence: photos, or photos and PDF files (several at once)."""
    kinds = transition.evidence_kinds
    label = _("现场照片") if kinds == ("photo",) else _("照片或 PDF 文件")
    if "attachments" not in transition.requires:
        label = gettext("%(label)s(选填)") % {"label": label}
    accept = ",".join(EVIDENCE_ACCEPT[k] for k in kinds)
    return MultiplePhotoField(label=label, required="attachments" in transition.requires,
                              widget=MultipleFileInput(attrs={"accept": accept}),
                              help_text=_("可多张;照片中的位置等信息会在保存时去除"))

# effects whose optional facts the form offers although the action does not require them
OPTIONAL_BY_EFFECT = {"add_co_departments": "co_departments"}
FACT_ORDER = list(FACT_FIELDS)


class TransitionForm(DomainErrorMixin, forms.Form):
    """The facts one transition requires (plus an optional comment), and the optimistic-lock counter."""

    FIELD_BY_CODE_PREFIX = {"department": "department", "extension": "extension_until", "satisfaction": "satisfaction",
                            "unsatisfied": "comment", "merge": "merge_into", "attachment": "attachments",
                            "photo": "attachments", "document": "attachments", "too_many_attachments": "attachments"}

    expected_event_count = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, transition, case_type: str = "", closes: bool = False, **kwargs):
        """`closes`: the transition ends the case (its target is terminal); a rating that closes the case
        needs a written explanation when unsatisfied (actions: unsatisfied_needs_explanation), so the form
        says so and asks for it."""
        kwargs.setdefault("auto_id", f"id_{transition.action}_%s")  # several action forms share one page
        super().__init__(*args, **kwargs)
        self.transition = transition
        self.explain_unsatisfied = closes and "satisfaction" in transition.requires
        wanted = set(transition.requires) | {OPTIONAL_BY_EFFECT[e] for e in transition.effects if e in OPTIONAL_BY_EFFECT}
        wanted.add("comment")
        if transition.evidence_kinds:
            wanted.add("attachments")
        def order(fact):  # required facts first (vocabulary order), then the optional ones, the comment last
            optional = fact not in transition.requires
            return (optional, optional and fact == "comment", FACT_ORDER.index(fact) if fact in FACT_ORDER else 99)

        for fact in sorted(wanted, key=order):
            factory = FACT_FIELDS.get(fact) or (
                lambda f=fact: forms.CharField(label=gettext(FACT_LABELS[f]) if f in FACT_LABELS else f))
            field = evidence_field(transition) if fact == "attachments" else factory()
            if fact not in transition.requires and fact in ("comment", "co_departments"):
                field.required = False
                if fact == "comment" and self.explain_unsatisfied:
                    field.label = gettext("情况说明(评价不满意时必填)")
                elif fact == "comment":
                    field.label = gettext("意见说明(选填)")
                    field.widget.attrs["rows"] = 2
            kind = DEPARTMENT_KIND.get((case_type, fact))
            if kind:
                blank = [("", gettext("请选择…"))] if fact == "department" else []
                field.choices = blank + _departments(kind)
            self.fields[fact] = field
        _required_messages(self)

    def clean(self):
        data = super().clean()
        rating = data.get("satisfaction")
        if (self.explain_unsatisfied and rating and int(rating) <= Satisfaction.DISSATISFIED
                and not (data.get("comment") or "").strip()):
            self.add_error("comment", gettext("评价为不满意时,请填写情况说明"))
        return data

    def facts(self) -> tuple[str, dict]:
        """(comment, facts) for transition_case, values in the shapes the engine and action expect."""
        data = dict(self.cleaned_data)
        data.pop("expected_event_count", None)
        comment = (data.pop("comment", "") or "").strip()
        facts = {}
        data.pop("attachments", None)  # files: see uploads()
        for key, value in data.items():
            if value in (None, "", []):
                continue
            if key == "resolved":
                value = value == "yes"
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            facts[key] = value
        return comment, facts

    def uploads(self) -> list[tuple[str, bytes]]:
        """The evidence files chosen in the form, as (name, bytes)."""
        return [(f.name or "", f.read()) for f in self.cleaned_data.get("attachments") or []]
