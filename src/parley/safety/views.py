"""Pages: parse, access, one service or selector call, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .access import person_for


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def settings_section(request) -> dict:
    """The settings page's "Blocked people" section (parley.core.settings_page)."""
    blocked = [{"id": b.blocked_id, "name": _name(b.blocked)} for b in selectors.blocks_for(user=request.user)]
    return {"blocked_people": blocked}


@login_required
@require_POST
def unblock(request, user_id: int):
    request.parley_back = "/settings/"  # where an error is shown (AppErrorMiddleware)
    other = person_for(request.user, user_id, or_blocked=True)
    services.block_delete(blocker=request.user, blocked=other)
    messages.success(request, _("You unblocked %(name)s. They can message you again.") % {"name": _name(other)})
    return redirect("settings")
