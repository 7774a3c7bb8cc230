from django.urls import path

from civicgrid.figures import views

app_name = "figures"

urlpatterns = [path("", views.figures, name="figures")]
