"""The matching core's inputs built from the models (civicgrid/volunteers/matching.py is pure) and what
it answers: stations ranked for dispatch, a team's shortlist for an order, a station's batch proposal."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from civicgrid.core import clock
from civicgrid.core.scoping import get_visible, require
from civicgrid.volunteers import catalogue, matching
from civicgrid.volunteers.choices import SiteLevel, VolunteerStatus
from civicgrid.volunteers.models import Order, PracticeSite, Team, Volunteer
from civicgrid.volunteers.queries.orders import BUSY_STATES, DONE_STATES, OPEN_STATES, order_visible


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
