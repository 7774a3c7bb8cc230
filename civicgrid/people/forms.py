"""Input shape for the people pages. Field rules come from validation.py / idnumber.py so that the
pages give the same Chinese messages as the API (e.g. 身份证号校验位错误)."""

from __future__ import annotations

from django import forms

from civicgrid.core import errors
from civicgrid.core.inputs import TextField
from civicgrid.people import idnumber, validation
from civicgrid.people.choices import Relation, ResidenceType

REVEAL_REASONS = ["入户走访核实", "办理服务事项", "矛盾纠纷调处", "数据核对更正", "其他"]


def reason_text(reason: str, note: str = "") -> str:
    """The reason written to the audit log: the chosen reason, with the note after a colon."""
    note = (note or "").strip()
    return f"{reason}:{note}" if reason and note else reason


class SearchForm(forms.Form):
    """The resident search. The exact look-up fields (complete ID number or phone, with a reason) are there
    only for a viewer holding people.lookup_personal: `lookup=False` leaves them out."""

    q = forms.CharField(label="姓名", required=False, max_length=50,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": "姓名"}))
    id_number = forms.CharField(label="身份证号", required=False, max_length=32,
                                widget=forms.TextInput(attrs={"placeholder": "完整身份证号(精确查找)",
                                                              "autocomplete": "off"}))
    phone = forms.CharField(label="电话", required=False, max_length=32,
                            widget=forms.TextInput(attrs={"type": "tel", "placeholder": "完整号码(精确查找)",
                                                          "autocomplete": "off"}))
    reason = forms.ChoiceField(label="查找事由", required=False,
                               choices=[("", "按身份证号或电话查找时必选")] + [(r, r) for r in REVEAL_REASONS])
    note = forms.CharField(label="补充说明", required=False, max_length=150)
    region = forms.CharField(label="区域编码", required=False, max_length=20)
    tag = forms.ChoiceField(label="标签", required=False)

    LOOKUP_FIELDS = ("id_number", "phone", "reason", "note")

    def __init__(self, *args, tags=(), lookup: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].choices = [("", "全部")] + [(t.code, t.name) for t in tags]
        if not lookup:
            for name in self.LOOKUP_FIELDS:
                del self.fields[name]

    def reason_text(self) -> str:
        data = self.cleaned_data if self.is_valid() else {}
        return reason_text(data.get("reason", ""), data.get("note", ""))


class HouseholdSearchForm(forms.Form):
    q = forms.CharField(label="户编号/地址/成员姓名", required=False, max_length=50,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": "户编号、地址或成员姓名"}))
    region = forms.CharField(label="区域编码", required=False, max_length=20)


class ResidentForm(forms.Form):
    household = forms.TypedChoiceField(label="所属户", coerce=int)
    name = TextField(label="姓名", max_length=50)
    id_number = forms.CharField(label="身份证号", max_length=32,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}))
    phone = forms.CharField(label="联系电话", max_length=32, required=False,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}))
    relation = forms.ChoiceField(label="与户主关系", choices=Relation.choices, initial=Relation.OTHER)
    residence_type = forms.ChoiceField(label="人口类型", choices=ResidenceType.choices, initial=ResidenceType.REGISTERED)
    ethnicity = forms.CharField(label="民族", max_length=20, initial="汉族", required=False)

    # an action error whose code starts with a key belongs next to that field
    FIELD_BY_CODE_PREFIX = {"id_number": "id_number", "gender": "id_number", "birth_date": "id_number",
                            "phone": "phone", "name": "name", "household": "household"}

    def __init__(self, *args, households=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].choices = [(h.pk, f"{h.number} {h.address or h.room}".strip()) for h in households]
        for field in self.fields.values():
            field.error_messages["required"] = f"请填写{field.label}"

    def clean_id_number(self) -> str:
        try:
            return idnumber.parse(self.cleaned_data["id_number"]).number
        except errors.ValidationFailed as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None

    def clean_phone(self) -> str:
        try:
            return validation.clean_phone(self.cleaned_data.get("phone", ""))
        except errors.ValidationFailed as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None

    def add_domain_error(self, exc: errors.DomainError) -> None:
        """Put an action's error next to the field it concerns (by its code prefix), else on the form."""
        field = next((f for prefix, f in self.FIELD_BY_CODE_PREFIX.items() if exc.code.startswith(prefix)), None)
        self.add_error(field, exc.message)


class RevealForm(forms.Form):
    reason = forms.ChoiceField(label="查看事由", choices=[("", "请选择事由")] + [(r, r) for r in REVEAL_REASONS],
                               error_messages={"required": "请选择查看事由", "invalid_choice": "请选择查看事由"})
    note = forms.CharField(label="补充说明", max_length=150, required=False)

    def clean(self):
        data = super().clean()
        if data.get("reason") == "其他" and not data.get("note", "").strip():
            self.add_error("note", "选择“其他”时请填写补充说明")
        return data

    def reason_text(self) -> str:
        return reason_text(self.cleaned_data["reason"], self.cleaned_data.get("note", ""))


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件(.xlsx)", error_messages={"required": "请选择要上传的文件"})
    dry_run = forms.BooleanField(label="仅校验,不导入", required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 .xlsx 格式的 Excel 文件")
        if upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError("文件过大(最大20MB)")
        return upload
