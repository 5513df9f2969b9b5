"""/api/v1/attachments: upload a file before sending it, and read one (parley.attachments).

Upload first, then name the file's id in `send` (`attachment_ids`). The file URLs the wire
carries (`url`, `thumb_url`, `large_url`) are here too, behind the same authentication as
the rest of the API (session or Bearer) and the one access check.
"""

from typing import Literal
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from parley.attachments import services
from parley.attachments.access import attachment_for
from parley.attachments.serve import file_response
from parley.conf import settings
from parley.conversations.schemas import AttachmentOut
from parley.core.errors import Invalid
from parley.core.schemas import Wire

from .schemas import ERRORS

router = Router(tags=["attachments"])


class AttachmentEnvelope(Wire):
    attachment: AttachmentOut


@router.post("", response={201: AttachmentEnvelope, **ERRORS}, exclude_unset=True, url_name="attachment_upload")
def attachment_upload(request: HttpRequest, file: File[UploadedFile],
                      voice: Form[Literal["true", "false"]] = "false"):
    """Upload one photo (JPEG, PNG, WebP, HEIC), PDF or voice message (WebM/Ogg audio, with
    `voice=true`), up to 10 MiB, as multipart/form-data. 201 with the file as messages carry it;
    422 with a code that says what is wrong (`unsupported_file`, `image_too_large`, `polyglot`,
    `undecodable`, `empty_file`, `invalid_name` …), 413 `file_too_large`, 429 `rate_limited` or
    `quota_exceeded`. Nothing is stored unless it is accepted."""
    if file is None:
        raise Invalid(_("Choose a file to upload."), field="file")
    data = file.read(settings.PARLEY_ATTACHMENT_MAX_BYTES + 1)
    attachment = services.attachment_upload(owner=request.user, data=data, name=file.name or "", voice=voice == "true")
    return Status(201, {"attachment": services.attachment_dict(attachment)})


@router.get("/{uuid:attachment_id}/{variant}", include_in_schema=False, url_name="attachment_file")
def attachment_file(request: HttpRequest, attachment_id: UUID, variant: Literal["file", "thumb", "large"]):
    """The file (or its thumbnail, its viewer size) for whoever may read it; 404 for anyone else."""
    return file_response(attachment_for(request.user, attachment_id), variant)
