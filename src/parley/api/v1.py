"""The versioned JSON API (/api/v1/). Endpoints are thin: parse, access, service, serialize."""

from typing import Any

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
from parley.conversations.access import conversation_for, listing_for
from parley.conversations.serializers import conversation_detail, conversation_summary, inbox_row, message_dict, user_dict
from parley.core.errors import AppError, NotFound, Unavailable, lazy_format
from parley.realtime.dispatch import run_frame
from parley.realtime.longpoll import stream_wait
from parley.stream.read import stream_cursor_for

from .openapi import CLIENT_FRAME_BODY, ParleyAPI
from .schemas import (
    ConversationCreateIn,
    ConversationDetailEnvelope,
    ConversationOut,
    ErrorOut,
    EventsOut,
    InboxPageOut,
    MeOut,
    MessageEnvelope,
    MessageIn,
    MessagePageOut,
    ReadMarkIn,
    ReadMarkOut,
    frame_reply_union,
)

api = ParleyAPI(
    title="Parley API",
    version="1",
    description="Conversations, messages, read marks and the per-user event stream. "
    "Authenticate with the session cookie; send the CSRF token in X-CSRFToken on writes. "
    "Errors always have the shape {\"error\": {\"code\", \"message\", \"details\"}}.",
    auth=django_auth,
    urls_namespace="api-v1",
    docs_url="/docs",
)


def _error(request, status: int, code: str, message: str, **details):
    return api.create_response(request, {"error": {"code": code, "message": message, "details": details}}, status=status)


@api.exception_handler(AppError)
def _app_error(request, exc: AppError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    return _error(request, 401, "unauthenticated", _("Log in first: this endpoint needs a session."))


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


# Pages of rows: at least 1, at most 100 (the selectors' cap), 30 by default.
PAGE_LIMIT = Query(30, ge=1, le=100)

ERRORS: dict[int, Any] = {
    400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut, 503: ErrorOut,
}

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


@conversations.get("", response={200: InboxPageOut, **ERRORS})
def conversation_list(request: HttpRequest, before: str | None = None, limit: int = PAGE_LIMIT):
    """The inbox, newest activity first, one page at a time: pass `next_before` as `before`."""
    rows, next_before = selectors.inbox_page(user=request.user, before=before, limit=limit)
    return {"conversations": [inbox_row(p) for p in rows], "next_before": next_before}


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
    return {"conversation": conversation_detail(conversation, for_user_id=request.user.pk, read_marks=marks)}


@conversations.get("/{int:conversation_id}/messages", response={200: MessagePageOut, **ERRORS})
def message_list(request: HttpRequest, conversation_id: int, before: int | None = None, limit: int = PAGE_LIMIT):
    """A page of messages, oldest first, before the `before` seq cursor (default: the newest)."""
    conversation = conversation_for(request.user, conversation_id)
    messages, has_more = selectors.messages_page(conversation=conversation, before_seq=before, limit=limit)
    return {
        "messages": [message_dict(m) for m in messages],
        "has_more": has_more,
        "next_before": messages[0].seq if messages and has_more else None,
    }


@conversations.post("/{int:conversation_id}/messages", response={200: MessageEnvelope, 201: MessageEnvelope, **ERRORS})
def message_create(request: HttpRequest, conversation_id: int, payload: MessageIn):
    """Send a message. 201 when created; 200 with the original when client_msg_id was seen."""
    conversation = conversation_for(request.user, conversation_id)
    message, created = services.message_send(
        sender=request.user, conversation=conversation, body=payload.body, client_msg_id=payload.client_msg_id
    )
    return Status(201 if created else 200, {"message": message_dict(message)})


@conversations.post("/{int:conversation_id}/read", response={200: ReadMarkOut, **ERRORS})
def read_mark(request: HttpRequest, conversation_id: int, payload: ReadMarkIn):
    """Move the read mark forward (never back) to `seq`, or to the last message."""
    conversation = conversation_for(request.user, conversation_id)
    seq = services.conversation_mark_read(user=request.user, conversation=conversation, seq=payload.seq)
    return {"conversation_id": conversation.pk, "last_read_seq": seq}


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
