"""The only place safety events are built. Each is documented in docs/protocol.md."""

from parley.stream.schemas import event_schema

from .schemas import UserBlocked, UserUnblocked

USER_BLOCKED = "user.blocked"
USER_UNBLOCKED = "user.unblocked"

event_schema(USER_BLOCKED, UserBlocked)
event_schema(USER_UNBLOCKED, UserUnblocked)


def user_blocked(*, user_id: int) -> tuple[str, dict]:
    return USER_BLOCKED, {"user_id": user_id}


def user_unblocked(*, user_id: int) -> tuple[str, dict]:
    return USER_UNBLOCKED, {"user_id": user_id}
