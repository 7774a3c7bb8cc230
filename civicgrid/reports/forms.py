from django import forms
from django.utils.translation import gettext_lazy as _


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("报表"))
    month = forms.CharField(label=_("月份"), max_length=7, widget=forms.TextInput(attrs={"type": "month"}))
    region = forms.ChoiceField(label=_("区域"))
    format = forms.ChoiceField(label=_("格式"), choices=[("xlsx", "Excel"), ("pdf", "PDF")])

    def __init__(self, *args, kinds=(), regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.key, k.label) for k in kinds]
        self.fields["region"].choices = [(r.code, r.name) for r in regions]
