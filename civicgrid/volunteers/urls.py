from django.urls import path

from civicgrid.volunteers.views import (
    centre,
    certificates,
    donations,
    hub,
    ordering,
    station,
    stats,
    steps,
    volunteers,
)

app_name = "volunteers"

urlpatterns = [
    path("", hub.hub, name="hub"),
    path("services/", hub.services, name="services"),
    path("order/", ordering.order, name="order"),
    path("my/", ordering.mine, name="mine"),
    path("centre/", centre.centre, name="centre"),
    path("centre/batch/", centre.batch, name="batch"),
    path("station/", station.station, name="station"),
    path("tasks/", volunteers.tasks, name="tasks"),
    path("register/", volunteers.register, name="register"),
    path("orders/<int:pk>/shortlist/", station.shortlist, name="shortlist"),
    path("orders/<int:pk>/<slug:step>/", steps.order_step, name="step"),
    path("volunteers/", volunteers.volunteer_list, name="volunteers"),
    path("volunteers/<int:pk>/", volunteers.volunteer_detail, name="volunteer"),
    path("volunteers/<int:pk>/certificate/", certificates.issue_certificate, name="issue_certificate"),
    path("volunteers/<int:pk>/teams/", volunteers.join_team, name="join_team"),
    path("volunteers/<int:pk>/teams/<str:team>/leave/", volunteers.leave_team, name="leave_team"),
    # the PDF for its volunteer and staff; the public check the certificate's QR code and URL point to
    path("certificates/<str:number>.pdf", certificates.certificate_pdf, name="certificate_pdf"),
    path("certificates/<str:token>/", certificates.verify_certificate, name="verify_certificate"),
    path("stats/", stats.stats, name="stats"),
    path("donations/", donations.donations, name="donations"),
    path("donations/distribute/", donations.distribute, name="distribute"),
]
