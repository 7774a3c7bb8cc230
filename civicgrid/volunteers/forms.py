"""Input shape for the volunteer pages: ordering, the board steps, registration, certificates, stats and
donations. Forms check shape only (required, formats, closed choices); every rule about orders, hours and
donations is the action's, and a DomainError it raises is shown next to the field it is about
(`DomainErrorMixin.add_domain_error`).
"""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from civicgrid.cases.choices import ContactPreference, Satisfaction
from civicgrid.cases.forms import DATE, DomainErrorMixin
from civicgrid.cases.intake import MAX_DESCRIPTION
from civicgrid.core import clock, errors
from civicgrid.core.inputs import DayField, TextField
from civicgrid.volunteers import actions, catalogue
from civicgrid.volunteers.choices import DonationKind

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
WEEKDAYS = (_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日"))
SLOT_LABELS = {"am": _("上午 8–12点"), "pm": _("下午 12–18点"), "eve": _("晚上 18–21点")}
QUALIFICATION_ROWS = 3


def _messages(form: forms.Form) -> None:
    """Chinese 'please fill in …' messages for every field (the shell's wording)."""
    for field in form.fields.values():
        field.error_messages["required"] = gettext("请填写%(label)s") % {"label": field.label}
        if isinstance(field, forms.ChoiceField):
            field.error_messages["invalid_choice"] = gettext("请选择有效的%(label)s") % {"label": field.label}


def _key(form: forms.Form) -> None:
    if not form.is_bound:
        form.initial.setdefault("idempotency_key", uuid.uuid4().hex)


def _aware(day, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment), timezone.get_current_timezone())


# ---- ordering ----------------------------------------------------------------------------------------

