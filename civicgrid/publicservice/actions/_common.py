"""Helpers shared by the public-service actions."""

from __future__ import annotations

from civicgrid.accounts.models import RoleAssignment
from civicgrid.cases.actions import transition_case
from civicgrid.core.scoping import fetch_visible
from civicgrid.geo.models import FIELDS_WITHOUT_BOUNDARY
from civicgrid.publicservice.models import ServiceRequest

# a request with what its actions read: its case (whose reach it follows) and the case's region, item, office
REQUEST_RELATED = (("case", None), ("case__region", FIELDS_WITHOUT_BOUNDARY), ("item", None), ("office", None),
                   ("office__department", None))


def _request(actor, request_id: int, perm: str = "publicservice.view_request") -> ServiceRequest:
    return fetch_visible(ServiceRequest, actor, perm, pk=request_id, related=REQUEST_RELATED)


def _step(actor, sr: ServiceRequest, action: str, *, comment: str = "", facts: dict | None = None,
          system: bool = False, expected_event_count: int | None = None):
    result = transition_case(actor=None if system else actor, case_id=sr.case_id, action=action, comment=comment,
                             facts=facts, system=system, managed=True, expected_event_count=expected_event_count)
    sr.case = result.case
    return result


def handler_ids(department_ids) -> list[int]:
    return list(RoleAssignment.objects.filter(is_active=True, user__is_active=True, role="department_handler",
                                              department_id__in=list(department_ids)).values_list("user_id", flat=True))
