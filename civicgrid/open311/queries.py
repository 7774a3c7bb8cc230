"""What the public Open311 interface reads: the jurisdictions, the published services, and the published
requests of a jurisdiction. Requests are read through the scoping chokepoint as a member of the public
reaching one jurisdiction (`PublicReader`), so no case outside it can be listed."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Prefetch, Q

from civicgrid.cases.models import Attachment, Case, CaseEvent, Category
from civicgrid.core import clock, confcache
from civicgrid.core.scoping import Grant
from civicgrid.geo.choices import RegionLevel
from civicgrid.geo.models import Region
from civicgrid.open311.formats import Open311Error
from civicgrid.open311.models import ClientUpdate

WINDOW = timedelta(days=90)
MAX_REQUESTS = 1000
VIEW = "cases.view_case"


class PublicReader:
    """Anyone on the internet, reaching the published cases of one jurisdiction."""

    is_authenticated = True
    is_active = True
    is_superuser = False
    pk = None

    def __init__(self, region_code: str):
        self.region_code = region_code

    def grant_for(self, perm: str, own_only: frozenset[str] = frozenset()) -> Grant:
        return Grant(region_codes=(self.region_code,)) if perm == VIEW else Grant()

    def role_codes(self) -> set[str]:
        return set()

    def get_username(self) -> str:
        return ""


def case_types() -> tuple[str, ...]:
    return tuple(settings.OPEN311_CASE_TYPES)


def _jurisdictions() -> dict[str, Region]:
    regions = Region.objects.filter(is_active=True, level__in=(RegionLevel.PROVINCE, RegionLevel.CITY,
                                                               RegionLevel.DISTRICT, RegionLevel.STREET)).defer(
        "boundary")
    return {r.code: r for r in regions}


def jurisdiction(value: str) -> Region:
    """The district (the default when one is served) or one of its streets, by code (from the
    configuration snapshot: regions change rarely)."""
    known = confcache.current().get("open311_jurisdictions", _jurisdictions)
    value = (value or "").strip()
    if not value:
        # the root when one is served: a district, or the city above several
        roots = [r for r in known.values() if r.parent_id is None]
        districts = roots or [r for r in known.values() if r.level == RegionLevel.DISTRICT]
        if len(districts) != 1:
            raise Open311Error(400, "jurisdiction_id is required: this endpoint serves several jurisdictions"
                               if districts else "no jurisdiction is configured")
        return districts[0]
    if value not in known:
        raise Open311Error(404, f"jurisdiction_id {value!r} not found")
    return known[value]


def services():
    return (Category.objects.filter(is_active=True, parent__isnull=False, case_type__in=case_types())
            .select_related("parent").order_by("code"))


def service(code: str) -> Category:
    """A published service by code, from the configuration snapshot (categories change rarely; every
    POST and service definition asks)."""
    by_code = confcache.current().get(("open311_services_by_code", case_types()),
                                      lambda: {c.code: c for c in services()})
    found = by_code.get(code)
    if found is None:
        raise Open311Error(404, f"service_code {code!r} not found")
    return found


def public_cases(region: Region):
    return (Case.objects.visible_to(PublicReader(region.code), VIEW)
            .filter(case_type__in=case_types(), category__in=services())
            .select_related("category", "department", "region"))


def with_details(qs):
    """Their history and intake photos, for `extensions=true` and `media_url`."""
    return qs.prefetch_related(
        Prefetch("events", queryset=CaseEvent.objects.order_by("seq").only(
            "id", "case_id", "seq", "action", "from_state", "to_state", "created_at")),
        Prefetch("attachments", queryset=Attachment.objects.filter(Q(event__isnull=True) | Q(event__seq=1), pending=False)
                 .order_by("id").only("id", "case_id", "content_type")),
    )


def parse_datetime(name: str, value: str) -> datetime | None:
    """A W3C datetime with its time zone; an empty value is a missing one."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace(" ", "+"))  # '+' arrives as a space when unescaped
    except ValueError:
        raise Open311Error(400, f"{name} is not a W3C datetime such as 2026-01-01T00:00:00+08:00") from None
    if parsed.tzinfo is None:
        raise Open311Error(400, f"{name} must carry a time zone (Z or ±HH:MM)")
    return parsed


