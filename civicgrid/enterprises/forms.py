"""Input shapes of the enterprise pages. Forms check formats; the actions check the rules (their codes
come back on the form as field errors via `add_domain_error`)."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from civicgrid.core import errors
from civicgrid.enterprises.actions.registry import METRIC_FIELDS
from civicgrid.enterprises.choices import (
    Currency,
    EnterpriseStatus,
    Exchange,
    HighTechField,
    ListingBoard,
    Ownership,
    QualificationStatus,
    SizeClass,
)

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


def filter_form(data) -> FilterForm:
    from civicgrid.enterprises import queries

    return FilterForm(data or None, parks=queries.parks(), kinds=queries.qualification_kinds())


def list_filters(form: FilterForm, data) -> dict:
    """The list's filters (queries.filter_enterprises): the form's valid fields and the dashboards'
    `listing` link parameter; the list and its export read them alike."""
    filters = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    if data.get("listing"):
        filters["listing"] = str(data["listing"])[:20]
    return filters


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


class EnterpriseForm(DomainErrorsMixin, forms.Form):
    """Register or change an enterprise (the USCC and industry code are checked by the action)."""

    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=40)
    name = forms.CharField(label=_("企业名称"), max_length=200)
    park = forms.ChoiceField(label=_("园区"))
    industry_code = forms.CharField(label=_("行业代码(GB/T 4754-2017)"), max_length=6,
                                    help_text=_("如 C2614(有机化学原料制造)"))
    legal_rep = forms.CharField(label=_("法定代表人"), max_length=50, required=False)
    registered_on = forms.DateField(label=_("成立日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    registered_capital = forms.DecimalField(label=_("注册资本"), required=False, max_digits=16, decimal_places=2)
    currency = forms.ChoiceField(label=_("币种"), choices=Currency.choices, initial=Currency.CNY)
    ownership = forms.ChoiceField(label=_("企业类型"), choices=Ownership.choices, initial=Ownership.DOMESTIC)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    hightech_field = forms.ChoiceField(label=_("高新技术领域"), required=False,
                                       choices=[("", "—")] + list(HighTechField.choices))
    is_above_size = forms.BooleanField(label=_("规模以上企业"), required=False)
    listing_board = forms.ChoiceField(label=_("上市板块"), required=False, choices=ListingBoard.choices)
    exchange = forms.ChoiceField(label=_("交易所"), required=False, choices=Exchange.choices)
    stock_code = forms.CharField(label=_("证券代码"), max_length=12, required=False)
    status = forms.ChoiceField(label=_("经营状态"), choices=EnterpriseStatus.choices, initial=EnterpriseStatus.OPERATING)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def __init__(self, *args, parks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["park"].choices = [(p.code, p.name) for p in parks]
        self.fields["idempotency_key"].initial = uuid.uuid4().hex

    def enterprise_input(self):
        from civicgrid.enterprises.actions import EnterpriseInput

        data = {k: v for k, v in self.cleaned_data.items() if k != "idempotency_key"}
        return EnterpriseInput(**{**data, "hightech_field": data["hightech_field"] or "",
                                  "listing_board": data["listing_board"] or "", "exchange": data["exchange"] or ""})

    @staticmethod
    def initial_for(enterprise) -> dict:
        fields = ("uscc", "name", "industry_code", "legal_rep", "registered_on", "registered_capital", "currency",
                  "ownership", "address", "hightech_field", "is_above_size", "listing_board", "exchange", "stock_code",
                  "status")
        return {"park": enterprise.park.code, **{f: getattr(enterprise, f) for f in fields}}
