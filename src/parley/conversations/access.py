"""The one access check per kind of object: missing and not-yours raise the same NotFound."""

import time

from django.utils.translation import gettext_lazy as _

from parley.core.errors import NotFound

from .listings import listing_model
from .models import Conversation


def _conversation_not_found() -> NotFound:
    return NotFound(_("Conversation not found."))


# Row ids as the databases store them (signed 64-bit). Anything outside would make the
# query itself fail (OverflowError on SQLite), and with it every request of a send batch.
_MAX_ID = 2**63 - 1


def _conversation_id(value) -> int | None:
    """The id as an int in the databases' range, else None (which no conversation has)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= _MAX_ID else None


def conversations_visible():
    """The queryset every conversation access goes through, with what a card needs."""
    return Conversation.objects.select_related("listing", "buyer", "seller")


def may_see(user, conversation: Conversation | None) -> bool:
    return (
        conversation is not None
        and getattr(user, "is_authenticated", False)
        and user.pk in conversation.participant_ids()
    )


def conversation_for(user, conversation_id) -> Conversation:
    """Return the conversation if `user` takes part in it, else raise NotFound."""
    conversation_id = _conversation_id(conversation_id)
    conversation = conversations_visible().filter(pk=conversation_id).first() if conversation_id else None
    if not may_see(user, conversation):
        raise _conversation_not_found()
    return conversation


class ConversationCache:
    """Recently loaded conversations, for one send-path writer thread's repeated access checks.

    Who takes part in a conversation never changes, so `may_see` on a cached conversation
    gives the same answer as on a fresh one; only the listing card it carries may be up to
    `ttl` seconds old. Each entry also has a memo (`memo`) where the send path keeps what it
    derives from the conversation (the summaries' fixed parts), expiring with the entry.
    Only the send path uses it: pages and the API load fresh. Not thread-safe: one per thread.
    """

    def __init__(self, ttl: float = 60.0, size: int = 4096, clock=time.monotonic):
        self.ttl, self.size, self.clock = ttl, size, clock
        self._items: dict[int, tuple[float, Conversation, dict]] = {}

    def get_many(self, ids) -> dict[int, Conversation]:
        now = self.clock()
        return {cid: hit[1] for cid in ids if (hit := self._items.get(cid)) and now - hit[0] < self.ttl}

    def put_many(self, conversations: dict[int, Conversation]) -> None:
        if len(self._items) + len(conversations) > self.size:
            self._items.clear()
        now = self.clock()
        self._items.update((cid, (now, conv, {})) for cid, conv in conversations.items())

    def memo(self, conversation: Conversation) -> dict:
        """The memo of this conversation's entry (a throwaway dict if it is not the cached one)."""
        hit = self._items.get(conversation.pk)
        return hit[2] if hit is not None and hit[1] is conversation else {}


def conversations_for(pairs: list[tuple[object, object]], *, cache: ConversationCache | None = None) -> list[Conversation | NotFound]:
    """Check many (user, conversation_id) pairs with one query; NotFound where access fails."""
    ids = {cid for _, raw in pairs if (cid := _conversation_id(raw))}
    found = cache.get_many(ids) if cache else {}
    if missing := ids - found.keys():
        loaded = conversations_visible().in_bulk(missing)
        if cache:
            cache.put_many(loaded)
        found.update(loaded)
    out: list[Conversation | NotFound] = []
    for user, raw in pairs:
        conversation = found.get(_conversation_id(raw))
        out.append(conversation if may_see(user, conversation) else _conversation_not_found())
    return out


def listing_for(listing_id):
    """Return a listing anyone may see, else raise NotFound."""
    try:
        listing_id = int(listing_id)
    except (TypeError, ValueError):
        raise NotFound(_("Listing not found.")) from None
    listing = listing_model()._default_manager.filter(pk=listing_id).first()
    if listing is None:
        raise NotFound(_("Listing not found."))
    return listing
