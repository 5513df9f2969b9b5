"""The settings page's "Apps and devices" section and its one action: sign a device out."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services


def settings_section(request) -> dict:
    return {"devices": services.devices_for(user=request.user)}


@login_required
@require_POST
def revoke(request, device_id: int):
    request.parley_back = "/settings/"  # where an error is shown (AppErrorMiddleware)
    device = services.device_for(request.user, device_id)
    services.device_revoke(device=device)
    messages.success(request, _("%(name)s is signed out. It needs your password to come back.") % {"name": device.name})
    return redirect("settings")
