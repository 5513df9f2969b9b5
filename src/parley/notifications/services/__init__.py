"""The notifications app's services: the only writers of its rows."""

from datetime import timedelta

from django.utils import timezone

# Tests move the clock forward (the `notify_clock` fixture) instead of sleeping.
offset = timedelta(0)


def clock():
    """Now, as the ladder sees it."""
    return timezone.now() + offset
