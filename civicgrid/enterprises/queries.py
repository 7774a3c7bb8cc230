"""Reads about the zone and its enterprises. Everything starts scoped (`visible_to(user)`, the one
chokepoint in civicgrid.core.scoping): an enterprise outside the reader's reach is NotFound, exactly as if
it did not exist. Non-public data (yearly metrics, credit flags) is read through `read_metrics`, which
checks `enterprises.view_metrics` over the enterprise and writes an audit record for every read.

The zone-wide counts (`zone_counts`, the figures) are what the overview page, the figures API and the tests
all use.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, Max, Q

from civicgrid.core import audit, clock, errors
from civicgrid.core.scoping import can, get_visible, grant_for, require
from civicgrid.enterprises.choices import (
    HELD_STATUSES,
    EnterpriseStatus,
    ListingBoard,
    PatentKind,
)
from civicgrid.enterprises.models import (
    VIEW,
    ApprovalItem,
    Enterprise,
    EnterpriseContact,
    Park,
    Patent,
    PrecheckReport,
    Qualification,
    QualificationKind,
    RuleSetVersion,
    YearMetrics,
    Zone,
)

MAX_QUERY = 50
METRICS = "enterprises.view_metrics"
HIGH_TECH = "high_tech_enterprise"  # QualificationKind.code of 高新技术企业
NATIONAL_INNOVATIVE = "national_innovative_enterprise"
TORCH_KEY = "torch_key_high_tech"
POSTDOC_STATION = "postdoctoral_station"


def today() -> date:
    from django.utils import timezone

    return timezone.localtime(clock.now()).date()


# --- enterprises ------------------------------------------------------------------------------------


def enterprises_visible(user, **filters):
    """The enterprises the user may see, filtered (see filter_enterprises)."""
    return filter_enterprises(Enterprise.objects.visible_to(user, VIEW).select_related("park"), **filters)


def filter_enterprises(qs, *, q: str = "", park: str = "", status: str = "", industry: str = "",
                       qualification: str = "", size: str = "", listing: str = "", on: date | None = None):
    """The list's filters (name/USCC text, park code, status, industry code prefix, a qualification kind
    held on `on`, size class, listing board), shared by the list and its export."""
    q = (q or "").strip()[:MAX_QUERY]
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(uscc__startswith=q.upper()))
    if park:
        qs = qs.filter(park__code=park)
    if status:
        qs = qs.filter(status=status)
    if industry:
        qs = qs.filter(industry_code__startswith=industry.upper())
    if qualification:
        held = Qualification.objects.valid_on(on or today()).filter(kind__code=qualification)
        qs = qs.filter(id__in=held.values("enterprise_id"))
    if size:
        qs = qs.filter(size_class=size)
    if listing:
        qs = qs.filter(listing_board=listing)
    return qs.order_by("name", "id")


def enterprise_visible(user, enterprise_id: int) -> Enterprise:
    return get_visible(Enterprise.objects.select_related("park", "park__zone"), user, VIEW, pk=enterprise_id)


def enterprise_by_uscc(user, uscc: str) -> Enterprise:
    return get_visible(Enterprise.objects.select_related("park", "park__zone"), user, VIEW, uscc=uscc.upper())


def own_enterprises(user) -> list[Enterprise]:
    """The enterprises the user is an active contact of (the contact portal)."""
    if not getattr(user, "is_authenticated", False):
        return []
    ids = EnterpriseContact.objects.filter(user=user, is_active=True).values("enterprise_id")
    return list(Enterprise.objects.visible_to(user, VIEW).filter(id__in=ids).select_related("park"))


def read_metrics(user, enterprise: Enterprise) -> dict:
    """The enterprise's yearly metrics and credit flags: non-public, so the read is audit-logged."""
    require(user, METRICS, enterprise)
    rows = list(enterprise.metrics.select_related("reported_by").order_by("year"))
    with transaction.atomic():
        audit.record(actor=user, action="enterprises.read_metrics", obj=enterprise,
                     fields=["metrics", "credit_flags"], details={"years": [m.year for m in rows]})
    return {
        "metrics": rows,
        "credit": {"is_abnormal_operation": enterprise.is_abnormal_operation,
                   "is_serious_violation": enterprise.is_serious_violation},
    }


def may_read_metrics(user, enterprise: Enterprise) -> bool:
    return can(user, METRICS, enterprise)


def contacts_of(enterprise: Enterprise):
    return enterprise.contacts.filter(is_active=True).select_related("user").order_by("id")


def qualifications_of(enterprise: Enterprise):
    return enterprise.qualifications.select_related("kind").order_by("kind__sort", "-issued_on")


