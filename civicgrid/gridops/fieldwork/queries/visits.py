"""Reads over household visits: scoped lists, coverage per grid, and the tagged households (独居老人 …)
whose visit is overdue."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import Coalesce, Substr, TruncDate
from django.utils import timezone

from civicgrid.core.scoping import can, filter_for
from civicgrid.geo.choices import CODE_LENGTH, RegionLevel
from civicgrid.geo.models import Region
from civicgrid.gridops.fieldwork.choices import VisitPurpose
from civicgrid.gridops.fieldwork.models import HouseholdVisit, VisitOpinion
from civicgrid.gridops.fieldwork.periods import day_bounds
from civicgrid.people.models import Household, Resident, ResidentTag, full_address

VIEW = "fieldwork.view_visit"
GRID_LEN = CODE_LENGTH[RegionLevel.GRID]


def visits_visible(user, *, region: str = "", purpose: str = "", household_id: int | None = None,
                   since: date | None = None, until: date | None = None) -> QuerySet[HouseholdVisit]:
    qs = HouseholdVisit.objects.visible_to(user).select_related("household", "region", "visitor")
    if region.strip():
        qs = qs.filter(region__code__startswith=region.strip())
    if purpose == VisitPurpose.KEY_PERSON:
        qs = qs.filter(Q(purpose=purpose) & _key_person_known(user))
    elif purpose == VisitPurpose.ROUTINE:  # as shown_purpose presents them: hidden key-person visits too
        qs = qs.filter(Q(purpose=purpose) | (Q(purpose=VisitPurpose.KEY_PERSON) & ~_key_person_known(user)))
    elif purpose:
        qs = qs.filter(purpose=purpose)
    if household_id is not None:
        qs = qs.filter(household_id=household_id)
    if since or until:
        lo, hi = day_bounds(since or date(2000, 1, 1), until or date(2999, 12, 30))
        qs = qs.filter(visited_at__gte=lo, visited_at__lt=hi)
    return qs.order_by("-visited_at", "-id")


# A key-person visit says that a key person lives in the household: a sensitive tag (docs/security.md PI-5).
SENSITIVE = "people.view_sensitive_tags"


def _key_person_known(user) -> Q:
    """The key-person visits `user` may know as such: within their sensitive-tag reach, or their own."""
    return Q(visitor_id=user.pk) | filter_for(user, SENSITIVE, HouseholdVisit)


def shown_purpose(user, visit: HouseholdVisit) -> str:
    """The visit's purpose as `user` reads it: a key-person visit outside their sensitive-tag reach, not
    their own, reads as a routine visit, in lists, filters and pages alike."""
    if visit.purpose == VisitPurpose.KEY_PERSON and visit.visitor_id != user.pk and not can(user, SENSITIVE, visit):
        return VisitPurpose.ROUTINE
    return visit.purpose


def visit_opinions(visit: HouseholdVisit) -> list[VisitOpinion]:
    return list(visit.opinions.select_related("case").order_by("id"))


def households_for_visit(user, *, region: str = "", q: str = "") -> QuerySet[Household]:
    """Active households the user may record a visit for (the form's choices)."""
    qs = Household.objects.visible_to(user, "fieldwork.record_visit").filter(is_active=True).select_related("region")
    if region.strip():
        qs = qs.filter(region__code__startswith=region.strip())
    if q.strip():
        qs = qs.filter(Q(number__icontains=q.strip()) | Q(address__icontains=q.strip()))
    return qs.order_by("number")


def region_names(codes) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=list(codes)).values_list("code", "name"))


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def coverage(user, *, start: date, end: date, region: str = "") -> dict:
    """走访覆盖率 per grid: distinct active households visited in [start, end] / active households, over
    the households the user may see. Households are counted in the grid they belong to now."""
    households = Household.objects.visible_to(user, VIEW).filter(is_active=True)
    if region.strip():
        households = households.filter(region__code__startswith=region.strip())
    by_grid = households.annotate(grid=Substr("region__code", 1, GRID_LEN)).values("grid")
    totals = {row["grid"]: row["n"] for row in by_grid.annotate(n=Count("id")).order_by()}
    lo, hi = day_bounds(start, end)
    visited_ids = HouseholdVisit.objects.filter(visited_at__gte=lo, visited_at__lt=hi).values("household_id")
    visited = {row["grid"]: row["n"] for row in by_grid.filter(pk__in=visited_ids).annotate(n=Count("id")).order_by()}
    names = region_names(totals)
    rows = [{"grid_code": code, "grid_name": names.get(code, code), "households": n,
             "visited": visited.get(code, 0), "rate": _percent(visited.get(code, 0), n)}
            for code, n in sorted(totals.items())]
    all_households, all_visited = sum(totals.values()), sum(visited.values())
    return {"start": start, "end": end, "rows": rows,
            "totals": {"grids": len(rows), "households": all_households, "visited": all_visited,
                       "rate": _percent(all_visited, all_households)}}


