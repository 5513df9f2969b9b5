"""The schema of every event type: one pydantic model per payload, registered by its app.

A feature app declares the payload of each event type it emits, beside the functions that
build it (its `events.py`):

    class MessageCreated(Payload):
        message: MessageOut
        ...

    event_schema("message.created", MessageCreated)

The schemas describe what is sent; they are not run on the send path (events stay plain
dicts there). The test suite validates every committed event against them, the OpenAPI
document and docs/protocol.md are checked against this registry, and `stream_event_union()`
types the stream's `{"seq", "event", "data"}` items for the API.
"""

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, create_model

from parley.core.schemas import Wire

_schemas: dict[str, type[BaseModel]] = {}


class Payload(Wire):
    """Base of event payload schemas: every key on the wire is declared, none is extra."""


def event_schema(type_name: str, model: type[BaseModel]) -> type[BaseModel]:
    """Register `model` as the payload schema of the event type `type_name`; return it."""
    existing = _schemas.get(type_name)
    if existing is not None and _name(existing) != _name(model):
        raise ValueError(
            f"Event type {type_name!r} already has the schema {_name(existing)}; "
            "event types are global, so prefix yours with your app's name."
        )
    _schemas[type_name] = model
    return model


def _name(model: type) -> str:
    return f"{model.__module__}.{model.__qualname__}"


def schema_for(type_name: str) -> type[BaseModel] | None:
    """Return the payload schema of an event type, or None when no app registered one."""
    return _schemas.get(type_name)


def all_event_types() -> list[str]:
    return sorted(_schemas)


def validate_event(type_name: str, data_json: str | bytes) -> None:
    """Check an event's wire payload against its schema (tests, never the send path).

    Raise LookupError for an unregistered type and pydantic's ValidationError for a payload
    that does not match.
    """
    model = _schemas.get(type_name)
    if model is None:
        raise LookupError(f"Event type {type_name!r} has no schema: register one with event_schema().")
    model.model_validate_json(data_json, strict=True)


class StreamEventOut(Wire):
    """One event of a user's stream, as `sync`, the long-poll and `ack.event` carry it."""

    seq: int = Field(description="The per-user stream seq: 1, 2, 3, ... with no gaps.")
    event: str = Field(description="The event type: one of the types in docs/protocol.md § Events.")
    data: dict[str, Any] = Field(description="The payload; its schema depends on `event`.")


_union_cache: dict[tuple, Any] = {}


def stream_event_union():
    """Return the `{"seq", "event", "data"}` item typed per event type, discriminated by `event`."""
    key = tuple((name, _schemas[name]) for name in all_event_types())
    if key not in _union_cache:
        members = [
            create_model(
                f"{model.__name__}Event", __config__=ConfigDict(extra="forbid"),
                seq=(int, Field(description="The per-user stream seq.")),
                event=(Literal[name], ...), data=(model, ...),
            )
            for name, model in key
        ]
        if not members:
            _union_cache[key] = StreamEventOut
        elif len(members) == 1:
            _union_cache[key] = members[0]
        else:
            _union_cache[key] = Annotated[Union[tuple(members)], Field(discriminator="event")]
    return _union_cache[key]
