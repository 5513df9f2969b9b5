"""What every page of a logged-in user needs for the in-tab notifications, and the
conversation menu's mute entry."""

from django.templatetags.static import static

from .services import clock
from .services.preferences import muted_conversations, settings_for
from .services.push import push_public_key


def notify(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"notify_manifest": True}
    row = settings_for(user_id=user.pk)
    muted = muted_conversations(user_id=user.pk, now=clock())
    context = {
        "notify_manifest": True,
        "notify_client": {
            "sound": row.sound,
            "browser": row.browser,
            "sound_url": static("parley/sounds/message.wav"),
            "vapid_key": push_public_key(),
            # Conversations muted now: {id: until in ms since the epoch, or null for "until I unmute"}.
            "muted": {str(cid): (int(until.timestamp() * 1000) if until else None)
                      for cid, until in muted.items()},
        },
    }
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name == "conversations:detail":
        cid = match.kwargs.get("conversation_id")
        context["notify_menu"] = "notifications/mute_menu.html"
        context["notify_mute"] = {"muted": cid in muted, "until": muted.get(cid)}
    return context
