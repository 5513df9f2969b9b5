"""The frame registry: every WebSocket (and HTTP fallback) frame type, declared by its app.

Each feature app lists its frames in its `frames.py` (autodiscovered at startup): a name,
an input schema, a handler and whether sends of it share a transaction (batched). One
dispatcher (`parley.realtime.dispatch`) serves both transports, so a new frame type
touches one file of its app and docs/protocol.md, never a client transport.

Handlers are thin adapters: parse (the schema), access, one service call, serialize.
- plain: `handler(user, data) -> reply dict`; sync handlers run off the event loop.
- batched: `handler(calls: list[(user, data)]) -> list[reply dict | AppError]`, run on a
  group-commit writer thread with every call that waited for it (docs/architecture.md).

The other direction is typed too: `reply=` names the schema (a `FrameOut`, or a union of
them) of what the handler answers, and `frames.server_frame(Schema)` declares a frame the
server sends on its own (ready, event, signal, ...). Replies stay plain dicts; the schemas
are for the OpenAPI document, docs/protocol.md's test and the test suite's checks.
"""

import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError

from .errors import AppError, Invalid, lazy_format
from .schemas import Wire, absent_or


# A row id or seq as the databases store them (signed 64-bit): anything outside is refused at
# the edge, before it can reach a batch it would fail as a whole.
DatabaseId = Annotated[StrictInt, Field(ge=1, le=2**63 - 1)]
DatabaseSeq = Annotated[StrictInt, Field(ge=0, le=2**63 - 1)]


class FrameIn(BaseModel):
    """Base of every frame's input schema: `type` and an optional `id` echoed in the reply."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    type: str
    id: Any = None


class FrameOut(Wire):
    """Base of every server-to-client frame's schema: `type`, and no undeclared key."""

    type: str


class ReplyOut(FrameOut):
    """Base of a reply's schema: it echoes the `id` of the frame it answers."""

    id: Any = absent_or("The `id` of the frame this answers, when it had one.")


class ErrorFrame(ReplyOut):
    """The answer to a frame that failed: the HTTP API's `{"error": {...}}`, flattened."""

    type: Literal["error"]
    code: str = Field(description="Stable; clients branch on it (docs/protocol.md lists them).")
    message: str = Field(description="For people, in the socket's language.")
    details: dict[str, Any] = Field(description="Per code, e.g. `field` for `invalid`, `retry_after` for `rate_limited`.")


@dataclass(frozen=True, slots=True)
class Frame:
    type: str
    schema: type[FrameIn]
    handler: Callable
    batched: bool = False
    is_async: bool = False
    reply: Any = None  # the reply's schema (a FrameOut or a union of them), for the docs and the tests
    rate: str | None = None  # the name of the setting that limits it per user ("N/S"), if any

    def parse(self, frame: dict) -> FrameIn:
        """Validate a frame against its schema; raise Invalid naming the first bad field."""
        try:
            return self.schema.model_validate(frame)
        except ValidationError as exc:
            raise _invalid(exc) from None


_MESSAGES = {
    "int_type": _("%(name)s must be a whole number."),
    "int_parsing": _("%(name)s must be a whole number."),
    "int_from_float": _("%(name)s must be a whole number."),
    "greater_than_equal": _("%(name)s must be at least %(limit)s."),
    "less_than_equal": _("%(name)s must be at most %(limit)s."),
    "uuid_type": _("%(name)s must be a UUID."),
    "uuid_parsing": _("%(name)s must be a UUID."),
    "string_type": _("%(name)s must be text."),
    "missing": _("%(name)s is required."),
}


def _invalid(exc: ValidationError) -> Invalid:
    error = exc.errors()[0]
    name = ".".join(str(part) for part in error["loc"]) or "frame"
    template = _MESSAGES.get(error["type"], _("%(name)s is not valid."))
    ctx = error.get("ctx") or {}
    limit = ctx.get("ge", ctx.get("le", ""))
    return Invalid(lazy_format(template, name=name, limit=limit), field=name)


class FrameRegistry:
    def __init__(self):
        self._frames: dict[str, Frame] = {}
        self._server: dict[str, type[FrameOut]] = {}

    def add(self, frame: Frame) -> Frame:
        if frame.type in self._frames and self._frames[frame.type].handler is not frame.handler:
            raise ValueError(f"Frame type {frame.type!r} is declared twice; frame types are global, prefix yours.")
        self._frames[frame.type] = frame
        return frame

    def frame(self, schema: type[FrameIn], *, batched: bool = False, reply: Any = None, rate: str | None = None):
        """Decorator: declare the handler of the frame type named by `schema`'s `type` literal.

        `rate` names the setting ("N/S") that limits how often one user may send it; the
        dispatcher refuses the frame past it with `rate_limited` (not for batched frames,
        whose handler limits the batch in one round trip).
        """
        if rate is not None and batched:
            raise ValueError("A batched frame's handler applies its own rate limit; leave rate= unset.")
        type_name = _literal_type(schema)

        def register(handler: Callable) -> Callable:
            import inspect

            self.add(Frame(type_name, schema, handler, batched, inspect.iscoroutinefunction(handler), reply, rate))
            return handler

        return register

    def get(self, type_name: str) -> Frame | None:
        return self._frames.get(type_name)

    def known(self) -> list[str]:
        return sorted(self._frames)

    def all(self) -> list[Frame]:
        return [self._frames[name] for name in self.known()]

    def server_frame(self, schema: type[FrameOut]) -> type[FrameOut]:
        """Declare a frame the server sends on its own, not as a declared reply; return it."""
        self._server[_literal_type(schema)] = schema
        return schema

    def server_schemas(self) -> list[type[FrameOut]]:
        """Every server-to-client frame schema: the declared replies, then the others."""
        found = [model for f in self.all() for model in schema_members(f.reply)]
        found += [self._server[name] for name in sorted(self._server)]
        return list(dict.fromkeys(found))

    def server_types(self) -> list[str]:
        return sorted({_literal_type(model) for model in self.server_schemas()})

    def server_schemas_for(self, type_name: str) -> list[type[FrameOut]]:
        """The schemas a server frame of this type may have (two for `ack`: send's and read's)."""
        return [model for model in self.server_schemas() if _literal_type(model) == type_name]

    def replies(self) -> list[type[FrameOut]]:
        """The schema of every reply a frame can get, its error included."""
        return list(dict.fromkeys([m for f in self.all() for m in schema_members(f.reply)] + [ErrorFrame]))


def schema_members(annotation) -> list[type[BaseModel]]:
    """The models of a schema annotation: itself, or the members of a (possibly Annotated) union."""
    if annotation is None:
        return []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in schema_members(arg)]


def _literal_type(schema: type[FrameIn]) -> str:
    annotation = schema.model_fields["type"].annotation
    args = getattr(annotation, "__args__", ())
    if getattr(annotation, "__origin__", None) is not Literal or len(args) != 1:
        raise TypeError(f"{schema.__name__}.type must be Literal['<frame type>'].")
    return args[0]


frames = FrameRegistry()
frames.server_frame(ErrorFrame)

__all__ = ["AppError", "ErrorFrame", "Frame", "FrameIn", "FrameOut", "FrameRegistry", "ReplyOut", "frames", "schema_members"]
