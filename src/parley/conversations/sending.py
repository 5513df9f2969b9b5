"""The send path: validate, check access, write a batch of messages in one transaction.

Concurrent sends share one transaction (group commit, GUIDE.md §1): a caller hands over
every send that is waiting, they commit together, and then each is acknowledged and
published. A batch of one is the ordinary case, and the API uses exactly that.
"""

import uuid
from collections import Counter
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parley.conf import settings
from parley.core.counters import advance_last_seq
from parley.core.errors import AppError, Conflict, Invalid
from parley.core.ratelimit import rate_limit_many
from parley.core.sql import values_rows
from parley.realtime.stream import Event, stream_append, stream_reserve

from . import events
from .access import ConversationCache, conversations_for
from .models import Conversation, Message, Participant
from .selectors import read_state_for
from .serializers import message_dict
from .text import clean_body


@dataclass
class SendRequest:
    sender: object
    conversation_id: object
    body: object
    client_msg_id: object
    # The socket that sent it, when the broker can leave that socket out of the sender's own
    # event: the event then rides on the ack only (docs/protocol.md).
    origin: object = None
    # Filled in while the batch is prepared.
    conversation: Conversation | None = None
    msg_uuid: uuid.UUID | None = None
    clean: str = ""
    result: "Message | None" = None
    message_data: dict | None = None  # message_dict(result), when this batch built it
    own_event: "Event | None" = None  # the sender's own message.created event, when created here
    created: bool = False
    error: AppError | None = None
    duplicate_of: "SendRequest | None" = field(default=None, repr=False)


def _parse_uuid(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        raise Invalid(_("client_msg_id must be a UUID."), field="client_msg_id") from None


def _prepare(requests: list[SendRequest], cache: ConversationCache | None) -> list[SendRequest]:
    """Validate and check access outside the transaction; return the requests still live."""
    checked = conversations_for([(r.sender, r.conversation_id) for r in requests], cache=cache)
    live, seen = [], {}
    for req, conversation in zip(requests, checked):
        try:
            if isinstance(conversation, AppError):
                raise conversation
            req.conversation = conversation
            req.msg_uuid = _parse_uuid(req.client_msg_id)
            key = (req.sender.pk, req.msg_uuid)
            if key in seen:  # a double click inside one batch: answer both with one message
                req.duplicate_of = seen[key]
                continue
            req.clean = clean_body(req.body)
        except AppError as exc:
            req.error = exc
            continue
        seen[key] = req
        live.append(req)
    return live


def _claim_existing(live: list[SendRequest]) -> list[SendRequest]:
    """Answer retries of already-stored sends with the original; return the new ones."""
    stored = {
        (m.sender_id, m.client_msg_id): m
        for m in Message.objects.filter(
            sender_id__in={r.sender.pk for r in live}, client_msg_id__in=[r.msg_uuid for r in live]
        )
    }
    fresh = []
    for req in live:
        original = stored.get((req.sender.pk, req.msg_uuid))
        if original is None:
            fresh.append(req)
        elif original.conversation_id != req.conversation.pk:
            req.error = Conflict(_("This client_msg_id was already used in another conversation."), field="client_msg_id")
        else:
            req.result, req.created = original, False
    return fresh


def _rate_limited(fresh: list[SendRequest]) -> list[SendRequest]:
    refusals = rate_limit_many([f"send:{r.sender.pk}" for r in fresh], rate=settings.PARLEY_SEND_RATE)
    allowed = []
    for req, refused in zip(fresh, refusals):
        if refused is None:
            allowed.append(req)
        elif _claim_existing([req]):  # a retry of a stored send (its ack was lost) gets the original
            req.error = refused
    return allowed


def _write(batch: list[SendRequest]) -> None:
    """Store the batch, move counters and read marks, append every participant's events.

    Caller holds the transaction. Conversation rows are locked in id order, then stream
    heads in user-id order (stream_reserve), the same order as conversation_mark_read.
    """
    added = Counter(r.conversation.pk for r in batch)
    now = timezone.now()
    at = Conversation._meta.get_field("last_activity_at").get_db_prep_value(now, connection)
    first = advance_last_seq(Conversation, "id", added, also={"last_activity_at": at})
    before = {cid: seq - 1 for cid, seq in first.items()}
    _insert_messages(batch, first, now)
    reserved = stream_reserve(Counter(uid for r in batch for uid in r.conversation.participant_ids()))
    events, own = _events_and_marks(batch, before, added)
    appended = stream_append(events, reserved=reserved)
    for req, index in own:
        req.own_event = appended[index]
        appended[index].skip = req.origin


_MESSAGE_COLUMNS = ("conversation_id", "sender_id", "seq", "body", "client_msg_id", "created_at")
# Model.from_db takes a full row in the model's field order.
assert [f.attname for f in Message._meta.concrete_fields] == ["id", *_MESSAGE_COLUMNS]


def _insert_messages(batch: list[SendRequest], first: dict[int, int], now) -> None:
    """Insert the batch's messages with one statement and set each request's result.

    The unique (sender, client_msg_id) constraint raises IntegrityError for a retry.
    The per-message work is kept to plain values: the connection is looked up once (each
    `django.db.connection` attribute goes through a thread-local proxy) and the messages
    are built from the stored row like the ORM's own loads (`Model.from_db`).
    """
    db = connections[DEFAULT_DB_ALIAS]
    table = db.ops.quote_name(Message._meta.db_table)
    uuid_to_db = Message._meta.get_field("client_msg_id").get_db_prep_value
    created = Message._meta.get_field("created_at").get_db_prep_value(now, db)
    next_seq, params, rows = dict(first), [], []
    for req in batch:
        cid = req.conversation.pk
        row = (cid, req.sender.pk, next_seq[cid], req.clean, req.msg_uuid)
        next_seq[cid] += 1
        params += (*row[:4], uuid_to_db(req.msg_uuid, db), created)
        rows.append(row)
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(batch))
    with db.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(_MESSAGE_COLUMNS)}) VALUES {values} RETURNING id, conversation_id, seq",
            params,
        )
        ids = {(cid, seq): pk for pk, cid, seq in cursor.fetchall()}
    names = ("id", *_MESSAGE_COLUMNS)
    for req, (cid, sender_id, seq, body, msg_uuid) in zip(batch, rows):
        message = Message.from_db(db.alias, names, (ids[(cid, seq)], cid, sender_id, seq, body, msg_uuid, now))
        req.result, req.created = message, True


