"""Input shape for the campaign pages: the create form, the XLSForm upload, the rows of the form designer
and the answers posted by the no-script household form. Rules live in schema.py and the actions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from civicgrid.core.inputs import DayField, TextField
from civicgrid.gridops.campaigns import examples, schema
from civicgrid.gridops.campaigns.choices import CampaignKind

DESIGNER_KEYS = ("order", "name", "type", "label", "hint", "required", "choices", "relevant", "min", "max", "delete")


class CampaignForm(forms.Form):
    title = TextField(label=_("任务名称"), max_length=100)
    kind = forms.ChoiceField(label=_("任务类型"), choices=CampaignKind.choices, initial=CampaignKind.SCREENING)
    description = forms.CharField(label=_("说明"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    targets = forms.MultipleChoiceField(label=_("排查范围"), widget=forms.CheckboxSelectMultiple,
                                        help_text=_("可选多个社区或网格;所选区域内的全部在册户都要入户"))
    start_date = DayField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = DayField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))
    template = forms.ChoiceField(label=_("表单"), widget=forms.RadioSelect, initial="epidemic",
                                 choices=[(key, label) for key, (label, _form) in examples.TEMPLATES.items()],
                                 help_text=_("创建后可在表单设计页修改,或导入 XLSForm 表格"))

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["targets"].choices = [
            (r.code, f"{'　' * max(0, (len(r.code) - 12) // 3)}{r.name}({r.get_level_display()})") for r in regions]
        for field in self.fields.values():
            field.error_messages["required"] = f"请填写{field.label}"

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("end_date") and data["start_date"] > data["end_date"]:
            self.add_error("end_date", "结束日期早于开始日期")
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label=_("XLSForm 表格(.xlsx)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))


def designer_rows(definition: dict, extra: int = 1) -> list[dict]:
    """The designer's rows for a definition, plus `extra` blank rows."""
    rows = []
    for index, field in enumerate(definition.get("fields") or []):
        choices = "\n".join(f"{c['value']}={c['label']}" for c in field.get("choices") or [])
        rows.append({"index": index, "order": index + 1, "name": field["name"], "type": field["type"],
                     "label": field["label"], "hint": field.get("hint", ""), "required": field.get("required"),
                     "choices": choices, "relevant": field.get("relevant", ""),
                     "min": "" if field.get("min") is None else field["min"],
                     "max": "" if field.get("max") is None else field["max"], "errors": []})
    for index in range(len(rows), len(rows) + extra):
        rows.append(blank_row(index))
    return rows


def blank_row(index: int) -> dict:
    return {"index": index, "order": index + 1, "name": "", "type": "text", "label": "", "hint": "",
            "required": False, "choices": "", "relevant": "", "min": "", "max": "", "errors": []}


def _parse_choices(text: str) -> list[dict]:
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        value, sep, label = line.partition("=")
        out.append({"value": value.strip(), "label": (label if sep else value).strip()})
    return out


def rows_from_post(data) -> list[dict]:
    """The designer rows as posted (blank and deleted rows left out), sorted by their order number."""
    indexes = sorted({int(k.split("-")[1]) for k in data if k.startswith("f-") and k.split("-")[1].isdigit()})
    rows = []
    for index in indexes:
        row = {key: data.get(f"f-{index}-{key}", "") for key in DESIGNER_KEYS}
        row["index"], row["errors"] = index, []
        row["required"] = bool(row["required"])
        if row["delete"] or not (row["name"].strip() or row["label"].strip()):
            continue
        try:
            row["order"] = float(row["order"])
        except ValueError:
            row["order"] = float(index + 1)
        rows.append(row)
    rows.sort(key=lambda r: (r["order"], r["index"]))
    return rows


def definition_from_rows(rows: list[dict]) -> dict:
    fields = []
    for row in rows:
        field = {"name": row["name"].strip(), "type": row["type"], "label": row["label"].strip(),
                 "hint": row["hint"].strip(), "required": row["required"], "relevant": row["relevant"].strip()}
        if row["type"] in ("select_one", "select_multiple"):
            field["choices"] = _parse_choices(row["choices"])
        if row["type"] in schema.NUMBER_TYPES:
            field["min"], field["max"] = row["min"].strip(), row["max"].strip()
        fields.append(field)
    return {"fields": fields}


def answers_from_post(definition: dict, data, files) -> tuple[dict, dict[str, bytes]]:
    """Answers from the no-script household form: (answers, raw photo uploads by field)."""
    answers: dict = {}
    photos: dict[str, bytes] = {}
    for field in definition["fields"]:
        name, kind = field["name"], field["type"]
        if kind == "select_multiple":
            answers[name] = data.getlist(name)
        elif kind == "photo":
            upload = files.get(f"{name}__file")
            if upload:
                photos[name] = upload.read()
                answers[name] = schema.NEW_PHOTO
            elif data.get(name):
                answers[name] = data.get(name)
        elif data.get(name, "") != "":
            answers[name] = data.get(name)
    return answers, photos
