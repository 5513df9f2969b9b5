from django.urls import path

from . import views

app_name = "quickreplies"

urlpatterns = [
    path("add/", views.add, name="add"),
    path("<int:reply_id>/edit/", views.edit, name="edit"),
    path("<int:reply_id>/delete/", views.delete, name="delete"),
    path("<int:reply_id>/move/", views.move, name="move"),
]
