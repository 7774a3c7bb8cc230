from django.urls import path

from civicgrid.enterprises import views

app_name = "enterprises"

urlpatterns = [
    path("", views.hub, name="hub"),
    path("zone/", views.zone, name="zone"),
    path("zone/parks.geojson", views.parks_geojson, name="parks_geojson"),
    path("list/", views.enterprise_list, name="list"),
    path("import/", views.import_, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("worklist/", views.worklist, name="worklist"),
    path("candidates/", views.ranking, name="ranking"),
    path("my/", views.portal, name="portal"),
    path("approvals/", views.approvals, name="approvals"),
    path("new/", views.register, name="register"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/metrics/", views.submit_metrics, name="submit_metrics"),
    path("<int:pk>/qualifications/", views.add_qualification, name="add_qualification"),
    path("<int:pk>/precheck/", views.run_precheck, name="run_precheck"),
]
