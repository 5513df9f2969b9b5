from django.urls import path

from . import views

app_name = "safety"

urlpatterns = [
    path("", views.settings_page, name="settings"),
    path("unblock/<int:user_id>/", views.unblock, name="unblock"),
]
