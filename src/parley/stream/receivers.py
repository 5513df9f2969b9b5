from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from .broker import get_broker


@receiver(user_logged_out)
def close_sockets_on_logout(sender, request, user, **kwargs):
    """Close the sockets of the session that logged out, in every process."""
    if user is None or request is None:
        return
    get_broker().publish_control(user.pk, {"type": "logout", "session_key": request.session.session_key})
