"""An order from 群众点单 to 群众评单: each step is a case transition made in the same transaction as
the order's own rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from civicgrid.cases import notify
from civicgrid.cases.actions import submit_case, transition_case
from civicgrid.cases.intake import IntakeInput
from civicgrid.core import audit, clock, errors, timecheck
from civicgrid.core.scoping import require
from civicgrid.volunteers import catalogue, matching
from civicgrid.volunteers.actions._common import (
    HOUR,
    MAX_AHEAD,
    MAX_WINDOW,
    Once,
    _order,
    _role_user_ids,
    _step,
)
from civicgrid.volunteers.choices import RecordStatus, SiteLevel
from civicgrid.volunteers.models import (
    Order,
    PracticeSite,
    ServiceRecord,
    Team,
    Volunteer,
)
from civicgrid.volunteers.queries import suggestions as suggestion_queries

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
    channel: str = ""  # resident (self), grid (a grid worker for an elderly resident), hotline; blank: by role
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
        result = submit_case(actor=actor, data=intake, idempotency_key=idempotency_key, body=data)
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

def review_order(*, actor, order_id: int, approve: bool, reason: str = "", expected_event_count=None,
                 once: Once | None = None) -> Order:
    """中心审单: accept, or refuse with a reason the resident sees."""
    order = _order(actor, order_id)
    with transaction.atomic():
        if approve:
            _step(actor, order, "accept", comment=reason, expected_event_count=expected_event_count, once=once)
        else:
            _step(actor, order, "reject", facts={"reason": reason}, expected_event_count=expected_event_count, once=once)
            notify.notify_reporter(order.case, "order_rejected", f"未受理:{reason}")
    return order


def _station(code: str) -> PracticeSite:
    site = PracticeSite.objects.select_related("department").filter(code=str(code), is_active=True,
                                                                      level=SiteLevel.STATION).first()
    if site is None:
        raise errors.ValidationFailed("实践站不存在或已停用", code="station_unknown")
    return site


def dispatch_order(*, actor, order_id: int, station_code: str, expected_event_count=None,
                   once: Once | None = None) -> Order:
    """中心派单 to a practice station (the suggestion ranks them; the centre decides)."""
    order = _order(actor, order_id)
    station = _station(station_code)
    with transaction.atomic():
        _step(actor, order, "dispatch", facts={"department": station.department.code},
              expected_event_count=expected_event_count, once=once)
        order.station = station
        order.save(update_fields=["station"])
        notify.notify_ids(_role_user_ids("station_admin", department_ids=[station.department_id]), order.case,
                          "order_dispatched", f"新派单 {order.case.number}:{order.case.title}", skip=actor)
    return order


def accept_order(*, actor, order_id: int, expected_event_count=None, once: Once | None = None) -> Order:
    """站点接单."""
    order = _order(actor, order_id)
    with transaction.atomic():
        _step(actor, order, "station_accept", expected_event_count=expected_event_count, once=once)
    return order


def decline_order(*, actor, order_id: int, reason: str, expected_event_count=None, timeout: bool = False,
                  once: Once | None = None) -> Order:
    """站点拒单 (or the SLA sweep's timeout): back to the centre, which re-dispatches elsewhere."""
    order = _order(actor, order_id) if not timeout else Order.objects.select_related("case", "station").get(pk=order_id)
    with transaction.atomic():
        if timeout:
            transition_case(actor=None, case_id=order.case_id, action="timeout_return", system=True,
                            comment="站点超时未接单,系统退回中心改派")
        else:
            _step(actor, order, "decline", facts={"reason": reason}, expected_event_count=expected_event_count, once=once)
        if order.station is not None:
            order.declined_by = sorted({*order.declined_by, order.station.code})
        order.station = None
        order.save(update_fields=["station", "declined_by"])
        notify.notify_ids(_role_user_ids("centre_admin", region_code=order.case.region.code), order.case,
                          "order_returned", f"退回改派 {order.case.number}:{reason or '超时未接单'}", skip=actor)
    return order


def _active_team(team_code: str) -> Team:
    team = Team.objects.select_related("site", "site__department", "department").filter(
        code=str(team_code), is_active=True).first()
    if team is None:
        raise errors.ValidationFailed("服务队伍不存在或已停用", code="team_unknown")
    return team


def _team_members(team: Team, volunteer_ids: list[int]) -> tuple[list[int], dict[int, Volunteer]]:
    ids = list(dict.fromkeys(int(v) for v in volunteer_ids))
    if not ids:
        raise errors.ValidationFailed("请至少选择一名志愿者", code="volunteers_required")
    members = {v.pk: v for v in suggestion_queries.team_volunteers(team).filter(pk__in=ids)}
    missing = [v for v in ids if v not in members]
    if missing:
        raise errors.ValidationFailed("所选志愿者不是该队伍的成员", code="volunteer_not_in_team",
                                      details={"volunteer_ids": missing})
    return ids, members


def _check_eligible(order: Order, ids: list[int]) -> None:
    """Inside the transaction: lock the chosen volunteers' rows (so two orders cannot book one person
    at once) and hold each to the hard filters on today's data."""
    wanted = suggestion_queries.match_order(order)
    today = timezone.localtime(clock.now()).date()
    list(Volunteer.objects.select_for_update().filter(pk__in=ids))
    views = suggestion_queries.match_volunteers(Volunteer.objects.filter(pk__in=ids), order, exclude_order=order.pk)
    problems = {v.id: matching.eligible(wanted, v, today) for v in views}
    problems = {vid: reasons for vid, reasons in problems.items() if reasons}
    if problems:
        first = next(iter(problems.values()))[0]
        code = first.split(":")[0]
        raise errors.ValidationFailed(_ELIGIBILITY_MESSAGES.get(code, "所选志愿者不符合服务条件"),
                                      code=f"volunteer_{code}",
                                      details={str(vid): reasons for vid, reasons in problems.items()})


def _staff(actor, order: Order, team: Team, ids: list[int], members: dict[int, Volunteer]) -> None:
    """The order's own rows once the case has moved to `assigned`, and who is told."""
    order.team = team
    order.matched_at = clock.now()
    order.save(update_fields=["team", "matched_at"])
    order.volunteers.set(ids)
    users = [v.user_id for v in members.values() if v.user_id]
    notify.notify_ids(users, order.case, "order_assigned",
                      f"服务任务 {order.case.number}:{order.case.title}({timezone.localtime(order.window_start):%m-%d %H:%M})",
                      skip=actor)
    notify.notify_reporter(order.case, "order_matched", f"已由“{team.name}”承接,志愿者将与您联系")


def assign_team(*, actor, order_id: int, team_code: str, volunteer_ids: list[int],
                expected_event_count=None, once: Once | None = None) -> Order:
    """站点分配队伍 and the volunteers who go: every one must pass the hard filters (capability and a
    certificate valid on the service day, availability, no overlapping order, service area)."""
    order = _order(actor, order_id)
    team = _active_team(team_code)
    if order.station_id and team.site_id not in (order.station_id, order.station.parent_id) and \
            team.site.level != SiteLevel.CENTRE:
        raise errors.ValidationFailed("只能分配本站(或中心直属)的服务队伍", code="team_not_of_station")
    ids, members = _team_members(team, volunteer_ids)
    with transaction.atomic():
        _check_eligible(order, ids)
        _step(actor, order, "assign_team", facts={"co_departments": [team.department.code]},
              expected_event_count=expected_event_count, once=once)
        _staff(actor, order, team, ids, members)
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


def log_contact(*, actor, order_id: int, comment: str, expected_event_count=None, once: Once | None = None) -> Order:
    """对接: the team has reached the requester; the service is due by the end of the requested window."""
    order = _order(actor, order_id)
    due = max(order.window_end, clock.now() + timedelta(hours=1))
    with transaction.atomic():
        _step(actor, order, "contact", comment=comment, facts={"deadline": due},
              expected_event_count=expected_event_count, once=once)
    return order


@dataclass
class RecordInput:
    volunteer_id: int
    started_at: datetime
    ended_at: datetime
    content: str = ""


def check_record_times(order: Order, started_at: datetime, ended_at: datetime, *, now: datetime,
                       volunteer_id: int | None = None) -> None:
    """A service record's times: start before end, both inside the order's window, the end not in the
    future (a record, and so a certificate, never covers a time that has not come)."""
    who = {"volunteer_id": volunteer_id} if volunteer_id is not None else {}
    if ended_at <= started_at:
        raise errors.ValidationFailed("服务结束时间须晚于开始时间", code="record_reversed", details=who)
    for value, name, label in ((started_at, "started_at", "服务开始时间"), (ended_at, "ended_at", "服务结束时间")):
        timecheck.within(value, order.window_start, order.window_end, field=name, label=label,
                         window="群众预约的服务时段", details=who)
    timecheck.not_future(ended_at, field="ended_at", label="服务结束时间", now=now, details=who)


def _hours(start: datetime, end: datetime) -> Decimal:
    return (Decimal((end - start).total_seconds()) / Decimal(3600)).quantize(HOUR, rounding=ROUND_HALF_UP)


def complete_order(*, actor, order_id: int, report: str, records: list[RecordInput],
                   expected_event_count=None, once: Once | None = None) -> Order:
    """服务完成: the team reports what was done and each volunteer's service time (travel excluded). Every
    record lies within the requested window and not in the future (core/timecheck), belongs to an
    assigned volunteer and overlaps none of their other records; nothing is written when one is wrong."""
    order = _order(actor, order_id)
    require(actor, "volunteers.record_service", order)
    if not records:
        raise errors.ValidationFailed("请填写参与服务的志愿者及服务时长", code="records_required")
    assigned = set(order.volunteers.values_list("pk", flat=True))
    seen: dict[int, list[tuple[datetime, datetime]]] = {}
    now = clock.now()
    for r in records:
        if r.volunteer_id not in assigned:
            raise errors.ValidationFailed("只能为本单派出的志愿者记录时长", code="record_volunteer_not_assigned",
                                          details={"volunteer_id": r.volunteer_id})
        check_record_times(order, r.started_at, r.ended_at, now=now, volunteer_id=r.volunteer_id)
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
        _step(actor, order, "complete", comment=report, expected_event_count=expected_event_count, once=once)
        ServiceRecord.objects.bulk_create([
            ServiceRecord(volunteer_id=r.volunteer_id, order=order, team=order.team, started_at=r.started_at,
                          ended_at=r.ended_at, hours=_hours(r.started_at, r.ended_at),
                          content=(r.content or report)[:300], recorded_by=actor)
            for r in records])
        notify.notify_reporter(order.case, "order_completed", "服务已完成,请您评价")
    return order


def rate_order(*, actor, order_id: int, satisfaction: int, comment: str = "", expected_event_count=None,
               once: Once | None = None) -> Order:
    """群众评单 (once: a second rating finds the order archived and gets 409)."""
    order = _order(actor, order_id)
    with transaction.atomic():
        _step(actor, order, "rate", comment=comment, facts={"satisfaction": str(satisfaction), "method": "online"},
              expected_event_count=expected_event_count, once=once)
    return order


def cancel_order(*, actor, order_id: int, reason: str, expected_event_count=None, once: Once | None = None) -> Order:
    order = _order(actor, order_id)
    with transaction.atomic():
        _step(actor, order, "cancel", facts={"reason": reason}, expected_event_count=expected_event_count, once=once)
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
