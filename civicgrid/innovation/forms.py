"""Input shapes of the innovation pages. Forms check formats; the actions check the rules (their codes
come back on the form via `add_domain_error`)."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from civicgrid.enterprises.forms import DomainErrorsMixin
from civicgrid.innovation.choices import ChallengeStatus, Field, PartnerKind

DATE = forms.DateInput(attrs={"type": "date"})


class _Keyed(forms.Form):
    """A create a phone may retry: the page carries a fresh idempotency key."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["idempotency_key"].initial = uuid.uuid4().hex

    def key(self) -> str | None:
        return self.cleaned_data.get("idempotency_key") or None


class BoardFilter(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=50, widget=forms.TextInput(
        attrs={"placeholder": _("需求名称、编号或企业"), "aria-label": _("关键词")}))
    field = forms.ChoiceField(label=_("技术领域"), required=False, choices=[("", _("全部技术领域"))] + list(Field.choices),
                              widget=forms.Select(attrs={"aria-label": _("技术领域")}))
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态"))] + list(ChallengeStatus.choices),
                               widget=forms.Select(attrs={"aria-label": _("状态")}))


class ChallengeForm(DomainErrorsMixin, _Keyed):
    enterprise = forms.TypedChoiceField(label=_("发榜企业"), coerce=int)
    title = forms.CharField(label=_("需求名称"), max_length=200)
    fields = forms.MultipleChoiceField(label=_("技术领域(最多5个)"), choices=Field.choices,
                                       widget=forms.CheckboxSelectMultiple)
    goal = forms.CharField(label=_("攻关目标和指标"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    budget = forms.DecimalField(label=_("榜额(元)"), max_digits=14, decimal_places=2,
                                widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}))
    deadline = forms.DateField(label=_("揭榜截止日期"), widget=DATE)
    complete_by = forms.DateField(label=_("完成时限(可不填)"), required=False, widget=DATE)

    def __init__(self, *args, enterprises=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].choices = [(e.pk, e.name) for e in enterprises]
        if len(self.fields["enterprise"].choices) == 1:
            self.fields["enterprise"].initial = self.fields["enterprise"].choices[0][0]


class ApplicationForm(DomainErrorsMixin, _Keyed):
    team = forms.TypedChoiceField(label=_("揭榜团队"), coerce=int)
    plan = forms.CharField(label=_("技术方案"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    quoted_budget = forms.DecimalField(label=_("申报经费(元,可不填)"), required=False, max_digits=14,
                                       decimal_places=2)

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(t.pk, f"{t.name}({t.lead_organisation})") for t in teams]


class MilestoneForm(DomainErrorsMixin, _Keyed):
    title = forms.CharField(label=_("里程碑"), max_length=200)
    planned_on = forms.DateField(label=_("计划日期"), widget=DATE)


class AchievedForm(DomainErrorsMixin, forms.Form):
    achieved_on = forms.DateField(label=_("实际完成日期"), widget=DATE)
    evidence = forms.CharField(label=_("完成依据"), max_length=500)


class MoveForm(DomainErrorsMixin, forms.Form):
    action = forms.CharField(max_length=40)
    reason = forms.CharField(label=_("原因"), required=False, max_length=300)
    application = forms.IntegerField(required=False, min_value=1)


class AgreementForm(DomainErrorsMixin, _Keyed):
    enterprise = forms.TypedChoiceField(label=_("企业"), coerce=int)
    partner_name = forms.CharField(label=_("合作高校或院所"), max_length=200)
    partner_kind = forms.ChoiceField(label=_("合作方类型"), choices=PartnerKind.choices)
    title = forms.CharField(label=_("合作项目"), max_length=200)
    field = forms.ChoiceField(label=_("技术领域"), choices=Field.choices)
    signed_on = forms.DateField(label=_("签约日期"), widget=DATE)
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE)
    amount = forms.DecimalField(label=_("合作金额(元)"), max_digits=14, decimal_places=2)
    platform = forms.TypedChoiceField(label=_("依托平台(可不填)"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, enterprises=(), platforms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].choices = [(e.pk, e.name) for e in enterprises]
        self.fields["platform"].choices = [("", "—")] + [(p.pk, p.name) for p in platforms]
