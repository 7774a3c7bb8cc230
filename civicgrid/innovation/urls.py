from django.urls import path

from civicgrid.innovation import views

app_name = "innovation"

urlpatterns = [
    path("", views.board, name="board"),
    path("post/", views.post_need, name="post"),
    path("platforms/", views.platforms, name="platforms"),
    path("agreements/", views.agreements, name="agreements"),
    path("challenges/<int:pk>/", views.detail, name="detail"),
    path("challenges/<int:pk>/moves/", views.move, name="move"),
    path("challenges/<int:pk>/applications/", views.add_application, name="add_application"),
    path("challenges/<int:pk>/milestones/", views.add_milestone, name="add_milestone"),
    path("challenges/<int:pk>/milestones/<int:milestone>/achieved/", views.milestone_achieved, name="achieved"),
]
