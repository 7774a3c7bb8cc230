from django.urls import path

from civicgrid.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.archive, name="archive"),
    path("request/", views.request_report, name="request"),
    path("<int:pk>/", views.run_page, name="run"),
    path("<int:pk>/progress/", views.run_progress, name="progress"),
    path("<int:pk>/download/", views.download, name="download"),
]
