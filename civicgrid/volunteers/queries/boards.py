"""The centre's and the station's boards. Which board a user gets is decided by the roles the workflow
gives them (centre_admin reviews and dispatches, station_admin accepts and assigns), so a page never
offers a step the engine would refuse."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, Q

from civicgrid.core import clock
from civicgrid.volunteers import catalogue
from civicgrid.volunteers.choices import RecordStatus, SiteLevel
from civicgrid.volunteers.models import Order, PracticeSite, Team
from civicgrid.volunteers.queries.orders import OPEN_STATES, orders_visible
from civicgrid.volunteers.queries.services import service_names
from civicgrid.volunteers.queries.suggestions import station_suggestions

PROGRESS = ("ordered", "reviewed", "dispatched", "station_accepted", "assigned", "in_service", "completed",
            "archived")  # the happy path a resident's order walks; rejected/cancelled end it early


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
