from django.urls import path

from . import views

app_name = "safety"

urlpatterns = [
    path("unblock/<int:user_id>/", views.unblock, name="unblock"),
]
