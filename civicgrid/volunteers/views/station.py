"""The station's pages: its board (accept or decline, assign a team with the shortlist, confirm hours)
and the shortlist fragment."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from civicgrid.core.web import permission_page
from civicgrid.volunteers.queries import boards as board_queries
from civicgrid.volunteers.queries import labels as label_queries
from civicgrid.volunteers.queries import orders as order_queries
from civicgrid.volunteers.views.common import STATION, VIEW, gate, row
from civicgrid.volunteers.views.stepforms import step_form


def _shortlist_for(order, team_code: str = ""):
    teams = board_queries.assignable_teams(order)
    team = next((t for t in teams if t.code == team_code), teams[0] if teams else None)
    return team, (label_queries.present_shortlist(order, team) if team else None)


def render_station(request, failed=None, error="", status=200):
    board = board_queries.station_board(request.user)
    to_assign = []
    for o in board["to_assign"]:
        form = step_form("assign", o, failed)
        chosen = (form.data.get("team") if form.is_bound else "") or request.GET.get(f"team_{o.pk}", "")
        team, shortlist = _shortlist_for(o, chosen)
        if not form.is_bound and team:
            form.initial.update({"team": team.code,
                                 "volunteers": [r["volunteer"].pk for r in shortlist["ranked"][:o.people_needed]]})
        picked = set(form.data.getlist("volunteers")) if form.is_bound else {
            str(v) for v in form.initial.get("volunteers", [])}
        to_assign.append(row(o, assign=form, shortlist=shortlist, picked=picked))
    to_confirm = [row(o, records=[r for r in o.records.all() if r.status == "recorded"],
                       confirm=step_form("confirm", o, failed)) for o in board["to_confirm"]]
    return render(request, "volunteers/station.html", {
        "board": board, "error": error, "failed": failed, "to_assign": to_assign, "to_confirm": to_confirm,
        "dispatched": [row(o, accept=step_form("accept", o, failed), decline=step_form("decline", o, failed))
                       for o in board["dispatched"]],
        "serving": [row(o) for o in board["serving"]]}, status=status)


@permission_page(VIEW)
def station(request):
    gate(request.user, STATION)
    return render_station(request)


@permission_page(VIEW)
def shortlist(request, pk: int):
    """The chosen team's shortlist for one order (htmx fragment of the station board's assign form)."""
    gate(request.user, STATION)
    order = order_queries.order_visible(request.user, pk)
    if order.case.state != "station_accepted":
        raise Http404
    team, data = _shortlist_for(order, request.GET.get("team", ""))
    picked = {str(r["volunteer"].pk) for r in data["ranked"][:order.people_needed]} if data else set()
    return render(request, "volunteers/_shortlist.html", {"order": order, "shortlist": data, "picked": picked})
