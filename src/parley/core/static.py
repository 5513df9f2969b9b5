"""Static files for one-process deployments (PARLEY_SERVE_FILES): Django's ASGI handler, hardened.

Django's ASGIStaticFilesHandler lets a path that escapes the static roots (an encoded `..`,
such as /static/%2e%2e/settings.py) raise SuspiciousFileOperation, which becomes a 500 with
a traceback. Here any such path is a plain 404, and every answer carries nosniff. Behind
nginx, the proxy serves /static/ and this never runs.
"""

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.exceptions import SuspiciousOperation
from django.http import Http404


class StaticFilesHandler(ASGIStaticFilesHandler):
    def serve(self, request):
        """Serve the file, or raise Http404 for a missing file and for a path outside the roots."""
        try:
            return super().serve(request)
        except SuspiciousOperation:
            raise Http404("No such static file.") from None

    async def get_response_async(self, request):
        response = await super().get_response_async(request)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
