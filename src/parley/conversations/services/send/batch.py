"""The flow of a batch: validate and check access, answer retries, rate-limit, write once."""

import logging
import uuid
from dataclasses import dataclass, field

from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parley.core.active import AccountInactive, inactive_check
from parley.core.errors import AppError, Conflict, Invalid, NotFound
from parley.core.ids import database_id
from parley.core.ratelimit import rate_limit_many
from parley.core.prepared import prepared
from parley.core.sql import Check, one_cursor, write_transaction
from parley.stream.append import Event

from ...access import ConversationCache, conversations_for
from ...models import Conversation, Message
from ...serializers import QUOTE_FIELDS
from ...policy import Blocked, attachments_check, refusal_checks
from ...text import clean_body
from ..limits import send_rate
from .write import Refused, write_batch

logger = logging.getLogger(__name__)


@dataclass
class SendRequest:
    sender: object
    conversation_id: object
    body: object
    client_msg_id: object
    reply_to_id: object = None  # the quoted message (Reply): one of the same conversation
    attachment_ids: list | None = None  # files uploaded first (policy.register_attachments)
    # Filled in while the batch is prepared.
    conversation: Conversation | None = None
    quoted: "Message | None" = None
    attachments: list[dict] | None = None  # the files' wire dicts, once checked
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


def _reused_elsewhere() -> Conflict:
    return Conflict(_("This client_msg_id was already used in another conversation."), field="client_msg_id")


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
                if seen[key].conversation.pk != conversation.pk:
                    raise _reused_elsewhere()
                req.duplicate_of = seen[key]
                continue
            req.clean = clean_body(req.body, allow_empty=bool(req.attachment_ids))
        except AppError as exc:
            req.error = exc
            continue
        seen[key] = req
        live.append(req)
    return _resolve_attachments(_resolve_quotes(live))


class _Vetting:
    """Who may not send after all, asked in the batch's first write round trip (write_batch's
    `vet`): who is inactive (a socket's user object may be stale) and the guards' refusals (a
    block takes effect on the next send). Asking inside the transaction spares the writer a
    round trip per batch; a refusal is rare and costs the batch a rollback and a redo.
    """

    @staticmethod
    def checks(batch: list[SendRequest]) -> list[Check]:
        return [inactive_check(r.sender.pk for r in batch),
                *refusal_checks((r.sender.pk, r.conversation.other_user_id(r.sender.pk)) for r in batch)]

    @staticmethod
    def refuse(batch: list[SendRequest], answers: list) -> bool:
        """Give each refused request its error; True when any was refused."""
        inactive, *refusals = answers
        refused = set().union(*refusals)
        for req in batch:
            if req.sender.pk in inactive:
                req.error = AccountInactive()
            elif (req.sender.pk, req.conversation.other_user_id(req.sender.pk)) in refused:
                req.error = Blocked()
        return any(req.error is not None for req in batch)


def _write(batch: list[SendRequest], cache: ConversationCache | None) -> None:
    """Write the batch in one transaction; redo without the requests the vetting refused.

    Refused is raised before any request gets a result, so the rest is redone as it is."""
    while batch:
        try:
            with write_transaction():  # its BEGIN rides with the first statements (core.sql)
                write_batch(batch, cache, vet=_Vetting)
            return
        except Refused:  # rolled back: nothing of the batch was kept
            batch = [req for req in batch if req.error is None]


def _resolve_attachments(live: list[SendRequest]) -> list[SendRequest]:
    """Check the files of the requests that carry some (no query when none does).

    A retry is answered with the original first: its files are bound to it already.
    """
    carrying = [req for req in live if req.attachment_ids]
    if not carrying:
        return live
    fresh = {id(req) for req in _claim_existing(carrying)}
    checked = [req for req in carrying if id(req) in fresh and req.error is None]
    for req, result in zip(checked, attachments_check([(r.sender.pk, list(r.attachment_ids)) for r in checked])):
        if isinstance(result, AppError):
            req.error = result
        else:
            req.attachments = result
    return [req for req in live if not req.attachment_ids or (id(req) in fresh and req.error is None)]


def _quote_not_found() -> NotFound:
    return NotFound(_("The message you reply to is not in this conversation."), field="reply_to_id")


