"""Input shapes of the investment pages. Forms check formats; the actions check the rules (their codes
come back on the form as field errors via `add_domain_error`)."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from civicgrid.enterprises.choices import Currency
from civicgrid.enterprises.forms import DomainErrorsMixin
from civicgrid.investment.choices import (
    ApprovalType,
    FundsOrigin,
    KeyLevel,
    LeadSource,
    ProjectApprovalStatus,
    ProjectStage,
)

DATE = {"type": "date"}
CURRENCY_CHOICES = [("", _("请选择币种"))] + list(Currency.choices)


def _key(form) -> None:
    form.fields["idempotency_key"].initial = uuid.uuid4().hex


class ProjectFilterForm(forms.Form):
    q = forms.CharField(label=_("项目、代码或企业"), required=False, max_length=50)
    stage = forms.ChoiceField(label=_("阶段"), required=False, choices=[("", _("全部"))] + list(ProjectStage.choices))
    park = forms.ChoiceField(label=_("园区"), required=False)
    started = forms.IntegerField(label=_("开工年度"), required=False, min_value=2000, max_value=2099)
    key = forms.BooleanField(label=_("只看重点项目"), required=False)

    def __init__(self, *args, parks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["park"].choices = [("", _("全部"))] + [(p.code, p.name) for p in parks]


class ProjectForm(DomainErrorsMixin, forms.Form):
    code = forms.CharField(label=_("项目代码"), max_length=40, help_text=_("全国投资项目在线审批监管平台赋码,如 2026-211004-26-03-123457"))
    name = forms.CharField(label=_("项目名称"), max_length=200)
    enterprise_id = forms.ChoiceField(label=_("项目单位"))
    total_investment = forms.DecimalField(label=_("计划总投资"), max_digits=16, decimal_places=2)
    currency = forms.ChoiceField(label=_("币种"), choices=CURRENCY_CHOICES, initial=Currency.CNY, required=False)
    signed_on = forms.DateField(label=_("签约日期"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    approval_type = forms.ChoiceField(label=_("立项方式"), choices=ApprovalType.choices, initial=ApprovalType.FILING)
    is_key = forms.BooleanField(label=_("重点项目"), required=False)
    key_level = forms.ChoiceField(label=_("重点项目级别"), choices=KeyLevel.choices, required=False)
    industry_code = forms.CharField(label=_("行业代码(GB/T 4754)"), max_length=6, required=False,
                                    help_text=_("不填则用企业的行业"))
    planned_start_on = forms.DateField(label=_("计划开工"), required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    planned_completion_on = forms.DateField(label=_("计划竣工"), required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    planned_production_on = forms.DateField(label=_("计划投产"), required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    lead_official = forms.CharField(label=_("包保领导"), max_length=50, required=False)
    review_department = forms.ChoiceField(label=_("月报审核部门"), required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def __init__(self, *args, enterprises=(), departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise_id"].choices = [(e.pk, e.name) for e in enterprises]
        self.fields["review_department"].choices = [("", "—")] + [(d.code, d.name) for d in departments]
        _key(self)

    def project_input(self):
        from civicgrid.investment.actions import ProjectInput

        data = {k: v for k, v in self.cleaned_data.items() if k != "idempotency_key"}
        data["enterprise_id"] = int(data["enterprise_id"])
        return ProjectInput(**data)


class StageForm(DomainErrorsMixin, forms.Form):
    stage = forms.ChoiceField(label=_("推进到"), choices=ProjectStage.choices)
    happened_on = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class ApprovalForm(DomainErrorsMixin, forms.Form):
    item_code = forms.ChoiceField(label=_("审批事项"))
    status = forms.ChoiceField(label=_("办理情况"), choices=ProjectApprovalStatus.choices)
    applied_on = forms.DateField(label=_("申报日期"), required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    granted_on = forms.DateField(label=_("办结日期"), required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    document_no = forms.CharField(label=_("批复文号"), max_length=60, required=False)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item_code"].choices = [(i.code, f"{i.name}({i.department.short_name or i.department.name})")
                                            for i in items]


class ReportForm(DomainErrorsMixin, forms.Form):
    """One month's investment: phone first (large inputs, numeric keyboard)."""

    month = forms.DateField(label=_("月份"), input_formats=["%Y-%m"], widget=forms.DateInput(
        attrs={"type": "month"}, format="%Y-%m"))
    amount_yuan = forms.DecimalField(label=_("本月完成投资(元)"), max_digits=16, decimal_places=2,
                                     widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}))
    cumulative = forms.DecimalField(label=_("自开工累计完成投资(元)"), required=False, max_digits=16, decimal_places=2,
                                    help_text=_("不填则按上月累计加本月计算"),
                                    widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}))
    note = forms.CharField(label=_("说明"), max_length=200, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _key(self)

    def add_domain_error(self, exc) -> None:
        if isinstance(exc.details, dict) and exc.details.get("field") == "amount":  # the action's name for it
            exc.details = {**exc.details, "field": "amount_yuan"}
        super().add_domain_error(exc)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("通过")), ("return", _("退回"))])
    note = forms.CharField(label=_("审核意见"), max_length=200, required=False)


class LeadForm(DomainErrorsMixin, forms.Form):
    name = forms.CharField(label=_("项目名称"), max_length=200)
    investor = forms.CharField(label=_("投资方"), max_length=200)
    source = forms.ChoiceField(label=_("来源"), choices=LeadSource.choices)
    industry_code = forms.CharField(label=_("行业代码(GB/T 4754)"), max_length=6)
    amount = forms.DecimalField(label=_("意向投资额"), max_digits=16, decimal_places=2)
    currency = forms.ChoiceField(label=_("币种"), choices=CURRENCY_CHOICES, initial=Currency.CNY, required=False)
    found_on = forms.DateField(label=_("发现日期"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    park = forms.ChoiceField(label=_("拟落户园区"), required=False)
    note = forms.CharField(label=_("备注"), max_length=500, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def __init__(self, *args, parks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["park"].choices = [("", "—")] + [(p.code, p.name) for p in parks]
        _key(self)


class LeadStageForm(forms.Form):
    stage = forms.CharField(max_length=12)
    on = forms.DateField(widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    project_id = forms.IntegerField(required=False, min_value=1)


class FundsForm(DomainErrorsMixin, forms.Form):
    origin = forms.ChoiceField(label=_("资金性质"), choices=FundsOrigin.choices, initial=FundsOrigin.DOMESTIC)
    amount = forms.DecimalField(label=_("到位金额"), max_digits=16, decimal_places=2)
    currency = forms.ChoiceField(label=_("币种"), choices=CURRENCY_CHOICES, initial=Currency.CNY, required=False)
    received_on = forms.DateField(label=_("到位日期"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    project_id = forms.IntegerField(label=_("项目编号(系统 ID)"), required=False, min_value=1)
    lead_id = forms.IntegerField(label=_("招商线索编号(系统 ID)"), required=False, min_value=1)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _key(self)
