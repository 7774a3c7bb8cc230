"""Input shapes of the enterprise pages. Forms check formats; the actions check the rules (their codes
come back on the form as field errors via `add_domain_error`)."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from civicgrid.core import errors
from civicgrid.enterprises.actions.registry import METRIC_FIELDS
from civicgrid.enterprises.choices import EnterpriseStatus, QualificationStatus, SizeClass

MONEY_HELP = _("元")


class DomainErrorsMixin:
    def add_domain_error(self, exc: errors.DomainError) -> None:
        field = exc.details.get("field") if isinstance(exc.details, dict) else None
        self.add_error(field if field in self.fields else None, f"{exc.message}({exc.code})")


class FilterForm(forms.Form):
    q = forms.CharField(label=_("名称或信用代码"), required=False, max_length=50)
    park = forms.ChoiceField(label=_("园区"), required=False)
    qualification = forms.ChoiceField(label=_("资质"), required=False)
    size = forms.ChoiceField(label=_("规模"), required=False,
                             choices=[("", _("全部"))] + list(SizeClass.choices))
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部"))] + list(EnterpriseStatus.choices))

    def __init__(self, *args, parks=(), kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["park"].choices = [("", _("全部"))] + [(p.code, p.name) for p in parks]
        self.fields["qualification"].choices = [("", _("全部"))] + [(k.code, k.name) for k in kinds]


class MetricsForm(DomainErrorsMixin, forms.Form):
    """One year's figures (the contact portal and the 360° page)."""

    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    revenue = forms.DecimalField(label=_("营业收入(元)"), required=False, max_digits=16, decimal_places=2)
    hightech_revenue = forms.DecimalField(label=_("高新技术产品(服务)收入(元)"), required=False, max_digits=16,
                                          decimal_places=2)
    main_business_revenue = forms.DecimalField(label=_("主营业务收入(元)"), required=False, max_digits=16,
                                               decimal_places=2)
    total_assets = forms.DecimalField(label=_("资产总额(元)"), required=False, max_digits=16, decimal_places=2)
    net_assets = forms.DecimalField(label=_("净资产(元)"), required=False, max_digits=16, decimal_places=2)
    total_liabilities = forms.DecimalField(label=_("负债总额(元)"), required=False, max_digits=16, decimal_places=2)
    rd_expense = forms.DecimalField(label=_("研发费用总额(元)"), required=False, max_digits=16, decimal_places=2)
    rd_expense_domestic = forms.DecimalField(label=_("其中境内研发费用(元)"), required=False, max_digits=16,
                                             decimal_places=2)
    staff = forms.IntegerField(label=_("职工总数(人)"), required=False)
    tech_staff = forms.IntegerField(label=_("科技人员(人)"), required=False)
    rd_staff = forms.IntegerField(label=_("研发人员(人)"), required=False)
    patents_applied = forms.IntegerField(label=_("当年专利申请(件)"), required=False)
    tax_paid = forms.DecimalField(label=_("纳税总额(元)"), required=False, max_digits=16, decimal_places=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in METRIC_FIELDS:
            self.fields[name].widget.attrs.update({"inputmode": "decimal" if name not in (
                "staff", "tech_staff", "rd_staff", "patents_applied") else "numeric"})

    def values(self) -> dict:
        """The figures filled in (blank ones are left as they were)."""
        return {k: v for k, v in self.cleaned_data.items() if k in METRIC_FIELDS and v is not None}


class QualificationForm(DomainErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("资质类别"))
    certificate_no = forms.CharField(label=_("证书编号/入库编号"), required=False, max_length=60)
    issuer = forms.CharField(label=_("认定机构"), required=False, max_length=100)
    issued_on = forms.DateField(label=_("认定日期"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(label=_("有效期至"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                  help_text=_("不填则按类别有效期推算"))
    status = forms.ChoiceField(label=_("状态"), choices=QualificationStatus.choices,
                               initial=QualificationStatus.RECOGNISED)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.code, k.name) for k in kinds]
        self.fields["idempotency_key"].initial = uuid.uuid4().hex


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件(.xlsx)"))
    dry_run = forms.BooleanField(label=_("只检查,不导入"), required=False)
