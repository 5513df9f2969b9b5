"""WebSocket frame handlers: parse, access, one service call, serialize. Sync; run off-loop."""

from django.utils.translation import gettext as _

from parley.conversations import services
from parley.conversations.access import conversation_for
from parley.conversations.sending import SendRequest
from parley.conversations.serializers import message_dict
from parley.core.errors import Invalid

from .batcher import batcher
from .broker import get_broker
from .selectors import stream_cursor_for, stream_since


def cursor(user) -> int:
    return stream_cursor_for(user=user)


def _int(frame: dict, name: str, *, default=None) -> int:
    value = frame.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(_("%(name)s must be a whole number.") % {"name": name}, field=name)
    return value


async def send(user, frame: dict, origin=None) -> dict:
    """Send through the group-commit batcher; access is checked inside the batch.

    With a broker that can leave the sending socket (`origin`) out, the sender's own
    message.created event is not pushed to that socket: it rides on the ack instead, one
    frame less per message (docs/protocol.md, docs/benchmarks.md).
    """
    request = await batcher.submit(SendRequest(
        user, frame.get("conversation_id"), frame.get("body"), frame.get("client_msg_id"),
        origin=origin if get_broker().skips_origin else None,
    ))
    if request.error is not None:
        raise request.error  # its message is rendered in the socket's language (lazy)
    message = request.result
    data = request.message_data if request.created and request.message_data else message_dict(message)
    ack = {"type": "ack", "client_msg_id": data["client_msg_id"], "created": request.created, "message": data}
    if request.created and request.origin is not None and request.own_event is not None:
        ack["event"] = request.own_event.as_dict()
    return ack


send.is_async = True


def read(user, frame: dict) -> dict:
    conversation = conversation_for(user, frame.get("conversation_id"))
    seq = frame.get("seq")
    last_read = services.conversation_mark_read(
        user=user, conversation=conversation, seq=None if seq is None else _int(frame, "seq")
    )
    return {"type": "ack", "conversation_id": conversation.pk, "last_read_seq": last_read}


def sync(user, frame: dict) -> dict:
    since = _int(frame, "since", default=0)
    found, head, resync = stream_since(user=user, since=since)
    if resync:
        return {"type": "resync_required", "cursor": head}
    return {
        "type": "sync",
        "since": since,
        "events": [e.as_dict() for e in found],
        "cursor": found[-1].seq if found else since,
        "head": head,
    }


async def ping(user, frame: dict, origin=None) -> dict:
    return {"type": "pong"}


ping.is_async = True

HANDLERS = {"send": send, "read": read, "sync": sync, "ping": ping}
