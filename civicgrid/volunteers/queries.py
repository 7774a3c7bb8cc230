"""Reads of the volunteer platform: matching inputs built from the models, boards and the statistics that
the stats page and `GET /api/v1/volunteers/stats` share."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from civicgrid.cases.models import Category
from civicgrid.core import audit, clock, errors
from civicgrid.core.masking import mask_id_number
from civicgrid.core.scoping import get_visible, grant_for, require
from civicgrid.volunteers import catalogue, matching
from civicgrid.volunteers.choices import RecordStatus, SiteLevel, VolunteerStatus
from civicgrid.volunteers.models import (
    Donation,
    Order,
    PracticeSite,
    ServiceCertificate,
    ServiceRecord,
    Team,
    Volunteer,
)

OPEN_STATES = ("ordered", "reviewed", "dispatched", "station_accepted", "assigned", "in_service")
BUSY_STATES = ("assigned", "in_service")  # a volunteer on such an order is busy in its window
DONE_STATES = ("completed", "archived")  # service delivered (archived orders that were rated or not)


def orders_visible(user):
    return Order.objects.visible_to(user).select_related("case", "case__category", "case__region", "station", "team")


# --- matching inputs ----------------------------------------------------------------------------------

def region_path(code: str) -> tuple[str, ...]:
    """District, street, community, grid … codes down to `code` (6/9/12/15/18 digits)."""
    return tuple(code[:n] for n in (6, 9, 12, 15, 18) if n <= len(code))


def _point(order: Order) -> tuple[float, float]:
    case = order.case
    lat, lng = (case.lat, case.lng) if case.lat is not None else (case.region.center_lat, case.region.center_lng)
    return lat or 0.0, lng or 0.0


def match_order(order: Order) -> matching.Order:
    case = order.case
    category = case.category.code if case.category_id else catalogue.SERVICE_ROOT
    lat, lng = _point(order)
    return matching.Order(
        id=order.pk, category=catalogue.service_of(category), required_caps=catalogue.required_caps(category),
        window=matching.Window(order.window_start, order.window_end), lat=lat, lng=lng,
        region_path=region_path(case.region.code), requester_key=str(case.reporter_id or case.reporter_name or ""),
        urgent=order.is_urgent)


def _weekly(volunteer: Volunteer, start: date, end: date) -> tuple[matching.Window, ...]:
    tz = timezone.get_current_timezone()
    slots = list(volunteer.availability.all())
    windows = []
    day = start
    while day <= end:
        for slot in slots:
            if slot.weekday == day.weekday():
                windows.append(matching.Window(datetime.combine(day, slot.start, tzinfo=tz),
                                               datetime.combine(day, slot.end, tzinfo=tz)))
        day += timedelta(days=1)
    return tuple(windows)


def match_volunteers(volunteers, around: Order, exclude_order: int | None = None) -> list[matching.Volunteer]:
    """The matching view of volunteers for orders around `around`'s window: their certificates, weekly
    availability on those days, the windows of orders they already serve, their history."""
    volunteers = list(volunteers.prefetch_related("qualifications", "availability"))
    ids = [v.pk for v in volunteers]
    start, end = around.window_start - timedelta(days=1), around.window_end + timedelta(days=1)
    busy: dict[int, list[matching.Window]] = {}
    for vid, w_start, w_end in (Order.volunteers.through.objects
                                .filter(volunteer_id__in=ids, order__case__state__in=BUSY_STATES,
                                        order__window_start__lt=end, order__window_end__gt=start)
                                .exclude(order_id=exclude_order)
                                .values_list("volunteer_id", "order__window_start", "order__window_end")):
        busy.setdefault(vid, []).append(matching.Window(w_start, w_end))
    since = clock.now() - timedelta(days=30)
    history = Order.volunteers.through.objects.filter(volunteer_id__in=ids)
    served = Counter(history.values_list("volunteer_id", flat=True))
    completed = Counter(history.filter(order__case__state__in=DONE_STATES).values_list("volunteer_id", flat=True))
    recent = Counter(history.filter(order__case__created_at__gte=since).values_list("volunteer_id", flat=True))
    requesters: dict[int, set[str]] = {}
    for vid, reporter_id in history.values_list("volunteer_id", "order__case__reporter_id"):
        if reporter_id:
            requesters.setdefault(vid, set()).add(str(reporter_id))
    wanted_lat, wanted_lng = _point(around)
    out = []
    for v in volunteers:
        caps = {skill: None for skill in v.skills}
        caps.update({q.kind: q.valid_until for q in v.qualifications.all()})
        out.append(matching.Volunteer(
            id=v.pk, caps=caps, availability=_weekly(v, timezone.localtime(around.window_start).date(),
                                 timezone.localtime(around.window_end).date()),
            # a volunteer registered without a position is taken to live where the order is
            busy=tuple(busy.get(v.pk, ())), home_lat=v.lat if v.lat is not None else wanted_lat,
            home_lng=v.lng if v.lng is not None else wanted_lng,
            service_radius_km=v.service_radius_km,
            reliability=(completed[v.pk] / served[v.pk]) if served[v.pk] else 1.0, recent_load=recent[v.pk],
            past_requesters=frozenset(requesters.get(v.pk, ())), active=v.status == VolunteerStatus.ACTIVE))
    return out


def station_suggestions(order: Order) -> list[tuple[PracticeSite, matching.StationSuggestion]]:
    """Stations ranked for dispatch: locality, capability, load; stations that declined come last."""
    sites = list(PracticeSite.objects.filter(is_active=True, level=SiteLevel.STATION).select_related("region"))
    load = dict(Order.objects.filter(station__in=sites, case__state__in=OPEN_STATES)
                .values_list("station").annotate(n=Count("id")))
    stations = [matching.Station(id=s.pk, region_code=s.region.code, caps=frozenset(s.capabilities),
                                 open_orders=load.get(s.pk, 0), capacity=s.capacity) for s in sites]
    by_id = {s.pk: s for s in sites}
    ranked = matching.suggest_stations(match_order(order), stations)
    declined = set(order.declined_by)
    ranked.sort(key=lambda r: by_id[r.station_id].code in declined)  # stable: keeps the ranking otherwise
    return [(by_id[r.station_id], r) for r in ranked]


def team_volunteers(team: Team):
    return Volunteer.objects.filter(memberships__team=team, memberships__is_active=True)


def volunteer_shortlist(order: Order, team: Team, today: date | None = None, limit: int = 10):
    """(volunteer, candidate) best first among the team's eligible members, and the excluded with why."""
    members = {v.pk: v for v in team_volunteers(team)}
    views = match_volunteers(Volunteer.objects.filter(pk__in=members), order, exclude_order=order.pk)
    wanted = match_order(order)
    today = today or timezone.localtime(clock.now()).date()
    ranked = matching.shortlist(wanted, views, today, limit=limit)
    excluded = {v.id: matching.eligible(wanted, v, today) for v in views}
    excluded = {vid: reasons for vid, reasons in excluded.items() if reasons}
    return [(members[c.volunteer_id], c) for c in ranked], {members[vid]: r for vid, r in excluded.items()}


