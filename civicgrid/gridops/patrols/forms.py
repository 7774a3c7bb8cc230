"""Input shape for the patrol pages. Forms check shape only; the actions decide, and a DomainError they
raise is shown next to the field it is about."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from civicgrid.cases.forms import DomainErrorMixin, ReportForm
from civicgrid.cases.models import Category
from civicgrid.core.inputs import DayField, TextField
from civicgrid.gridops.patrols import actions
from civicgrid.gridops.patrols.choices import FINDING_CASE_TYPES, CheckpointKind, PatrolStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StartForm(DomainErrorMixin, forms.Form):
    FIELD_BY_CODE_PREFIX = {"region": "region"}

    region = forms.ChoiceField(label=_("巡查网格"), required=False)
    idempotency_key = forms.CharField(max_length=100, widget=forms.HiddenInput)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, r.name) for r in regions]
        if len(regions) < 2:
            self.fields["region"].widget = forms.HiddenInput()
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
            if regions:
                self.initial.setdefault("region", regions[0].code)


class PatrolFilterForm(forms.Form):
    day = DayField(label=_("日期"), required=False, widget=DATE)
    region = forms.CharField(label=_("区域编码"), required=False, max_length=20,
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": _("前缀即可")}))
    status = forms.ChoiceField(label=_("状态"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", gettext("全部"))] + list(PatrolStatus.choices)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class ComplianceForm(forms.Form):
    day = DayField(label=_("日期"), widget=DATE)
    region = forms.ChoiceField(label=_("区域"), required=False)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", gettext("全部(本人辖区)"))] + [
            (r.code, f"{r.name}({r.get_level_display()})") for r in regions]


class FindingForm(ReportForm):
    """The case report form, channel 巡查发现, offering only the field case types; the place is required."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, channel="patrol", channels=["patrol"], **kwargs)
        allowed = set(Category.objects.filter(case_type__in=FINDING_CASE_TYPES, is_active=True)
                      .values_list("code", flat=True))
        groups = []
        for group in self.fields["category"].choices:
            name, items = group
            if isinstance(items, list | tuple):
                kept = [(code, label) for code, label in items if code in allowed]
                if kept:
                    groups.append((name, kept))
            else:
                groups.append(group)
        self.fields["category"].choices = groups

    def clean(self):
        data = super().clean()
        if data.get("lat") is None and "region" not in self.errors:
            self.add_error("region", gettext("请在地图上标出发现问题的位置"))
        return data


class CheckpointForm(DomainErrorMixin, forms.Form):
    FIELD_BY_CODE_PREFIX = {"region": "region", "checkpoint_outside": "lat", "name": "name", "kind": "kind",
                            "radius": "radius_m", "location": "lat"}

    region = forms.ChoiceField(label=_("所属网格"))
    name = TextField(label=_("点位名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=CheckpointKind.choices)
    lat = forms.FloatField(label=_("纬度"), min_value=-90, max_value=90)
    lng = forms.FloatField(label=_("经度"), min_value=-180, max_value=180)
    radius_m = forms.IntegerField(label=_("打卡半径(米)"), min_value=10, max_value=500, initial=50)
    is_required = forms.BooleanField(label=_("每日必巡"), required=False, initial=True)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, regions=(), fixed_region=None, **kwargs):
        super().__init__(*args, **kwargs)
        if fixed_region is not None:
            self.fields["region"].choices = [(fixed_region.code, fixed_region.name)]
            self.fields["region"].disabled = True
            self.initial["region"] = fixed_region.code
        else:
            self.fields["region"].choices = [("", gettext("请选择…"))] + [
                (r.code, f"{r.name}({r.code})") for r in regions]
            del self.fields["is_active"]

    def as_input(self) -> actions.CheckpointInput:
        d = self.cleaned_data
        return actions.CheckpointInput(region_code=d["region"], name=d["name"], kind=d["kind"], lat=d["lat"],
                                       lng=d["lng"], radius_m=d["radius_m"], is_required=d["is_required"],
                                       note=d.get("note") or "")
