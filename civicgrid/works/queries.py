"""Reads of the improvement-works register: staff lists through the scoping chokepoint; totals by
measure, kind and street over finished works in a period (the figures and the public page use the same
`totals`); the public map of finished works as GeoJSON."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum

from civicgrid.core.scoping import get_visible
from civicgrid.works.choices import MEASURES, WHOLE_MEASURES, WorkKind, WorkStatus
from civicgrid.works.models import Work, WorkQuantity

VIEW = "works.view_work"
KIND_LABELS = dict(WorkKind.choices)
STATUS_LABELS = dict(WorkStatus.choices)


def works_visible(user, *, kind: str = "", status: str = "", street: str = ""):
    qs = Work.objects.visible_to(user, VIEW).select_related("region", "department").prefetch_related("quantities")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if street:
        qs = qs.filter(region__code=street)
    return qs


def work_visible(user, pk: int) -> Work:
    return get_visible(Work.objects.select_related("region", "department").prefetch_related("quantities", "photos"),
                       user, VIEW, pk=pk)


def number(measure: str, value: Decimal | None) -> int | float:
    """A total as a plain number: whole units as int, areas and lengths as float with 2 decimals."""
    value = value or Decimal("0")
    return int(value) if measure in WHOLE_MEASURES or value == value.to_integral_value() else float(value)


def finished(since: date | None = None, until: date | None = None, street: str = ""):
    """Finished works, by the day they were finished (inclusive bounds)."""
    q = Q(status=WorkStatus.FINISHED)
    if since:
        q &= Q(finished_on__gte=since)
    if until:
        q &= Q(finished_on__lte=until)
    if street:
        q &= Q(region__code__startswith=street)
    return Work.objects.filter(q)


def totals(user, *, since: date | None = None, until: date | None = None, street: str = "") -> dict:
    """{measure: number} over the finished works `user` may see (the public sees every finished work)."""
    works = finished(since, until, street)
    if user is not None:
        works = works.filter(pk__in=Work.objects.visible_to(user, VIEW).values("pk"))
    rows = dict(WorkQuantity.objects.filter(work__in=works).values("measure").annotate(s=Sum("value"))
                .values_list("measure", "s"))
    return {measure: number(measure, rows.get(measure)) for measure in MEASURES}


def totals_by(*, group: str, since: date | None = None, until: date | None = None) -> list[dict]:
    """Totals of finished works per street (`group="street"`) or per kind (`group="kind"`)."""
    key = "work__region__code" if group == "street" else "work__kind"
    rows = (WorkQuantity.objects.filter(work__in=finished(since, until)).values(key, "measure")
            .annotate(s=Sum("value")).order_by(key, "measure"))
    names = {}
    if group == "street":
        from civicgrid.geo.models import Region

        names = dict(Region.objects.filter(code__in={r[key] for r in rows}).values_list("code", "name"))
    out: dict[str, dict] = {}
    for row in rows:
        entry = out.setdefault(row[key], {"key": row[key], "label": str(names.get(row[key]) or KIND_LABELS.get(row[key], "")),
                                          "quantities": {}})
        entry["quantities"][row["measure"]] = number(row["measure"], row["s"])
    return list(out.values())


def quantities_of(work: Work) -> list[dict]:
    return [{"measure": q.measure, "label": MEASURES[q.measure][0], "unit": MEASURES[q.measure][1],
             "value": number(q.measure, q.value)} for q in work.quantities.all()]


def public_feature(work: Work) -> dict:
    return {"type": "Feature", "geometry": work.geometry,
            "properties": {"id": work.pk, "number": work.number, "name": work.name, "kind": work.kind,
                           "kind_label": str(KIND_LABELS[work.kind]), "street": work.region.name,
                           "department": work.department.name, "finished_on": work.finished_on.isoformat(),
                           "budget": str(work.budget), "lng": work.lng, "lat": work.lat,
                           "quantities": quantities_of(work),
                           "photos": [f"/works/photos/{p.pk}/" for p in work.photos.all()]}}


def public_map(*, since: date | None = None, until: date | None = None, kind: str = "") -> dict:
    works = finished(since, until).select_related("region", "department").prefetch_related("quantities", "photos")
    if kind:
        works = works.filter(kind=kind)
    return {"type": "FeatureCollection", "features": [public_feature(w) for w in works.order_by("finished_on", "id")]}


def street_outlines() -> dict:
    """The streets' boundaries and names (public administrative divisions) under the public map, so the
    works have a place without a tile server; nothing below street level."""
    from civicgrid.geo.models import Region

    streets = Region.objects.filter(level="street", is_active=True, boundary__isnull=False).order_by("code")
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "geometry": r.boundary, "properties": {"name": r.name}} for r in streets]}
