from django.urls import path

from civicgrid.works import views

app_name = "works"

urlpatterns = [
    path("map/", views.public_map, name="map"),  # public, no login
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("", views.register, name="list"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/photos/", views.upload, name="upload"),
    path("<int:pk>/<slug:action>/", views.step, name="step"),
]
