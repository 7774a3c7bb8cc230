from django.urls import path

from civicgrid.subsidies import views

app_name = "subsidies"

urlpatterns = [
    path("", views.hub, name="hub"),
    path("worklist/", views.worklist, name="worklist"),
    path("candidates/<str:code>/", views.candidates, name="candidates"),
    path("candidates/<str:code>/compute/", views.compute, name="compute"),
    path("candidate/<int:pk>/", views.candidate, name="candidate"),
    path("candidate/<int:pk>/review/", views.review, name="review"),
    path("batches/", views.batches, name="batches"),
    path("batches/template/<str:code>.xlsx", views.batch_template, name="batch_template"),
    path("disbursements/", views.disbursements, name="disbursements"),
    path("disbursements/<int:pk>/", views.disbursement, name="disbursement"),
    path("totals/", views.totals, name="totals"),
    path("my/", views.my_subsidies, name="my"),
]
