"""Input shape for the good-people pages. Forms check shape only; the rules (consent, the notice period,
objections before listing) are the actions', and their errors are shown next to the field they are about."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from civicgrid.cases.forms import DomainErrorMixin
from civicgrid.core.inputs import TextField
from civicgrid.geo.choices import RegionLevel
from civicgrid.geo.models import Region
from civicgrid.recognition import actions
from civicgrid.recognition.choices import Category, ObjectionOutcome, Source


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def _messages(form: forms.Form) -> None:
    for field in form.fields.values():
        field.error_messages["required"] = gettext("请填写%(label)s") % {"label": field.label}
        if isinstance(field, forms.ChoiceField):
            field.error_messages["invalid_choice"] = gettext("请选择有效的%(label)s") % {"label": field.label}


def community_choices() -> list[tuple[str, str]]:
    communities = Region.objects.filter(level=RegionLevel.COMMUNITY, is_active=True).select_related("parent")
    return [("", gettext("请选择社区"))] + [(r.code, f"{r.parent.name} · {r.name}") for r in communities.order_by("code")]


class NominateForm(DomainErrorMixin, forms.Form):
    FIELD_BY_CODE_PREFIX = {"consent": "consent_story", "category": "category", "nominee_name": "nominee_name",
                            "phone": "nominee_phone", "nominee_phone": "nominee_phone", "region": "region_code",
                            "title": "title", "story": "story", "material": "materials", "too_many": "materials",
                            "photo": "photo", "nomination_open": None, "idempotency": None}

    source = forms.ChoiceField(label=_("推荐方式"), choices=Source.choices, widget=forms.RadioSelect, initial="self")
    nominee_name = TextField(label=_("被推荐人姓名"), max_length=50)
    nominee_phone = forms.CharField(label=_("被推荐人手机号"), max_length=20, help_text=_("仅供社区核实联系,不会公开"),
                                    widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    relation = forms.CharField(label=_("您与被推荐人的关系"), max_length=30, required=False,
                               help_text=_("推荐他人时填写,如:邻居、同事"))
    region_code = forms.ChoiceField(label=_("所在社区"))
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices, widget=forms.RadioSelect)
    title = TextField(label=_("事迹标题"), max_length=60, widget=forms.TextInput(attrs={"placeholder": _("一句话概括")}))
    story = TextField(label=_("事迹"), max_length=3000, widget=forms.Textarea(
        attrs={"rows": 6, "placeholder": _("做了什么、持续多久、帮助了谁")}))
    photo = forms.FileField(label=_("本人照片(可选)"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
    materials = MultipleFileField(label=_("证明材料(照片或 PDF,可选)"), required=False)
    consent_story = forms.BooleanField(label=_("被推荐人同意公开事迹"), required=False)
    consent_name = forms.BooleanField(label=_("同意公开姓名(不同意则显示为“某某同志”)"), required=False)
    consent_photo = forms.BooleanField(label=_("同意公开照片"), required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = community_choices()
        _messages(self)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)

    def nomination_input(self) -> actions.NominationInput:
        d = self.cleaned_data
        return actions.NominationInput(
            source=d["source"], nominee_name=d["nominee_name"], nominee_phone=d["nominee_phone"],
            region_code=d["region_code"], category=d["category"], title=d["title"], story=d["story"],
            relation=d.get("relation") or "", consent_name=d["consent_name"], consent_photo=d["consent_photo"],
            consent_story=d["consent_story"], photo=d["photo"].read() if d.get("photo") else None,
            materials=[f.read() for f in d.get("materials") or []])


class ConsentForm(forms.Form):
    name = forms.BooleanField(label=_("公开姓名"), required=False)
    photo = forms.BooleanField(label=_("公开照片"), required=False)
    story = forms.BooleanField(label=_("公开事迹"), required=False)

    def consent(self) -> actions.Consent:
        return actions.Consent(name=self.cleaned_data["name"], photo=self.cleaned_data["photo"],
                               story=self.cleaned_data["story"])


class StepForm(forms.Form):
    comment = forms.CharField(label=_("意见"), max_length=300, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class ObjectionForm(DomainErrorMixin, forms.Form):
    FIELD_BY_CODE_PREFIX = {"contact_name": "contact_name", "contact_phone": "contact_phone",
                            "objection": "body", "notice": None}

    contact_name = TextField(label=_("您的姓名"), max_length=50)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, help_text=_("仅供文明办答复联系,不会公开"),
                                    widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    body = TextField(label=_("异议内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _messages(self)


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(label=_("结论"), choices=ObjectionOutcome.choices, widget=forms.RadioSelect)
    answer = TextField(label=_("答复"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _messages(self)
