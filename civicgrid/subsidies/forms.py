"""Page forms: the input shape only; the actions check the rest (their 422 codes come back on the form)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from civicgrid.core import errors


class _DomainErrors:
    def add_domain_error(self, exc: errors.DomainError) -> None:
        self.add_error(None, exc.message)


class ComputeForm(_DomainErrors, forms.Form):
    year = forms.IntegerField(label=_("考核年度"), min_value=2000, max_value=2100)


class ReviewForm(_DomainErrors, forms.Form):
    action = forms.ChoiceField(choices=[("approve", _("核准发放")), ("reject", _("不予发放"))])
    paid_on = forms.DateField(label=_("发放日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("凭证号"), max_length=40, required=False)
    reason = forms.CharField(label=_("不予发放理由"), max_length=200, required=False)


class BatchForm(_DomainErrors, forms.Form):
    programme = forms.ChoiceField(label=_("补贴项目"))
    file = forms.FileField(label=_("发放批次文件(.xlsx)"))

    def __init__(self, *args, programmes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [(p.code, p.name) for p in programmes]


class PeriodForm(forms.Form):
    programme = forms.CharField(required=False, max_length=40)
    since = forms.DateField(label=_("起"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("止"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


def period_filters(data) -> dict:
    """The disbursement list's programme and period (invalid: none), as the list and its export read them."""
    form = PeriodForm(data or None)
    return {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}


class RevealForm(_DomainErrors, forms.Form):
    reason = forms.CharField(label=_("查看事由"), max_length=200)
