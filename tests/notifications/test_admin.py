"""The admin shows every step of the ladder with its reason, and each push device's failures."""

import pytest

from parley.notifications.models import Notice, PushSubscription
from parley.notifications.services import clock
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_admin_lists_notices_with_reasons_and_failing_devices(client):
    admin = f.user("root", is_staff=True, is_superuser=True)
    alice = f.user("alice")
    now = clock()
    Notice.objects.create(user=alice, conversation_id=7, channel="email", status="cancelled", reason="read",
                          first_seq=1, last_seq=1, created_at=now, due_at=now)
    Notice.objects.create(user=alice, conversation_id=7, channel="email", status="failed", reason="refused",
                          first_seq=2, last_seq=2, created_at=now, due_at=now, last_error="alice@x: 550 'No such user'")
    PushSubscription.objects.create(user=alice, endpoint="https://push.example.net/abc", p256dh="k", auth="a",
                                    failures=3, last_error="HTTP 400: bad request")
    client.force_login(admin)
    page = client.get("/admin/parley_notifications/notice/").content.decode()
    assert "read before it was due" in page and "the server refused the address" in page
    assert "the server refused the address" in client.get("/admin/parley_notifications/notice/?reason=refused").content.decode()
    page = client.get("/admin/parley_notifications/pushsubscription/").content.decode()
    assert "HTTP 400: bad request" in page and "https://push.example.net/abc" in page
    notice = Notice.objects.get(reason="refused")
    assert client.get(f"/admin/parley_notifications/notice/{notice.pk}/change/").status_code == 200  # read-only view
