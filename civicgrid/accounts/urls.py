from django.urls import path

from civicgrid.accounts import admin_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/verify/", views.login_verify, name="login_verify"),
    path("login/enrol/", views.login_enrol, name="login_enrol"),
    path("logout/", views.logout_view, name="logout"),
    path("me/", views.account_view, name="account"),
    path("2fa/", views.two_factor, name="two_factor"),
    path("2fa/codes/", views.recovery_codes, name="recovery_codes"),
    path("activate/<str:token>/", views.activate_view, name="activate"),
    path("users/", admin_views.user_list, name="users"),
    path("users/new/", admin_views.user_new, name="user_new"),
    path("users/import/", admin_views.user_import, name="user_import"),
    path("users/import/template.xlsx", admin_views.import_template, name="import_template"),
    path("users/<int:pk>/", admin_views.user_detail, name="user"),
    path("departments/", admin_views.department_list, name="departments"),
    path("departments/<int:pk>/", admin_views.department_detail, name="department"),
    path("handover/", admin_views.handover_list, name="handover"),
    path("handover/<int:pk>/", admin_views.handover_user, name="handover_user"),
]
