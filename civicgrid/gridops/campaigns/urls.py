from django.urls import path

from civicgrid.gridops.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("new/", views.campaign_create, name="create"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/form/", views.form_designer, name="designer"),
    path("<int:pk>/form/row/", views.designer_row, name="designer_row"),
    path("<int:pk>/import/", views.xlsform_import, name="import"),
    path("<int:pk>/transition/<str:action>/", views.transition, name="transition"),
    path("<int:pk>/collect/", views.collect, name="collect"),
    path("<int:pk>/households/<int:household_id>/", views.household, name="household"),
    path("<int:pk>/households/<int:household_id>/resolve/", views.resolve, name="resolve"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/export/", views.export, name="export"),
    path("<int:pk>/photos/<int:photo_id>/", views.photo, name="photo"),
]