def tagged_households(user, *, today: date, region: str = "", overdue_only: bool = False) -> list[dict]:
    """Households with a member carrying a care tag that requires visits (non-sensitive tags with
    `contact_every_days`: 独居老人 7, 空巢老人 14 …). The shortest frequency among the members' tags applies;
    the next visit is due that many days after the last visit, or after the earliest tag start when the
    household was never visited. Key-person tags are left out: they have their own follow-up list."""
    residents = Resident.objects.visible_to(user, VIEW).filter(is_active=True, household__is_active=True)
    if region.strip():
        residents = residents.filter(region__code__startswith=region.strip())
    links = (ResidentTag.objects.filter(resident__in=residents, tag__is_sensitive=False,
                                        tag__contact_every_days__isnull=False)
             .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
             .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
             .values("resident__household_id", "tag__name", "tag__contact_every_days",
                     started=Coalesce("valid_from", TruncDate("created_at"))))
    grouped: dict[int, dict] = {}
    for link in links:
        started = link["started"]
        entry = grouped.setdefault(link["resident__household_id"], {"tags": set(), "interval": None, "since": started})
        entry["tags"].add(link["tag__name"])
        days = link["tag__contact_every_days"]
        entry["interval"] = days if entry["interval"] is None else min(entry["interval"], days)
        entry["since"] = min(entry["since"], started)
    if not grouped:
        return []
    _, end_of_today = day_bounds(today, today)
    last_visits = dict(HouseholdVisit.objects.filter(household_id__in=list(grouped), visited_at__lt=end_of_today)
                       .values("household_id").annotate(last=Max("visited_at")).values_list("household_id", "last"))
    households = Household.objects.filter(pk__in=list(grouped)).values(
        "pk", "number", "address", "room", "region__code", "region__name")  # no region boundaries
    rows = []
    for household in households:
        entry = grouped[household["pk"]]
        last = last_visits.get(household["pk"])
        last_day = timezone.localdate(last) if last else None
        due = (last_day or entry["since"]) + timedelta(days=entry["interval"])
        overdue = max((today - due).days, 0)
        if overdue_only and not overdue:
            continue
        rows.append({
            "household_id": household["pk"], "number": household["number"],
            "address": full_address(household["address"], household["room"]),
            "region_code": household["region__code"], "region_name": household["region__name"],
            "tags": sorted(entry["tags"]), "interval_days": entry["interval"], "last_visit": last_day,
            "due_on": due, "days_overdue": overdue, "is_overdue": overdue > 0,
        })
    rows.sort(key=lambda r: (-r["days_overdue"], r["due_on"], r["number"]))
    return rows


def _case_ref(case) -> dict:
    return {"case_id": case.pk if case else None, "case_number": case.number if case else None}


def present_opinion(opinion: VisitOpinion) -> dict:
    return {"id": opinion.pk, "content": opinion.content, "category_code": opinion.category_code,
            **_case_ref(opinion.case)}


def present_visit(visit: HouseholdVisit, user, *, opinions: bool = False) -> dict:
    household = visit.household
    purpose = VisitPurpose(shown_purpose(user, visit))
    data = {
        "id": visit.pk, "household_id": household.pk, "household_number": household.number,
        "address": household.full_address,
        "region_code": visit.region.code, "region_name": visit.region.name, "purpose": purpose.value,
        "purpose_label": str(purpose.label), "visited_at": visit.visited_at,
        "visitor": str(visit.visitor) if visit.visitor_id else "", "participants": visit.participants,
        "persons_met": visit.persons_met, "notes": visit.notes, "next_follow_up_on": visit.next_follow_up_on,
    }
    if opinions:
        data["opinions"] = [present_opinion(o) for o in visit_opinions(visit)]
    return data
