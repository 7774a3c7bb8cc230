"""The form of each order step and the board it sits on (the centre's, the station's, the volunteer's
tasks, the resident's own orders)."""

from __future__ import annotations

from django.utils.translation import gettext

from civicgrid.volunteers import forms as vforms
from civicgrid.volunteers.queries import boards as board_queries
from civicgrid.volunteers.queries import suggestions as suggestion_queries
from civicgrid.volunteers.views.common import CENTRE, MINE, STATION, TASKS

STEPS = {
    "review": (CENTRE, vforms.ReviewForm), "dispatch": (CENTRE, vforms.DispatchForm),
    "accept": (STATION, vforms.AcceptForm), "decline": (STATION, vforms.DeclineForm),
    "assign": (STATION, vforms.AssignForm), "confirm": (STATION, vforms.ConfirmForm),
    "contact": (TASKS, vforms.ContactForm), "complete": (TASKS, vforms.CompleteForm),
    "rate": (MINE, vforms.RateForm), "cancel": (MINE, vforms.CancelForm),
}


def choices(step: str, order, user) -> dict:
    if step == "dispatch":
        return {"stations": [site for site, _suggestion in suggestion_queries.station_suggestions(order)]}
    if step == "assign":
        teams = board_queries.assignable_teams(order)
        members = {v.pk: v for t in teams for v in suggestion_queries.team_volunteers(t)}
        return {"teams": teams, "members": list(members.values())}
    if step == "complete":
        return {"volunteers": list(order.volunteers.order_by("pk"))}
    if step == "decline":
        return {"label": gettext("拒单原因")}
    if step == "cancel":
        return {"label": gettext("取消原因")}
    return {}


def step_form(step: str, order, failed=None, user=None, **extra):
    """The form of one step on one order: the failed one comes back as posted, with its errors."""
    if failed and failed["order"] == order.pk and failed["step"] == step:
        return failed["form"]
    return STEPS[step][1](order=order, **choices(step, order, user), **extra)
