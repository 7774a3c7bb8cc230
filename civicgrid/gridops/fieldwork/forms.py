"""Input shape for the field-work pages. Forms check shape only (required, formats, closed choices); the
rules are the actions', and a DomainError they raise is shown next to the field it concerns."""

from __future__ import annotations

from django import forms

from civicgrid.core import errors
from civicgrid.core.inputs import DayField, TextField
from civicgrid.gridops.fieldwork.actions import FindingInput, OpinionInput
from civicgrid.gridops.fieldwork.choices import (
    ActivityKind,
    Condition,
    FollowUpMethod,
    JointKind,
    VisitPurpose,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
OPINION_ROWS = 3
FINDING_ROWS = 3


def _messages(form: forms.Form) -> None:
    for field in form.fields.values():
        field.error_messages["required"] = f"请填写{field.label}"
        if isinstance(field, forms.ChoiceField):
            field.error_messages["invalid_choice"] = f"请选择有效的{field.label}"


class FieldworkForm(forms.Form):
    # an action error whose code starts with a key belongs next to that field
    FIELD_BY_CODE_PREFIX: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _messages(self)

    def add_domain_error(self, exc: errors.DomainError) -> None:
        field = next((f for prefix, f in self.FIELD_BY_CODE_PREFIX.items() if exc.code.startswith(prefix)), exc.field)
        self.add_error(field if field in self.fields else None, exc.message)


class PeriodForm(forms.Form):
    start = DayField(label="开始日期", required=False, widget=DATE)
    end = DayField(label="结束日期", required=False, widget=DATE)
    region = forms.CharField(label="区域编码", required=False, max_length=20)


class VisitFilterForm(forms.Form):
    purpose = forms.ChoiceField(label="走访类型", required=False, choices=[("", "全部"), *VisitPurpose.choices])
    region = forms.CharField(label="区域编码", required=False, max_length=20)
    since = DayField(label="自", required=False, widget=DATE)
    until = DayField(label="至", required=False, widget=DATE)


class KeyPersonFilterForm(forms.Form):
    tag = forms.ChoiceField(label="类别", required=False)
    region = forms.CharField(label="区域编码", required=False, max_length=20)
    overdue = forms.BooleanField(label="只看超期未联系", required=False)

    def __init__(self, *args, tags=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].choices = [("", "全部")] + [(t.code, t.name) for t in tags]


class VisitForm(FieldworkForm):
    household = forms.TypedChoiceField(label="走访户", coerce=int)
    purpose = forms.ChoiceField(label="走访类型", choices=VisitPurpose.choices, initial=VisitPurpose.ROUTINE)
    visited_at = forms.DateTimeField(label="走访时间", required=False, widget=DATETIME, input_formats=DATETIME_FORMATS,
                                     help_text="不填为当前时间")
    persons_met = forms.CharField(label="接待人", required=False, max_length=200)
    participants = forms.CharField(label="同行人员", required=False, max_length=200)
    notes = forms.CharField(label="走访情况", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    next_follow_up_on = DayField(label="下次回访日期", required=False, widget=DATE)

    FIELD_BY_CODE_PREFIX = {"visited_at": "visited_at", "next_follow_up": "next_follow_up_on", "notes": "notes",
                            "participants": "participants", "persons_met": "persons_met", "household": "household"}

    def __init__(self, *args, households=(), categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].choices = [("", "请选择")] + [
            (h.pk, f"{h.number} {h.full_address}".strip()) for h in households]
        for i in range(1, OPINION_ROWS + 1):
            self.fields[f"op{i}_content"] = forms.CharField(label=f"意见建议{i}", required=False, max_length=2000,
                                                            widget=forms.Textarea(attrs={"rows": 2}))
            self.fields[f"op{i}_category"] = forms.ChoiceField(
                label="类别", required=False, choices=[("", "意见建议(默认)"), *categories])
            self.fields[f"op{i}_to_case"] = forms.BooleanField(label="转为案件", required=False)
        _messages(self)

    def opinion_rows(self):
        return [(self[f"op{i}_content"], self[f"op{i}_category"], self[f"op{i}_to_case"])
                for i in range(1, OPINION_ROWS + 1)]

    def opinions(self) -> list[OpinionInput]:
        data = self.cleaned_data
        return [OpinionInput(data[f"op{i}_content"], data[f"op{i}_category"], data[f"op{i}_to_case"])
                for i in range(1, OPINION_ROWS + 1) if data.get(f"op{i}_content", "").strip()]


class OpinionCaseForm(FieldworkForm):
    category = forms.ChoiceField(label="案件类别", required=False)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "意见建议(默认)"), *categories]


