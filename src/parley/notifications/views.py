"""The "Notifications" section of /settings/, the links in emails, and the conversation's mute."""

import json
import zoneinfo
from functools import cache

from django.contrib import messages
from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.templatetags.static import static
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from parley.conversations.access import conversation_for
from parley.core.errors import AppError

from .services import address as address_services
from .services import preferences
from .services import push as push_services
from .tokens import read_confirm_token, read_unsubscribe_token

BACK = "/settings/#settings-notifications"


@cache
def time_zones() -> list[str]:
    return sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC")


def settings_section(request) -> dict:
    row = preferences.settings_for(user_id=request.user.pk)
    return {
        "notify": row,
        "notify_address": address_services.address_for(request.user, row),
        "notify_email_unconfirmed": request.user.email if request.user.email and not address_services.address_for(
            request.user, row) and not row.pending_email else "",
        "notify_time_zones": time_zones(),
        "notify_vapid_key": push_services.push_public_key(),
    }


def _back(request):
    request.parley_back = BACK  # where an error is shown (AppErrorMiddleware)


@login_required
@require_POST
def email_change(request):
    _back(request)
    row = address_services.email_change_request(user=request.user, address=request.POST.get("email", ""))
    if row.pending_email:
        messages.success(request, _("We sent a link to %(address)s. Open it to confirm the address.")
                         % {"address": row.pending_email})
    return redirect(BACK)


@login_required
@require_POST
def channels(request):
    _back(request)
    preferences.channels_update(user_id=request.user.pk,
                                channels={name: request.POST.get(name) == "on" for name in preferences.CHANNELS})
    preferences.language_remember(user_id=request.user.pk, language=request.LANGUAGE_CODE)
    messages.success(request, _("Notification settings saved."))
    return redirect(BACK)


@login_required
@require_POST
def quiet_hours(request):
    _back(request)
    preferences.quiet_hours_update(user_id=request.user.pk, start=request.POST.get("quiet_start", ""),
                                   end=request.POST.get("quiet_end", ""),
                                   time_zone=request.POST.get("time_zone", "UTC"))
    messages.success(request, _("Quiet hours saved."))
    return redirect(BACK)


@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    """The link in the confirmation email: a page with a button (a link scanner's GET changes nothing)."""
    found = read_confirm_token(token)
    if found is None:
        return render(request, "notifications/link.html", {"bad_link": True}, status=400)
    user_id, address = found
    if request.method == "POST":
        address_services.email_confirm(user_id=user_id, address=address)
        return render(request, "notifications/link.html", {"confirmed": address})
    return render(request, "notifications/link.html", {"confirm_address": address})


@csrf_exempt  # RFC 8058: the mail client posts without cookies; the signed token is the authority
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """List-Unsubscribe: GET shows a button, POST (one-click, RFC 8058) unsubscribes."""
    user_id = read_unsubscribe_token(token)
    if user_id is None:
        return render(request, "notifications/link.html", {"bad_link": True}, status=400)
    if request.method == "POST":
        address_services.email_unsubscribe(user_id=user_id)
        return render(request, "notifications/link.html", {"unsubscribed": True})
    return render(request, "notifications/link.html", {"unsubscribe": True})


@login_required
@require_POST
def mute(request, conversation_id: int):
    conversation = conversation_for(request.user, conversation_id)
    request.parley_back = f"/messages/{conversation.pk}/"
    duration = request.POST.get("duration", "")
    if duration == "off":
        preferences.mute_clear(user_id=request.user.pk, conversation_id=conversation.pk)
        messages.success(request, _("Notifications for this conversation are on again."))
    else:
        preferences.mute_set(user_id=request.user.pk, conversation_id=conversation.pk, duration=duration)
        messages.success(request, _("Conversation muted."))
    return redirect("conversations:detail", conversation.pk)


@require_safe
def manifest(request):
    """The web app manifest (/manifest.webmanifest): Parley installs as an app."""
    data = {
        "name": "Parley",
        "short_name": "Parley",
        "description": _("Buy, sell and talk it over on Parley."),
        "id": "/",
        "start_url": "/messages/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0d6efd",
        "icons": [
            {"src": static(f"parley/icons/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png",
             "purpose": "any maskable"}
            for size in (192, 512)
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@require_safe
def service_worker(request):
    """The service worker at the site root, so its scope is the whole site."""
    path = finders.find("parley/js/sw.js")
    with open(path, "rb") as fp:
        response = HttpResponse(fp.read(), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@login_required
@require_POST
def push_subscribe(request):
    """"Enable notifications on this device": the browser's PushSubscription, as JSON."""
    try:
        data = json.loads(request.body or b"{}")
        keys = data.get("keys") or {}
        push_services.push_subscribe(user=request.user, endpoint=str(data.get("endpoint", "")),
                                     p256dh=str(keys.get("p256dh", "")), auth=str(keys.get("auth", "")),
                                     user_agent=request.headers.get("User-Agent", ""))
    except (ValueError, AttributeError):
        return JsonResponse(push_services.BadSubscription().as_dict(), status=422)
    except AppError as e:
        return JsonResponse(e.as_dict(), status=e.status)
    return JsonResponse({"subscribed": True}, status=201)


@login_required
@require_POST
def push_unsubscribe(request):
    try:
        endpoint = str(json.loads(request.body or b"{}").get("endpoint", ""))
    except (ValueError, AttributeError):
        endpoint = ""
    return JsonResponse({"removed": push_services.push_unsubscribe(user=request.user, endpoint=endpoint)})
