"""The raw statements of enterprises, built once per process with core.sql: an enterprise's reach (its zone's
region, its park's office and the zone's departments, its contacts) is asked on every action on the
enterprise and on every record that follows it (projects, reports, applications), where the ORM compiled
three queries each time (tests/test_sql.py compares each answer with the ORM's on both databases)."""

from __future__ import annotations

from civicgrid.core import sql
from civicgrid.enterprises.models import Enterprise, EnterpriseContact, Park, Zone
from civicgrid.geo.models import Region


def _park_sql(start: str) -> str:
    """office id, zone id and the zone region's code of a park, found from an enterprise or from the park."""
    source, key = ((f"{sql.table(Enterprise)} e JOIN {sql.table(Park)} p ON p.id = e.{sql.column(Enterprise, 'park')}", "e.id")
                   if start == "enterprise" else (f"{sql.table(Park)} p", "p.id"))
    return (f"SELECT p.{sql.column(Park, 'office')}, p.{sql.column(Park, 'zone')}, r.{sql.column(Region, 'code')} FROM {source} "
            f"JOIN {sql.table(Zone)} z ON z.id = p.{sql.column(Park, 'zone')} "
            f"JOIN {sql.table(Region)} r ON r.id = z.{sql.column(Zone, 'region')} WHERE {key} = %s")


def park_scope(*, enterprise_id: int | None = None, park_id: int | None = None) -> tuple[int | None, int, str] | None:
    """(office id, zone id, zone region code) of the enterprise's park, or of the park; None when absent."""
    start = "enterprise" if enterprise_id is not None else "park"
    statement = sql.statement(("enterprises.park_scope", start), lambda: _park_sql(start))
    return sql.fetchone(statement, [enterprise_id if enterprise_id is not None else park_id])


def zone_department_ids(zone_id: int) -> list[int]:
    """The ids of the zone's departments (管委会), in id order."""
    through = Zone._meta.get_field("departments").remote_field.through

    def build():
        department = sql.column(through, "department")
        return (f"SELECT {department} FROM {sql.table(through)} WHERE {sql.column(through, 'zone')} = %s "
                f"ORDER BY {department}")
    return [department for (department,) in sql.fetchall(sql.statement("enterprises.zone_departments", build),
                                                          [zone_id])]


def contact_user_ids(enterprise_id: int) -> frozenset[int]:
    """The users who act for the enterprise now (active contacts)."""
    statement = sql.statement("enterprises.contact_users", lambda: (
        f"SELECT {sql.column(EnterpriseContact, 'user')} FROM {sql.table(EnterpriseContact)} "
        f"WHERE {sql.column(EnterpriseContact, 'enterprise')} = %s AND {sql.column(EnterpriseContact, 'is_active')} = %s"))
    return frozenset(user for (user,) in sql.fetchall(statement, [enterprise_id,
                                                                  sql.param(EnterpriseContact, "is_active", True)]))
