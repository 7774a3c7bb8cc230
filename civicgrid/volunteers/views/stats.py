"""The volunteer statistics page (the same figures as `GET /api/v1/volunteers/stats`)."""

from __future__ import annotations

from django.shortcuts import render

from civicgrid.core.web import permission_page
from civicgrid.volunteers import forms as vforms
from civicgrid.volunteers.queries import stats as stats_queries
from civicgrid.volunteers.views.common import state_label


@permission_page("volunteers.view_stats")
def stats(request):
    form = vforms.StatsForm(request.GET or None)
    period = form.period()
    figures = stats_queries.stats(request.user, **period)
    teams = stats_queries.hours_by_team(request.user, **period)
    by_status = [(state_label(state), n) for state, n in sorted(figures["by_status"].items(),
                                                                 key=lambda kv: -kv[1])]
    charts = {"category": [{"name": k, "value": v} for k, v in figures["by_category"].items()],
              "status": [{"name": k, "value": v} for k, v in by_status],
              "teams": [{"name": t["team"], "value": float(t["hours"] or 0)} for t in teams]}
    return render(request, "volunteers/stats.html", {
        "form": form, "figures": figures, "teams": teams, "by_status": by_status,
        "rate": None if figures["matching_rate"] is None else round(figures["matching_rate"] * 100, 1),
        "charts": charts})
