from django.urls import path

from civicgrid.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("region/<str:code>/", views.region_dashboard, name="region"),
    path("department/<str:code>/", views.department_dashboard, name="department"),
    path("map/", views.heat_map, name="map"),
    path("map/data/", views.heat_data, name="map_data"),
    path("screen/", views.big_screen, name="screen"),
    path("screen/live/", views.screen_counters, name="screen_live"),
    path("screen/data/", views.screen_data, name="screen_data"),
    path("<str:kind>/", views.domain_dashboard, name="domain"),
]
