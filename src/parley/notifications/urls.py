from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("settings/email/", views.email_change, name="email"),
    path("settings/channels/", views.channels, name="channels"),
    path("settings/quiet-hours/", views.quiet_hours, name="quiet_hours"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("conversations/<int:conversation_id>/mute/", views.mute, name="mute"),
    path("push/subscribe/", views.push_subscribe, name="push_subscribe"),
    path("push/unsubscribe/", views.push_unsubscribe, name="push_unsubscribe"),
]
