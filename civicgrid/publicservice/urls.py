from django.urls import path

from civicgrid.publicservice import views

app_name = "publicservice"

urlpatterns = [
    path("", views.hub, name="hub"),
    path("book/", views.book, name="book"),
    path("bookings/", views.my_bookings, name="my_bookings"),
    path("bookings/<int:pk>/", views.booking, name="booking"),
    path("bookings/<int:pk>/cancel/", views.cancel_booking, name="cancel_booking"),
    path("window/", views.window_day, name="window_day"),
    path("apply/", views.apply, name="apply"),
    path("requests/", views.my_requests, name="my_requests"),
    path("requests/<int:pk>/<slug:step>/", views.resident_step, name="resident_step"),
    path("queue/", views.queue, name="queue"),
    path("queue/<int:pk>/<slug:step>/", views.staff_step, name="staff_step"),
    path("documents/<int:pk>/provide/", views.provide_document, name="provide_document"),
    path("hard-cases/", views.hard_cases, name="hard_cases"),
    path("hard-cases/new/", views.hard_case_new, name="hard_case_new"),
    # public: no login, counts only
    path("hard-cases/stats/", views.hard_case_stats, name="hard_case_stats"),
]
