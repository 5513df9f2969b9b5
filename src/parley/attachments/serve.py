"""A file as an HTTP response: from Django in development, handed to nginx in production.

Whatever the file is, the browser is told not to guess its type (`nosniff`), how to name it
(`Content-Disposition`: PDFs download, images and audio show inline) and to run nothing in
it (a `sandbox` CSP with no sources), and no shared cache keeps it.
"""

from urllib.parse import quote

from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

from parley.conf import settings
from parley.core.errors import NotFound

from .models import Attachment
from .services import storage

VARIANTS = ("file", "thumb", "large")


def file_response(attachment: Attachment, variant: str) -> HttpResponse:
    """The response for one variant; a variant the worker has not made yet is the file itself."""
    if variant not in VARIANTS or (variant != "file" and attachment.kind != Attachment.Kind.IMAGE):
        raise NotFound()
    name = getattr(attachment, variant) or attachment.file
    content_type = attachment.content_type if name == attachment.file else "image/webp"
    prefix = settings.PARLEY_ATTACHMENTS_ACCEL_PREFIX
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name)
    else:
        response = FileResponse(storage().open(name, "rb"), content_type=content_type)
    filename = attachment.name if name == attachment.file else attachment.name.rsplit(".", 1)[0] + ".webp"
    as_download = attachment.kind == Attachment.Kind.PDF
    response["Content-Disposition"] = content_disposition_header(as_download, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
