"""The conversation page's Attach and voice buttons, only when parley.attachments is installed."""

from parley.conf import settings


def attachments(request):
    return {
        "attachments_enabled": True,
        "attachment_limits": {"per_message": settings.PARLEY_ATTACHMENTS_PER_MESSAGE,
                              "max_bytes": settings.PARLEY_ATTACHMENT_MAX_BYTES},
    }
