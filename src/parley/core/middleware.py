"""Security headers that Django's SecurityMiddleware does not set, and pages' error mapping."""

import logging
import sys

from django.conf import settings
from django.contrib import messages as flash
from django.core.handlers.exception import response_for_exception
from django.db import DatabaseError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults

from .errors import AppError, NotFound

logger = logging.getLogger("parley.pages")

CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", getattr(settings, "PARLEY_CSP", CSP))
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(self), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class AppErrorMiddleware:
    """Pages map application errors here, in one place, as the API and the socket do theirs.

    NotFound is the 404 page (missing and not-yours alike). Any other AppError is shown as a
    flash message on the page the user came from: the view's `request.parley_back` if it set
    one, else a same-site Referer, else the site root. A database error (the database is
    down or restarting) is the 503 page, logged in one line: a retry soon will work.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if request.path.startswith("/api/"):
            return None
        if isinstance(exception, DatabaseError):
            return unavailable_page(request, exception)
        if not isinstance(exception, AppError):
            return None
        if isinstance(exception, NotFound):
            return response_for_exception(request, Http404(str(exception.message)))
        flash.error(request, str(exception.message))
        return redirect(self._back(request))

    @staticmethod
    def _back(request) -> str:
        back = getattr(request, "parley_back", None) or request.META.get("HTTP_REFERER", "")
        if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
            return back
        return "/"


def unavailable_page(request, exception) -> HttpResponse:
    """Return the 503 page for a database error, logged in one line: a retry soon will work."""
    text = str(exception).strip()
    logger.warning("database unavailable for %s %s: %s: %s", request.method, request.path,
                   exception.__class__.__name__, text.splitlines()[0] if text else "")
    # Rendered without the request: context processors would query the database again.
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "5"
    return response


def server_error(request):
    """handler500: the 503 page when the database failed outside a view (an error page's
    context processors, a middleware), else Django's 500 page."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DatabaseError):
        return unavailable_page(request, exception)
    return defaults.server_error(request)
