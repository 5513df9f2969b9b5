"""Search: parse the query, ask the backend, then keep only what the one access check allows."""

import re
from base64 import urlsafe_b64decode, urlsafe_b64encode
from functools import lru_cache

from django.utils.translation import gettext_lazy as _

from parley.conversations.access import ConversationCache, conversations_for, may_see
from parley.conversations.selectors import conversation_names_for, visible_messages_with_ids
from parley.conversations.serializers import conversation_summary, iso

from .backends import backend
from .highlight import snippet_parts
from .query import BadQuery, fold, parse

PAGE = 20
MAX_PAGE = 50
MAX_CONVERSATIONS = 5  # conversations found by the other person's name or the item's title


def _encode_cursor(message_id: int) -> str:
    return urlsafe_b64encode(f"m{message_id}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    try:
        raw = urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not raw.startswith("m"):
            raise ValueError(raw)
        value = int(raw[1:])
        if not 1 <= value <= 2**63 - 1:
            raise ValueError(raw)
        return value
    except (ValueError, UnicodeDecodeError):
        raise BadQuery(_("before is not a cursor this server gave out: leave it out to start again."),
                       code="bad_cursor", field="before") from None


def search(*, user, q: str, before: str | None = None, limit: int | None = None) -> dict:
    """One page of the user's messages that match `q`, newest first, with highlighted snippets,
    and (on the first page) their conversations whose other person or item matches."""
    query = parse(q)
    limit = max(1, min(limit or PAGE, MAX_PAGE))
    before_id = _decode_cursor(before) if before else None
    ids = backend().message_ids(user_id=user.pk, terms=query.terms, before_id=before_id, limit=limit + 1)
    more = len(ids) > limit
    ids = ids[:limit]
    found = {m.pk: m for m in visible_messages_with_ids(ids)}
    loaded = ConversationCache()  # this request's conversations, for the name matches' access check
    loaded.put_many({m.conversation_id: m.conversation for m in found.values()})
    summaries: dict[int, dict] = {}  # one card per conversation, however many of its messages match
    results = []
    for message in (found[i] for i in ids if i in found):
        conversation = message.conversation
        # The one access check (the index already holds only the user's conversations).
        if not may_see(user, conversation):
            continue
        if conversation.pk not in summaries:
            summaries[conversation.pk] = conversation_summary(conversation, for_user_id=user.pk)
        results.append({
            "conversation": summaries[conversation.pk],
            "message": {"id": message.pk, "seq": message.seq, "sender_id": message.sender_id,
                        "created_at": iso(message.created_at)},
            "parts": snippet_parts(message.body, query.terms),
        })
    return {
        "query": query.text,
        "terms": list(query.terms),
        "conversations": [] if before else _conversations_named(user=user, terms=query.terms, loaded=loaded),
        "results": results,
        "next_before": _encode_cursor(ids[-1]) if more and ids else None,
    }


# Titles repeat from one search to the next (a user refining a query, paging): fold each once.
_fold_title = lru_cache(maxsize=8192)(fold)


def _conversations_named(*, user, terms, loaded: ConversationCache) -> list[dict]:
    """The user's conversations where every term starts a word of the other person's name or the
    item's title, most recent activity first. `loaded` holds conversations this request already
    loaded (the message hits'), which need no second query."""
    # Fold each text once and look for every term at a word start: one C-level regex per term.
    # The rows come most recent first, so the walk stops at the last one shown.
    starts = [re.compile(r"(?:^|[\W_])" + re.escape(t)) for t in terms]
    hits = []
    for cid, name, title in conversation_names_for(user=user):
        text = f"{fold(name)} {_fold_title(title)}"  # fold(a + " " + b), piece by piece
        if all(start.search(text) for start in starts):
            hits.append(cid)
            if len(hits) == MAX_CONVERSATIONS:
                break
    allowed = [c for c in conversations_for([(user, cid) for cid in hits], cache=loaded)
               if not isinstance(c, Exception)]
    allowed.sort(key=lambda c: (c.last_activity_at, c.pk), reverse=True)
    out = []
    for conversation in allowed[:MAX_CONVERSATIONS]:
        summary = conversation_summary(conversation, for_user_id=user.pk)
        summary["name_parts"] = snippet_parts(summary["other"]["name"], terms)
        summary["title_parts"] = snippet_parts(summary["listing"]["title"], terms)
        out.append(summary)
    return out
