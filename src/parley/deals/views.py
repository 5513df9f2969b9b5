"""Pages: the meet-up's calendar file."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse

from .access import meetup_for
from .ics import meetup_ics


@login_required
def meetup_calendar(request, meetup_id: int):
    """The accepted meet-up as an .ics file (participants only; 404 otherwise)."""
    meetup = meetup_for(request.user, meetup_id)
    response = HttpResponse(meetup_ics(meetup, host=request.get_host()), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meetup-{meetup.pk}.ics"'
    return response
