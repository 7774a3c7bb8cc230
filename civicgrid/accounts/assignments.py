"""A user's active role assignments with region and department, read with one prepared statement."""

from __future__ import annotations

from civicgrid.accounts.models import Department, RoleAssignment
from civicgrid.core import fastsql
from civicgrid.geo.models import FIELDS_WITHOUT_BOUNDARY as _REGION_FIELDS
from civicgrid.geo.models import Region


def _sql() -> str:
    return (f"SELECT {fastsql.columns(RoleAssignment, alias='a')}, {fastsql.columns(Region, _REGION_FIELDS, 'r')}, "
            f"{fastsql.columns(Department, alias='d')} FROM {fastsql.table(RoleAssignment)} a "
            f"LEFT JOIN {fastsql.table(Region)} r ON r.id = a.region_id "
            f"LEFT JOIN {fastsql.table(Department)} d ON d.id = a.department_id "
            "WHERE a.user_id = %s AND a.is_active = %s ORDER BY a.id")


def active_assignments_of(user) -> list[RoleAssignment]:
    rows = fastsql.fetchall(fastsql.statement("active_assignments", _sql),
                            [user.pk, fastsql.param(RoleAssignment, "is_active", True)])
    n_assignment = len(RoleAssignment._meta.concrete_fields)
    n_region = len(_REGION_FIELDS)
    found = []
    for row in rows:
        assignment = fastsql.load(RoleAssignment, row)
        assignment.user = user
        region_row, department_row = row[n_assignment:n_assignment + n_region], row[n_assignment + n_region:]
        assignment.region = fastsql.load(Region, region_row, _REGION_FIELDS) if region_row[0] is not None else None
        assignment.department = fastsql.load(Department, department_row) if department_row[0] is not None else None
        found.append(assignment)
    return found
