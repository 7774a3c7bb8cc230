from django.urls import path

from civicgrid.gridops.patrols import views

app_name = "patrols"

urlpatterns = [
    path("", views.home, name="home"),
    path("phone/", views.phone, name="phone"),
    path("start/", views.start, name="start"),
    path("list/", views.patrol_list, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/end/", views.end, name="end"),
    path("<int:pk>/finding/", views.finding, name="finding"),
    path("compliance/", views.compliance_report, name="compliance"),
    path("compliance/export/", views.compliance_export, name="compliance_export"),
    path("checkpoints/", views.checkpoints, name="checkpoints"),
    path("checkpoints/<int:pk>/", views.checkpoint_edit, name="checkpoint_edit"),
]
