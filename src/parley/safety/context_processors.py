"""What the report dialog needs, on every page: pages of other apps (the conversation page)
show it only when this app is installed, without importing it."""

from .models import Report
from .services import NOTE_MAX_CHARS


def reporting(request):
    return {"report_reasons": Report.Reason.choices, "report_note_max": NOTE_MAX_CHARS}