class OrderForm(DomainErrorMixin, forms.Form):
    FIELD_BY_CODE_PREFIX = {"service": "category", "category": "category", "case_type": "category",
                            "unknown_case_type": "category", "description": "description",
                            "window_reversed": "end", "window_too_long": "end", "window": "date",
                            "people_needed": "people_needed", "location": "region", "region": "region",
                            "contact": "contact_preference", "idempotency": None}

    category = forms.ChoiceField(label=_("服务项目"))
    description = TextField(label=_("需求描述"), max_length=MAX_DESCRIPTION, widget=forms.Textarea(
        attrs={"rows": 4, "placeholder": _("需要什么帮助?服务对象的情况、注意事项")}))
    date = DayField(label=_("希望服务的日期"), widget=DATE)
    start = forms.TimeField(label=_("开始时间"), widget=TIME, initial=time(9))
    end = forms.TimeField(label=_("结束时间"), widget=TIME, initial=time(11))
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    region = forms.ChoiceField(label=_("所在网格"), required=False)
    address = TextField(label=_("服务地址"), max_length=200, widget=forms.TextInput(
        attrs={"placeholder": _("小区、楼号、单元、门牌")}))
    on_behalf_of = forms.CharField(label=_("代老人下单:老人姓名"), max_length=50)
    contact_preference = forms.ChoiceField(
        label=_("希望的联系方式"), widget=forms.RadioSelect, initial=ContactPreference.PHONE,
        choices=[(c.value, c.label) for c in (ContactPreference.PHONE, ContactPreference.SMS, ContactPreference.ONLINE)])
    reporter_phone = forms.CharField(label=_("联系电话"), required=False, max_length=20,
                                     widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
    people_needed = forms.IntegerField(label=_("需要志愿者人数"), min_value=1, max_value=20, initial=1,
                                       widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    idempotency_key = forms.CharField(max_length=100, widget=forms.HiddenInput)

    def __init__(self, *args, channel: str, services: list, grids: list, service: str = "", phone: str = "",
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.channel = channel
        _key(self)
        self.fields["category"].choices = [("", gettext("请选择…"))] + services
        self.fields["region"].choices = [("", gettext("不选(以地图选点为准)"))] + grids
        codes = [code for _group, items in services for code, _name in items]
        if not self.is_bound:
            chosen = next((c for c in codes if c == service), "") or next(
                (c for c in codes if service and c.startswith(service)), "")
            self.initial.setdefault("category", chosen)
            self.initial.setdefault("date", timezone.localdate() + timedelta(days=1))
            self.initial.setdefault("reporter_phone", phone)
        if channel == "resident":
            del self.fields["on_behalf_of"]
        else:
            self.fields["reporter_phone"].label = gettext("老人(或家属)联系电话")
        _messages(self)
        self.fields["category"].error_messages["required"] = gettext("请选择服务项目")
        self.fields["description"].error_messages["required"] = gettext("请描述需要的帮助")
        self.fields["people_needed"].error_messages.update({
            "min_value": gettext("需要的志愿者人数须在1–20之间"), "max_value": gettext("需要的志愿者人数须在1–20之间")})

    def chosen_code(self) -> str:
        value = (self.data.get("category") if self.is_bound else self.initial.get("category")) or ""
        return str(value)

    def is_emergency(self) -> bool:
        return catalogue.service_of(self.chosen_code()) == catalogue.EMERGENCY

    def clean(self):
        data = super().clean()
        if (data.get("lat") is None) != (data.get("lng") is None):
            self.add_error("region", gettext("地图选点不完整,请重新点选"))
        elif data.get("lat") is None and not data.get("region") and "region" not in self.errors:
            self.add_error("region", gettext("请在地图上选点,或选择所在网格"))
        if data.get("contact_preference") in (ContactPreference.PHONE, ContactPreference.SMS) and \
                not (data.get("reporter_phone") or "").strip():
            self.add_error("reporter_phone", gettext("选择电话或短信联系时,请填写联系电话"))
        return data

    def order_input(self, reporter_name: str) -> actions.OrderInput:
        data = self.cleaned_data
        pinned = data["lat"] is not None
        return actions.OrderInput(
            category_code=data["category"], description=data["description"],
            window_start=_aware(data["date"], data["start"]), window_end=_aware(data["date"], data["end"]),
            lat=data["lat"], lng=data["lng"], address=data["address"],
            region_code="" if pinned else data["region"], channel=self.channel,
            reporter_name=reporter_name if self.channel == "resident" else "",
            reporter_phone=(data["reporter_phone"] or "").strip(), contact_preference=data["contact_preference"],
            people_needed=data["people_needed"], on_behalf_of=data.get("on_behalf_of", ""))


# ---- board steps -------------------------------------------------------------------------------------

class StepForm(DomainErrorMixin, forms.Form):
    """One step on an order: the case's event count when the page was drawn (a stale page gets 409)."""

    FIELD_BY_CODE_PREFIX = {"reason": "reason", "missing_fields": None}

    expected_event_count = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, order=None, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.prefix_name()}_{order.pk if order else 'x'}_%s")
        super().__init__(*args, **kwargs)
        self.order = order
        if order is not None and not self.is_bound:
            self.initial.setdefault("expected_event_count", order.case.event_count)

    @classmethod
    def prefix_name(cls) -> str:
        return cls.__name__.removesuffix("Form").lower()

    def finish(self) -> None:
        _messages(self)
        self.fields["expected_event_count"].error_messages["required"] = gettext("页面已过期,请刷新后重试")


class ConfirmForm(StepForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["expected_event_count"]


class ReviewForm(StepForm):
    decision = forms.ChoiceField(label=_("审单结果"), choices=[("approve", _("审核通过")), ("reject", _("不予受理"))],
                                 widget=forms.HiddenInput)
    reason = forms.CharField(label=_("不予受理的原因"), required=False, max_length=200,
                             widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("群众会看到这个原因")}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.finish()

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", gettext("请填写不予受理的原因"))
        return data


class DispatchForm(StepForm):
    FIELD_BY_CODE_PREFIX = {"station": "station", "department": "station"}

    station = forms.ChoiceField(label=_("派往实践站"), widget=forms.RadioSelect)

    def __init__(self, *args, stations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].choices = [(s.code, s.name) for s in stations]
        if not self.is_bound and stations:
            self.initial.setdefault("station", stations[0].code)
        self.finish()
        self.fields["station"].error_messages["required"] = gettext("请选择派往的实践站")


class AcceptForm(StepForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.finish()


class ReasonForm(StepForm):
    reason = TextField(label=_("原因"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, label: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["reason"].label = label
        self.finish()


class DeclineForm(ReasonForm):
    pass


class CancelForm(ReasonForm):
    pass


class AssignForm(StepForm):
    FIELD_BY_CODE_PREFIX = {"team": "team", "volunteer": "volunteers"}

    team = forms.ChoiceField(label=_("服务队伍"))
    volunteers = forms.TypedMultipleChoiceField(label=_("派出的志愿者"), coerce=int,
                                                widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, teams=(), members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(t.code, t.name) for t in teams]
        self.fields["volunteers"].choices = [(v.pk, v.name) for v in members]
        self.finish()
        self.fields["volunteers"].error_messages["required"] = gettext("请至少选择一名志愿者")
        self.fields["volunteers"].error_messages["invalid_choice"] = gettext("所选志愿者不是该队伍的成员")


class ContactForm(StepForm):
    comment = forms.CharField(label=_("联系情况"), max_length=1000, widget=forms.Textarea(
        attrs={"rows": 2, "placeholder": _("如:已电话联系,约定上门时间")}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.finish()


class CompleteForm(StepForm):
    """服务完成: the report, and for each volunteer sent whether they served and from when to when."""

    FIELD_BY_CODE_PREFIX = {"record": None, "records": None}

    report = forms.CharField(label=_("服务情况"), max_length=1000, widget=forms.Textarea(
        attrs={"rows": 3, "placeholder": _("做了什么、群众的情况、需要后续关注的事")}))

    def __init__(self, *args, volunteers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.volunteers = list(volunteers)
        order = self.order
        start = timezone.localtime(order.window_start).replace(tzinfo=None) if order else None
        # the service cannot have ended later than now: offer the end of the window or now, whichever is first
        end = timezone.localtime(max(min(order.window_end, clock.now()), order.window_start)).replace(
            tzinfo=None) if order else None
        for v in self.volunteers:
            self.fields[f"served_{v.pk}"] = forms.BooleanField(label=v.name, required=False, initial=True)
            self.fields[f"start_{v.pk}"] = forms.DateTimeField(label=_("开始"), required=False, widget=MOMENT,
                                                               initial=start)
            self.fields[f"end_{v.pk}"] = forms.DateTimeField(label=_("结束"), required=False, widget=MOMENT,
                                                             initial=end)
        self.finish()

    def add_domain_error(self, exc) -> None:
        """A service time refused (`time_in_future`, `outside_window`) goes next to that volunteer's time."""
        part = {"started_at": "start", "ended_at": "end"}.get(exc.field or "")
        name = f"{part}_{exc.details.get('volunteer_id')}" if part else ""
        if name in self.fields:
            self.add_error(name, exc.message)
        else:
            super().add_domain_error(exc)

    def rows(self):
        return [{"volunteer": v, "served": self[f"served_{v.pk}"], "start": self[f"start_{v.pk}"],
                 "end": self[f"end_{v.pk}"]} for v in self.volunteers]

    def clean(self):
        data = super().clean()
        served = [v for v in self.volunteers if data.get(f"served_{v.pk}")]
        if not served:
            self.add_error(None, gettext("请至少勾选一名参加服务的志愿者"))
        for v in served:
            for part in ("start", "end"):
                if data.get(f"{part}_{v.pk}") is None and f"{part}_{v.pk}" not in self.errors:
                    self.add_error(f"{part}_{v.pk}", gettext("请填写%(name)s的服务起止时间") % {"name": v.name})
        return data

    def records(self) -> list[actions.RecordInput]:
        data = self.cleaned_data
        return [actions.RecordInput(v.pk, data[f"start_{v.pk}"], data[f"end_{v.pk}"], "")
                for v in self.volunteers if data.get(f"served_{v.pk}")]


class RateForm(StepForm):
    FIELD_BY_CODE_PREFIX = {"satisfaction": "satisfaction", "unsatisfied": "comment"}

    satisfaction = forms.TypedChoiceField(label=_("满意度"), coerce=int, widget=forms.RadioSelect,
                                          choices=[(v, label) for v, label in Satisfaction.choices])
    # rating closes the order: an unsatisfied rating needs a written explanation (cases.actions)
    comment = forms.CharField(label=_("评价(不满意时必填)"), required=False, max_length=500,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.finish()
        self.fields["satisfaction"].error_messages["required"] = gettext("请选择满意度")

    def clean(self):
        data = super().clean()
        rating = data.get("satisfaction")
        if rating and rating <= Satisfaction.DISSATISFIED and not (data.get("comment") or "").strip():
            self.add_error("comment", gettext("评价为不满意时,请填写情况说明"))
        return data


# ---- registration ------------------------------------------------------------------------------------

class RegisterForm(DomainErrorMixin, forms.Form):
    FIELD_BY_CODE_PREFIX = {"id_number": "id_number", "volunteer_exists": "id_number", "name": "name",
                            "region": "region", "skills": "skills", "qualification": None,
                            "availability": "availability", "idempotency": None}

    name = TextField(label=_("真实姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号"), max_length=18, min_length=18,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}))
    phone = forms.RegexField(label=_("手机号"), regex=r"^1\d{10}$",
                             widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
    region = forms.ChoiceField(label=_("居住网格"))
    skills = forms.MultipleChoiceField(label=_("能提供的服务"), widget=forms.CheckboxSelectMultiple)
    availability = forms.MultipleChoiceField(label=_("每周可服务时间"), widget=forms.CheckboxSelectMultiple,
                                             required=False)
    service_radius_km = forms.FloatField(label=_("服务半径(公里)"), min_value=0.5, max_value=50, initial=5,
                                         widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.5"}))
    idempotency_key = forms.CharField(max_length=100, widget=forms.HiddenInput)

    def __init__(self, *args, services: list, grids: list, name: str = "", phone: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        _key(self)
        if not self.is_bound:
            self.initial.setdefault("name", name)
            self.initial.setdefault("phone", phone)
        self.fields["region"].choices = [("", gettext("请选择…"))] + grids
        self.fields["skills"].choices = services
        self.fields["availability"].choices = [(f"{d}-{slot}", f"{WEEKDAYS[d]} {label}")
                                               for d in range(7) for slot, label in SLOT_LABELS.items()]
        kinds = [("", gettext("(无)"))] + [(k, k) for k in catalogue.QUALIFICATIONS]
        for i in range(QUALIFICATION_ROWS):
            self.fields[f"cert_kind_{i}"] = forms.ChoiceField(label=_("证书类别"), required=False, choices=kinds)
            self.fields[f"cert_number_{i}"] = forms.CharField(label=_("证书编号"), required=False, max_length=60)
            self.fields[f"cert_until_{i}"] = DayField(label=_("有效期至(长期有效不填)"), required=False,
                                                             widget=DATE)
        _messages(self)
        self.fields["id_number"].error_messages.update({
            "min_length": gettext("身份证号须为18位"), "max_length": gettext("身份证号须为18位")})
        self.fields["phone"].error_messages["invalid"] = gettext("请填写11位手机号")
        self.fields["skills"].error_messages["required"] = gettext("请至少选择一项能提供的服务")

    def weekly(self):
        """The availability grid as (weekday, [slot keys]) rows for the template."""
        return [(WEEKDAYS[d], [f"{d}-{slot}" for slot in SLOT_LABELS]) for d in range(7)]

    def certificate_rows(self):
        return [(self[f"cert_kind_{i}"], self[f"cert_number_{i}"], self[f"cert_until_{i}"])
                for i in range(QUALIFICATION_ROWS)]

    def clean(self):
        data = super().clean()
        kinds = [data.get(f"cert_kind_{i}") for i in range(QUALIFICATION_ROWS) if data.get(f"cert_kind_{i}")]
        if len(kinds) != len(set(kinds)):
            self.add_error(None, gettext("同一类证书只需填写一次"))
        return data

    def volunteer_input(self) -> actions.VolunteerInput:
        from civicgrid.volunteers.queries.volunteers import AVAILABILITY_SLOTS

        data = self.cleaned_data
        qualifications = [{"kind": data[f"cert_kind_{i}"], "number": data[f"cert_number_{i}"].strip(),
                           "valid_until": data[f"cert_until_{i}"]}
                          for i in range(QUALIFICATION_ROWS) if data.get(f"cert_kind_{i}")]
        # adjacent slots of one day become one window (an order must fit inside one availability window)
        by_day: dict[int, list[tuple[time, time]]] = {}
        for value in data["availability"]:
            day, _, slot = value.partition("-")
            by_day.setdefault(int(day), []).append(AVAILABILITY_SLOTS[slot])
        availability = []
        for day, slots in sorted(by_day.items()):
            slots.sort()
            merged = [list(slots[0])]
            for start, end in slots[1:]:
                if start <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], end)
                else:
                    merged.append([start, end])
            availability += [{"weekday": day, "start": s, "end": e} for s, e in merged]
        return actions.VolunteerInput(
            name=data["name"], id_number=data["id_number"].strip().upper(), phone=data["phone"],
            region_code=data["region"], skills=list(data["skills"]), qualifications=qualifications,
            availability=availability, service_radius_km=data["service_radius_km"])


# ---- certificates, stats, donations ------------------------------------------------------------------

class IssueForm(DomainErrorMixin, forms.Form):
    FIELD_BY_CODE_PREFIX = {"site": "site", "no_confirmed": None}

    site = forms.ChoiceField(label=_("出具单位"))

    def __init__(self, *args, sites=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [(s.code, s.name) for s in sites]
        _messages(self)


class JoinTeamForm(DomainErrorMixin, forms.Form):
    FIELD_BY_CODE_PREFIX = {"team": "team", "volunteer": None}

    team = forms.ChoiceField(label=_("服务队伍"))
    is_leader = forms.BooleanField(label=_("任队长"), required=False)

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", gettext("请选择队伍"))] + [(t.code, f"{t.name}({t.site.name})")
                                                                    for t in teams]
        _messages(self)


class StatsForm(forms.Form):
    since = DayField(label=_("下单日期自"), required=False, widget=DATE)
    until = DayField(label=_("至"), required=False, widget=DATE)

    def period(self) -> dict:
        if not self.is_valid():
            return {"since": None, "until": None}
        return {"since": self.cleaned_data["since"], "until": self.cleaned_data["until"]}


class DonationForm(DomainErrorMixin, forms.Form):
    FIELD_BY_CODE_PREFIX = {"donation_kind": "kind", "donation_amount": "amount", "donor": "donor",
                            "idempotency": None}

    site = forms.ChoiceField(label=_("接收阵地"))
    donor = forms.CharField(label=_("捐赠人(单位)"), max_length=100)
    kind = forms.ChoiceField(label=_("捐赠类别"), choices=DonationKind.choices, widget=forms.RadioSelect,
                             initial=DonationKind.MONEY)
    amount = forms.DecimalField(label=_("金额(元,物资填估值)"), max_digits=12, decimal_places=2,
                                widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}))
    items = forms.CharField(label=_("物资说明(选填)"), required=False, max_length=200)
    idempotency_key = forms.CharField(max_length=100, widget=forms.HiddenInput)

    def __init__(self, *args, sites=(), **kwargs):
        super().__init__(*args, prefix="donation", **kwargs)
        _key(self)
        self.fields["site"].choices = [(s.code, s.name) for s in sites]
        _messages(self)
        self.fields["amount"].error_messages["invalid"] = gettext("请填写有效的金额")


class DistributionForm(DomainErrorMixin, forms.Form):
    FIELD_BY_CODE_PREFIX = {"household": "household", "distribution": "amount"}

    donation = forms.TypedChoiceField(label=_("从哪笔捐赠发放"), coerce=int)
    household = forms.CharField(label=_("受助家庭户编号"), max_length=40)
    amount = forms.DecimalField(label=_("发放金额(元,物资填估值)"), max_digits=12, decimal_places=2,
                                widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}))
    items = forms.CharField(label=_("发放物资说明(选填)"), required=False, max_length=200)

    def __init__(self, *args, donations=(), **kwargs):
        super().__init__(*args, prefix="distribution", **kwargs)
        self.fields["donation"].choices = [("", gettext("请选择…"))] + [
            (d.pk, f"{d.donor} · {d.get_kind_display()} {d.amount} 元") for d in donations]
        _messages(self)
        self.fields["amount"].error_messages["invalid"] = gettext("请填写有效的金额")


def batch_picks(data) -> list[actions.Pick]:
    """The ticked lines of a batch preview (`order` values, each with its `team_<id>`, `volunteers_<id>`
    and `count_<id>` as the preview rendered them). Malformed lines are 422 `picks_invalid`."""
    picks = []
    for raw in data.getlist("order"):
        try:
            oid = int(raw)
            vids = [int(v) for v in (data.get(f"volunteers_{oid}") or "").split(",") if v.strip()]
            count = int(data.get(f"count_{oid}") or "")
        except ValueError:
            raise errors.ValidationFailed(gettext("派单方案的数据有误,请重新生成方案"), code="picks_invalid") from None
        picks.append(actions.Pick(oid, (data.get(f"team_{oid}") or "").strip(), vids, count))
    return picks
