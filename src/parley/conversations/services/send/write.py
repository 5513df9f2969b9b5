"""The send transaction: counters, messages, read marks and both participants' events."""

from collections import Counter

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from parley.stream.append import stream_append, stream_reserve
from parley.core.counters import advance_last_seq

from ... import events
from ...models import Conversation
from ...serializers import conversation_summary_parts, message_dict, summary_with_counters
from .sql import insert_messages, move_read_marks, read_state


def write_batch(batch: list, cache=None) -> None:
    """Store the batch, move counters and read marks, append every participant's events.

    Caller holds the transaction. Conversation rows are locked in id order, then stream
    heads in user-id order (stream_reserve), the same order as conversation_mark_read.
    """
    added = Counter(r.conversation.pk for r in batch)
    now = timezone.now()
    at = Conversation._meta.get_field("last_activity_at").get_db_prep_value(now, connections[DEFAULT_DB_ALIAS])
    first = advance_last_seq(Conversation, "id", added, also={"last_activity_at": at})
    _store_messages(batch, first, now)
    reserved = stream_reserve(Counter(uid for r in batch for uid in r.conversation.participant_ids()))
    built, own = _events_and_marks(batch, {cid: seq - 1 for cid, seq in first.items()}, added, cache)
    appended = stream_append(built, reserved=reserved)
    for req, index in own:
        req.own_event = appended[index]


def _store_messages(batch: list, first: dict[int, int], now) -> None:
    """Insert the batch's messages and set each request's result."""
    next_seq, rows = dict(first), []
    for req in batch:
        cid = req.conversation.pk
        rows.append({"conversation_id": cid, "sender_id": req.sender.pk, "seq": next_seq[cid],
                     "body": req.clean, "client_msg_id": req.msg_uuid, "created_at": now})
        next_seq[cid] += 1
    for req, message in zip(batch, insert_messages(rows)):
        req.result, req.created = message, True


def _events_and_marks(batch: list, before: dict[int, int], added: Counter, cache=None) -> tuple[list, list]:
    """Build both participants' events, replaying each send's effect on the read counts.

    Return the events and, per request, the position of the sender's own event among them.
    Caller holds the conversation and stream-head locks, so the counts read here are final.
    The summaries' fixed parts are kept in the writer's ConversationCache memo when there is
    one (building a listing card costs more than the rest of a message: docs/benchmarks.md).
    """
    users = {uid for r in batch for uid in r.conversation.participant_ids()}
    read, totals = read_state(conversation_ids=before, user_ids=users)
    # The counters were already moved for the whole batch: rewind each user's total to
    # where it stood before the batch, then replay the sends one by one.
    for cid, uid in read:
        totals[uid] = totals.get(uid, 0) - added[cid]
    memos: dict[int, dict] = {}  # conversation id -> {user id: the summary's fixed part}
    moved, out, own = set(), [], []
    for req in batch:
        conv, msg, sender_id = req.conversation, req.result, req.sender.pk
        cid, seq = conv.pk, msg.seq
        totals[sender_id] -= max(seq - 1 - read[(cid, sender_id)], 0)  # sending reads everything before
        read[(cid, sender_id)] = seq
        moved.add((cid, sender_id))
        conv.last_seq, conv.last_activity_at = seq, msg.created_at
        data = req.message_data = message_dict(msg)
        for uid in conv.participant_ids():
            if uid != sender_id:
                totals[uid] += 1
            else:
                own.append((req, len(out)))
            memo = memos.get(cid)
            if memo is None:
                memo = memos[cid] = cache.memo(conv) if cache is not None else {}
            fixed = memo.get(uid) or memo.setdefault(uid, conversation_summary_parts(conv, for_user_id=uid))
            out.append((uid, *events.message_created(
                message=data, conversation=summary_with_counters(fixed, last_seq=seq, last_activity_at=data["created_at"]),
                unread=max(seq - read[(cid, uid)], 0), unread_total=max(totals[uid], 0),
            )))
    move_read_marks([(read[key], *key) for key in sorted(moved)])
    return out, own
