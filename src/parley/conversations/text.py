"""Message body rules: trimmed, 1 to 5,000 characters, no control characters but \\n and \\t."""

import re

from parley.conf import settings
from django.utils.translation import gettext_lazy as _

from parley.core.errors import Invalid, lazy_format

# C0 and C1 controls but tab and newline, DEL, and lone surrogates.
FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_body(body, *, allow_empty: bool = False) -> str:
    """Return the body to store, or raise Invalid with a message that says what to fix.

    `allow_empty`: a message that carries files may have no text (its caption is optional).
    """
    if not isinstance(body, str):
        raise Invalid(_("The message must be text."), field="body")
    body = body.replace("\r\n", "\n").strip()
    if not body and allow_empty:
        return body
    if not body:
        raise Invalid(_("Write a message before sending."), field="body")
    limit = settings.PARLEY_MESSAGE_MAX_CHARS
    if len(body) > limit:
        raise Invalid(
            lazy_format(
                _("The message is %(length)d characters long; the limit is %(limit)d."), length=len(body), limit=limit
            ),
            field="body",
            limit=limit,
        )
    if bad := FORBIDDEN.search(body):
        raise Invalid(
            lazy_format(
                _("The message contains a control character (U+%(code)04X) that cannot be sent."), code=ord(bad.group())
            ),
            field="body",
        )
    return body
