from django.urls import path

from civicgrid.investment import views

app_name = "investment"

urlpatterns = [
    path("", views.hub, name="hub"),
    path("projects/", views.project_list, name="projects"),
    path("projects/new/", views.project_new, name="project_new"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/stage/", views.advance, name="advance"),
    path("projects/<int:pk>/approvals/", views.record_approval, name="record_approval"),
    path("projects/<int:pk>/reports/", views.submit_report, name="submit_report"),
    path("my/", views.mine, name="mine"),
    path("review/", views.review_queue, name="review"),
    path("review/<int:report_pk>/", views.review, name="review_report"),
    path("leads/", views.leads, name="leads"),
    path("leads/<int:pk>/stage/", views.advance_lead, name="advance_lead"),
    path("funds/", views.funds, name="funds"),
    path("board/", views.board, name="board"),
]
