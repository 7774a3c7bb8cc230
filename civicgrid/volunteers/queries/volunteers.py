"""Volunteers: the scoped list, profiles (every read of one is audit-logged), their records, hours and
tasks, and the teams one may still join."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

from django.db.models import Q, Sum

from civicgrid.core import audit, errors
from civicgrid.core.scoping import get_visible
from civicgrid.volunteers.choices import RecordStatus
from civicgrid.volunteers.models import ServiceCertificate, Team, Volunteer
from civicgrid.volunteers.queries.orders import DONE_STATES, orders_visible

AVAILABILITY_SLOTS = {"am": (time(8), time(12)), "pm": (time(12), time(18)), "eve": (time(18), time(21))}


def volunteers_visible(user, *, q: str = ""):
    """The volunteers the user reaches, oldest first; `q` narrows by name (the list page's search)."""
    qs = Volunteer.objects.visible_to(user, "volunteers.view_volunteer").select_related("region")
    return qs.filter(name_matches(q)).order_by("id")


def name_matches(q: str | None) -> Q:
    """Volunteers whose name contains `q` (trimmed, at most 50 characters); blank: all."""
    q = (q or "").strip()[:50]
    return Q(name__icontains=q) if q else Q()


def in_team(code: str) -> Q:
    """Active members of the team with this code."""
    return Q(memberships__team__code=code, memberships__is_active=True)


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


def confirmed_hours(volunteer: Volunteer) -> Decimal:
    return (volunteer.records.filter(status=RecordStatus.CONFIRMED).aggregate(h=Sum("hours"))["h"]
            or Decimal("0"))


def own_volunteer(user) -> Volunteer | None:
    """The signed-in user's own volunteer profile, if they registered (no audit: it is their own)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Volunteer.objects.filter(user=user).first()


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

    recorded = (volunteer.records.filter(status=RecordStatus.RECORDED).aggregate(h=Sum("hours"))["h"]
                or Decimal("0"))
    confirmed = confirmed_hours(volunteer)
    return {"confirmed": confirmed, "recorded": recorded, "stars": stars(confirmed),
            "certificates": list(ServiceCertificate.objects.filter(volunteer=volunteer).select_related("issuer")
                                 .order_by("-issued_at"))}


def joinable_teams(user, volunteer) -> list[Team]:
    """Active teams the user reaches that the volunteer is not an active member of."""
    member_of = volunteer.memberships.filter(is_active=True).values("team_id")
    return list(Team.objects.visible_to(user, "volunteers.view_team").filter(is_active=True)
                .exclude(pk__in=member_of).select_related("site").order_by("code"))


def registration_places() -> list[tuple[str, list[tuple[str, str]]]]:
    """Grids grouped by community, for a volunteer to say where they live (public geography)."""
    from civicgrid.cases.queries import report_places

    return report_places()["grids"]
