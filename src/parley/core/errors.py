"""One application error, turned into the same JSON by every entry point."""

from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _


def _format(template, params: dict) -> str:
    return str(template) % params


_lazy_format = lazy(_format, str)


def lazy_format(template, **params):
    """Return `template % params`, translated when it is shown rather than when it is made.

    Pass a gettext_lazy template. An error built on the send path's writer thread is then
    rendered in the language of whoever receives it (the page, the API call, the socket).
    """
    return _lazy_format(template, params)


class AppError(Exception):
    """A business error with a stable code, a human message and details.

    The message may be lazy (gettext_lazy, lazy_format): it is rendered by as_dict(), in
    the language active where the error is shown.
    """

    code = "error"
    status = 400
    message = _("The request could not be completed.")

    def __init__(self, message: str | None = None, *, code: str | None = None, **details: Any):
        self.message = message or self.message
        if code:
            self.code = code
        self.details = details
        super().__init__(self.message)

    def as_dict(self) -> dict:
        return {"error": {"code": self.code, "message": str(self.message), "details": self.details}}


class Unauthenticated(AppError):
    code = "unauthenticated"
    status = 401
    message = _("Log in first: this endpoint needs a session or a token.")


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
