from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.static import serve

from parley.api.v1 import api
from parley.realtime.health import live, ready

handler500 = "parley.core.middleware.server_error"  # the 503 page when the database is down

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="marketplace:list", permanent=False)),
    path("marketplace/", include("parley.marketplace.urls")),
    path("messages/", include("parley.conversations.urls")),
    path("accounts/", include("parley.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("healthz", ready, name="health"),
    path("healthz/ready", ready, name="health-ready"),
    path("healthz/live", live, name="health-live"),
]

if settings.PARLEY_SERVE_FILES:
    # One-process deployments serve uploads themselves; behind nginx, the proxy does.
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]
