"""The versioned JSON API (/api/v1/). Endpoints are thin: parse, access, service, serialize."""


from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import HttpRequest
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from ninja import Query, Router, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import django_auth

from parley.conversations import selectors, services
from parley.conversations.access import conversation_for, listing_for, message_for
from parley.conversations.privacy import read_receipts_on
from parley.conversations.serializers import (
    conversation_detail,
    conversation_summary,
    inbox_items,
    inbox_row,
    message_dict,
    user_dict,
)
from parley.core.errors import AppError, Invalid, NotFound, Unavailable, lazy_format
from parley.realtime.dispatch import run_frame
from parley.realtime.longpoll import stream_wait
from parley.stream.read import stream_cursor_for

from . import optional
from .openapi import CLIENT_FRAME_BODY, ObjectBodyParser, ParleyAPI
from .schemas import (
    ERRORS,
    ArchiveOut,
    ConversationCreateIn,
    ConversationDetailEnvelope,
    ConversationOut,
    ErrorOut,
    EventsOut,
    InboxCountsOut,
    InboxFilter,
    InboxPageOut,
    MeOut,
    MessageEnvelope,
    MessageEditIn,
    MessageIn,
    MessagePageOut,
    ReadMarkIn,
    ReadMarkOut,
    UnreadMarkOut,
    frame_reply_union,
)

api = ParleyAPI(
    title="Parley API",
    version="1",
    description="Conversations, messages, read marks and the per-user event stream. "
    "Authenticate with the session cookie, sending the CSRF token in X-CSRFToken on writes, "
    "or, from an app, with `Authorization: Bearer <access token>` from POST /api/v1/auth/token (no CSRF token). "
    "Errors always have the shape {\"error\": {\"code\", \"message\", \"details\"}}.",
    auth=[*optional.authenticators(), django_auth],
    urls_namespace="api-v1",
    docs_url="/docs",
    parser=ObjectBodyParser(),
)


def _error(request, status: int, code: str, message: str, **details):
    return api.create_response(request, {"error": {"code": code, "message": message, "details": details}}, status=status)


