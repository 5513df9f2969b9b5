"""Close a user's open sockets, in every process, when their session or account stops being good.

Logging out closes that session's sockets; deactivating the account or changing its password
closes all of them (a new handshake is then refused: an inactive user has no session, and a
changed password invalidates the other sessions' hash). Control messages go through the broker,
after commit, and the hub closes the sockets with 4401.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from .broker import get_broker


@receiver(user_logged_out)
def close_sockets_on_logout(sender, request, user, **kwargs):
    """Close the sockets of the session that logged out, in every process."""
    if user is None or request is None:
        return
    get_broker().publish_control(user.pk, {"type": "logout", "session_key": request.session.session_key})


_WATCHED = {"is_active", "password"}


def _is_user_model(sender) -> bool:
    return sender is get_user_model()


@receiver(pre_save)
def remember_access_fields(sender, instance, raw=False, update_fields=None, **kwargs):
    """Note the stored is_active and password hash, to see in post_save whether they changed."""
    if raw or not _is_user_model(sender) or instance.pk is None:
        return
    if update_fields is not None and not _WATCHED & set(update_fields):
        return  # e.g. the last_login update at every log-in: nothing to compare, no query
    stored = sender._default_manager.filter(pk=instance.pk).values("is_active", "password").first()
    instance._parley_access_before = stored


@receiver(post_save)
def close_sockets_on_deactivation_or_new_password(sender, instance, created=False, raw=False, **kwargs):
    """Close every socket of a user who was deactivated or whose password changed."""
    before = instance.__dict__.pop("_parley_access_before", None)
    if raw or created or before is None or not _is_user_model(sender):
        return
    if before["is_active"] and not instance.is_active:
        reason = "deactivated"
    elif before["password"] != instance.password:
        reason = "password_changed"
    else:
        return
    user_id = instance.pk
    transaction.on_commit(lambda: get_broker().publish_control(user_id, {"type": "revoke", "reason": reason}))
