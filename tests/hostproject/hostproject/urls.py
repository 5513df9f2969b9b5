from django.contrib.auth import views as auth_views
from django.urls import include, path

from parley.api.v1 import api

urlpatterns = [
    path("", include("shop.urls")),
    path("messages/", include("parley.conversations.urls")),
    path("deals/", include("parley.deals.urls")),
    path("api/v1/", api.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
