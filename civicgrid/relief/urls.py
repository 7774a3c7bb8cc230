from django.urls import path

from civicgrid.relief import views

app_name = "relief"

urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/<str:action>/", views.act, name="act"),
    path("<int:pk>/outcomes/", views.outcome, name="outcome"),
    path("<int:pk>/tailored/", views.tailored, name="tailored"),
    path("blockers/<int:pk>/", views.blocker, name="blocker"),
    path("blockers/<int:pk>/act/<str:action>/", views.act, {"kind": "blocker"}, name="blocker_act"),
]
