"""The one search interface. Both backends index a message's text and its two participants
(as tokens "u<id>" in their own field, which a typed word can never reach), so a query is one
index lookup restricted to the user's own conversations, newest (highest id) first."""

from typing import Protocol


class SearchBackend(Protocol):
    vendor: str

    def message_ids(self, *, user_id: int, terms: tuple[str, ...], before_id: int | None, limit: int) -> list[int]:
        """Ids of messages the user takes part in whose text has a word starting with every
        term, highest id first, below `before_id`. Deleted and hidden messages are not indexed."""
        ...