class FollowUpForm(FieldworkForm):
    method = forms.ChoiceField(label="联系方式", choices=FollowUpMethod.choices, initial=FollowUpMethod.HOME_VISIT)
    contacted_at = forms.DateTimeField(label="联系时间", required=False, widget=DATETIME,
                                       input_formats=DATETIME_FORMATS, help_text="不填为当前时间")
    condition = forms.ChoiceField(label="现实表现", choices=Condition.choices, initial=Condition.STABLE)
    with_police = forms.BooleanField(label="社区民警在场", required=False)
    notes = forms.CharField(label="帮扶情况", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    next_due_on = DayField(label="下次联系日期", required=False, widget=DATE,
                                  help_text="早于按频次计算的日期时生效")

    FIELD_BY_CODE_PREFIX = {"contacted_at": "contacted_at", "next_due": "next_due_on", "notes": "notes",
                            "method": "method", "condition": "condition", "police": "with_police"}


class EndForm(FieldworkForm):
    reason = TextField(label="解除原因", max_length=200)
    FIELD_BY_CODE_PREFIX = {"end_reason": "reason"}


class AssignForm(FieldworkForm):
    responsible_worker = forms.TypedChoiceField(label="责任人", coerce=int)
    police_liaison = forms.TypedChoiceField(label="社区民警", coerce=int, required=False, empty_value=None)
    contact_every_days = forms.IntegerField(label="个人联系频次(天)", required=False, min_value=1, max_value=365,
                                            help_text="不填则按标签频次和管控级别计算")

    FIELD_BY_CODE_PREFIX = {"worker": "responsible_worker", "police": "police_liaison",
                            "contact_every_days": "contact_every_days"}

    def __init__(self, *args, workers=(), police=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_worker"].choices = [("", "请选择")] + [(u.pk, str(u)) for u in workers]
        self.fields["police_liaison"].choices = [("", "暂不指定")] + [(u.pk, str(u)) for u in police]


class ScreeningForm(FieldworkForm):
    grid = forms.TypedChoiceField(label="网格", coerce=int)
    day = DayField(label="排查周期内日期", required=False, widget=DATE, help_text="不填为本期(半月一期)")
    no_new_disputes = forms.BooleanField(label="本期无新增矛盾纠纷", required=False)
    notes = forms.CharField(label="排查情况", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    FIELD_BY_CODE_PREFIX = {"period": "day", "screening_contradictory": "no_new_disputes",
                            "screening_empty": "no_new_disputes", "region_not_grid": "grid"}

    def __init__(self, *args, grids=(), categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].choices = [(g.pk, f"{g.name}({g.code})") for g in grids]
        for i in range(1, FINDING_ROWS + 1):
            self.fields[f"f{i}_description"] = forms.CharField(label=f"纠纷{i}", required=False, max_length=2000,
                                                               widget=forms.Textarea(attrs={"rows": 2}))
            self.fields[f"f{i}_category"] = forms.ChoiceField(label="类别", required=False, choices=categories)
            self.fields[f"f{i}_parties"] = forms.CharField(label="当事人", required=False, max_length=200)
        _messages(self)

    def finding_rows(self):
        return [(self[f"f{i}_description"], self[f"f{i}_category"], self[f"f{i}_parties"])
                for i in range(1, FINDING_ROWS + 1)]

    def findings(self) -> list[FindingInput]:
        data = self.cleaned_data
        return [FindingInput(data[f"f{i}_description"], data[f"f{i}_category"] or "20", data[f"f{i}_parties"])
                for i in range(1, FINDING_ROWS + 1) if data.get(f"f{i}_description", "").strip()]


class ReferToPoliceForm(FieldworkForm):
    reason = TextField(label="移交事由", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    department = forms.TypedChoiceField(label="接收单位", coerce=int, required=False, empty_value=None)

    FIELD_BY_CODE_PREFIX = {"reason": "reason", "department": "department"}

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", "所在地派出所(自动)")] + [(d.pk, d.name) for d in departments]


class PoliceReferralForm(FieldworkForm):
    region = forms.TypedChoiceField(label="发生地网格", coerce=int)
    category = forms.ChoiceField(label="问题类别")
    description = TextField(label="移交内容", max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    police_reference = forms.CharField(label="警情编号", required=False, max_length=40)
    address = forms.CharField(label="地址", required=False, max_length=200)

    FIELD_BY_CODE_PREFIX = {"description": "description", "category": "category", "police_reference":
                            "police_reference", "location": "region", "region": "region"}

    def __init__(self, *args, regions=(), categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "请选择")] + [(r.pk, f"{r.name}({r.code})") for r in regions]
        self.fields["category"].choices = [("", "请选择"), *categories]


class AnswerForm(FieldworkForm):
    decision = forms.ChoiceField(label="处理", choices=[("accept", "接收"), ("decline", "退回")])
    reply = forms.CharField(label="回复/退回说明", required=False, max_length=1000)
    FIELD_BY_CODE_PREFIX = {"reply": "reply"}


class JointRecordForm(FieldworkForm):
    kind = forms.ChoiceField(label="联动类型", choices=JointKind.choices)
    region = forms.TypedChoiceField(label="网格", coerce=int)
    started_at = forms.DateTimeField(label="开始时间", required=False, widget=DATETIME, input_formats=DATETIME_FORMATS,
                                     help_text="不填为当前时间")
    ended_at = forms.DateTimeField(label="结束时间", required=False, widget=DATETIME, input_formats=DATETIME_FORMATS)
    place = forms.CharField(label="地点", required=False, max_length=200)
    police_participants = forms.TypedMultipleChoiceField(label="参与民警", coerce=int, widget=forms.CheckboxSelectMultiple)
    grid_participants = forms.TypedMultipleChoiceField(label="参与网格员", coerce=int, widget=forms.CheckboxSelectMultiple)
    other_participants = forms.CharField(label="其他参与人员", required=False, max_length=200)
    summary = TextField(label="工作情况", max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))

    FIELD_BY_CODE_PREFIX = {"police_participants": "police_participants", "grid_participants": "grid_participants",
                            "summary": "summary", "started_at": "started_at", "ended": "ended_at",
                            "region": "region", "place": "place"}

    def __init__(self, *args, regions=(), police=(), workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "请选择")] + [(r.pk, f"{r.name}({r.code})") for r in regions]
        self.fields["police_participants"].choices = [(u.pk, str(u)) for u in police]
        self.fields["grid_participants"].choices = [(u.pk, str(u)) for u in workers]


class ActivityForm(FieldworkForm):
    region = forms.TypedChoiceField(label="网格", coerce=int)
    kind = forms.ChoiceField(label="活动类型", choices=ActivityKind.choices, initial=ActivityKind.LAW)
    title = TextField(label="活动名称", max_length=100)
    place = TextField(label="活动地点", max_length=200)
    held_on = DayField(label="活动日期", widget=DATE)
    attendance = forms.IntegerField(label="参加人数", min_value=0, max_value=100000)
    notes = forms.CharField(label="活动情况", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    FIELD_BY_CODE_PREFIX = {"held_on": "held_on", "attendance": "attendance", "title": "title", "place": "place",
                            "region": "region", "kind": "kind"}

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "请选择")] + [(r.pk, f"{r.name}({r.code})") for r in regions]
