from django.urls import path

from civicgrid.recognition import views

app_name = "recognition"

urlpatterns = [
    # public, no login
    path("", views.board, name="board"),
    path("notices/", views.notices, name="notices"),
    path("notices/<int:pk>/object/", views.object_to, name="object"),
    path("people/<str:public_id>/", views.person, name="person"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    # residents
    path("nominate/", views.nominate, name="nominate"),
    path("my/", views.mine, name="mine"),
    # the community and the civilisation office
    path("work/", views.work, name="work"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/consent/", views.consent, name="consent"),
    path("<int:pk>/objections/<int:objection_id>/answer/", views.answer, name="answer"),
    path("<int:pk>/materials/<int:material_id>/", views.material, name="material"),
    path("<int:pk>/<slug:action>/", views.step, name="step"),
]
