"""Input shape for the routing and category admin pages. Forms check shape only (required, formats, closed
choices); the rules are the admin actions', and their errors come back next to the field they name
(`details["field"]`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.models import VOLUNTEER_KINDS, Department
from civicgrid.cases.admin.actions import UNIT_LABELS, limit_states
from civicgrid.cases.choices import QuestionType, Urgency
from civicgrid.cases.models import Category
from civicgrid.cases.workflow import registry
from civicgrid.cases.workflow.spec import UNITS
from civicgrid.core import errors
from civicgrid.geo.choices import RegionLevel
from civicgrid.geo.models import Region

UNIT_CHOICES = [(u, UNIT_LABELS[u]) for u in UNITS]
CHOICE_SPLIT = ("、", ",", ",", "\n")


def _required_messages(form: forms.Form) -> None:
    for f in form.fields.values():
        f.error_messages["required"] = gettext("请填写%(label)s") % {"label": f.label}
        if isinstance(f, forms.ChoiceField):
            f.error_messages["invalid_choice"] = gettext("请选择有效的%(label)s") % {"label": f.label}


def department_choices() -> list[tuple[str, str]]:
    return list(Department.objects.filter(is_active=True).exclude(kind__in=VOLUNTEER_KINDS)
                .order_by("code").values_list("code", "name"))


def category_choices(blank: str) -> list[tuple[str, str]]:
    rows = Category.objects.order_by("code").values_list("code", "name", "is_active")
    return [("", blank)] + [(code, f"{'  ' * (len(code) // 2 - 1)}{code} "
                                   + (name if active else gettext("%(name)s(停用)") % {"name": name}))
                            for code, name, active in rows]


def region_options() -> list[tuple[str, str]]:
    """Suggestions for the region code input: district, streets and communities (grids can be typed)."""
    levels = [RegionLevel.DISTRICT, RegionLevel.STREET, RegionLevel.COMMUNITY]
    return list(Region.objects.filter(level__in=levels, is_active=True).order_by("code").values_list("code", "name"))


class AdminFormMixin:
    def add_domain_error(self, exc: errors.DomainError) -> None:
        details = exc.details if isinstance(exc.details, dict) else {}
        name = details.get("field")
        if name == "limits" and f"limit_{details.get('state')}_value" in self.fields:
            name = f"limit_{details['state']}_value"
        self.add_error(name if name in self.fields else None, exc.message)


REGION_WIDGET = forms.TextInput(attrs={"inputmode": "numeric", "list": "region-options", "autocomplete": "off",
                                       "placeholder": _("留空表示全区")})


class RoutingRuleForm(AdminFormMixin, forms.Form):
    region = forms.CharField(label=_("区域编码"), required=False, max_length=20, widget=REGION_WIDGET,
                             help_text=_("街道、社区或网格编码;留空 = 全区"))
    category = forms.ChoiceField(label=_("问题类别"), required=False)
    department = forms.ChoiceField(label=_("主办单位"))
    co_departments = forms.MultipleChoiceField(label=_("协办单位"), required=False, widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("备注"), required=False, max_length=200)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(gettext("全部类别"))
        departments = department_choices()
        self.fields["department"].choices = [("", gettext("请选择…"))] + departments
        self.fields["co_departments"].choices = departments
        _required_messages(self)

    @classmethod
    def initial_for(cls, rule) -> dict:
        return {"region": rule.region.code if rule.region_id else "",
                "category": rule.category.code if rule.category_id else "",
                "department": rule.department.code, "co_departments": [d.code for d in rule.co_departments.all()],
                "note": rule.note, "is_active": rule.is_active}

    def action_kwargs(self) -> dict:
        d = self.cleaned_data
        return {"region_code": d["region"], "category_code": d["category"], "department_code": d["department"],
                "co_department_codes": d["co_departments"], "note": d["note"], "is_active": d["is_active"]}


class RouteTestForm(AdminFormMixin, forms.Form):
    region = forms.CharField(label=_("区域编码"), max_length=20, widget=forms.TextInput(
        attrs={"inputmode": "numeric", "list": "region-options", "autocomplete": "off", "placeholder": _("如网格编码")}))
    category = forms.ChoiceField(label=_("问题类别"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(gettext("(不选类别)"))
        _required_messages(self)


class QuestionForm(forms.Form):
    key = forms.CharField(label=_("标识"), required=False, max_length=30,
                          widget=forms.TextInput(attrs={"placeholder": _("如 area_m2"), "autocomplete": "off"}))
    label = forms.CharField(label=_("问题文字"), required=False, max_length=60)
    type = forms.ChoiceField(label=_("类型"), choices=QuestionType.choices, initial=QuestionType.TEXT)
    required = forms.BooleanField(label=_("必答"), required=False)
    choices = forms.CharField(label=_("选项(单选/多选,用、分隔)"), required=False, max_length=500)

    def question(self) -> dict | None:
        d = self.cleaned_data
        if not d or not (d.get("key") or d.get("label")):
            return None  # a blank row
        text = d.get("choices") or ""
        for sep in CHOICE_SPLIT:
            text = text.replace(sep, "、")
        item = {"key": d["key"], "label": d["label"], "type": d["type"], "required": d["required"]}
        if d["type"] in (QuestionType.CHOICE, QuestionType.MULTI):
            item["choices"] = [c.strip() for c in text.split("、") if c.strip()]
        return item


QuestionFormSet = forms.formset_factory(QuestionForm, extra=2, max_num=20, validate_max=True)


def questions_initial(questions: list[dict]) -> list[dict]:
    return [{**q, "choices": "、".join(q.get("choices", []))} for q in questions or []]


class CategoryForm(AdminFormMixin, forms.Form):
    code = forms.RegexField(label=_("类别编码"), regex=r"^\d{2,20}$", max_length=20,
                            error_messages={"invalid": _("类别编码须为数字")},
                            widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": _("如 0107")}),
                            help_text=_("每级两位:01 为大类,0101 为其下小类"))
    name = forms.CharField(label=_("类别名称"), max_length=60)
    case_type = forms.ChoiceField(label=_("案件类型"))
    default_department = forms.ChoiceField(label=_("默认承办部门"), required=False)
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices, initial=Urgency.NORMAL)
    filing_condition = forms.CharField(label=_("立案条件"), required=False, max_length=300,
                                       widget=forms.Textarea(attrs={"rows": 2}))
    closing_condition = forms.CharField(label=_("结案条件"), required=False, max_length=300,
                                        widget=forms.Textarea(attrs={"rows": 2}))
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, case_type: str = "", editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.fields["case_type"].choices = [("", gettext("请选择…"))] + [(k, gettext(s.label)) for k, s in registry.SPECS.items()]
        self.fields["default_department"].choices = [("", gettext("(无,由指挥中心派遣)"))] + department_choices()
        if editing:
            self.fields["code"].disabled = True
        chosen = (self.data.get("case_type") if self.is_bound else None) or case_type or self.initial.get("case_type")
        self.limit_rows = []
        spec = registry.SPECS.get(chosen or "")
        for st in limit_states(spec) if spec else []:
            value = forms.FloatField(label=gettext("%(state)s 时限") % {"state": gettext(st.label)}, required=False, min_value=0.01, max_value=10000,
                                     widget=forms.NumberInput(attrs={"step": "any", "placeholder": _default(st)}))
            unit = forms.ChoiceField(label=gettext("%(state)s 单位") % {"state": gettext(st.label)}, choices=UNIT_CHOICES,
                                     initial=st.sla.unit if st.sla else "work_days",
                                     required=False)  # only needed with a value: the action checks it
            self.fields[f"limit_{st.key}_value"] = value
            self.fields[f"limit_{st.key}_unit"] = unit
            self.limit_rows.append({"state": st, "value": f"limit_{st.key}_value", "unit": f"limit_{st.key}_unit",
                                    "default": _default(st)})
        _required_messages(self)
        for row in self.limit_rows:
            self.fields[row["value"]].error_messages.update(
                invalid=gettext("请填写数字"), min_value=gettext("时限须大于0"), max_value=gettext("时限过大"))

    def bound_limit_rows(self) -> list[dict]:
        return [{**row, "value_field": self[row["value"]], "unit_field": self[row["unit"]]} for row in self.limit_rows]

    @classmethod
    def initial_for(cls, category: Category) -> dict:
        initial = {
            "code": category.code, "name": category.name, "case_type": category.case_type,
            "default_department": category.default_department.code if category.default_department_id else "",
            "urgency": category.urgency, "filing_condition": category.filing_condition,
            "closing_condition": category.closing_condition, "is_active": category.is_active,
        }
        for state, limit in (category.limits or {}).items():
            initial[f"limit_{state}_value"] = limit.get("value")
            initial[f"limit_{state}_unit"] = limit.get("unit")
        return initial

    def limits(self) -> dict:
        d = self.cleaned_data
        return {row["state"].key: {"value": d[row["value"]], "unit": d[row["unit"]]}
                for row in self.limit_rows if d.get(row["value"]) is not None}

    def action_kwargs(self, questions: list[dict]) -> dict:
        d = self.cleaned_data
        code = d["code"]
        return {"code": code, "name": d["name"], "parent_code": code[:-2], "case_type": d["case_type"],
                "default_department_code": d["default_department"], "filing_condition": d["filing_condition"],
                "closing_condition": d["closing_condition"], "limits": self.limits(), "urgency": d["urgency"],
                "questions": questions, "is_active": d["is_active"]}


def _default(st) -> str:
    if st.sla is None:
        return gettext("默认不限时")
    value = int(st.sla.value) if st.sla.value.is_integer() else st.sla.value
    return gettext("默认%(value)s%(unit)s") % {"value": value, "unit": UNIT_LABELS[st.sla.unit]}
