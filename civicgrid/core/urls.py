from django.urls import path

from civicgrid.core import views

app_name = "core"
urlpatterns = [
    path("", views.audit_list, name="audit_list"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/clear/", views.calendar_clear, name="calendar_clear"),
]