def _codes(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _positive(name: str, value: str, default: int, maximum: int) -> int:
    if not value:
        return default
    if not value.isdigit() or not 1 <= int(value) <= maximum:
        raise Open311Error(400, f"{name} must be a whole number from 1 to {maximum}")
    return int(value)


def requests(region: Region, params) -> list[Case]:
    """GET Service Requests with the spec's filters and the extensions (docs/open311.md), newest first."""
    qs = with_details(public_cases(region))
    ids = _codes(params.get("service_request_id", ""))
    if ids:  # overrides every other argument
        return list(qs.filter(number__in=ids[:MAX_REQUESTS]).order_by("-created_at", "-id"))
    codes = _codes(params.get("service_code", ""))
    if codes:
        qs = qs.filter(category__code__in=codes)
    statuses = set(_codes(params.get("status", "")))
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status must be open, closed or both (comma-separated)")
    qs = _status(qs, statuses)
    end = parse_datetime("end_date", params.get("end_date", ""))
    start = parse_datetime("start_date", params.get("start_date", ""))
    end = end or (start + WINDOW if start else clock.now())
    start = start or end - WINDOW
    if start > end:
        raise Open311Error(400, "start_date is after end_date")
    if end - start > WINDOW:
        raise Open311Error(400, "start_date and end_date may be at most 90 days apart")
    qs = qs.filter(created_at__gte=start, created_at__lte=end)
    after = parse_datetime("updated_after", params.get("updated_after", ""))
    before = parse_datetime("updated_before", params.get("updated_before", ""))
    if after:
        qs = qs.filter(updated_at__gt=after)
    if before:
        qs = qs.filter(updated_at__lt=before)
    size = _positive("page_size", params.get("page_size", ""), MAX_REQUESTS, MAX_REQUESTS)
    page = _positive("page", params.get("page", ""), 1, 10**6)
    return list(qs.order_by("-created_at", "-id")[(page - 1) * size: page * size])


def _status(qs, statuses: set[str]):
    """open/closed by the Open311 mapping of each published workflow's states."""
    from civicgrid.open311 import mapping

    if not statuses or statuses == {"open", "closed"}:
        return qs
    closing = Q()
    for case_type in case_types():
        states = [s for s, ext in mapping.STATES.get(case_type, {}).items() if ext in mapping.CLOSING]
        closing |= Q(case_type=case_type, state__in=states)
    return qs.filter(closing) if statuses == {"closed"} else qs.exclude(closing)


def request(region: Region, number: str) -> Case:
    found = with_details(public_cases(region)).filter(number=number).first()
    if found is None:
        raise Open311Error(404, f"service_request_id {number!r} not found")
    return found


def region_names(cases) -> dict[str, str]:
    """Names of the street, community and grid above each case's region, in one query."""
    codes = set()
    for case in cases:
        code = case.region.code
        codes.update(code[:n] for n in (9, 12, 15) if len(code) >= n)
    return dict(Region.objects.filter(code__in=codes).values_list("code", "name"))


def updates(region: Region, params) -> list[CaseEvent]:
    """mySociety servicerequestupdates: the public cases' steps in a window (default the last 24 hours)."""
    end = parse_datetime("end_date", params.get("end_date", "")) or clock.now()
    start = parse_datetime("start_date", params.get("start_date", "")) or end - timedelta(hours=24)
    if start > end:
        raise Open311Error(400, "start_date is after end_date")
    if end - start > WINDOW:
        raise Open311Error(400, "start_date and end_date may be at most 90 days apart")
    return list(CaseEvent.objects.filter(case__in=public_cases(region), created_at__gte=start, created_at__lte=end)
                .select_related("case", "case__category").order_by("created_at", "id")[:MAX_REQUESTS])


def client_updates(case_id: int) -> list[ClientUpdate]:
    """What client applications posted on one case (the case page's staff view; the caller has already
    read the case through the scoping chokepoint)."""
    return list(ClientUpdate.objects.filter(case_id=case_id).select_related("key").order_by("created_at", "id"))
