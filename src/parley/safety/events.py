"""The only place safety events are built. Each is documented in docs/protocol.md."""

from parley.stream.schemas import event_schema

from .schemas import AccountWarned, UserBlocked, UserUnblocked

USER_BLOCKED = "user.blocked"
USER_UNBLOCKED = "user.unblocked"
ACCOUNT_WARNED = "account.warned"

event_schema(USER_BLOCKED, UserBlocked)
event_schema(USER_UNBLOCKED, UserUnblocked)
event_schema(ACCOUNT_WARNED, AccountWarned)


def user_blocked(*, user_id: int) -> tuple[str, dict]:
    return USER_BLOCKED, {"user_id": user_id}


def user_unblocked(*, user_id: int) -> tuple[str, dict]:
    return USER_UNBLOCKED, {"user_id": user_id}


def account_warned(*, message: str) -> tuple[str, dict]:
    """A moderator's warning, to the warned user's own stream."""
    return ACCOUNT_WARNED, {"message": message}