@api.exception_handler(AppError)
def _app_error(request, exc: AppError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    return _error(request, 401, "unauthenticated", _("Log in first: this endpoint needs a session or a token."))


@api.exception_handler(NinjaValidationError)
def _validation_error(request, exc: NinjaValidationError):
    return _error(request, 422, "invalid", _("The request is not valid."), errors=exc.errors)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    # django-ninja raises HttpError for a body it cannot parse (400) and a failed CSRF check
    # (403); each gets a code of the error table (docs/protocol.md).
    if exc.status_code == 400:
        return _error(request, 400, "bad_json", _("The request body is not valid JSON. Send a JSON object with Content-Type: application/json."))
    if exc.status_code == 403:
        return _error(request, 403, "csrf_failed", _("The CSRF check failed. Send the csrftoken cookie's value in the X-CSRFToken header."))
    return _error(request, exc.status_code, "bad_request", str(exc))


@api.exception_handler(RequestDataTooBig)
def _too_large(request, exc):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return _error(request, 413, "too_large", _("The request body is too large: the limit is %(limit)d bytes.") % {"limit": limit}, limit=limit)


def _unknown_path(request, *args, **kwargs):
    """Any other path under /api/v1/ (the catch-all after every endpoint)."""
    exc = NotFound(lazy_format(_lazy("There is nothing at %(path)s. /api/v1/docs lists the endpoints; ids are positive whole numbers."), path=request.path))
    return api.create_response(request, exc.as_dict(), status=404)


def _method_not_allowed(request, allowed: list[str]):
    return _error(request, 405, "method_not_allowed",
                  _("%(method)s is not allowed here; use %(allowed)s.") % {"method": request.method, "allowed": ", ".join(allowed)},
                  allowed=allowed)


api.unknown_path = _unknown_path
api.method_not_allowed = _method_not_allowed


@api.exception_handler(DatabaseError)
def _database_error(request, exc):
    return api.create_response(request, Unavailable().as_dict(), status=503)


# Endpoints that return messages say exclude_unset=True: a key a message leaves out
# (`removed`, `revision`, `edited_at`, `flags`) stays out: absent, never null (docs/protocol.md).

# Pages of rows: at least 1, at most 100 (the selectors' cap), 30 by default.
PAGE_LIMIT = Query(30, ge=1, le=100)


conversations = Router(tags=["conversations"])
stream = Router(tags=["events"])
frames_router = Router(tags=["frames"])


@api.get("/me", tags=["account"], response={200: MeOut, **ERRORS})
def me(request: HttpRequest):
    """The current user, their stream cursor and unread total."""
    cursor = stream_cursor_for(user=request.user)
    return {
        "user": user_dict(request.user),
        "cursor": cursor,
        "unread_total": selectors.unread_total_for(user=request.user),
    }


@conversations.get("", response={200: InboxPageOut, **ERRORS}, exclude_unset=True)
def conversation_list(request: HttpRequest, before: str | None = None, limit: int = PAGE_LIMIT,
                      filter: InboxFilter = "all", listing: int | None = Query(None, ge=1, le=2**63 - 1)):
    """The inbox, newest activity first, one page at a time: pass `next_before` as `before`.
    `filter` is a chip of the inbox (archived conversations show only under `archived`),
    `listing` keeps the conversations about one item."""
    rows, next_before = selectors.inbox_page(user=request.user, before=before, limit=limit, filter=filter, listing_id=listing)
    return {"conversations": [inbox_row(p) for p in rows], "next_before": next_before}


@conversations.get("/counts", response={200: InboxCountsOut, **ERRORS})
def conversation_counts(request: HttpRequest):
    """How many conversations each inbox filter shows, and the items the user sells with
    conversations about them (the filter by item), most enquiries first."""
    counts, cursor = selectors.inbox_counts_at(user=request.user)
    return {"counts": counts, "counts_cursor": cursor, "items": inbox_items(selectors.inbox_items_for(user=request.user))}


@conversations.post("/{int:conversation_id}/archive", response={200: ArchiveOut, **ERRORS})
def archive(request: HttpRequest, conversation_id: int):
    """Archive the conversation for the user until a new message arrives in it."""
    conversation = conversation_for(request.user, conversation_id)
    services.conversation_archive(user=request.user, conversation=conversation)
    return {"conversation_id": conversation.pk, "archived": True, "counts": selectors.inbox_counts_for(user=request.user)}


@conversations.post("/{int:conversation_id}/unarchive", response={200: ArchiveOut, **ERRORS})
def unarchive(request: HttpRequest, conversation_id: int):
    """Bring an archived conversation back to the inbox."""
    conversation = conversation_for(request.user, conversation_id)
    services.conversation_unarchive(user=request.user, conversation=conversation)
    return {"conversation_id": conversation.pk, "archived": False, "counts": selectors.inbox_counts_for(user=request.user)}


@conversations.post("", response={200: ConversationOut, 201: ConversationOut, **ERRORS})
def conversation_create(request: HttpRequest, payload: ConversationCreateIn):
    """Create-or-get the conversation between the user (as buyer) and a listing's seller."""
    listing = listing_for(payload.listing_id)
    conversation, created = services.conversation_start(buyer=request.user, listing=listing)
    conversation = conversation_for(request.user, conversation.pk)
    return Status(201 if created else 200, {"conversation": conversation_summary(conversation, for_user_id=request.user.pk)})


@conversations.get("/{int:conversation_id}", response={200: ConversationDetailEnvelope, **ERRORS})
def conversation_get(request: HttpRequest, conversation_id: int):
    conversation = conversation_for(request.user, conversation_id)
    marks = selectors.read_marks_for(conversation=conversation)
    receipts = read_receipts_on(conversation_id=conversation.pk)
    return {"conversation": conversation_detail(conversation, for_user_id=request.user.pk, read_marks=marks, read_receipts=receipts)}


@conversations.get("/{int:conversation_id}/messages", response={200: MessagePageOut, **ERRORS}, exclude_unset=True)
def message_list(request: HttpRequest, conversation_id: int, before: int | None = None, limit: int = PAGE_LIMIT,
                 around: int | None = Query(None, ge=1, le=2**63 - 1)):
    """A page of messages, oldest first, before the `before` seq cursor (default: the newest), or
    with `around` the page around that seq (a search result opens it) and `has_newer`."""
    conversation = conversation_for(request.user, conversation_id)
    if around is not None and before is not None:
        raise Invalid(_lazy("Pass either before or around, not both."), field="around")
    has_newer = None
    if around is not None:
        messages, has_more, has_newer = selectors.messages_page_around(conversation=conversation, seq=around, limit=limit)
    else:
        messages, has_more = selectors.messages_page(conversation=conversation, before_seq=before, limit=limit)
    page = {
        "messages": [message_dict(m) for m in messages],
        "has_more": has_more,
        "next_before": messages[0].seq if messages and has_more else None,
    }
    if has_newer is not None:
        page["has_newer"] = has_newer
    return page


@conversations.post("/{int:conversation_id}/messages", response={200: MessageEnvelope, 201: MessageEnvelope, **ERRORS}, exclude_unset=True)
def message_create(request: HttpRequest, conversation_id: int, payload: MessageIn):
    """Send a message. 201 when created; 200 with the original when client_msg_id was seen."""
    conversation = conversation_for(request.user, conversation_id)
    message, created = services.message_send(
        sender=request.user, conversation=conversation, body=payload.body, client_msg_id=payload.client_msg_id,
        reply_to_id=payload.reply_to_id, attachment_ids=payload.attachment_ids,
    )
    return Status(201 if created else 200, {"message": message_dict(message)})


@conversations.patch("/{int:conversation_id}/messages/{int:message_id}", response={200: MessageEnvelope, **ERRORS},
                     exclude_unset=True)
def message_edit(request: HttpRequest, conversation_id: int, message_id: int, payload: MessageEditIn):
    """Edit your own message within 15 minutes of sending; `revision` is the one you edited
    (409 `conflict` when it was edited since). Sending the current text again is a retry."""
    message = message_for(request.user, conversation_id, message_id)
    edited = services.message_edit(user=request.user, message=message, body=payload.body, revision=payload.revision)
    return {"message": message_dict(edited)}


@conversations.delete("/{int:conversation_id}/messages/{int:message_id}", response={200: MessageEnvelope, **ERRORS},
                      exclude_unset=True)
def message_delete(request: HttpRequest, conversation_id: int, message_id: int):
    """Delete your own message within 15 minutes of sending: everyone sees "Message deleted".
    Deleting it again is a retry."""
    message = message_for(request.user, conversation_id, message_id)
    services.message_delete(user=request.user, message=message)
    return {"message": message_dict(message)}


@conversations.post("/{int:conversation_id}/read", response={200: ReadMarkOut, **ERRORS})
def read_mark(request: HttpRequest, conversation_id: int, payload: ReadMarkIn):
    """Move the read mark forward (never back) to `seq`, or to the last message."""
    conversation = conversation_for(request.user, conversation_id)
    seq = services.conversation_mark_read(user=request.user, conversation=conversation, seq=payload.seq)
    return {"conversation_id": conversation.pk, "last_read_seq": seq}


@conversations.post("/{int:conversation_id}/unread", response={200: UnreadMarkOut, **ERRORS})
def unread_mark(request: HttpRequest, conversation_id: int):
    """Mark as unread: move your own read mark back to just before the other person's last
    message (nothing changes when there is none). The other person is not told."""
    conversation = conversation_for(request.user, conversation_id)
    seq = services.conversation_mark_unread(user=request.user, conversation=conversation)
    return {
        "conversation_id": conversation.pk, "last_read_seq": seq,
        "unread": selectors.unread_for(user_id=request.user.pk, conversation_id=conversation.pk),
        "unread_total": selectors.unread_total_for(user=request.user),
    }


@stream.get("", response={200: EventsOut, **ERRORS})
async def events(request: HttpRequest, since: int = 0, limit: int = Query(500, ge=1, le=500), timeout: float = 0):
    """The user's events after `since`, in seq order. `resync_required` means reload state.

    With `timeout` (seconds, at most 30) this is a long-poll: it answers at once when there
    are events, otherwise when one arrives or the timeout passes (the fallback transport).
    """
    found, head, resync = await stream_wait(user=request.auth, since=since, limit=limit, timeout=timeout)
    # Events are sent as built (never re-validated on the way out): EventsOut documents them.
    return api.create_response(request, {
        "events": [e.as_dict() for e in found],
        "cursor": found[-1].seq if found else (head if resync else since),
        "head": head,
        "resync_required": resync,
    }, status=200)


@frames_router.post(
    "", response={200: frame_reply_union(), **ERRORS, 500: ErrorOut},
    openapi_extra={"requestBody": CLIENT_FRAME_BODY},
)
async def frame(request: HttpRequest):
    """Run one WebSocket frame over HTTP (the fallback transport): the body is the frame.

    The answer is the reply frame the socket would send (`ack`, `sync`, `resync_required`,
    `pong`), or the error with its HTTP status. The same dispatcher serves both transports:
    it validates the body, and its reply is sent as it built it.
    """
    reply, error = await run_frame(request.auth, request.body)
    if error is not None:
        return api.create_response(request, error.as_dict(), status=error.status)
    return api.create_response(request, reply, status=200)


api.add_router("/conversations", conversations)
api.add_router("/frames", frames_router)
api.add_router("/events", stream)
optional.mount(api)
