from django.urls import path

from civicgrid.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("export/", views.case_export, name="export"),
    path("report/", views.report, name="report"),
    path("report/questions/", views.report_questions, name="report_questions"),
    path("mine/", views.mine, name="mine"),
    path("board/", views.board, name="board"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_read_all, name="inbox_read_all"),
    path("inbox/<int:pk>/", views.inbox_open, name="inbox_open"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/act/<slug:action>/", views.case_act, name="act"),
]
