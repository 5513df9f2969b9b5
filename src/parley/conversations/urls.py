from django.urls import path

from . import views

app_name = "conversations"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:conversation_id>/", views.detail, name="detail"),
    path("start/<int:listing_id>/", views.start, name="start"),
]
