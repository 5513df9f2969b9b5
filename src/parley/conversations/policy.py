"""Rules other apps plug into the send path: who may message whom, and what a message carries.

Conversations never imports those apps: they register here in their AppConfig.ready().

- A guard takes (sender_id, recipient_id) pairs and returns the pairs it refuses, with at most
  one query for all of them: the send batch asks once per batch (blocking, for one). A guard
  may also give that query as a `core.sql.Check` (`check=`), so the batch asks it in the same
  round trip as its other checks (`refusal_checks`).
- A flagger takes the bodies of a batch and returns, per body, short codes to attach to the
  message (`Message.flags`, sent as `flags` on the wire); parley.safety's risk detection is
  one. It runs inside the send transaction, so it must be quick and never query.
- Attachments: one app (parley.attachments) registers the files a send may carry by id. Its
  `check` runs before the transaction and turns each request's ids into wire dicts (or an
  error); its `bind` runs inside the send transaction and ties the files to their message.
- `messages_purged` is sent after the retention purge blanked messages, with their ids, so
  an app that keeps something per message (files) drops it too.
"""

from collections.abc import Callable, Iterable
from typing import Protocol

from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _

from parley.core.errors import AppError, Forbidden, Invalid
from parley.core.sql import Check

Guard = Callable[[set[tuple[int, int]]], set[tuple[int, int]]]
Flagger = Callable[[list[str]], list[list[str]]]

_guards: list[Guard] = []
_guard_checks: dict[Guard, Callable[[set[tuple[int, int]]], Check]] = {}
_flaggers: list[Flagger] = []

# Message.flags is a CharField(max_length=200): codes past it are dropped.
FLAGS_MAX_CHARS = 200


class Blocked(Forbidden):
    code = "blocked"
    message = _("You can't message this person.")


def register_send_guard(guard: Guard, *, check: Callable[[set[tuple[int, int]]], Check] | None = None) -> None:
    """Add a guard that every send and every new conversation asks; registering twice is a no-op.

    `check(pairs)`, when given, is the same question as a Check (one statement, asked with others).
    """
    if guard not in _guards:
        _guards.append(guard)
    if check is not None:
        _guard_checks[guard] = check


def refused_pairs(pairs: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
    """The (sender_id, recipient_id) pairs some guard refuses."""
    wanted = set(pairs)
    refused: set[tuple[int, int]] = set()
    if not wanted:
        return refused
    for guard in _guards:
        refused |= guard(wanted)
    return refused


def refusal_checks(pairs: Iterable[tuple[int, int]]) -> list[Check]:
    """refused_pairs as Checks, one per guard: the union of their answers is what is refused.

    A guard registered without a check form asks its own query when its answer is made.
    """
    wanted = set(pairs)
    if not wanted:
        return []
    return [_guard_checks[g](wanted) if g in _guard_checks else Check(None, (), lambda rows, g=g: g(wanted))
            for g in _guards]


def require_may_message(sender_id: int, recipient_id: int) -> None:
    """Raise Blocked when a guard refuses sender -> recipient."""
    if refused_pairs([(sender_id, recipient_id)]):
        raise Blocked()


def refusals_between(user_id: int, other_id: int) -> dict[str, bool]:
    """For a page: whether `user_id` may not message `other_id` and the other way round."""
    refused = refused_pairs([(user_id, other_id), (other_id, user_id)])
    return {"by_me": (other_id, user_id) in refused, "by_them": (user_id, other_id) in refused}


def register_flagger(flagger: Flagger) -> None:
    """Add a flagger: `fn(bodies) -> [[code, …] per body]`; registering twice is a no-op."""
    if flagger not in _flaggers:
        _flaggers.append(flagger)


def unregister_flagger(flagger: Flagger) -> None:
    """Remove a flagger (tests, or a host that switches one off); unknown ones are ignored."""
    if flagger in _flaggers:
        _flaggers.remove(flagger)


def flags_for(bodies: list[str]) -> list[str]:
    """Each body's codes from every flagger, deduplicated in order, comma-joined ("" for none)."""
    if not _flaggers:
        return [""] * len(bodies)
    if len(_flaggers) == 1:
        per_body = _flaggers[0](bodies)
    else:
        per_body = [[] for _ in bodies]
        for flagger in _flaggers:
            for codes, more in zip(per_body, flagger(bodies)):
                codes.extend(c for c in more if c not in codes)
    out = []
    for codes in per_body:
        joined = ",".join(dict.fromkeys(codes)) if codes else ""
        while len(joined) > FLAGS_MAX_CHARS:
            joined = joined.rsplit(",", 1)[0]
        out.append(joined)
    return out


# Sent by services.deleted_purge after its transaction, with `message_ids` (a list).
messages_purged = Signal()


class Attachments(Protocol):
    """What the send path asks of the app that stores files (parley.attachments)."""

    def check(self, requests: list[tuple[int, list]]) -> list["list[dict] | AppError"]:
        """Per (sender id, attachment ids): the files' wire dicts in that order, or the error."""

    def bind(self, messages: list[tuple[int, int, list[dict]]]) -> None:
        """Tie each (message id, conversation id, wire dicts) message's files to it.

        Caller holds the send transaction; raise an AppError (nothing is then kept) when a
        file was taken by another message meanwhile.
        """


_attachments: list[Attachments] = []


def register_attachments(handler: Attachments) -> None:
    """Let sends carry files by id; one handler (the last registered wins)."""
    _attachments[:] = [handler]


def attachments_check(requests: list[tuple[int, list]]) -> list["list[dict] | AppError"]:
    """Each request's files as wire dicts, or an error: `invalid` when no app stores files."""
    if not _attachments:
        return [Invalid(_("This server does not accept attachments."), field="attachment_ids") for _r in requests]
    return _attachments[0].check(requests)


def attachments_bind(messages: list[tuple[int, int, list[dict]]]) -> None:
    if messages and _attachments:
        _attachments[0].bind(messages)
