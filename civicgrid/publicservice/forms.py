"""Input shapes of the public-service pages (the actions check the rules)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from civicgrid.publicservice.choices import Delivery

SATISFACTION = [("5", "非常满意"), ("4", "满意"), ("3", "基本满意"), ("2", "不满意"), ("1", "非常不满意")]
METHODS = [("phone", "电话"), ("visit", "上门"), ("sms", "短信"), ("online", "网上")]


class ApplyForm(forms.Form):
    """The online application of one item: fields and uploads are added from the item's catalogue row."""

    office = forms.ChoiceField(label=_("办理机构"))
    applicant_name = forms.CharField(label=_("申请人姓名"), max_length=50)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    delivery = forms.ChoiceField(label=_("结果送达方式"), choices=Delivery.choices, widget=forms.RadioSelect,
                                 initial=Delivery.COUNTER)
    mail_city = forms.CharField(label=_("收件城市"), max_length=40, required=False,
                                help_text=_("邮寄送达时填写,可寄往外地"))
    mail_address = forms.CharField(label=_("详细地址(含收件人)"), max_length=200, required=False)

    def __init__(self, *args, item, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        self.fields["office"].choices = [(o.code, o.name) for o in offices]
        for f in item.fields:
            self.fields[f"field_{f['key']}"] = forms.CharField(label=f["label"], max_length=300,
                                                                required=bool(f.get("required")))
        for m in item.materials:
            self.fields[f"material_{m['key']}"] = forms.FileField(
                label=m["label"], required=False,
                help_text=_("PDF 扫描件或照片") + ("" if m.get("required") else _("(选填)")),
                widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png,image/webp"}))

    def answers(self) -> dict:
        return {f["key"]: self.cleaned_data.get(f"field_{f['key']}", "") for f in self.item.fields}

    def uploads(self) -> dict:
        out = {}
        for m in self.item.materials:
            upload = self.cleaned_data.get(f"material_{m['key']}")
            if upload:
                out[m["key"]] = upload.read()
        return out


class HardCaseForm(forms.Form):
    category = forms.ChoiceField(label=_("问题类型"))
    description = forms.CharField(label=_("反映的问题"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    tried_before = forms.CharField(label=_("此前在哪里办过"), max_length=300, required=False,
                                   help_text=_("例如:某窗口、某部门,去过几次"))
    name = forms.CharField(label=_("来访人姓名"), max_length=50, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)

    def __init__(self, *args, categories, counter: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = categories
        if not counter:
            del self.fields["name"]
            del self.fields["phone"]
        else:
            self.fields["name"].required = True


class MeetingForm(forms.Form):
    held_at = forms.DateTimeField(label=_("会商时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                  input_formats=["%Y-%m-%dT%H:%M"])
    attendees = forms.CharField(label=_("参会人员"), max_length=300)
    departments = forms.MultipleChoiceField(label=_("参会部门"), widget=forms.CheckboxSelectMultiple)
    decisions = forms.CharField(label=_("会商决定"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].choices = departments
