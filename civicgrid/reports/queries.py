"""Reads of report runs: one's own runs, and the (non-personal) reports of the regions one's KPI reach covers."""

from __future__ import annotations

from django.db.models import Q

from civicgrid.core import errors
from civicgrid.core.scoping import Scope, filter_for, has_perm_anywhere
from civicgrid.reports.kinds import KINDS
from civicgrid.reports.models import ReportRun

SHARED_PERM = "cases.view_kpis"


def runs_visible(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return ReportRun.objects.none()
    # the non-personal runs of the regions the KPI reach covers (a department grant reaches none)
    shared = Q(is_personal=False) & filter_for(user, SHARED_PERM, Scope(region="region_code"))
    return ReportRun.objects.filter(Q(requested_by_id=user.pk) | shared).select_related("requested_by")


def run_visible(user, run_id: int) -> ReportRun:
    run = runs_visible(user).filter(pk=run_id).first()
    if run is None:
        raise errors.NotFound()
    return run


def kinds_for(user) -> list:
    return [kind for kind in KINDS.values() if kind.monthly and has_perm_anywhere(user, kind.perm)]