def _resolve_quotes(live: list[SendRequest]) -> list[SendRequest]:
    """Load every quoted message of the batch with one query (none when nothing quotes)."""
    if all(req.reply_to_id is None for req in live):
        return live
    ids = {pk for req in live if (pk := database_id(req.reply_to_id))}
    found = Message.objects.only(*QUOTE_FIELDS).in_bulk(ids) if ids else {}
    kept = []
    for req in live:
        if req.reply_to_id is not None:
            quoted = found.get(database_id(req.reply_to_id))
            if quoted is None or quoted.conversation_id != req.conversation.pk:
                req.error = _quote_not_found()
                continue
            req.quoted = quoted
        kept.append(req)
    return kept


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
            req.error = _reused_elsewhere()
        else:
            req.result, req.created = original, False
    return fresh


def _rate_limited(fresh: list[SendRequest]) -> list[SendRequest]:
    # One rate per request (new accounts have a stricter tier), still one cache call per batch.
    now = timezone.now()
    refusals = rate_limit_many(
        [f"send:{r.sender.pk}" for r in fresh], rate=[send_rate(r.sender, now) for r in fresh]
    )
    allowed = []
    for req, refused in zip(fresh, refusals):
        if refused is None:
            allowed.append(req)
        elif _claim_existing([req]):  # a retry of a stored send (its ack was lost) gets the original
            req.error = refused
    return allowed


def send_batch(requests: list[SendRequest], *, cache: ConversationCache | None = None) -> list[SendRequest]:
    """Send every request; each ends with .result (and .created) or .error.

    Caller has not opened a transaction; this commits once for the whole batch. `cache`
    (one per calling thread) spares the access check's query for recent conversations. Retries
    are rare, so the batch is first written as if all were new: the unique constraint on
    (sender, client_msg_id) catches a retry, and then each request is redone on its own.
    """
    # The batch's statements share one cursor (core.sql), and on PostgreSQL each is prepared
    # once per connection (core.prepared).
    with one_cursor(), prepared():
        return _send_batch(requests, cache)


def _send_batch(requests: list[SendRequest], cache: ConversationCache | None) -> list[SendRequest]:
    fresh = _rate_limited(_prepare(requests, cache))
    if fresh:
        try:
            _write(fresh, cache)
        except IntegrityError:
            for req in fresh:  # nothing of the batch was kept
                _reset(req)
                _send_one(req, cache)
        except Exception as exc:
            if len(fresh) == 1:
                raise
            _isolate(fresh, cache, exc)
    return _settle(requests)


def _reset(req: SendRequest) -> None:
    req.result, req.created, req.message_data, req.own_event = None, False, None, None


def _isolate(fresh: list[SendRequest], cache: ConversationCache | None, exc: Exception) -> None:
    """Redo each request of a failed batch alone, so only the one that fails gets an error.

    If every one fails alone too, it is no one request's fault (the database is down, say):
    re-raise the batch's error, so every caller hears it as before.
    """
    failed = []
    for req in fresh:  # nothing of the batch was kept
        _reset(req)
        try:
            _send_one(req, cache)
        except Exception as alone:
            _reset(req)
            failed.append((req, alone))
    if len(failed) == len(fresh):
        raise exc
    for req, alone in failed:
        if isinstance(alone, AppError):  # its own fault, said clearly (a file another send took)
            req.error = alone
            continue
        logger.error("a send failed alone in its batch; the others were sent", exc_info=alone)
        req.error = AppError(_("Something went wrong on the server."), code="server_error")


def _send_one(req: SendRequest, cache: ConversationCache | None = None) -> None:
    """Answer a retry with the original message, or write this request alone."""
    if not _claim_existing([req]):
        return
    try:
        _write([req], cache)
    except IntegrityError:
        # Another process stored the same client_msg_id between our check and write.
        req.result = None
        if _claim_existing([req]):
            raise


def message_send(*, sender, conversation, body, client_msg_id, reply_to_id=None, attachment_ids=None) -> tuple[Message, bool]:
    """Send a message; return (message, created). A retry returns the original message.

    The WebSocket's `send` frame calls send_batch with every send waiting for the writer,
    so that they share a transaction; this is the same path with a batch of one.
    """
    (req,) = send_batch([SendRequest(sender, conversation.pk, body, client_msg_id, reply_to_id, attachment_ids)])
    if req.error is not None:
        raise req.error
    return req.result, req.created


def _settle(requests: list[SendRequest]) -> list[SendRequest]:
    for req in requests:
        if req.duplicate_of is not None:
            original = req.duplicate_of
            req.result, req.created, req.error = original.result, False, original.error
    return requests
