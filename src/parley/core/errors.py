"""One application error, turned into the same JSON by every entry point."""

from typing import Any

from django.utils.translation import gettext_lazy as _


class AppError(Exception):
    """A business error with a stable code, a human message and details."""

    code = "error"
    status = 400
    message = _("The request could not be completed.")

    def __init__(self, message: str | None = None, *, code: str | None = None, **details: Any):
        self.message = str(message or self.message)
        if code:
            self.code = code
        self.details = details
        super().__init__(self.message)

    def as_dict(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class NotFound(AppError):
    code = "not_found"
    status = 404
    message = _("Not found.")


class Invalid(AppError):
    code = "invalid"
    status = 422
    message = _("The input is not valid.")


class Forbidden(AppError):
    code = "forbidden"
    status = 403
    message = _("You cannot do that.")


class Conflict(AppError):
    code = "conflict"
    status = 409


class RateLimited(AppError):
    code = "rate_limited"
    status = 429
    message = _("Too many requests. Try again shortly.")


class Unavailable(AppError):
    code = "unavailable"
    status = 503
    message = _("The service is temporarily unavailable. Try again shortly.")
