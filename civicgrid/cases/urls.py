from django.urls import path

from civicgrid.cases import views
from civicgrid.cases.admin import views as admin_views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("report/", views.report, name="report"),
    path("report/questions/", views.report_questions, name="report_questions"),
    path("mine/", views.mine, name="mine"),
    path("board/", views.board, name="board"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_read_all, name="inbox_read_all"),
    path("inbox/<int:pk>/", views.inbox_open, name="inbox_open"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/act/<slug:action>/", views.case_act, name="act"),
    path("<int:pk>/photos/<int:photo_id>/", views.case_photo, name="photo"),
    path("<int:pk>/merge/", views.case_merge, name="merge"),
    path("<int:pk>/unmerge/", views.case_unmerge, name="unmerge"),
]

# the routing table and category catalogue (cases.manage_routing)
urlpatterns += [
    path("admin/routing/", admin_views.routing_list, name="admin_routing"),
    path("admin/routing/new/", admin_views.routing_edit, name="admin_routing_new"),
    path("admin/routing/test/", admin_views.routing_test, name="admin_routing_test"),
    path("admin/routing/<int:pk>/", admin_views.routing_edit, name="admin_routing_edit"),
    path("admin/routing/<int:pk>/delete/", admin_views.routing_delete, name="admin_routing_delete"),
    path("admin/categories/", admin_views.category_list, name="admin_categories"),
    path("admin/categories/new/", admin_views.category_edit, name="admin_category_new"),
    path("admin/categories/limits/", admin_views.category_limits, name="admin_category_limits"),
    path("admin/categories/<str:code>/", admin_views.category_edit, name="admin_category_edit"),
]
