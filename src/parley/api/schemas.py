from uuid import UUID

from ninja import Field, Schema


class ConversationCreateIn(Schema):
    listing_id: int


class MessageIn(Schema):
    body: str = Field(..., description="1 to 5,000 characters after trimming; no control characters but newline and tab.")
    client_msg_id: UUID = Field(..., description="A UUID chosen by the client; a retry with the same id returns the original message.")


class ReadIn(Schema):
    seq: int | None = Field(None, ge=0, description="Mark read up to this message seq; omitted means the last message.")


class ErrorBody(Schema):
    code: str
    message: str
    details: dict


class ErrorOut(Schema):
    error: ErrorBody
