"""Signed tokens in links: confirming an address, one-click unsubscribe (django.core.signing)."""

from django.core import signing

CONFIRM_SALT = "parley.notifications.confirm-email"
UNSUBSCRIBE_SALT = "parley.notifications.unsubscribe"
CONFIRM_MAX_AGE = 3 * 24 * 3600  # seconds a confirmation link works


def confirm_token(user_id: int, address: str) -> str:
    return signing.dumps({"u": user_id, "e": address}, salt=CONFIRM_SALT)


def read_confirm_token(token: str) -> tuple[int, str] | None:
    """(user id, address) from a confirmation token, or None if it is forged, altered or too old."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
        return int(data["u"]), str(data["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def unsubscribe_token(user_id: int) -> str:
    # No expiry: an unsubscribe link in an old email must still work (RFC 8058).
    return signing.dumps({"u": user_id}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> int | None:
    try:
        return int(signing.loads(token, salt=UNSUBSCRIBE_SALT)["u"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
