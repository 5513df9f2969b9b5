from django.urls import path

from . import views

app_name = "tokens"

urlpatterns = [
    path("revoke/<int:device_id>/", views.revoke, name="revoke"),
]
