"""Quiet hours in the user's own time zone, and what `parley serve` says and makes at start."""

from datetime import UTC, datetime, time

import pytest

from parley.notifications.models import NotificationSettings
from parley.notifications.services.preferences import quiet_until


def row(start, end, tz):
    return NotificationSettings(quiet_start=start, quiet_end=end, time_zone=tz)


def test_quiet_hours_across_midnight_in_the_users_time_zone():
    paris = row(time(22), time(8), "Europe/Paris")
    # 21:30 UTC is 22:30 in Paris (winter): quiet until 08:00 Paris = 07:00 UTC the next day.
    assert quiet_until(paris, datetime(2026, 12, 3, 21, 30, tzinfo=UTC)).astimezone(UTC) == datetime(2026, 12, 4, 7, 0, tzinfo=UTC)
    # 06:30 UTC is 07:30 in Paris: still quiet, until 07:00 UTC the same day.
    assert quiet_until(paris, datetime(2026, 12, 4, 6, 30, tzinfo=UTC)).astimezone(UTC) == datetime(2026, 12, 4, 7, 0, tzinfo=UTC)
    assert quiet_until(paris, datetime(2026, 12, 4, 12, 0, tzinfo=UTC)) is None
    day = row(time(13), time(14), "UTC")
    assert quiet_until(day, datetime(2026, 12, 4, 13, 30, tzinfo=UTC)) == datetime(2026, 12, 4, 14, 0, tzinfo=UTC)
    assert quiet_until(row(None, None, "UTC"), datetime(2026, 12, 4, 13, 30, tzinfo=UTC)) is None


def test_serve_says_where_mail_goes_and_makes_vapid_keys_once(settings, tmp_path, capsys):
    from parley import cli

    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    cli._say_where_mail_goes(settings)
    assert f"emails are written as files under {tmp_path / 'mail'}/" in capsys.readouterr().out
    settings.VAR_DIR = tmp_path
    settings.PARLEY_VAPID_PRIVATE_KEY = settings.PARLEY_VAPID_PUBLIC_KEY = ""
    cli._vapid_keys_once(settings)
    made = (tmp_path / "vapid.json").read_text()
    assert settings.PARLEY_VAPID_PUBLIC_KEY in made and (tmp_path / "vapid.json").stat().st_mode & 0o077 == 0
    cli._vapid_keys_once(settings)  # keys exist now: nothing is made again
    assert (tmp_path / "vapid.json").read_text() == made


@pytest.mark.django_db
def test_the_demo_accounts_have_confirmed_example_com_addresses():
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from parley.notifications.services.address import address_for
    from parley.notifications.services.preferences import settings_for

    call_command("parley_demo", verbosity=0)
    for user in get_user_model().objects.filter(username__in=["alice", "bob", "carol"]):
        assert address_for(user, settings_for(user_id=user.pk)) == f"{user.username}@example.com"
