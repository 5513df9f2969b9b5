"""The one access check per kind of object: missing and not-yours raise the same NotFound."""

import random
import time

from django.utils.translation import gettext_lazy as _

from parley.core.compiled import KeyLookup
from parley.core.errors import NotFound
from parley.core.ids import database_id

from .listings import listing_model
from .models import Conversation, Message


def _conversation_not_found() -> NotFound:
    return NotFound(_("Conversation not found."))


def conversations_visible():
    """The queryset every conversation access goes through, with what a card needs."""
    return Conversation.objects.select_related("listing", "buyer", "seller")


# conversations_visible() by id, its SQL compiled once (core.compiled): the access check's
# lookup on every conversation a writer has not cached.
_visible_by_id = KeyLookup(conversations_visible)


def may_see(user, conversation: Conversation | None) -> bool:
    return (
        conversation is not None
        and getattr(user, "is_authenticated", False)
        and user.pk in conversation.participant_ids()
    )


def conversation_for(user, conversation_id) -> Conversation:
    """Return the conversation if `user` takes part in it, else raise NotFound."""
    conversation_id = database_id(conversation_id)
    conversation = _visible_by_id.in_bulk([conversation_id]).get(conversation_id) if conversation_id else None
    if not may_see(user, conversation):
        raise _conversation_not_found()
    return conversation


def message_for(user, conversation_id, message_id) -> Message:
    """Return a message of a conversation `user` takes part in, else raise NotFound (the same
    for a missing message, one in another conversation, and one in someone else's)."""
    conversation = conversation_for(user, conversation_id)
    message_id = database_id(message_id)
    message = Message.objects.filter(conversation_id=conversation.pk, pk=message_id).first() if message_id else None
    if message is None:
        raise NotFound(_("Message not found."))
    message.conversation = conversation
    return message


class ConversationCache:
    """Recently loaded conversations, for one send-path writer's repeated access checks.

    Who takes part in a conversation never changes, so `may_see` on a cached conversation
    gives the same answer as on a fresh one; only the listing card it carries may be up to
    `ttl` seconds old. Each entry also has a memo (`memo`) where the send path keeps what it
    derives from the conversation (the summaries' fixed parts), expiring with the entry.
    The send path keeps one per writer thread (and one on the event loop's thread, where
    PostgreSQL's batches run); search fills one with the conversations its
    request already loaded. Pages and the API load fresh. Not thread-safe: one per thread.

    An entry lives between `ttl / 2` and `ttl` (`spread` draws where): conversations loaded
    together, as every one is after a restart, would otherwise all expire in the same second
    and be loaded again in a burst that stalls the sends behind it (docs/benchmarks.md).
    """

    def __init__(self, ttl: float = 60.0, size: int = 4096, clock=time.monotonic, spread=random.random):
        self.ttl, self.size, self.clock, self.spread = ttl, size, clock, spread
        self._items: dict[int, tuple[float, Conversation, dict]] = {}  # id -> (expiry, conversation, memo)

    def get_many(self, ids) -> dict[int, Conversation]:
        now = self.clock()
        return {cid: hit[1] for cid in ids if (hit := self._items.get(cid)) and now < hit[0]}

    def put_many(self, conversations: dict[int, Conversation]) -> None:
        if len(self._items) + len(conversations) > self.size:
            self._items.clear()
        now = self.clock()
        self._items.update((cid, (now + self.ttl * (1 - self.spread() / 2), conv, {}))
                           for cid, conv in conversations.items())

    def memo(self, conversation: Conversation) -> dict:
        """The memo of this conversation's entry (a throwaway dict if it is not the cached one)."""
        hit = self._items.get(conversation.pk)
        return hit[2] if hit is not None and hit[1] is conversation else {}


def conversations_for(pairs: list[tuple[object, object]], *, cache: ConversationCache | None = None) -> list[Conversation | NotFound]:
    """Check many (user, conversation_id) pairs with one query; NotFound where access fails."""
    ids = {cid for _, raw in pairs if (cid := database_id(raw))}
    found = cache.get_many(ids) if cache else {}
    if missing := ids - found.keys():
        loaded = _visible_by_id.in_bulk(missing)
        if cache:
            cache.put_many(loaded)
        found.update(loaded)
    out: list[Conversation | NotFound] = []
    for user, raw in pairs:
        conversation = found.get(database_id(raw))
        out.append(conversation if may_see(user, conversation) else _conversation_not_found())
    return out


def listing_for(listing_id):
    """Return a listing anyone may see, else raise NotFound."""
    listing_id = database_id(listing_id)
    listing = listing_model()._default_manager.filter(pk=listing_id).first() if listing_id else None
    if listing is None:
        raise NotFound(_("Listing not found."))
    return listing
