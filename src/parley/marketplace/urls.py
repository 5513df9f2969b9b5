from django.urls import path

from . import views

app_name = "marketplace"

urlpatterns = [
    path("", views.listing_list, name="list"),
    path("<int:listing_id>/", views.listing_detail, name="detail"),
]
