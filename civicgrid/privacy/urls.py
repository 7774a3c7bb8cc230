from django.urls import path

from civicgrid.privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.my_data, name="my_data"),
    path("my-data.<str:fmt>", views.my_data_download, name="my_data_download"),
    path("correction/", views.correction, name="correction"),
    path("subject-export/", views.subject_export, name="subject_export"),
    path("inventory/", views.inventory, name="inventory"),
]
