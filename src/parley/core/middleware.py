"""Security headers that Django's SecurityMiddleware does not set, and pages' error mapping."""

from django.conf import settings
from django.contrib import messages as flash
from django.core.handlers.exception import response_for_exception
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from .errors import AppError, NotFound

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
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class AppErrorMiddleware:
    """Pages map application errors here, in one place, as the API and the socket do theirs.

    NotFound is the 404 page (missing and not-yours alike). Any other AppError is shown as a
    flash message on the page the user came from: the view's `request.parley_back` if it set
    one, else a same-site Referer, else the site root.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, AppError) or request.path.startswith("/api/"):
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