# --- statistics ---------------------------------------------------------------------------------------

def _period(since: date | None, until: date | None) -> Q:
    tz = timezone.get_current_timezone()
    q = Q()
    if since:
        q &= Q(case__created_at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until:
        q &= Q(case__created_at__lt=datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz))
    return q


def stats(user, *, since: date | None = None, until: date | None = None) -> dict:
    """Orders placed in [since, until] (Beijing dates, both ends included) within the user's reach:
    how many, how many matched (a team assigned), completed (service delivered), by service category,
    and the volunteer hours recorded on them (disputed records left out). Time to match is the median
    hours from order to team assignment."""
    orders = Order.objects.visible_to(user, "volunteers.view_stats").filter(_period(since, until))
    total = orders.count()
    matched = orders.filter(matched_at__isnull=False)
    completed = orders.filter(case__state__in=DONE_STATES).count()
    by_category = dict(Counter(
        catalogue.service_of(code) for code in orders.values_list("case__category__code", flat=True) if code))
    names = dict(Category.objects.filter(code__in=by_category).values_list("code", "name"))
    by_status = dict(orders.values_list("case__state").annotate(n=Count("id")))
    hours = (ServiceRecord.objects.filter(order__in=orders).exclude(status=RecordStatus.DISPUTED)
             .aggregate(h=Sum("hours"))["h"]) or Decimal("0")
    waits = sorted((m - c).total_seconds() / 3600 for m, c in matched.values_list("matched_at", "case__created_at"))
    return {
        "orders": total,
        "matched": len(waits),
        "completed": completed,
        "matching_rate": round(len(waits) / total, 4) if total else None,
        "median_hours_to_match": round(waits[len(waits) // 2], 2) if waits else None,
        "by_category": {names.get(code, code): n for code, n in sorted(by_category.items())},
        "by_status": by_status,
        "hours": hours.quantize(Decimal("0.01")),
    }


def hours_by_team(user, *, since: date | None = None, until: date | None = None) -> list[dict]:
    orders = Order.objects.visible_to(user, "volunteers.view_stats").filter(_period(since, until))
    rows = (ServiceRecord.objects.filter(order__in=orders).exclude(status=RecordStatus.DISPUTED)
            .values("team__name").annotate(hours=Sum("hours"), records=Count("id")).order_by("-hours"))
    return [{"team": r["team__name"], "hours": r["hours"], "records": r["records"]} for r in rows]


def confirmed_hours(volunteer: Volunteer) -> Decimal:
    return (volunteer.records.filter(status=RecordStatus.CONFIRMED).aggregate(h=Sum("hours"))["h"]
            or Decimal("0"))


def can_see_stats(user) -> bool:
    return bool(grant_for(user, "volunteers.view_stats"))


def batch_suggestions(station: PracticeSite, *, cap_per_volunteer: int = 1, today: date | None = None
                      ) -> list[tuple[Order, Volunteer, Team]]:
    """For every order of `station` waiting for a team: one volunteer each, chosen together by the
    minimum-cost assignment (matching.assign_batch) over the members of the station's teams, no volunteer
    given more than `cap_per_volunteer` orders. A proposal: the station confirms each with assign_team."""
    orders = list(Order.objects.filter(station=station, case__state="station_accepted")
                  .select_related("case", "case__category", "case__region").order_by("window_start"))
    if not orders:
        return []
    teams = list(Team.objects.filter(Q(site=station) | Q(site__level=SiteLevel.CENTRE), is_active=True))
    team_of: dict[int, Team] = {}
    for team in teams:
        for vid in team_volunteers(team).values_list("pk", flat=True):
            team_of.setdefault(vid, team)
    volunteers = {v.pk: v for v in Volunteer.objects.filter(pk__in=team_of)}
    span = Order(window_start=min(o.window_start for o in orders), window_end=max(o.window_end for o in orders),
                 case=orders[0].case)
    views = match_volunteers(Volunteer.objects.filter(pk__in=volunteers), span)
    today = today or timezone.localdate()
    result = matching.assign_batch([match_order(o) for o in orders], views, today,
                                   cap_per_volunteer=cap_per_volunteer)
    by_id = {o.pk: o for o in orders}
    return [(by_id[oid], volunteers[vid], team_of[vid]) for oid, vid in result.pairs.items()]


# --- API reads (civicgrid/volunteers/api/) -----------------------------------------------------------
# Everything starts scoped through the chokepoints: an order or volunteer outside the caller's reach is
# NotFound (404) exactly as if it did not exist.

def service_catalogue() -> list[dict]:
    """The public service catalogue: each service under "70" with its items, the certificates a volunteer
    serving it must hold, and whether it is the emergency service."""
    rows = list(Category.objects.filter(code__startswith=catalogue.SERVICE_ROOT, case_type="volunteer_order",
                                        is_active=True).exclude(code=catalogue.SERVICE_ROOT).order_by("code"))

    def entry(c: Category) -> dict:
        certificates = sorted(catalogue.required_caps(c.code) - {catalogue.service_of(c.code)})
        return {"code": c.code, "name": c.name, "urgency": c.urgency, "required_certificates": certificates}

    services = []
    for c in rows:
        if len(c.code) != len(catalogue.SERVICE_ROOT) + 2:
            continue
        services.append({**entry(c), "description": c.filing_condition, "is_emergency": c.code == catalogue.EMERGENCY,
                         "items": [entry(i) for i in rows if i.parent_id == c.pk]})
    return services


def filter_orders(qs, *, state: str = "", category: str = "", station: str = "", since: date | None = None,
                  until: date | None = None):
    """Narrow an already scoped order queryset: `category` is a code prefix (a service or an item),
    `station` a station code, [since, until] Beijing dates of ordering, both ends included."""
    if state:
        qs = qs.filter(case__state=state)
    if category:
        qs = qs.filter(case__category__code__startswith=category)
    if station:
        qs = qs.filter(station__code=station)
    return qs.filter(_period(since, until))


_ORDER_RELATIONS = ("case", "case__workflow", "case__category", "case__region", "station", "team")


def order_visible(user, order_id: int) -> Order:
    """One order the user may see (404 otherwise), with what its detail shows."""
    qs = Order.objects.select_related(*_ORDER_RELATIONS).prefetch_related("volunteers")
    return get_visible(qs, user, pk=order_id)


def order_as_left(order_id: int) -> Order:
    """An order as the caller's action has just left it (the caller acted on it, so it may be shown even
    when that action moved it out of their reach)."""
    return Order.objects.select_related(*_ORDER_RELATIONS).prefetch_related("volunteers").get(pk=order_id)


def order_records(order: Order):
    return order.records.select_related("volunteer").order_by("started_at", "id")


def order_station_suggestions(user, order_id: int
                              ) -> tuple[Order, list[tuple[PracticeSite, matching.StationSuggestion]]]:
    """An order the user sees and its station suggestions, for those who look after stations and teams."""
    order = order_visible(user, order_id)
    require(user, "volunteers.view_team")
    return order, station_suggestions(order)


def order_candidates(user, order_id: int, team_code: str):
    """The shortlist of a team the user sees (404 otherwise) for an order the user sees."""
    order = order_visible(user, order_id)
    team = get_visible(Team.objects.select_related("site"), user, "volunteers.view_team", code=team_code)
    return volunteer_shortlist(order, team)


def volunteers_visible(user, *, q: str = "", status: str = "", team: str = ""):
    qs = Volunteer.objects.visible_to(user, "volunteers.view_volunteer").select_related("region")
    if q:
        qs = qs.filter(name__icontains=q.strip()[:50])
    if status:
        qs = qs.filter(status=status)
    if team:
        qs = qs.filter(memberships__team__code=team, memberships__is_active=True)
    return qs.order_by("id")


def _with_profile(qs):
    return qs.select_related("region").prefetch_related("qualifications", "availability", "memberships__team")


def _log_read(user, volunteer: Volunteer) -> None:
    # the profile carries the (masked) ID number and phone: every read is on the record, as for residents
    audit.record(actor=user, action="volunteers.view_volunteer", obj=volunteer, fields=["id_number", "phone"])


def read_volunteer(user, volunteer_id: int) -> Volunteer:
    """One volunteer's profile for display; the read is audit-logged."""
    volunteer = get_visible(_with_profile(Volunteer.objects), user, "volunteers.view_volunteer", pk=volunteer_id)
    _log_read(user, volunteer)
    return volunteer


def read_own_volunteer(user) -> Volunteer:
    """The caller's own volunteer profile (NotFound when they have not registered); audit-logged too."""
    volunteer = None
    if getattr(user, "is_authenticated", False):
        volunteer = _with_profile(Volunteer.objects).filter(user=user).first()
    if volunteer is None:
        raise errors.NotFound("您还没有注册为志愿者", code="not_a_volunteer")
    _log_read(user, volunteer)
    return volunteer


def volunteer_as_registered(volunteer_id: int) -> Volunteer:
    """A volunteer the caller has just registered, for the answer (the registration is audit-logged)."""
    return _with_profile(Volunteer.objects).get(pk=volunteer_id)


def volunteer_records(volunteer: Volunteer):
    return volunteer.records.select_related("order__case", "team").order_by("-started_at", "-id")


def certificate_visible(user, number: str) -> ServiceCertificate:
    """A certificate of a volunteer the user may see, or of the user themself; NotFound otherwise."""
    cert = ServiceCertificate.objects.select_related("volunteer", "issuer").filter(number=number).first()
    if cert is None or not getattr(user, "is_authenticated", False):
        raise errors.NotFound()
    if cert.volunteer.user_id != user.pk and not Volunteer.objects.visible_to(
            user, "volunteers.view_volunteer").filter(pk=cert.volunteer_id).exists():
        raise errors.NotFound()
    return cert


def certificate_by_token(token: str) -> ServiceCertificate:
    """The certificate a verification URL names (public); NotFound for an unknown token."""
    cert = ServiceCertificate.objects.select_related("volunteer", "issuer").filter(token=str(token)[:40]).first()
    if cert is None:
        raise errors.NotFound("证明不存在或验证码有误", code="certificate_unknown")
    return cert


def certificate_document(cert: ServiceCertificate, verify_url: str):
    """What the PDF prints: the stored figures of the certificate and the volunteer's records that were
    confirmed when it was issued (a record corrected since is left out until confirmed again)."""
    from civicgrid.volunteers import certificates

    records = (cert.volunteer.records.filter(status=RecordStatus.CONFIRMED, confirmed_at__lte=cert.issued_at)
               .select_related("team").order_by("started_at", "id"))
    lines = tuple(certificates.ServiceLine(date=timezone.localtime(r.started_at).date(), content=r.content,
                                           hours=r.hours, team=r.team.name) for r in records)
    return certificates.Certificate(
        number=cert.number, volunteer_name=cert.volunteer.name, id_masked=mask_id_number(cert.volunteer.id_number),
        total_hours=cert.total_hours, first_date=cert.first_date, last_date=cert.last_date, lines=lines,
        issuer=cert.issuer.name, issued_on=timezone.localtime(cert.issued_at).date(), verify_url=verify_url,
        stars=certificates.stars(cert.total_hours))


def donations_visible(user, *, site: str = "", kind: str = ""):
    qs = (Donation.objects.visible_to(user, "volunteers.view_donation").select_related("site")
          .annotate(distributed=Sum("distributions__amount")))
    if site:
        qs = qs.filter(site__code=site)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-received_at", "-id")


def donation_as_recorded(donation_id: int) -> Donation:
    return (Donation.objects.select_related("site").annotate(distributed=Sum("distributions__amount"))
            .get(pk=donation_id))


# --- web pages (civicgrid/volunteers/views.py) --------------------------------------------------------
# Boards and lists start from the scoped order queryset (`orders_visible`); which board a user gets is
# decided by the roles the workflow gives them (centre_admin reviews and dispatches, station_admin accepts
# and assigns, volunteers serve), so a page never offers a step the engine would refuse.

PROGRESS = ("ordered", "reviewed", "dispatched", "station_accepted", "assigned", "in_service", "completed",
            "archived")  # the happy path a resident's order walks; rejected/cancelled end it early
AVAILABILITY_SLOTS = {"am": (time(8), time(12)), "pm": (time(12), time(18)), "eve": (time(18), time(21))}


def works_as(user, role: str) -> bool:
    """True when the user holds an active assignment of `role` (the engine's role on an order)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return any(a.role == role for a in user.active_assignments())


def managed_stations(user) -> list[PracticeSite]:
    """The practice stations whose department the user administers (station_admin)."""
    departments = [a.department_id for a in user.active_assignments()
                   if a.role == "station_admin" and a.department_id]
    return list(PracticeSite.objects.filter(department_id__in=departments, is_active=True).order_by("code"))


def own_volunteer(user) -> Volunteer | None:
    """The signed-in user's own volunteer profile, if they registered (no audit: it is their own)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Volunteer.objects.filter(user=user).first()


def order_channel(user) -> str:
    """How a web order comes in: a resident orders for themselves; a grid or micro-grid worker (or the
    centre, from a phone call) orders on behalf of an elderly resident."""
    roles = {a.role for a in user.active_assignments()}
    if not roles or roles <= {"resident"}:
        return "resident"
    if roles & {"grid_worker", "micro_grid_worker", "community_admin", "street_admin"}:
        return "grid"
    return "hotline"


def service_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The orderable services as option groups: a service's items, or the service itself without items."""
    rows = list(Category.objects.filter(code__startswith=catalogue.SERVICE_ROOT, case_type="volunteer_order",
                                        is_active=True).exclude(code=catalogue.SERVICE_ROOT).order_by("code"))
    services = [c for c in rows if len(c.code) == len(catalogue.SERVICE_ROOT) + 2]
    groups = []
    for service in services:
        items = [(c.code, c.name) for c in rows if c.parent_id == service.pk]
        groups.append((service.name, items or [(service.code, service.name)]))
    return groups


def service_names() -> dict[str, str]:
    return dict(Category.objects.filter(code__startswith=catalogue.SERVICE_ROOT).values_list("code", "name"))


def _urgent_first(qs):
    return qs.order_by("-is_urgent", "case__created_at", "id")


def _overdue_q(now) -> Q:
    """Open orders past their deadline at `now` (Case.overdue_q: the live rule, not a stored status)."""
    return Q(case__is_open=True, case__due_at__lt=now)


def centre_board(user) -> dict:
    """The centre's board over the orders it reaches: 待审单, 待派单 (with the top station suggestions),
    overdue, and open orders by service and by station. Urgent orders come first."""
    visible = orders_visible(user)
    open_orders = visible.filter(case__state__in=OPEN_STATES)
    now = clock.now()
    to_dispatch = list(_urgent_first(visible.filter(case__state="reviewed")))
    names = service_names()
    by_category = Counter(catalogue.service_of(code) for code in
                          open_orders.values_list("case__category__code", flat=True) if code)
    by_station = (open_orders.exclude(station=None).values("station__name").annotate(n=Count("id"))
                  .order_by("-n", "station__name"))
    return {
        "new": list(_urgent_first(visible.filter(case__state="ordered"))),
        "to_dispatch": [(order, station_suggestions(order)[:3]) for order in to_dispatch],
        "overdue": list(_urgent_first(open_orders.filter(_overdue_q(now)))),
        "waiting_station": open_orders.filter(case__state="dispatched").count(),
        "in_service": open_orders.filter(case__state__in=("station_accepted", "assigned", "in_service")).count(),
        "by_category": [(names.get(code, code), n) for code, n in sorted(by_category.items())],
        "by_station": [(row["station__name"], row["n"]) for row in by_station],
    }


def assignable_teams(order: Order) -> list[Team]:
    """Teams a station may send: its own, its institute's and the centre's, able to serve the order's
    service first, and of those the nearest first — the station's own, then its institute's, then the
    centre's — so the form starts on the community's matching team (assign_team re-checks)."""
    if order.station_id is None:
        return []
    sites = [order.station_id] + ([order.station.parent_id] if order.station.parent_id else [])
    teams = list(Team.objects.filter(Q(site_id__in=sites) | Q(site__level=SiteLevel.CENTRE), is_active=True)
                 .select_related("site").order_by("code"))
    service = catalogue.service_of(order.case.category.code) if order.case.category_id else ""
    nearness = {site: rank for rank, site in enumerate(sites)}
    return sorted(teams, key=lambda t: (service not in t.capabilities, nearness.get(t.site_id, len(sites))))


def station_board(user) -> dict:
    """A station admin's board: orders dispatched to their stations, orders to staff, orders in service
    and the service records waiting for confirmation."""
    stations = managed_stations(user)
    mine = orders_visible(user).filter(station__in=stations)
    return {
        "stations": stations,
        "dispatched": list(_urgent_first(mine.filter(case__state="dispatched"))),
        "to_assign": list(_urgent_first(mine.filter(case__state="station_accepted"))),
        "serving": list(_urgent_first(mine.filter(case__state__in=("assigned", "in_service")))
                        .prefetch_related("volunteers")),
        "to_confirm": list(mine.filter(records__status=RecordStatus.RECORDED).distinct()
                           .prefetch_related("records__volunteer").order_by("case__closed_at", "id")),
    }


def volunteer_tasks(user, volunteer: Volunteer) -> dict:
    """A volunteer's own tasks: orders they are sent on that still need them, and the latest done."""
    mine = orders_visible(user).filter(volunteers=volunteer).prefetch_related("volunteers")
    return {
        "open": list(mine.filter(case__state__in=("assigned", "in_service")).order_by("window_start", "id")),
        "done": list(mine.filter(case__state__in=DONE_STATES).order_by("-window_start", "-id")[:10]),
    }


def volunteer_figures(volunteer: Volunteer) -> dict:
    """Hours (confirmed count; recorded wait for the station), star level and issued certificates."""
    from civicgrid.volunteers.certificates import stars
    from civicgrid.volunteers.models import ServiceCertificate

    recorded = (volunteer.records.filter(status=RecordStatus.RECORDED).aggregate(h=Sum("hours"))["h"]
                or Decimal("0"))
    confirmed = confirmed_hours(volunteer)
    return {"confirmed": confirmed, "recorded": recorded, "stars": stars(confirmed),
            "certificates": list(ServiceCertificate.objects.filter(volunteer=volunteer).select_related("issuer")
                                 .order_by("-issued_at"))}


def my_orders(user):
    """The orders the user placed (for themselves or on behalf of someone), newest first."""
    return (orders_visible(user).filter(case__reporter_id=user.pk).select_related("case__workflow", "case__region")
            .order_by("-case__created_at", "-id"))


def issuer_sites(user) -> list[PracticeSite]:
    """Sites in whose name the user may issue a certificate."""
    return list(PracticeSite.objects.visible_to(user, "volunteers.issue_certificate").filter(is_active=True)
                .order_by("level", "code"))


def joinable_teams(user, volunteer) -> list[Team]:
    """Active teams the user reaches that the volunteer is not an active member of."""
    member_of = volunteer.memberships.filter(is_active=True).values("team_id")
    return list(Team.objects.visible_to(user, "volunteers.view_team").filter(is_active=True)
                .exclude(pk__in=member_of).select_related("site").order_by("code"))


def donation_sites(user) -> list[PracticeSite]:
    return list(PracticeSite.objects.visible_to(user, "volunteers.change_donation").filter(is_active=True)
                .order_by("level", "code"))


def donation_totals(donations) -> dict:
    """Received, distributed and left over the given (scoped) donations, in yuan."""
    from civicgrid.volunteers.models import Distribution

    received = donations.aggregate(s=Sum("amount"))["s"] or Decimal("0")
    given = Distribution.objects.filter(donation__in=donations.values("pk")).aggregate(s=Sum("amount"))["s"]
    given = given or Decimal("0")
    by_kind = dict(donations.order_by().values_list("kind").annotate(s=Sum("amount")))
    return {"received": received, "distributed": given, "left": received - given, "by_kind": by_kind,
            "count": donations.count()}


def recent_distributions(donations, limit: int = 20):
    from civicgrid.volunteers.models import Distribution

    return (Distribution.objects.filter(donation__in=donations.values("pk")).select_related("donation", "household")
            .order_by("-distributed_at", "-id")[:limit])


def household_id(number: str) -> int | None:
    """The household with this 户编号 (the id only: the action records the distribution against it)."""
    from civicgrid.people.models import Household

    return Household.objects.filter(number=(number or "").strip(), is_active=True).values_list("pk", flat=True).first()


def registration_places() -> list[tuple[str, list[tuple[str, str]]]]:
    """Grids grouped by community, for a volunteer to say where they live (public geography)."""
    from civicgrid.cases.queries import report_places

    return report_places()["grids"]


# reasons in Chinese for the boards (codes from matching.eligible and matching.suggest_stations)
_EXCLUSIONS = {
    "inactive": "已暂停服务",
    "unavailable": "该时段不在其可服务时间内",
    "conflict": "该时段已有其他服务任务",
    "out_of_area": "服务地点超出其服务半径",
    "out_of_region": "服务地点不在其服务区域内",
}
_LOCALITY = {"micro_grid": "同一微网格", "grid": "同一网格", "community": "同一社区", "street": "同一街道",
             "district": "同一区", "none": "非属地"}
SCORE_PARTS = {"skill": "技能匹配", "distance": "距离", "reliability": "可靠度", "continuity": "曾服务该群众",
               "load": "近期负荷"}


def _cap_label(tag: str, names: dict[str, str]) -> str:
    return names.get(tag, tag)


def exclusion_label(code: str, names: dict[str, str] | None = None) -> str:
    """One hard-filter code (matching.eligible) as a sentence for the station."""
    names = names if names is not None else service_names()
    kind, _, tag = code.partition(":")
    if kind == "missing_capability":
        if tag in names:
            return f"未登记提供“{names[tag]}”服务"
        return f"缺少{tag}资质证书"
    if kind == "certificate_expired":
        return f"{_cap_label(tag, names)}证书在服务日已过期"
    return _EXCLUSIONS.get(kind, code)


def suggestion_reason_label(reason: str) -> str:
    """One station-suggestion reason (matching.suggest_stations) in Chinese."""
    kind, _, value = reason.partition(":")
    if kind == "locality":
        return _LOCALITY.get(value, value)
    if kind == "contains_order":
        return "辖区包含服务地点"
    if kind == "capabilities":
        return f"能力覆盖 {value}"
    if kind == "full":
        return "已满负荷"
    if kind == "load":
        return f"在办负荷 {round(float(value) * 100)}%"
    return reason


def present_shortlist(order: Order, team: Team) -> dict:
    """The team's ranked eligible members (score and its parts) and the excluded ones with why."""
    ranked, excluded = volunteer_shortlist(order, team)
    names = service_names()
    return {
        "team": team,
        "ranked": [{"volunteer": v, "score": c.score,
                    "parts": [(SCORE_PARTS.get(k, k), value) for k, value in c.parts.items()]} for v, c in ranked],
        "excluded": [{"volunteer": v, "reasons": [exclusion_label(r, names) for r in reasons]}
                     for v, reasons in sorted(excluded.items(), key=lambda pair: pair[0].pk)],
    }
