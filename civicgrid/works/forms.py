"""Input shape for the works pages; the rules (typed quantities, dates, the location inside the district)
are the actions', and their errors are shown next to the field they are about."""

from __future__ import annotations

import json
import uuid

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from civicgrid.cases.forms import DATE, DomainErrorMixin
from civicgrid.core.inputs import DayField, TextField
from civicgrid.works import actions
from civicgrid.works.choices import MEASURES, PhotoStage, WorkKind


class WorkForm(DomainErrorMixin, forms.Form):
    FIELD_BY_CODE_PREFIX = {"name": "name", "kind": "kind", "quantity": "quantities", "measure": "quantities",
                            "dates": "end_date", "budget": "budget", "department": "department_code",
                            "outside": "geometry", "geometry": "geometry", "ring": "geometry", "coordinates": "geometry",
                            "invalid_geometry": "geometry", "malformed": "geometry", "out_of_scope": "department_code"}

    name = TextField(label=_("项目名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=WorkKind.choices)
    department_code = forms.ChoiceField(label=_("责任部门"))
    lng = forms.FloatField(label=_("经度"), required=False)
    lat = forms.FloatField(label=_("纬度"), required=False)
    geometry = forms.CharField(label=_("或:范围(GeoJSON Polygon)"), required=False, max_length=200_000,
                               widget=forms.Textarea(attrs={"rows": 3, "placeholder": '{"type": "Polygon", "coordinates": [...]}'}))
    start_date = DayField(label=_("开工日期"), widget=DATE)
    end_date = DayField(label=_("计划完工日期"), widget=DATE)
    budget = forms.DecimalField(label=_("预算(元)"), max_digits=14, decimal_places=2)
    description = forms.CharField(label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department_code"].choices = [(d.code, d.name) for d in departments]
        for measure, (label, unit) in MEASURES.items():
            self.fields[f"q_{measure}"] = forms.DecimalField(label=f"{label}({unit})", required=False, max_digits=14,
                                                             decimal_places=2)
        for field in self.fields.values():
            field.error_messages["required"] = gettext("请填写%(label)s") % {"label": field.label}
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)

    def measure_fields(self):
        return [self[f"q_{m}"] for m in MEASURES]

    def clean(self):
        data = super().clean()
        if data.get("geometry"):
            try:
                data["geometry_json"] = json.loads(data["geometry"])
            except ValueError:
                self.add_error("geometry", gettext("范围应为 GeoJSON 文本"))
        elif data.get("lng") is not None and data.get("lat") is not None:
            data["geometry_json"] = {"type": "Point", "coordinates": [data["lng"], data["lat"]]}
        else:
            self.add_error("lng", gettext("请填写位置:经纬度,或范围"))
        return data

    def work_input(self) -> actions.WorkInput:
        d = self.cleaned_data
        quantities = {m: d[f"q_{m}"] for m in MEASURES if d.get(f"q_{m}") is not None}
        return actions.WorkInput(name=d["name"], kind=d["kind"], department_code=d["department_code"],
                                 geometry=d["geometry_json"], start_date=d["start_date"], end_date=d["end_date"],
                                 budget=d["budget"], quantities=quantities, description=d.get("description") or "")


class PhotoForm(forms.Form):
    stage = forms.ChoiceField(label=_("照片"), choices=PhotoStage.choices, widget=forms.RadioSelect)
    photo = forms.FileField(label=_("选择照片"), widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))