def patents_of(enterprise: Enterprise):
    return enterprise.patents.order_by("-granted_on", "id")


def patent_summary(enterprise: Enterprise, on: date | None = None) -> dict:
    on = on or today()
    patents = enterprise.patents.all()
    valid = patents.valid_on(on)
    return {
        "granted": patents.granted_by(on).count(),
        "valid": valid.count(),
        "valid_invention": valid.filter(kind=PatentKind.INVENTION).count(),
        "class_i": valid.filter(ip_class="I").count(),
        "class_ii": valid.filter(ip_class="II").count(),
    }


def expiry_badge(qualification: Qualification, on: date) -> str:
    """"expired" | "expiring" (within the largest reminder threshold) | "valid" | "not_held"."""
    from django.conf import settings

    if qualification.status not in HELD_STATUSES:
        return "not_held"
    left = qualification.days_left(on)
    if left is None:
        return "valid"
    if left < 0:
        return "expired"
    return "expiring" if left <= max(settings.ENTERPRISE_REMINDER_DAYS or (90,)) else "valid"


# --- the zone -----------------------------------------------------------------------------------------


def the_zone() -> Zone | None:
    return Zone.objects.select_related("region").order_by("id").first()


def parks() -> list[Park]:
    return list(Park.objects.filter(is_active=True).select_related("zone").order_by("code"))


def parks_geojson(user) -> dict:
    """The parks' boundaries with the number of visible enterprises in each (the overview map)."""
    counts = dict(enterprises_visible(user).filter(status=EnterpriseStatus.OPERATING)
                  .values_list("park__code").annotate(n=Count("id")))
    features = [{"type": "Feature", "geometry": p.boundary,
                 "properties": {"code": p.code, "name": p.name, "theme": p.get_theme_display(),
                                "enterprises": counts.get(p.code, 0)}}
                for p in parks() if p.boundary]
    return {"type": "FeatureCollection", "features": features}


def zone_counts(user, on: date | None = None) -> dict:
    """Counts over the operating enterprises the user may see: by park, by qualification held on `on`, by
    size class and by industry section (GB/T 4754 letter)."""
    on = on or today()
    qs = enterprises_visible(user).filter(status=EnterpriseStatus.OPERATING)
    by_park = list(qs.values("park__code", "park__name").annotate(n=Count("id")).order_by("park__code"))
    held = (Qualification.objects.valid_on(on).filter(enterprise__in=qs.values("id"))
            .values("kind__code", "kind__name").annotate(n=Count("enterprise_id", distinct=True))
            .order_by("kind__code"))
    sizes = Counter(qs.values_list("size_class", flat=True))
    sections = Counter(code[:1] for code in qs.values_list("industry_code", flat=True))
    return {
        "enterprises": qs.count(),
        "by_park": [{"code": r["park__code"], "name": r["park__name"], "count": r["n"]} for r in by_park],
        "by_qualification": [{"code": r["kind__code"], "name": r["kind__name"], "count": r["n"]} for r in held],
        "by_size": dict(sizes),
        "by_section": dict(sorted(sections.items())),
    }


# --- worklist -----------------------------------------------------------------------------------------


def expiring_qualifications(user, *, on: date | None = None, within_days: int = 90):
    """Held qualifications of visible enterprises whose valid-until falls in the next `within_days` days."""
    on = on or today()
    return (Qualification.objects.visible_to(user, VIEW).valid_on(on)
            .filter(valid_until__lte=on + timedelta(days=within_days))
            .select_related("enterprise", "kind").order_by("valid_until", "id"))


def missing_metrics(user, *, year: int | None = None):
    """Operating visible enterprises with no metrics for `year` (default: last year)."""
    year = year or today().year - 1
    reported = YearMetrics.objects.filter(year=year).values("enterprise_id")
    return (enterprises_visible(user).filter(status=EnterpriseStatus.OPERATING)
            .exclude(id__in=reported).order_by("park__code", "name"))


def latest_reports(user, tier: str | None = None):
    """The newest stored pre-check report per (enterprise, tier) among visible enterprises."""
    qs = PrecheckReport.objects.visible_to(user, VIEW)
    if tier:
        qs = qs.filter(ruleset__tier=tier)
    newest = qs.values("enterprise_id", "ruleset__tier").annotate(last=Max("id")).values("last")
    return qs.filter(id__in=newest).select_related("enterprise", "ruleset")


