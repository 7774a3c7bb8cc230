from django.urls import path

from civicgrid.geo import views

app_name = "geo"
urlpatterns = [
    path("", views.region_browser, name="browser"),
    path("map/", views.region_map, name="map"),
    path("regions/<str:code>/", views.region_detail, name="region_detail"),
]
