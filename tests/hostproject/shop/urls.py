from django.urls import path

from . import views

app_name = "shop"

urlpatterns = [
    path("", views.item_list, name="list"),
    path("items/<int:pk>/", views.item_detail, name="item"),
]
