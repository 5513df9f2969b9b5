from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.static import serve

from parley.api.v1 import api
from parley.core.settings_page import settings_page
from parley.notifications import views as notify_views
from parley.realtime.health import live, ready

handler500 = "parley.core.middleware.server_error"  # the 503 page when the database is down

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="marketplace:list", permanent=False)),
    path("marketplace/", include("parley.marketplace.urls")),
    path("messages/", include("parley.conversations.urls")),
    path("accounts/", include("parley.accounts.urls")),
    path("settings/", settings_page, name="settings"),
    path("settings/", include("parley.safety.urls")),  # unblock/<id>/
    path("settings/devices/", include("parley.tokens.urls")),
    path("settings/quick-replies/", include("parley.quickreplies.urls")),
    path("notifications/", include("parley.notifications.urls")),
    # The installable app: the manifest and the service worker live at the site root.
    path("manifest.webmanifest", notify_views.manifest, name="manifest"),
    path("sw.js", notify_views.service_worker, name="service-worker"),
    path("deals/", include("parley.deals.urls")),
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
