"""Every write of the volunteer platform. An order's steps are case transitions (cases.actions) made in
the same transaction as the order's own rows, so the engine decides who may do what, and the order, the
case and its hash-chained events never disagree."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from civicgrid.accounts.models import Department, DepartmentKind, RoleAssignment
from civicgrid.cases import notify
from civicgrid.cases.actions import submit_case, transition_case
from civicgrid.cases.intake import IntakeInput
from civicgrid.core import audit, clock, crypto, errors
from civicgrid.core.idempotency import run_once
from civicgrid.core.scoping import get_visible, require
from civicgrid.geo.models import Region
from civicgrid.people import idnumber
from civicgrid.volunteers import catalogue, matching, queries
from civicgrid.volunteers.choices import DonationKind, RecordStatus, SiteLevel, VolunteerStatus
from civicgrid.volunteers.models import (
    Availability,
    Distribution,
    Donation,
    Membership,
    Order,
    PracticeSite,
    Qualification,
    RecordCorrection,
    ServiceCertificate,
    ServiceRecord,
    Team,
    Volunteer,
)

MAX_WINDOW = timedelta(hours=12)  # one order is one visit; longer help is several orders
MAX_AHEAD = timedelta(days=60)
HOUR = Decimal("0.01")


def _order(actor, order_id: int) -> Order:
    return get_visible(Order.objects.select_related("case", "station", "team"), actor, pk=order_id)


def _step(actor, order: Order, action: str, *, comment: str = "", facts: dict | None = None,
          expected_event_count: int | None = None):
    result = transition_case(actor=actor, case_id=order.case_id, action=action, comment=comment, facts=facts,
                             expected_event_count=expected_event_count, managed=True)
    order.case = result.case
    return result


def _role_user_ids(role: str, *, department_ids=None, region_code: str | None = None) -> list[int]:
    qs = RoleAssignment.objects.filter(is_active=True, user__is_active=True, role=role)
    if department_ids is not None:
        qs = qs.filter(department_id__in=list(department_ids))
    if region_code is not None:
        qs = qs.filter(region__isnull=False)
        qs = [a for a in qs.select_related("region") if region_code.startswith(a.region.code)]
        return [a.user_id for a in qs]
    return list(qs.values_list("user_id", flat=True))


# --- ordering ----------------------------------------------------------------------------------------

@dataclass
class OrderInput:
    category_code: str
    description: str
    window_start: datetime
    window_end: datetime
    lat: float | None = None
    lng: float | None = None
    address: str = ""
    region_code: str = ""
    channel: str = "resident"  # resident (self), grid (a grid worker for an elderly resident), hotline
    reporter_name: str = ""
    reporter_phone: str = ""
    contact_preference: str = "phone"
    people_needed: int = 1
    on_behalf_of: str = ""
    answers: dict = field(default_factory=dict)


def _check_order(data: OrderInput, now: datetime) -> None:
    code = (data.category_code or "").strip()
    if not code.startswith(catalogue.SERVICE_ROOT) or len(code) < 4:
        raise errors.ValidationFailed("请选择志愿服务项目", code="service_required")
    start, end = data.window_start, data.window_end
    if start is None or end is None:
        raise errors.ValidationFailed("请选择希望服务的时间段", code="window_required")
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise errors.ValidationFailed("服务时间须带时区", code="window_naive")
    if end <= start:
        raise errors.ValidationFailed("结束时间须晚于开始时间", code="window_reversed")
    if end - start > MAX_WINDOW:
        raise errors.ValidationFailed("一次服务的时间段不超过12小时", code="window_too_long")
    if end <= now:
        raise errors.ValidationFailed("希望服务的时间已过去", code="window_in_past")
    if start - now > MAX_AHEAD:
        raise errors.ValidationFailed("只能预约60天内的服务", code="window_too_far")
    if not 1 <= int(data.people_needed or 0) <= 20:
        raise errors.ValidationFailed("需要的志愿者人数须在1–20之间", code="people_needed_invalid")


def place_order(*, actor, data: OrderInput, idempotency_key: str | None = None) -> tuple[Order, bool]:
    """群众点单 (or a grid worker ordering for an elderly resident). The order is a volunteer_order case:
    the same intake checks (place inside the district, category, idempotency). Emergency orders notify
    the centre at once. Returns (order, created)."""
    require(actor, "volunteers.create_order")
    now = clock.now()
    _check_order(data, now)
    intake = IntakeInput(
        description=data.description, channel=data.channel, category_code=data.category_code.strip(),
        case_type="volunteer_order", lat=data.lat, lng=data.lng, address=data.address, region_code=data.region_code,
        reporter_name=data.reporter_name or (data.on_behalf_of or ""), reporter_phone=data.reporter_phone,
        contact_preference=data.contact_preference, answers=data.answers,
    )
    with transaction.atomic():
        result = submit_case(actor=actor, data=intake, idempotency_key=idempotency_key)
        if not result.created:
            return result.case.volunteer_order, False
        urgent = catalogue.service_of(data.category_code) == catalogue.EMERGENCY
        order = Order.objects.create(case=result.case, window_start=data.window_start, window_end=data.window_end,
                                     people_needed=int(data.people_needed), on_behalf_of=data.on_behalf_of.strip(),
                                     is_urgent=urgent)
        centre = _role_user_ids("centre_admin", region_code=result.case.region.code)
        text = f"{'【紧急】' if urgent else ''}新点单 {result.case.number}:{result.case.title}"
        notify.notify_ids(centre, result.case, "urgent_order" if urgent else "new_order", text, skip=actor)
        audit.record(actor=actor, action="volunteers.place_order", obj=order,
                     details={"case": result.case.number, "category": data.category_code, "urgent": urgent})
    return order, True


# --- centre and station steps -------------------------------------------------------------------------

def review_order(*, actor, order_id: int, approve: bool, reason: str = "", expected_event_count=None) -> Order:
    """中心审单: accept, or refuse with a reason the resident sees."""
    order = _order(actor, order_id)
    with transaction.atomic():
        if approve:
            _step(actor, order, "accept", comment=reason, expected_event_count=expected_event_count)
        else:
            _step(actor, order, "reject", facts={"reason": reason}, expected_event_count=expected_event_count)
            notify.notify_reporter(order.case, "order_rejected", f"未受理:{reason}")
    return order


def _station(code: str) -> PracticeSite:
    site = PracticeSite.objects.select_related("department").filter(code=str(code), is_active=True,
                                                                      level=SiteLevel.STATION).first()
    if site is None:
        raise errors.ValidationFailed("实践站不存在或已停用", code="station_unknown")
    return site


def dispatch_order(*, actor, order_id: int, station_code: str, expected_event_count=None) -> Order:
    """中心派单 to a practice station (the suggestion ranks them; the centre decides)."""
    order = _order(actor, order_id)
    station = _station(station_code)
    with transaction.atomic():
        _step(actor, order, "dispatch", facts={"department": station.department.code},
              expected_event_count=expected_event_count)
        order.station = station
        order.save(update_fields=["station"])
        notify.notify_ids(_role_user_ids("station_admin", department_ids=[station.department_id]), order.case,
                          "order_dispatched", f"新派单 {order.case.number}:{order.case.title}", skip=actor)
    return order


def accept_order(*, actor, order_id: int, expected_event_count=None) -> Order:
    """站点接单."""
    order = _order(actor, order_id)
    with transaction.atomic():
        _step(actor, order, "station_accept", expected_event_count=expected_event_count)
    return order


def decline_order(*, actor, order_id: int, reason: str, expected_event_count=None, timeout: bool = False) -> Order:
    """站点拒单 (or the SLA sweep's timeout): back to the centre, which re-dispatches elsewhere."""
    order = _order(actor, order_id) if not timeout else Order.objects.select_related("case", "station").get(pk=order_id)
    with transaction.atomic():
        if timeout:
            transition_case(actor=None, case_id=order.case_id, action="timeout_return", system=True,
                            comment="站点超时未接单,系统退回中心改派")
        else:
            _step(actor, order, "decline", facts={"reason": reason}, expected_event_count=expected_event_count)
        if order.station is not None:
            order.declined_by = sorted({*order.declined_by, order.station.code})
        order.station = None
        order.save(update_fields=["station", "declined_by"])
        notify.notify_ids(_role_user_ids("centre_admin", region_code=order.case.region.code), order.case,
                          "order_returned", f"退回改派 {order.case.number}:{reason or '超时未接单'}", skip=actor)
    return order


def assign_team(*, actor, order_id: int, team_code: str, volunteer_ids: list[int],
                expected_event_count=None) -> Order:
    """站点分配队伍 and the volunteers who go: every one must pass the hard filters (capability and a
    certificate valid on the service day, availability, no overlapping order, service area)."""
    order = _order(actor, order_id)
    team = Team.objects.select_related("site", "department").filter(code=str(team_code), is_active=True).first()
    if team is None:
        raise errors.ValidationFailed("服务队伍不存在或已停用", code="team_unknown")
    if order.station_id and team.site_id not in (order.station_id, order.station.parent_id) and \
            team.site.level != SiteLevel.CENTRE:
        raise errors.ValidationFailed("只能分配本站(或中心直属)的服务队伍", code="team_not_of_station")
    ids = list(dict.fromkeys(int(v) for v in volunteer_ids))
    if not ids:
        raise errors.ValidationFailed("请至少选择一名志愿者", code="volunteers_required")
    members = {v.pk: v for v in queries.team_volunteers(team).filter(pk__in=ids)}
    missing = [v for v in ids if v not in members]
    if missing:
        raise errors.ValidationFailed("所选志愿者不是该队伍的成员", code="volunteer_not_in_team",
                                      details={"volunteer_ids": missing})
    wanted = queries.match_order(order)
    today = timezone.localtime(clock.now()).date()
    with transaction.atomic():
        # lock the chosen volunteers' rows so two stations cannot book one person twice at once
        list(Volunteer.objects.select_for_update().filter(pk__in=ids))
        views = queries.match_volunteers(Volunteer.objects.filter(pk__in=ids), order, exclude_order=order.pk)
        problems = {v.id: matching.eligible(wanted, v, today) for v in views}
        problems = {vid: reasons for vid, reasons in problems.items() if reasons}
        if problems:
            first = next(iter(problems.values()))[0]
            code = first.split(":")[0]
            raise errors.ValidationFailed(_ELIGIBILITY_MESSAGES.get(code, "所选志愿者不符合服务条件"),
                                          code=f"volunteer_{code}",
                                          details={str(vid): reasons for vid, reasons in problems.items()})
        _step(actor, order, "assign_team", facts={"co_departments": [team.department.code]},
              expected_event_count=expected_event_count)
        order.team = team
        order.matched_at = clock.now()
        order.save(update_fields=["team", "matched_at"])
        order.volunteers.set(ids)
        users = [v.user_id for v in members.values() if v.user_id]
        notify.notify_ids(users, order.case, "order_assigned",
                          f"服务任务 {order.case.number}:{order.case.title}({timezone.localtime(order.window_start):%m-%d %H:%M})",
                          skip=actor)
        notify.notify_reporter(order.case, "order_matched", f"已由“{team.name}”承接,志愿者将与您联系")
    return order


_ELIGIBILITY_MESSAGES = {
    "inactive": "所选志愿者已暂停服务",
    "missing_capability": "所选志愿者不具备该服务所需的资质或技能",
    "certificate_expired": "所选志愿者的资格证书在服务日已过期",
    "unavailable": "所选志愿者在该时段不可服务",
    "conflict": "所选志愿者在该时段已有其他服务任务",
    "out_of_area": "服务地点超出所选志愿者的服务范围",
    "out_of_region": "服务地点不在所选志愿者的服务区域内",
}


def log_contact(*, actor, order_id: int, comment: str, expected_event_count=None) -> Order:
    """对接: the team has reached the requester; the service is due by the end of the requested window."""
    order = _order(actor, order_id)
    due = max(order.window_end, clock.now() + timedelta(hours=1))
    with transaction.atomic():
        _step(actor, order, "contact", comment=comment, facts={"deadline": due},
              expected_event_count=expected_event_count)
    return order


@dataclass
class RecordInput:
    volunteer_id: int
    started_at: datetime
    ended_at: datetime
    content: str = ""


def _hours(start: datetime, end: datetime) -> Decimal:
    return (Decimal((end - start).total_seconds()) / Decimal(3600)).quantize(HOUR, rounding=ROUND_HALF_UP)


def complete_order(*, actor, order_id: int, report: str, records: list[RecordInput],
                   expected_event_count=None) -> Order:
    """服务完成: the team reports what was done and each volunteer's service time (travel excluded). Every
    record lies within the requested window, belongs to an assigned volunteer and overlaps none of their
    other records; nothing is written when one is wrong."""
    order = _order(actor, order_id)
    require(actor, "volunteers.record_service", order)
    if not records:
        raise errors.ValidationFailed("请填写参与服务的志愿者及服务时长", code="records_required")
    assigned = set(order.volunteers.values_list("pk", flat=True))
    seen: dict[int, list[tuple[datetime, datetime]]] = {}
    for r in records:
        if r.volunteer_id not in assigned:
            raise errors.ValidationFailed("只能为本单派出的志愿者记录时长", code="record_volunteer_not_assigned",
                                          details={"volunteer_id": r.volunteer_id})
        if r.ended_at <= r.started_at:
            raise errors.ValidationFailed("服务结束时间须晚于开始时间", code="record_reversed")
        if r.started_at < order.window_start or r.ended_at > order.window_end:
            raise errors.ValidationFailed("服务时间超出了群众预约的服务时段", code="record_outside_window",
                                          details={"volunteer_id": r.volunteer_id})
        for start, end in seen.get(r.volunteer_id, []):
            if r.started_at < end and start < r.ended_at:
                raise errors.ValidationFailed("同一志愿者的服务时间重叠", code="record_overlap")
        seen.setdefault(r.volunteer_id, []).append((r.started_at, r.ended_at))
    with transaction.atomic():
        for r in records:
            clash = ServiceRecord.objects.filter(volunteer_id=r.volunteer_id, started_at__lt=r.ended_at,
                                                 ended_at__gt=r.started_at).exclude(status=RecordStatus.DISPUTED)
            if clash.exists():
                raise errors.ValidationFailed("该志愿者在这段时间已有服务记录(时间重叠)", code="record_overlap",
                                              details={"volunteer_id": r.volunteer_id})
        _step(actor, order, "complete", comment=report, expected_event_count=expected_event_count)
        ServiceRecord.objects.bulk_create([
            ServiceRecord(volunteer_id=r.volunteer_id, order=order, team=order.team, started_at=r.started_at,
                          ended_at=r.ended_at, hours=_hours(r.started_at, r.ended_at),
                          content=(r.content or report)[:300], recorded_by=actor)
            for r in records])
        notify.notify_reporter(order.case, "order_completed", "服务已完成,请您评价")
    return order


def rate_order(*, actor, order_id: int, satisfaction: int, comment: str = "", expected_event_count=None) -> Order:
    """群众评单 (once: a second rating finds the order archived and gets 409)."""
    order = _order(actor, order_id)
    with transaction.atomic():
        _step(actor, order, "rate", comment=comment, facts={"satisfaction": str(satisfaction), "method": "online"},
              expected_event_count=expected_event_count)
    return order


def cancel_order(*, actor, order_id: int, reason: str, expected_event_count=None) -> Order:
    order = _order(actor, order_id)
    with transaction.atomic():
        _step(actor, order, "cancel", facts={"reason": reason}, expected_event_count=expected_event_count)
        if order.team_id:
            users = [v.user_id for v in order.volunteers.all() if v.user_id]
            notify.notify_ids(users, order.case, "order_cancelled", f"订单已取消:{reason}", skip=actor)
    return order


def return_overdue_dispatches(*, now=None) -> int:
    """The sweep: orders a station has not accepted by the deadline go back to the centre."""
    now = now or clock.now()
    overdue = Order.objects.filter(case__state="dispatched", case__due_at__lt=now).values_list("pk", flat=True)
    count = 0
    for order_id in list(overdue):
        decline_order(actor=None, order_id=order_id, reason="", timeout=True)
        count += 1
    return count


# --- service records ----------------------------------------------------------------------------------

def confirm_records(*, actor, order_id: int) -> int:
    """谁记录谁证明: the station confirms the team's records of one order; confirmed hours count."""
    order = _order(actor, order_id)
    require(actor, "volunteers.confirm_service", order)
    with transaction.atomic():
        n = order.records.filter(status=RecordStatus.RECORDED).update(
            status=RecordStatus.CONFIRMED, confirmed_by=actor, confirmed_at=clock.now())
        audit.record(actor=actor, action="volunteers.confirm_records", obj=order, details={"records": n})
    return n


def correct_record(*, actor, record_id: int, started_at: datetime, ended_at: datetime, content: str,
                   reason: str) -> ServiceRecord:
    """A correction keeps the record's previous values and the reason; the record returns to 已记录 and
    must be confirmed again."""
    record = ServiceRecord.objects.select_related("order").filter(pk=record_id).first()
    if record is None or record.order is None:
        raise errors.NotFound()
    order = _order(actor, record.order_id)
    require(actor, "volunteers.confirm_service", order)
    if not (reason or "").strip():
        raise errors.ValidationFailed("请说明更正原因", code="reason_required")
    if ended_at <= started_at or started_at < order.window_start or ended_at > order.window_end:
        raise errors.ValidationFailed("服务时间须在预约时段内且结束晚于开始", code="record_outside_window")
    with transaction.atomic():
        record = ServiceRecord.objects.select_for_update().get(pk=record_id)
        before = {"started_at": record.started_at.isoformat(), "ended_at": record.ended_at.isoformat(),
                  "hours": str(record.hours), "content": record.content, "status": record.status}
        record.started_at, record.ended_at, record.content = started_at, ended_at, content[:300]
        record.hours = _hours(started_at, ended_at)
        record.status, record.confirmed_by, record.confirmed_at = RecordStatus.RECORDED, None, None
        record.save()
        after = {"started_at": started_at.isoformat(), "ended_at": ended_at.isoformat(), "hours": str(record.hours),
                 "content": record.content, "status": record.status}
        RecordCorrection.objects.create(record=record, before=before, after=after, reason=reason.strip()[:200],
                                        corrected_by=actor)
        audit.record(actor=actor, action="volunteers.correct_record", obj=record, details={"reason": reason})
    return record


def issue_certificate(*, actor, volunteer_id: int, site_code: str) -> ServiceCertificate:
    """志愿服务证明 over the volunteer's confirmed records; its number and token make it checkable."""
    require(actor, "volunteers.issue_certificate")
    volunteer = get_visible(Volunteer.objects, actor, "volunteers.view_volunteer", pk=volunteer_id)
    site = PracticeSite.objects.filter(code=site_code, is_active=True).first()
    if site is None:
        raise errors.ValidationFailed("出具单位不存在", code="site_unknown")
    require(actor, "volunteers.issue_certificate", site)  # a station issues in its own name only
    records = volunteer.records.filter(status=RecordStatus.CONFIRMED)
    figures = records.aggregate(h=Sum("hours"))
    if not figures["h"]:
        raise errors.ValidationFailed("该志愿者还没有经确认的服务记录", code="no_confirmed_hours")
    from civicgrid.volunteers.certificates import NUMBER_PREFIX, certificate_number

    # the number takes the issuer's code in ASCII letters and digits only ("S1-1" -> "S11")
    issuer_code = "".join(ch for ch in site.code if ch.isascii() and ch.isalnum()) or str(site.pk)
    today = timezone.localtime(clock.now()).date()
    with transaction.atomic():
        serial = ServiceCertificate.objects.filter(
            number__startswith=f"{NUMBER_PREFIX}-{issuer_code}-{today:%Y%m%d}-").count() + 1
        cert = ServiceCertificate.objects.create(
            number=certificate_number(issuer_code, today, serial), token=secrets.token_urlsafe(24), volunteer=volunteer,
            issuer=site, total_hours=figures["h"], record_count=records.count(),
            first_date=timezone.localtime(records.order_by("started_at").first().started_at).date(),
            last_date=timezone.localtime(records.order_by("-started_at").first().started_at).date(), issued_by=actor)
        audit.record(actor=actor, action="volunteers.issue_certificate", obj=cert,
                     details={"volunteer": volunteer.pk, "hours": str(cert.total_hours)})
    return cert


# --- structure and registration -----------------------------------------------------------------------

def create_site(*, actor, code: str, name: str, level: str, region: Region, parent: PracticeSite | None = None,
                capabilities: list[str] | None = None, capacity: int = 10, address: str = "") -> PracticeSite:
    require(actor, "volunteers.manage_sites")
    if level not in SiteLevel.values:
        raise errors.ValidationFailed("阵地层级无效", code="site_level_invalid")
    with transaction.atomic():
        try:
            dept = Department.objects.create(code=f"WM-{code}"[:20], name=name, kind=DepartmentKind.PRACTICE,
                                             region=region)
            site = PracticeSite.objects.create(code=code, name=name, level=level, region=region, parent=parent,
                                               department=dept, capabilities=capabilities or [], capacity=capacity,
                                               address=address, lat=region.center_lat, lng=region.center_lng)
        except IntegrityError:
            raise errors.Conflict("编码已存在", code="site_code_taken") from None
        audit.record(actor=actor, action="volunteers.create_site", obj=site, details={"level": level})
    return site


def create_team(*, actor, code: str, name: str, site: PracticeSite, capabilities: list[str],
                service_region: Region, capacity: int = 3) -> Team:
    require(actor, "volunteers.manage_sites")
    with transaction.atomic():
        try:
            dept = Department.objects.create(code=f"TD-{code}"[:20], name=name, kind=DepartmentKind.TEAM,
                                             region=service_region)
            team = Team.objects.create(code=code, name=name, site=site, department=dept, capabilities=capabilities,
                                       capacity=capacity, service_region=service_region)
        except IntegrityError:
            raise errors.Conflict("编码已存在", code="team_code_taken") from None
        audit.record(actor=actor, action="volunteers.create_team", obj=team, details={"site": site.code})
    return team


@dataclass
class VolunteerInput:
    name: str
    id_number: str
    phone: str
    region_code: str
    skills: list[str] = field(default_factory=list)
    qualifications: list[dict] = field(default_factory=list)  # {kind, number, issued_by, valid_until}
    availability: list[dict] = field(default_factory=list)  # {weekday, start, end} (time objects)
    service_radius_km: float = 5
    lat: float | None = None
    lng: float | None = None


def register_volunteer(*, actor, data: VolunteerInput, user=None, idempotency_key: str | None = None) -> Volunteer:
    """实名注册: a valid ID number (once per person), known skills and certificate kinds, sane weekly slots.
    Residents register themselves (user=actor); centre/station staff register others."""
    self_service = user is not None and user == actor
    if not self_service:
        require(actor, "volunteers.change_volunteer")
    info = idnumber.parse(data.id_number)
    name = (data.name or "").strip()
    if not name or len(name) > 50:
        raise errors.ValidationFailed("请填写真实姓名", code="name_required")
    region = Region.objects.filter(code=(data.region_code or "").strip(), is_active=True).first()
    if region is None:
        raise errors.ValidationFailed("所在区域不存在", code="region_unknown")
    services = {c for c in data.skills}
    unknown = sorted(services - set(catalogue.REQUIRED))
    if unknown or not services:
        raise errors.ValidationFailed("请选择能提供的服务类别", code="skills_invalid", details={"unknown": unknown})
    for q in data.qualifications:
        if q.get("kind") not in catalogue.QUALIFICATIONS:
            raise errors.ValidationFailed(f"未知的资格证书类别:{q.get('kind')}", code="qualification_unknown")
    for slot in data.availability:
        if not 0 <= int(slot["weekday"]) <= 6 or slot["end"] <= slot["start"]:
            raise errors.ValidationFailed("可服务时段无效", code="availability_invalid")
    id_hash = crypto.lookup_hash(info.number, purpose="volunteer_id")

    def create() -> Volunteer:
        if Volunteer.objects.filter(id_number_hash=id_hash).exists():
            raise errors.Conflict("该身份证号已注册为志愿者", code="volunteer_exists")
        volunteer = Volunteer.objects.create(
            user=user, name=name, id_number=info.number, id_number_hash=id_hash, phone=data.phone.strip(),
            phone_hash=crypto.lookup_hash(data.phone.strip(), purpose="phone") if data.phone.strip() else "",
            region=region, lat=data.lat if data.lat is not None else region.center_lat,
            lng=data.lng if data.lng is not None else region.center_lng,
            service_radius_km=float(data.service_radius_km), skills=sorted(services))
        Qualification.objects.bulk_create([
            Qualification(volunteer=volunteer, kind=q["kind"], number=q.get("number", ""),
                          issued_by=q.get("issued_by", ""), valid_until=q.get("valid_until"))
            for q in data.qualifications])
        Availability.objects.bulk_create([
            Availability(volunteer=volunteer, weekday=int(s["weekday"]), start=s["start"], end=s["end"])
            for s in data.availability])
        audit.record(actor=actor, action="volunteers.register_volunteer", obj=volunteer,
                     details={"skills": sorted(services), "self": self_service})
        return volunteer

    with transaction.atomic():
        volunteer, _ = run_once(key=idempotency_key, actor=actor, action="volunteers.register_volunteer",
                                model=Volunteer, create=create)
    return volunteer


def add_member(*, actor, team: Team, volunteer: Volunteer, is_leader: bool = False) -> Membership:
    """Join a team; a volunteer with an account gets the volunteer role for that team's orders."""
    require(actor, "volunteers.change_volunteer")
    with transaction.atomic():
        membership, _ = Membership.objects.update_or_create(team=team, volunteer=volunteer,
                                                            defaults={"is_active": True, "is_leader": is_leader})
        if volunteer.user_id:
            RoleAssignment.objects.update_or_create(user_id=volunteer.user_id, role="volunteer",
                                                    department=team.department, region=None,
                                                    defaults={"is_active": True})
        audit.record(actor=actor, action="volunteers.add_member", obj=membership,
                     details={"team": team.code, "volunteer": volunteer.pk})
    return membership


def set_volunteer_status(*, actor, volunteer_id: int, status: str, reason: str) -> Volunteer:
    volunteer = get_visible(Volunteer.objects, actor, "volunteers.view_volunteer", pk=volunteer_id)
    require(actor, "volunteers.change_volunteer", volunteer)
    if status not in VolunteerStatus.values:
        raise errors.ValidationFailed("状态无效", code="status_invalid")
    with transaction.atomic():
        Volunteer.objects.filter(pk=volunteer.pk).update(status=status)
        audit.record(actor=actor, action="volunteers.set_volunteer_status", obj=volunteer,
                     details={"status": status, "reason": reason})
    volunteer.status = status
    return volunteer


# --- donations ----------------------------------------------------------------------------------------

def record_donation(*, actor, site: PracticeSite, donor: str, kind: str, amount: Decimal, items: str = "",
                    order: Order | None = None, received_at: datetime | None = None,
                    idempotency_key: str | None = None) -> Donation:
    require(actor, "volunteers.change_donation", site)
    if kind not in DonationKind.values:
        raise errors.ValidationFailed("捐赠类别无效", code="donation_kind_invalid")
    amount = Decimal(str(amount))
    if amount <= 0 or amount > Decimal("10000000"):
        raise errors.ValidationFailed("金额须大于0(物资填估值)", code="donation_amount_invalid")
    if not (donor or "").strip():
        raise errors.ValidationFailed("请填写捐赠人", code="donor_required")

    def create() -> Donation:
        donation = Donation.objects.create(site=site, order=order, donor=donor.strip()[:100], kind=kind,
                                           amount=amount, items=items[:200], recorded_by=actor,
                                           received_at=received_at or clock.now())
        audit.record(actor=actor, action="volunteers.record_donation", obj=donation,
                     details={"kind": kind, "amount": str(amount)})
        return donation

    with transaction.atomic():
        donation, _ = run_once(key=idempotency_key, actor=actor, action="volunteers.record_donation",
                               model=Donation, create=create)
    return donation


def distribute_donation(*, actor, donation_id: int, household_id: int, amount: Decimal, items: str = "",
                        distributed_at: datetime | None = None) -> Distribution:
    """Hand part of a donation to a household; never more than what is left of it."""
    from civicgrid.people.models import Household

    donation = get_visible(Donation.objects, actor, "volunteers.view_donation", pk=donation_id)
    require(actor, "volunteers.change_donation", donation)
    household = Household.objects.select_related("region").filter(pk=household_id).first()
    # the site hands out in its own area (a station its community, the centre the district)
    if household is None or not household.region.code.startswith(donation.site.region.code):
        raise errors.ValidationFailed("受助家庭不存在或不在本阵地服务范围内", code="household_unknown")
    amount = Decimal(str(amount))
    if amount <= 0:
        raise errors.ValidationFailed("发放金额须大于0", code="distribution_amount_invalid")
    with transaction.atomic():
        donation = Donation.objects.select_for_update().get(pk=donation.pk)
        given = donation.distributions.aggregate(s=Sum("amount"))["s"] or Decimal("0")
        if given + amount > donation.amount:
            raise errors.ValidationFailed(f"超出该笔捐赠的剩余数额({donation.amount - given} 元)",
                                          code="distribution_exceeds_donation")
        row = Distribution.objects.create(donation=donation, household=household, amount=amount, items=items[:200],
                                          recorded_by=actor, distributed_at=distributed_at or clock.now())
        audit.record(actor=actor, action="volunteers.distribute_donation", obj=row,
                     details={"donation": donation.pk, "household": household.pk, "amount": str(amount)})
    return row
