"""The base of every wire schema: what a payload, frame or response body is made of.

Schemas describe the plain dicts Parley sends; nothing on the send path runs them.
"""

from pydantic import BaseModel, ConfigDict, Field


class Wire(BaseModel):
    """A JSON object on the wire: every key declared, none extra (the shape clients depend on)."""

    model_config = ConfigDict(extra="forbid")


def absent_or(description: str):
    """Declare a key that is sometimes left out and never sent as null: `key: int = absent_or("...")`."""
    return Field(None, description=description + " Absent otherwise (never null).", json_schema_extra=_no_default)


def _no_default(schema: dict) -> None:
    schema.pop("default", None)
