"""The send transaction: counters, messages, read marks and both participants' events."""

from collections import Counter

import orjson

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from parley.stream.append import stream_append, stream_reservation
from parley.core.counters import Advance, advance_many

from ... import events, policy
from ...models import Conversation
from ...selectors import inbox_filters_of, inbox_moves
from ...serializers import conversation_summary_parts, message_dict, summary_with_counters
from ..unread import unread_add_statement
from .sql import insert_messages, move_participations, read_state


class Refused(Exception):
    """The vetting refused a request of the batch: the caller's transaction must roll back."""


def write_batch(batch: list, cache=None, vet=None) -> None:
    """Store the batch, move counters and read marks, append every participant's events.

    Caller holds the transaction, an outermost one on the send path: on PostgreSQL its COMMIT
    rides in the last round trip (sql.commit_riding). Conversation rows are locked in id
    order, then stream heads in user-id order (stream_reserve), the same order as
    conversation_mark_read. `vet` (batch._Vetting): `vet.checks(batch)` ride in the first
    round trip, and when `vet.refuse(batch, answers)` refuses any request, Refused is raised.
    """
    added = Counter(r.conversation.pk for r in batch)
    now = timezone.now()
    at = Conversation._meta.get_field("last_activity_at").get_db_prep_value(now, connections[DEFAULT_DB_ALIAS])
    users = Counter(uid for r in batch for uid in r.conversation.participant_ids())
    # One round trip moves both counters, in the lock order (sql.execute_together), reads the
    # read marks and unread totals under those locks, and inserts the messages (their seqs
    # taken from the moved counters in SQL).
    checks = vet.checks(batch) if vet is not None else []
    _first, reserved, *answers, state, messages = advance_many([
        Advance(Conversation, "id", added, also={"last_activity_at": at}),
        stream_reservation(users),
    ], then=[*checks, read_state(conversation_ids=added, user_ids=users), _messages_insert(batch, added, now)])
    if vet is not None and vet.refuse(batch, answers):
        raise Refused()
    _bind_results(batch, messages)
    built, own, marks, deltas = _events_and_marks(batch, state, cache)
    # The second and last round trip: the events, the participations (their copy of the last
    # activity, the senders' read marks), the unread totals, and on PostgreSQL the COMMIT
    # (sql.commit_riding).
    totals = unread_add_statement(deltas)
    appended = stream_append(built, reserved=reserved, last=True,
                             before=[move_participations(marks, at=at), *([totals] if totals else [])])
    for req, index in own:
        req.own_event = appended[index]


def _messages_insert(batch: list, added: Counter, now):
    """The statement that inserts the batch's messages (sql.insert_messages), to ride along."""
    rows = []
    flags = policy.flags_for([req.clean for req in batch])  # codes other apps attach (risk tips)
    for req, flag in zip(batch, flags):
        rows.append({"conversation_id": req.conversation.pk, "sender_id": req.sender.pk,
                     "body": req.clean, "client_msg_id": req.msg_uuid, "created_at": now, "flags": flag,
                     "reply_to_id": req.quoted.pk if req.quoted is not None else None,
                     "attachments": orjson.dumps(req.attachments).decode() if req.attachments else ""})
    return insert_messages(rows, added)


def _bind_results(batch: list, messages: list) -> None:
    """Set each request's result to its stored message; bind the files the sends carry."""
    bound = []
    for req, message in zip(batch, messages):
        if req.quoted is not None:
            message.reply_to = req.quoted  # message_dict reads the quote from here, no query
        if req.attachments:
            bound.append((message.pk, message.conversation_id, req.attachments))
        req.result, req.created = message, True
    policy.attachments_bind(bound)


def _events_and_marks(batch: list, state: tuple, cache=None) -> tuple[list, list, list, dict]:
    """Build both participants' events, replaying each send's effect on the read counts.

    Return the events, per request the position of the sender's own event among them, the
    participations' read marks (`_marks`), and how far each user's unread total moved
    ({user_id: delta}, for unread.unread_add_statement). Caller holds the conversation and
    stream-head locks, so the counts read here are final. The summaries' fixed parts are kept
    in the writer's ConversationCache memo when there is one (a listing card costs more than
    the rest of a message: docs/benchmarks.md).
    """
    read, archived, kept = state  # read_state's answer: the totals kept before this batch (no row: 0)
    before = {uid: kept.get(uid, 0) for _cid, uid in read}
    totals = dict(before)
    memos: dict[int, dict] = {}  # conversation id -> {user id: the summary's fixed part}
    moved, out, own = set(), [], []
    for req in batch:
        conv, msg, sender_id = req.conversation, req.result, req.sender.pk
        cid, seq = conv.pk, msg.seq
        was = {uid: _filters(conv, uid, seq - 1, read[(cid, uid)], archived[(cid, uid)]) for uid in conv.participant_ids()}
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
                inbox_moves=inbox_moves(was[uid], _filters(conv, uid, seq, read[(cid, uid)], None)),
            )))
        archived[(cid, sender_id)] = archived[(cid, conv.other_user_id(sender_id))] = None  # a message unarchives
    return out, own, _marks(batch, read, moved), {uid: total - before[uid] for uid, total in totals.items()}


def _marks(batch: list, read: dict, moved: set) -> list[tuple[int, int, int]]:
    """(conversation_id, user_id, read mark) for every participation of the batch's
    conversations: the senders' new marks, 0 (no move) for the others (sql.move_participations)."""
    convs = {req.conversation.pk: req.conversation for req in batch}
    return [(cid, uid, read[(cid, uid)] if (cid, uid) in moved else 0)
            for cid in sorted(convs) for uid in sorted(convs[cid].participant_ids())]


def _filters(conv, uid: int, last_seq: int, read_seq: int, archived_seq: int | None) -> frozenset[str]:
    """The inbox filters user `uid` counts the conversation in at `last_seq`."""
    return inbox_filters_of(role="buyer" if uid == conv.buyer_id else "seller", last_seq=last_seq,
                            is_buyer=uid == conv.buyer_id, read_seq=read_seq, archived_seq=archived_seq)
