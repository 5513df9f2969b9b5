"""The API's parts that come with optional apps: a host project that leaves an app out of
INSTALLED_APPS gets an API without its endpoints (docs/reusable-app.md).

- parley.tokens: Bearer authentication, /auth/token, /auth/refresh and /devices (api/auth.py).
- parley.safety: /blocks and /reports (api/blocks.py, api/reports.py).
- parley.quickreplies: /quick-replies (api/quickreplies.py).
- parley.search: /search (api/search.py).
- parley.attachments: /attachments (api/attachments.py).
- parley.deals: offers, the item's status and price, a conversation's deals (api/deals.py).
- parley.notifications: the VAPID key, push subscriptions, channels and quiet hours, a
  conversation's mute (api/notifications.py).
"""

from importlib import import_module

from django.apps import apps

ROUTERS = {
    "parley.tokens": [("/auth", "parley.api.auth", "auth_router"), ("/devices", "parley.api.auth", "devices_router")],
    "parley.safety": [("/blocks", "parley.api.blocks", "router"), ("/reports", "parley.api.reports", "router")],
    "parley.quickreplies": [("/quick-replies", "parley.api.quickreplies", "router")],
    "parley.search": [("/search", "parley.api.search", "router")],
    "parley.attachments": [("/attachments", "parley.api.attachments", "router")],
    "parley.deals": [("", "parley.api.deals", "router")],
    "parley.notifications": [("", "parley.api.notifications", "router")],
}


def authenticators() -> list:
    """Authenticators tried before the session cookie."""
    if apps.is_installed("parley.tokens"):
        from .auth import bearer

        return [bearer]
    return []


def mount(api) -> None:
    for app, routers in ROUTERS.items():
        if apps.is_installed(app):
            for prefix, module, name in routers:
                api.add_router(prefix, getattr(import_module(module), name))
