"""The service catalogue (category 70 and its items) as the pages and the API list it."""

from __future__ import annotations

from civicgrid.cases.models import Category
from civicgrid.volunteers import catalogue


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
