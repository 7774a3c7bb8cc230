from django.urls import path

from civicgrid.volunteers import views

app_name = "volunteers"

urlpatterns = [
    path("", views.hub, name="hub"),
    path("services/", views.services, name="services"),
    path("order/", views.order, name="order"),
    path("my/", views.mine, name="mine"),
    path("centre/", views.centre, name="centre"),
    path("centre/batch/", views.batch, name="batch"),
    path("station/", views.station, name="station"),
    path("tasks/", views.tasks, name="tasks"),
    path("register/", views.register, name="register"),
    path("orders/<int:pk>/shortlist/", views.shortlist, name="shortlist"),
    path("orders/<int:pk>/<slug:step>/", views.order_step, name="step"),
    path("volunteers/", views.volunteer_list, name="volunteers"),
    path("volunteers/<int:pk>/", views.volunteer_detail, name="volunteer"),
    path("volunteers/<int:pk>/certificate/", views.issue_certificate, name="issue_certificate"),
    path("volunteers/<int:pk>/teams/", views.join_team, name="join_team"),
    path("volunteers/<int:pk>/teams/<str:team>/leave/", views.leave_team, name="leave_team"),
    # the PDF for its volunteer and staff; the public check the certificate's QR code and URL point to
    path("certificates/<str:number>.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("certificates/<str:token>/", views.verify_certificate, name="verify_certificate"),
    path("stats/", views.stats, name="stats"),
    path("donations/", views.donations, name="donations"),
    path("donations/distribute/", views.distribute, name="distribute"),
]
