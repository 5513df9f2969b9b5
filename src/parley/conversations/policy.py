"""Who may message whom: a seam other apps plug their rules into (blocking, for one).

Conversations never imports those apps: they register a guard here in their AppConfig.ready().
A guard takes (sender_id, recipient_id) pairs and returns the pairs it refuses, with at most
one query for all of them: the send batch asks once per batch.
"""

from collections.abc import Callable, Iterable

from django.utils.translation import gettext_lazy as _

from parley.core.errors import Forbidden

Guard = Callable[[set[tuple[int, int]]], set[tuple[int, int]]]

_guards: list[Guard] = []


class Blocked(Forbidden):
    code = "blocked"
    message = _("You can't message this person.")


def register_send_guard(guard: Guard) -> None:
    """Add a guard that every send and every new conversation asks; registering twice is a no-op."""
    if guard not in _guards:
        _guards.append(guard)


def refused_pairs(pairs: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
    """The (sender_id, recipient_id) pairs some guard refuses."""
    wanted = set(pairs)
    refused: set[tuple[int, int]] = set()
    if not wanted:
        return refused
    for guard in _guards:
        refused |= guard(wanted)
    return refused


def require_may_message(sender_id: int, recipient_id: int) -> None:
    """Raise Blocked when a guard refuses sender -> recipient."""
    if refused_pairs([(sender_id, recipient_id)]):
        raise Blocked()


def refusals_between(user_id: int, other_id: int) -> dict[str, bool]:
    """For a page: whether `user_id` may not message `other_id` and the other way round."""
    refused = refused_pairs([(user_id, other_id), (other_id, user_id)])
    return {"by_me": (other_id, user_id) in refused, "by_them": (user_id, other_id) in refused}