def _events_and_marks(
    batch: list[SendRequest], before: dict[int, int], added: Counter
) -> tuple[list[tuple[int, str, dict]], list[tuple[SendRequest, int]]]:
    """Build both participants' events, replaying each send's effect on the read counts.

    Return the events and, per request, the position of the sender's own event among them.
    Caller holds the conversation and stream-head locks, so the counts read here are final.
    """
    users = {uid for r in batch for uid in r.conversation.participant_ids()}
    read, totals = read_state_for(conversation_ids=before, user_ids=users)
    # The counters were already moved for the whole batch: rewind each user's total to
    # where it stood before the batch, then replay the sends one by one.
    for cid, uid in read:
        totals[uid] = totals.get(uid, 0) - added[cid]
    moved = set()
    out, own = [], []
    for req in batch:
        conv, msg, sender_id = req.conversation, req.result, req.sender.pk
        cid, seq, participants = conv.pk, msg.seq, conv.participant_ids()
        totals[sender_id] -= max(seq - 1 - read[(cid, sender_id)], 0)  # sending reads everything before
        read[(cid, sender_id)] = seq
        moved.add((cid, sender_id))
        for uid in participants:
            if uid != sender_id:
                totals[uid] += 1
        conv.last_seq, conv.last_activity_at = seq, msg.created_at
        data = req.message_data = message_dict(msg)
        for uid in participants:
            etype, payload = events.message_created(
                msg, conv, for_user_id=uid, unread=max(seq - read[(cid, uid)], 0),
                unread_total=max(totals[uid], 0), message_data=data,
            )
            if uid == sender_id:
                own.append((req, len(out)))
            out.append((uid, etype, payload))
    _move_read_marks([(read[key], *key) for key in sorted(moved)])
    return out, own


def _move_read_marks(marks: list[tuple[int, int, int]]) -> None:
    """Move (seq, conversation_id, user_id) read marks forward, never back, in one statement.

    Caller holds the conversations' row locks, which every writer of these rows takes first.
    """
    table = connection.ops.quote_name(Participant._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_read_seq = v.column1 FROM (VALUES {values_rows(len(marks), 3)}) AS v "
            f"WHERE conversation_id = v.column2 AND user_id = v.column3 AND last_read_seq < v.column1",
            [value for mark in marks for value in mark],
        )


def send_batch(requests: list[SendRequest], *, cache: ConversationCache | None = None) -> list[SendRequest]:
    """Send every request; each ends with .result (and .created) or .error.

    Caller has not opened a transaction; this commits once for the whole batch. `cache`
    (one per calling thread) spares the access check's query for recent conversations. Retries
    are rare, so the batch is first written as if all were new: the unique constraint on
    (sender, client_msg_id) catches a retry, and then each request is redone on its own.
    """
    fresh = _rate_limited(_prepare(requests, cache))
    if fresh:
        try:
            with transaction.atomic():
                _write(fresh)
        except IntegrityError:
            for req in fresh:  # nothing of the batch was kept
                req.result, req.created = None, False
                _send_one(req)
    return _settle(requests)


def _send_one(req: SendRequest) -> None:
    """Answer a retry with the original message, or write this request alone."""
    if not _claim_existing([req]):
        return
    try:
        with transaction.atomic():
            _write([req])
    except IntegrityError:
        # Another process stored the same client_msg_id between our check and write.
        req.result = None
        if _claim_existing([req]):
            raise


def _settle(requests: list[SendRequest]) -> list[SendRequest]:
    for req in requests:
        if req.duplicate_of is not None:
            original = req.duplicate_of
            req.result, req.created, req.error = original.result, False, original.error
    return requests
