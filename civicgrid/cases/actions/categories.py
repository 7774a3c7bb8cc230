"""The shipped category tree and workflow specs, loaded into the database."""

from __future__ import annotations

from django.db import transaction

from civicgrid.accounts.models import Department
from civicgrid.core import audit


def sync_categories() -> dict[str, int]:
    """Upsert the shipped category tree (cases.flows.catalogue) and freeze the workflow specs. Linking a
    default department needs that department to exist, so run again after departments are loaded."""
    from civicgrid.cases.flows import catalogue
    from civicgrid.cases.models import Category
    from civicgrid.cases.workflows import sync_workflows

    sync_workflows()
    departments = {d.code: d for d in Department.objects.all()}
    counts = {"created": 0, "updated": 0}
    with transaction.atomic():
        by_code = {c.code: c for c in Category.objects.all()}
        for row in catalogue.as_rows():
            values = {
                "name": row["name"], "case_type": row["case_type"], "parent": by_code.get(row["parent_code"]),
                "default_department": departments.get(row["department"]),
                "filing_condition": row["filing_condition"], "closing_condition": row["closing_condition"],
                "limits": row["limits"], "urgency": row["urgency"], "questions": row["questions"],
            }
            category, created = Category.objects.update_or_create(code=row["code"], defaults=values)
            by_code[category.code] = category
            counts["created" if created else "updated"] += 1
        audit.record(actor=None, action="cases.sync_categories", object_type="cases.category", details=counts)
    return counts
