"""The frame registry: every WebSocket (and HTTP fallback) frame type, declared by its app.

Each feature app lists its frames in its `frames.py` (autodiscovered at startup): a name,
an input schema, a handler and whether sends of it share a transaction (batched). One
dispatcher (`parley.realtime.dispatch`) serves both transports, so a new frame type
touches one file of its app and docs/protocol.md, never a client transport.

Handlers are thin adapters: parse (the schema), access, one service call, serialize.
- plain: `handler(user, data) -> reply dict`; sync handlers run off the event loop.
- batched: `handler(calls: list[(user, data)]) -> list[reply dict | AppError]`, run on a
  group-commit writer thread with every call that waited for it (docs/architecture.md).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import AppError, Invalid, lazy_format


class FrameIn(BaseModel):
    """Base of every frame's input schema: `type` and an optional `id` echoed in the reply."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    type: str
    id: Any = None


@dataclass(frozen=True, slots=True)
class Frame:
    type: str
    schema: type[FrameIn]
    handler: Callable
    batched: bool = False
    is_async: bool = False
    reply: type[BaseModel] | None = None  # the reply's schema, for the docs and the tests

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
    "greater_than_equal": _("%(name)s must be 0 or more."),
    "uuid_type": _("%(name)s must be a UUID."),
    "uuid_parsing": _("%(name)s must be a UUID."),
    "string_type": _("%(name)s must be text."),
    "missing": _("%(name)s is required."),
}


def _invalid(exc: ValidationError) -> Invalid:
    error = exc.errors()[0]
    name = ".".join(str(part) for part in error["loc"]) or "frame"
    template = _MESSAGES.get(error["type"], _("%(name)s is not valid."))
    return Invalid(lazy_format(template, name=name), field=name)


class FrameRegistry:
    def __init__(self):
        self._frames: dict[str, Frame] = {}

    def add(self, frame: Frame) -> Frame:
        if frame.type in self._frames and self._frames[frame.type].handler is not frame.handler:
            raise ValueError(f"Frame type {frame.type!r} is declared twice; frame types are global, prefix yours.")
        self._frames[frame.type] = frame
        return frame

    def frame(self, schema: type[FrameIn], *, batched: bool = False, reply: type[BaseModel] | None = None):
        """Decorator: declare the handler of the frame type named by `schema`'s `type` literal."""
        type_name = _literal_type(schema)

        def register(handler: Callable) -> Callable:
            import inspect

            self.add(Frame(type_name, schema, handler, batched, inspect.iscoroutinefunction(handler), reply))
            return handler

        return register

    def get(self, type_name: str) -> Frame | None:
        return self._frames.get(type_name)

    def known(self) -> list[str]:
        return sorted(self._frames)

    def all(self) -> list[Frame]:
        return [self._frames[name] for name in self.known()]


def _literal_type(schema: type[FrameIn]) -> str:
    annotation = schema.model_fields["type"].annotation
    args = getattr(annotation, "__args__", ())
    if getattr(annotation, "__origin__", None) is not Literal or len(args) != 1:
        raise TypeError(f"{schema.__name__}.type must be Literal['<frame type>'].")
    return args[0]


frames = FrameRegistry()

__all__ = ["AppError", "Frame", "FrameIn", "FrameRegistry", "frames"]
