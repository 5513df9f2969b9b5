from django.urls import path

from . import views

app_name = "conversations"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:conversation_id>/", views.detail, name="detail"),
    path("start/<int:listing_id>/", views.start, name="start"),
    path("<int:conversation_id>/privacy/", views.privacy_conversation, name="privacy"),
    path("privacy/", views.privacy_settings, name="privacy_settings"),
]
