"""Input shape for the relief pages: the intake (phone-first for the enterprise contact), the triage form
(a lead department and co-handlers, each with a task and an optional deadline), the outcome form, and the
external-department choice added to an action form. Rules are the actions'; forms check shape only."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.models import VOLUNTEER_KINDS, Department, DepartmentKind
from civicgrid.cases.choices import Channel
from civicgrid.cases.forms import DATE, DomainErrorMixin, _required_messages
from civicgrid.core.inputs import DayField, TextField
from civicgrid.enterprises.choices import Currency
from civicgrid.relief.choices import OutcomeKind

TASK_ROWS = 4


def handling_departments() -> list[tuple[str, str]]:
    """Departments that may lead or co-handle: the district's, the zone's, utilities and external bodies."""
    rows = Department.objects.filter(is_active=True).exclude(kind__in=VOLUNTEER_KINDS).order_by("kind", "code")
    return [(d.code, f"{d.name}(区外)" if d.kind == DepartmentKind.EXTERNAL else d.name) for d in rows]


class IntakeForm(DomainErrorMixin, forms.Form):
    FIELD_BY_CODE_PREFIX = {"category": "category", "description": "description", "idempotency": None}

    enterprise = forms.ChoiceField(label=_("企业"))
    category = forms.ChoiceField(label=_("诉求类别"), widget=forms.RadioSelect)
    description = TextField(label=_("遇到的困难"), max_length=4000, widget=forms.Textarea(
        attrs={"rows": 5, "placeholder": _("遇到了什么困难?涉及哪些部门?希望得到什么帮助?")}))
    reporter_name = forms.CharField(label=_("联系人"), required=False, max_length=50)
    reporter_phone = forms.CharField(label=_("联系电话"), required=False, max_length=20,
                                     widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
    is_tailored = forms.BooleanField(label=_("一企一策(多部门联合帮扶)"), required=False)
    idempotency_key = forms.CharField(max_length=100, widget=forms.HiddenInput)

    def __init__(self, *args, enterprises, categories, channel: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.channel = channel
        self.fields["enterprise"].choices = [(str(e.pk), e.name) for e in enterprises]
        if len(enterprises) == 1:
            self.fields["enterprise"].initial = str(enterprises[0].pk)
            self.fields["enterprise"].widget = forms.HiddenInput()
        elif channel == Channel.ENTERPRISE:
            self.fields["enterprise"].widget = forms.RadioSelect()
        else:
            self.fields["enterprise"].choices = [("", gettext("请选择企业…"))] + self.fields["enterprise"].choices
        self.fields["category"].choices = [(c.code, c.name) for c in categories]
        if channel == Channel.ENTERPRISE:
            del self.fields["is_tailored"]
            del self.fields["reporter_name"]
            self.fields["reporter_phone"].label = gettext("联系电话(选填,便于承办部门联系)")
        if channel == Channel.HOTLINE:
            self.fields["reporter_name"].label = gettext("来电人")
            self.fields["reporter_name"].required = True
            self.fields["reporter_phone"].label = gettext("来电号码")
            self.fields["reporter_phone"].required = True
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
        _required_messages(self)
        self.fields["category"].error_messages["required"] = gettext("请选择诉求类别")
        self.fields["description"].error_messages["required"] = gettext("请说明遇到的困难")


class BlockerForm(DomainErrorMixin, forms.Form):
    FIELD_BY_CODE_PREFIX = {"category": "category", "description": "description"}

    project = forms.ChoiceField(label=_("项目"))
    category = forms.ChoiceField(label=_("堵点类别"), widget=forms.RadioSelect)
    description = TextField(label=_("堵点描述"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    idempotency_key = forms.CharField(max_length=100, widget=forms.HiddenInput)

    def __init__(self, *args, projects, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].choices = [("", gettext("请选择项目…"))] + [(str(p.pk), f"{p.name}({p.enterprise.name})")
                                                                       for p in projects]
        self.fields["category"].choices = [(c.code, c.name) for c in categories]
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
        _required_messages(self)


class AssignForm(DomainErrorMixin, forms.Form):
    """分派/交办: the lead department, and up to four co-handlers each with a task and a deadline."""

    FIELD_BY_CODE_PREFIX = {"department": "department", "task": None}

    expected_event_count = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    department = forms.ChoiceField(label=_("主办单位"))
    comment = forms.CharField(label=_("分派意见(选填)"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, action: str = "assign", with_lead: bool = True, **kwargs):
        kwargs.setdefault("auto_id", f"id_{action}_%s")
        super().__init__(*args, **kwargs)
        departments = handling_departments()
        self.with_lead = with_lead
        if with_lead:
            self.fields["department"].choices = [("", gettext("请选择…"))] + departments
        else:
            del self.fields["department"]
        self.rows = []
        for i in range(1, TASK_ROWS + 1):
            self.fields[f"co_{i}"] = forms.ChoiceField(label=gettext("协办单位%(n)s") % {"n": i}, required=False,
                                                       choices=[("", gettext("不选"))] + departments)
            self.fields[f"task_{i}"] = forms.CharField(label=gettext("任务"), required=False, max_length=200)
            self.fields[f"due_{i}"] = DayField(label=gettext("期限(选填,默认3个工作日)"), required=False, widget=DATE)
            self.rows.append((self[f"co_{i}"], self[f"task_{i}"], self[f"due_{i}"]))
        _required_messages(self)

    def clean(self):
        data = super().clean()
        if not self.with_lead and not any(data.get(f"co_{i}") for i in range(1, TASK_ROWS + 1)):
            self.add_error("co_1", gettext("请至少选择一个协办单位"))
        for i in range(1, TASK_ROWS + 1):
            if data.get(f"co_{i}") and not (data.get(f"task_{i}") or "").strip():
                self.add_error(f"task_{i}", gettext("请写明该协办单位的任务"))
        return data

    def facts(self) -> tuple[str, dict]:
        data = self.cleaned_data
        tasks = []
        for i in range(1, TASK_ROWS + 1):
            if data.get(f"co_{i}"):
                due = data.get(f"due_{i}")
                tasks.append({"department": data[f"co_{i}"], "task": data[f"task_{i}"].strip(),
                              "due": due.isoformat() if due else None})
        facts = {"department": data["department"]} if self.with_lead else {}
        if tasks:
            facts["tasks"] = tasks
        return (data.get("comment") or "").strip(), facts


class OutcomeForm(DomainErrorMixin, forms.Form):
    FIELD_BY_CODE_PREFIX = {"outcome_kind": "kind", "amount": "amount", "currency": "currency", "jobs": "jobs",
                            "note": "note", "department": "department"}

    kind = forms.ChoiceField(label=_("成效类型"), choices=OutcomeKind.choices)
    amount = forms.DecimalField(label=_("金额"), required=False, max_digits=16, decimal_places=2, min_value=0,
                                widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}))
    currency = forms.ChoiceField(label=_("币种"), required=False, choices=[("", "—")] + list(Currency.choices))
    jobs = forms.IntegerField(label=_("岗位数"), required=False, min_value=1)
    note = forms.CharField(label=_("说明"), required=False, max_length=300)
    department = forms.ChoiceField(label=_("取得成效的单位"), required=False)

    def __init__(self, *args, departments=(), **kwargs):
        kwargs.setdefault("auto_id", "id_outcome_%s")
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", gettext("不指定"))] + [(d.code, d.name) for d in departments]
        _required_messages(self)


def external_choice(departments) -> forms.ChoiceField:
    """代区外单位登记: which external department on the case the officer records this step for."""
    return forms.ChoiceField(label=_("代为登记的区外单位(选填)"), required=False,
                             choices=[("", gettext("本单位办理"))] + [(d.code, d.name) for d in departments])