def candidates(user, tier: str, *, limit: int = 20) -> list[PrecheckReport]:
    """The nearest candidates for a tier: enterprises whose latest report is not already held, ordered by
    the engine's distance (0 = meets every criterion), then by name."""
    held_kind = TIER_KIND.get(tier)
    qs = latest_reports(user, tier).filter(distance__isnull=False)
    if held_kind:
        holders = Qualification.objects.valid_on(today()).filter(kind__code=held_kind).values("enterprise_id")
        qs = qs.exclude(enterprise_id__in=holders)
    return list(qs.order_by("distance", "enterprise__name")[:limit])


# the qualification kind a pre-check tier leads to (a holder is not a candidate)
TIER_KIND = {
    "tech_sme": "tech_sme",
    "high_tech_enterprise": HIGH_TECH,
    "specialised_sme": "specialised_sme",
    "little_giant": "little_giant",
}


def current_rulesets() -> list[RuleSetVersion]:
    """The newest version of every tier."""
    newest = RuleSetVersion.objects.values("tier").annotate(v=Max("version"))
    q = Q(pk__in=[])
    for row in newest:
        q |= Q(tier=row["tier"], version=row["v"])
    return list(RuleSetVersion.objects.filter(q).order_by("tier"))


def reports_of(enterprise: Enterprise):
    return enterprise.precheck_reports.select_related("ruleset").order_by("-computed_at", "-id")


def latest_reports_of(enterprise: Enterprise) -> list[PrecheckReport]:
    seen, result = set(), []
    for report in reports_of(enterprise):
        if report.ruleset.tier not in seen:
            seen.add(report.ruleset.tier)
            result.append(report)
    return sorted(result, key=lambda r: r.ruleset.tier)


def report_visible(user, report_id: int) -> PrecheckReport:
    return get_visible(PrecheckReport.objects.select_related("ruleset", "enterprise"), user, VIEW, pk=report_id)


# --- catalogue ---------------------------------------------------------------------------------------


def qualification_kinds(active_only: bool = True):
    qs = QualificationKind.objects.all()
    return qs.filter(is_active=True) if active_only else qs


def approval_items(*, q: str = "", department: str = "", mode: str = ""):
    """The public approvals catalogue (no scope: it is published)."""
    qs = ApprovalItem.objects.filter(is_active=True).select_related("department")
    q = (q or "").strip()[:MAX_QUERY]
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(legal_basis__icontains=q) | Q(code__icontains=q)
                       | Q(category__icontains=q))
    if department:
        qs = qs.filter(department__code=department)
    if mode:
        qs = qs.filter(mode=mode)
    return qs.order_by("code")


def approval_item(code: str) -> ApprovalItem:
    item = ApprovalItem.objects.filter(code=code, is_active=True).select_related("department").first()
    if item is None:
        raise errors.NotFound()
    return item


def approval_departments():
    from civicgrid.accounts.models import Department

    return Department.objects.filter(approval_items__is_active=True).distinct().order_by("code")


# --- the figures (seed-figures.md rows 6–9, 13, 14) -------------------------------------------------
# Counted over the whole zone for a reader who may see it all; a narrower reader gets their own reach.


def holders_on(user, kind_code: str, on: date) -> int:
    held = Qualification.objects.visible_to(user, VIEW).valid_on(on).filter(kind__code=kind_code)
    return held.values("enterprise_id").distinct().count()


def patent_figures(user, on: date) -> dict:
    patents = Patent.objects.visible_to(user, VIEW)
    granted = patents.granted_by(on).count()
    valid_invention = patents.valid_on(on).filter(kind=PatentKind.INVENTION).count()
    zone = the_zone()
    city = zone.city_valid_invention_patents if zone else None
    share = round(valid_invention * 100 / city, 1) if city else None
    return {"granted": granted, "valid_invention": valid_invention, "city_share_percent": share}


def listed_on_main_board(user) -> int:
    return (enterprises_visible(user).filter(listing_board=ListingBoard.MAIN)
            .exclude(status=EnterpriseStatus.DEREGISTERED).count())


def delegated_approvals() -> dict:
    zone = the_zone()
    return {"items": ApprovalItem.objects.filter(is_active=True).count(),
            "zone_departments": zone.departments.filter(is_active=True).count() if zone else 0}


def zone_area(on: date | None = None) -> dict:
    """The planned area at founding (the first record) and on `on` (the newest record in force then)."""
    zone = the_zone()
    areas = list(zone.areas.order_by("effective_from")) if zone else []
    on = on or today()
    current = [a for a in areas if a.effective_from <= on]
    return {"initial_km2": float(areas[0].area_km2) if areas else None,
            "current_km2": float(current[-1].area_km2) if current else None,
            "history": [{"from": a.effective_from.isoformat(), "km2": float(a.area_km2), "basis": a.basis}
                        for a in areas]}


def can_see_zone(user) -> bool:
    return bool(grant_for(user, "enterprises.view_zone"))
