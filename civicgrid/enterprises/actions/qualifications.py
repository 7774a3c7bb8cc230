"""Qualifications (资质) and their kinds, patents, and the expiry reminders the task queue sends."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from civicgrid.accounts.models import RoleAssignment
from civicgrid.cases.models import Notification
from civicgrid.core import audit, clock, errors
from civicgrid.core.idempotency import run_once
from civicgrid.core.scoping import get_visible, require
from civicgrid.enterprises import patentno
from civicgrid.enterprises.actions._common import enterprise_for, text
from civicgrid.enterprises.choices import (
    DEFAULT_IP_CLASS,
    HELD_STATUSES,
    IpClass,
    PatentKind,
    PatentStatus,
    QualificationLevel,
    QualificationStatus,
)
from civicgrid.enterprises.models import (
    VIEW,
    Enterprise,
    Park,
    Patent,
    Qualification,
    QualificationKind,
    QualificationReminder,
)

CHANGE = "enterprises.change_enterprise"
CATALOGUE = "enterprises.manage_catalogue"


def _today() -> date:
    return timezone.localtime(clock.now()).date()


# --- kinds ------------------------------------------------------------------------------------------


def add_qualification_kind(*, actor, code: str, name: str, level: str, validity_years: int | None = None,
                           description: str = "", sort: int = 100) -> QualificationKind:
    require(actor, CATALOGUE)
    code = text(code, 40)
    if not code or not code.replace("_", "").isalnum() or not code.isascii():
        raise errors.ValidationFailed("类别编码只能用字母、数字和下划线", code="kind_code_invalid")
    if level not in QualificationLevel.values:
        raise errors.ValidationFailed("级别无效", code="kind_level_invalid")
    if validity_years is not None and not 1 <= int(validity_years) <= 20:
        raise errors.ValidationFailed("有效期须为1至20年", code="kind_validity_invalid")
    with transaction.atomic():
        kind, created = QualificationKind.objects.update_or_create(code=code, defaults={
            "name": text(name, 60) or code, "level": level, "validity_years": validity_years,
            "description": text(description, 200), "sort": sort, "is_active": True})
        audit.record(actor=actor, action="enterprises.add_qualification_kind", obj=kind, details={"created": created})
    return kind


# --- qualifications -----------------------------------------------------------------------------------


@dataclass
class QualificationInput:
    kind: str  # QualificationKind.code
    issued_on: date
    valid_until: date | None = None  # None: the kind's validity period from issued_on (or no end)
    certificate_no: str = ""
    issuer: str = ""
    batch: str = ""
    status: str = QualificationStatus.RECOGNISED


def default_valid_until(kind: QualificationKind, issued_on: date) -> date | None:
    """The day before the anniversary `validity_years` later (a 3-year certificate of 2024-11-28 runs to
    2027-11-27)."""
    if not kind.validity_years:
        return None
    try:
        end = issued_on.replace(year=issued_on.year + kind.validity_years)
    except ValueError:  # 29 February
        end = issued_on.replace(year=issued_on.year + kind.validity_years, day=28)
    return end - timedelta(days=1)


def clean_qualification(data: QualificationInput, today: date) -> dict:
    kind = QualificationKind.objects.filter(code=data.kind, is_active=True).first()
    if kind is None:
        raise errors.ValidationFailed("资质类别不存在", code="qualification_kind_unknown", details={"field": "kind"})
    if data.status not in QualificationStatus.values:
        raise errors.ValidationFailed("资质状态无效", code="qualification_status_invalid", details={"field": "status"})
    if data.issued_on is None:
        raise errors.ValidationFailed("请填写认定日期", code="issued_on_required", details={"field": "issued_on"})
    if data.issued_on > today:
        raise errors.ValidationFailed("认定日期不能晚于今天", code="issued_on_future", details={"field": "issued_on"})
    valid_until = data.valid_until if data.valid_until is not None else default_valid_until(kind, data.issued_on)
    if valid_until is not None and valid_until < data.issued_on:
        raise errors.ValidationFailed("有效期至不能早于认定日期", code="valid_until_before_issue",
                                      details={"field": "valid_until"})
    return {"kind": kind, "issued_on": data.issued_on, "valid_until": valid_until, "status": data.status,
            "certificate_no": text(data.certificate_no, 60), "issuer": text(data.issuer, 100),
            "batch": text(data.batch, 40)}


def record_qualification(*, actor, enterprise_id: int, data: QualificationInput,
                         idempotency_key: str | None = None) -> Qualification:
    enterprise = enterprise_for(actor, enterprise_id)
    require(actor, CHANGE, enterprise)
    values = clean_qualification(data, _today())

    def create() -> Qualification:
        qualification = Qualification.objects.create(enterprise=enterprise, recorded_by=actor, **values)
        audit.record(actor=actor, action="enterprises.record_qualification", obj=qualification,
                     details={"enterprise": enterprise.pk, "kind": values["kind"].code,
                              "valid_until": str(values["valid_until"] or "")})
        return qualification

    with transaction.atomic():
        qualification, _ = run_once(key=idempotency_key, actor=actor, action="enterprises.record_qualification",
                                    model=Qualification, create=create,
                                    body={"enterprise": enterprise.pk, **dataclasses.asdict(data)})
    return qualification


def set_qualification_status(*, actor, qualification_id: int, status: str, valid_until: date | None = None
                             ) -> Qualification:
    """Move a qualification on (公示 → 认定, 复核, 撤销) or extend its valid-until (a renewal)."""
    qualification = get_visible(Qualification.objects.select_related("enterprise"), actor, VIEW, pk=qualification_id)
    require(actor, CHANGE, qualification.enterprise)
    if status not in QualificationStatus.values:
        raise errors.ValidationFailed("资质状态无效", code="qualification_status_invalid")
    if valid_until is not None and valid_until < qualification.issued_on:
        raise errors.ValidationFailed("有效期至不能早于认定日期", code="valid_until_before_issue")
    with transaction.atomic():
        qualification = Qualification.objects.select_for_update().get(pk=qualification.pk)
        before = {"status": qualification.status, "valid_until": str(qualification.valid_until or "")}
        qualification.status = status
        if valid_until is not None:
            qualification.valid_until = valid_until
        qualification.save(update_fields=["status", "valid_until"])
        audit.record(actor=actor, action="enterprises.set_qualification_status", obj=qualification,
                     details={"before": before, "status": status, "valid_until": str(qualification.valid_until or "")})
    return qualification


# --- patents ----------------------------------------------------------------------------------------


@dataclass
class PatentInput:
    kind: str
    number: str
    title: str
    granted_on: date | None = None
    applied_on: date | None = None
    status: str = PatentStatus.VALID
    ended_on: date | None = None
    ip_class: str = ""  # default from the kind: invention and IC layout I, the others II


def clean_patent(data: PatentInput, today: date) -> dict:
    if data.kind not in PatentKind.values:
        raise errors.ValidationFailed("知识产权类型无效", code="patent_kind", details={"field": "kind"})
    try:
        number = patentno.validate(data.kind, data.number)
    except patentno.PatentNumberError as exc:
        raise errors.ValidationFailed(exc.message, code=exc.code, details={"field": "number"}) from None
    title = text(data.title, 200)
    if not title:
        raise errors.ValidationFailed("请填写名称", code="patent_title_required", details={"field": "title"})
    if data.status not in PatentStatus.values:
        raise errors.ValidationFailed("状态无效", code="patent_status_invalid", details={"field": "status"})
    ip_class = data.ip_class or DEFAULT_IP_CLASS[PatentKind(data.kind)]
    if ip_class not in IpClass.values:
        raise errors.ValidationFailed("知识产权分类须为 I 或 II", code="ip_class_invalid", details={"field": "ip_class"})
    for day, name in ((data.granted_on, "granted_on"), (data.applied_on, "applied_on"), (data.ended_on, "ended_on")):
        if day is not None and day > today:
            raise errors.ValidationFailed("日期不能晚于今天", code="patent_date_future", details={"field": name})
    if data.applied_on and data.granted_on and data.granted_on < data.applied_on:
        raise errors.ValidationFailed("授权日不能早于申请日", code="granted_before_applied",
                                      details={"field": "granted_on"})
    ended_on = data.ended_on
    if data.status == PatentStatus.VALID:
        ended_on = None
    elif ended_on is None:
        raise errors.ValidationFailed("失效、期满或转让须填写终止日期", code="patent_ended_on_required",
                                      details={"field": "ended_on"})
    if data.status == PatentStatus.VALID and data.granted_on is None:
        raise errors.ValidationFailed("有效的知识产权须填写授权(登记)日期", code="patent_granted_on_required",
                                      details={"field": "granted_on"})
    return {"kind": data.kind, "number": number, "title": title, "granted_on": data.granted_on,
            "applied_on": data.applied_on, "status": data.status, "ended_on": ended_on, "ip_class": ip_class}


def record_patent(*, actor, enterprise_id: int, data: PatentInput, idempotency_key: str | None = None) -> Patent:
    enterprise = enterprise_for(actor, enterprise_id)
    require(actor, CHANGE, enterprise)
    values = clean_patent(data, _today())

    def create() -> Patent:
        if Patent.objects.filter(kind=values["kind"], number=values["number"]).exists():
            raise errors.Conflict("该编号已登记", code="patent_number_taken")
        patent = Patent.objects.create(enterprise=enterprise, recorded_by=actor, **values)
        audit.record(actor=actor, action="enterprises.record_patent", obj=patent,
                     details={"enterprise": enterprise.pk, "kind": patent.kind, "number": patent.number})
        return patent

    try:
        with transaction.atomic():
            patent, _ = run_once(key=idempotency_key, actor=actor, action="enterprises.record_patent", model=Patent,
                                 create=create, body={"enterprise": enterprise.pk, **dataclasses.asdict(data)})
    except IntegrityError as exc:
        if "uniq_patent_number" in str(exc) or "number" in str(exc):
            raise errors.Conflict("该编号已登记", code="patent_number_taken") from None
        raise
    return patent


def set_patent_status(*, actor, patent_id: int, status: str, ended_on: date | None = None) -> Patent:
    patent = get_visible(Patent.objects.select_related("enterprise"), actor, VIEW, pk=patent_id)
    require(actor, CHANGE, patent.enterprise)
    if status not in PatentStatus.values:
        raise errors.ValidationFailed("状态无效", code="patent_status_invalid")
    if status != PatentStatus.VALID and ended_on is None:
        raise errors.ValidationFailed("失效、期满或转让须填写终止日期", code="patent_ended_on_required")
    if ended_on is not None and patent.granted_on and ended_on < patent.granted_on:
        raise errors.ValidationFailed("终止日期不能早于授权日", code="ended_before_granted")
    with transaction.atomic():
        patent = Patent.objects.select_for_update().get(pk=patent.pk)
        before = patent.status
        patent.status, patent.ended_on = status, (None if status == PatentStatus.VALID else ended_on)
        patent.save(update_fields=["status", "ended_on"])
        audit.record(actor=actor, action="enterprises.set_patent_status", obj=patent,
                     details={"before": before, "status": status, "ended_on": str(patent.ended_on or "")})
    return patent


# --- expiry reminders --------------------------------------------------------------------------------


def officer_ids(enterprise: Enterprise, park: Park) -> list[int]:
    """The enterprise officers whose reach covers the enterprise: its park's office and the zone's departments."""
    departments = list(park.zone.departments.values_list("id", flat=True))
    if park.office_id:
        departments.append(park.office_id)
    return list(RoleAssignment.objects.filter(is_active=True, user__is_active=True, role="enterprise_officer",
                                              department_id__in=departments)
                .values_list("user_id", flat=True).distinct())


def send_expiry_reminders(*, today: date | None = None, thresholds: tuple[int, ...] | None = None) -> int:
    """Remind the officers and contacts of every held qualification whose valid-until is at most a
    threshold away (90 and 30 days by default, ENTERPRISE_REMINDER_DAYS). Each (qualification,
    threshold, valid-until) is sent once: its QualificationReminder row is written first and a second run
    finds it. A late run sends only the nearest threshold reached. Returns the reminders sent."""
    today = today or _today()
    thresholds = tuple(sorted(thresholds or settings.ENTERPRISE_REMINDER_DAYS or (90, 30)))
    horizon = today + timedelta(days=max(thresholds))
    due = (Qualification.objects.filter(status__in=HELD_STATUSES, valid_until__gte=today, valid_until__lte=horizon)
           .select_related("kind", "enterprise", "enterprise__park", "enterprise__park__zone").order_by("valid_until"))
    sent = 0
    officers: dict[int, list[int]] = {}
    for qualification in due:
        left = (qualification.valid_until - today).days
        threshold = next(t for t in thresholds if left <= t)  # the nearest threshold reached
        if QualificationReminder.objects.filter(qualification=qualification, valid_until=qualification.valid_until,
                                                threshold_days__lte=threshold).exists():
            continue  # this one (or a nearer one, on a late run) went out already
        enterprise = qualification.enterprise
        park = enterprise.park
        if park.pk not in officers:
            officers[park.pk] = officer_ids(enterprise, park)
        contacts = list(enterprise.contacts.filter(is_active=True, user__is_active=True)
                        .values_list("user_id", flat=True))
        recipients = list(dict.fromkeys([*officers[park.pk], *contacts]))
        message = (f"【资质到期提醒】{enterprise.name}的“{qualification.kind.name}”"
                   f"(证书{qualification.certificate_no or '未填编号'})将于{qualification.valid_until:%Y年%m月%d日}到期,"
                   f"还有{left}天,请及时办理复审或重新认定。")
        try:
            with transaction.atomic():
                QualificationReminder.objects.create(qualification=qualification, threshold_days=threshold,
                                                     valid_until=qualification.valid_until,
                                                     recipients=len(recipients), sent_at=clock.now())
                Notification.objects.bulk_create([Notification(user_id=uid, kind="qualification_expiry",
                                                               text=message[:300]) for uid in recipients])
                audit.record(actor=None, action="enterprises.qualification_reminder", obj=qualification,
                             details={"threshold_days": threshold, "valid_until": str(qualification.valid_until),
                                      "recipients": len(recipients)})
        except IntegrityError:
            continue  # a concurrent run sent it first
        sent += 1
    return sent
