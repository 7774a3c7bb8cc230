"""What every volunteer page shares: the permission to see orders, the boards and who may use each,
and what a board shows of one order."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from civicgrid.cases import queries as case_queries
from civicgrid.volunteers.queries import boards as board_queries
from civicgrid.volunteers.queries import volunteers as volunteer_queries

VIEW = "volunteers.view_order"
ORDER_TYPE = "volunteer_order"

# the board each step belongs to, and who may use that board
CENTRE, STATION, TASKS, MINE = "centre", "station", "tasks", "mine"


def gate(user, board: str):
    """Who may use a board: the centre and station by their workflow role, volunteers by their profile."""
    if board == CENTRE and not board_queries.works_as(user, "centre_admin"):
        raise PermissionDenied
    if board == STATION and not board_queries.works_as(user, "station_admin"):
        raise PermissionDenied
    if board == TASKS:
        volunteer = volunteer_queries.own_volunteer(user)
        if volunteer is None:
            raise PermissionDenied
        return volunteer
    return None


def state_label(state: str) -> str:
    return case_queries.state_label(ORDER_TYPE, state)


def row(order, **extra) -> dict:
    """What every board shows of one order."""
    case = order.case
    return {"order": order, "case": case, "state_label": state_label(case.state),
            "service": case.category.name if case.category_id else "", **extra}
