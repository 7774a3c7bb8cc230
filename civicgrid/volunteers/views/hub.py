"""The entry pages: the volunteer hub and the public service catalogue."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from civicgrid.core.scoping import has_perm_anywhere
from civicgrid.volunteers import catalogue
from civicgrid.volunteers.queries import boards as board_queries
from civicgrid.volunteers.queries import services as service_queries
from civicgrid.volunteers.queries import volunteers as volunteer_queries
from civicgrid.volunteers.views.common import VIEW


@login_required
def hub(request):
    user = request.user
    can = {key: has_perm_anywhere(user, perm) for key, perm in (
        ("order", "volunteers.create_order"), ("view", VIEW), ("volunteers", "volunteers.view_volunteer"),
        ("stats", "volunteers.view_stats"), ("donations", "volunteers.view_donation"))}
    return render(request, "volunteers/hub.html", {
        "can": can, "is_centre": board_queries.works_as(user, "centre_admin"),
        "is_station": board_queries.works_as(user, "station_admin"), "volunteer": volunteer_queries.own_volunteer(user)})


def services(request):
    """The public service catalogue: the 8 services, their items and what serving them needs."""
    rows = service_queries.service_catalogue()
    for service in rows:
        service["needs"] = [(name, catalogue.QUALIFICATIONS.get(name, "")) for name in service["required_certificates"]]
    return render(request, "volunteers/services.html", {
        "services": rows, "emergency_notice": catalogue.EMERGENCY_NOTICE,
        "can_order": has_perm_anywhere(request.user, "volunteers.create_order")})
