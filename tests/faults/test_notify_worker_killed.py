"""Kill the task worker with SIGKILL in the middle of a batch of notification emails, restart
it as two workers, and count what a real SMTP server received: every email exactly once."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.notifications.smtp import SMTPServer

pytestmark = pytest.mark.timeout(240)

ROOT = Path(__file__).resolve().parents[2]
RECIPIENTS = 12
KILL_AT = 5  # the worker dies while the server holds the reply to this email

SETUP = """
import uuid
from parley.conversations import services
from parley.marketplace.models import Listing
from parley.notifications.services.address import email_mark_confirmed
from django.contrib.auth import get_user_model
User = get_user_model()
bob = User.objects.create_user("bob", email="bob@example.com")
for i in range(%(n)d):
    seller = User.objects.create_user(f"seller{i}", email=f"seller{i}@example.com")
    email_mark_confirmed(user_id=seller.pk, address=seller.email)
    listing = Listing.objects.create(seller=seller, title=f"Item {i}", price=10, currency="EUR")
    conv, _ = services.conversation_start(buyer=bob, listing=listing)
    services.message_send(sender=bob, conversation=conv, body=f"Still for sale? {i}", client_msg_id=uuid.uuid4())
"""

RESTART = """
from parley.notifications.tasks import send_due
send_due.enqueue()
send_due.enqueue()
"""

REPORT = """
from parley.notifications.models import Notice
print(sorted(Notice.objects.values_list("status", "reason")))
"""


def until(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_each_email_once_after_a_worker_is_killed_mid_batch(tmp_path):
    smtp = SMTPServer().start()
    release = threading.Event()

    async def hold(message):
        import asyncio

        if len(smtp.messages) == KILL_AT:
            while not release.is_set():
                await asyncio.sleep(0.02)

    smtp.recorder.before_accept = hold
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "parley.settings",
        "PARLEY_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SECRET_KEY": "fault-test-secret-key-" + "x" * 40,
        "PARLEY_TASKS": "database",
        "PARLEY_EMAIL_DELAY": "0",
        "PARLEY_START_RATE": "",
        "PARLEY_NEW_ACCOUNT_HOURS": "0",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
    }
    env.pop("REDIS_URL", None)

    def manage(*args, **kwargs):
        return subprocess.run([sys.executable, "-m", "parley", "manage", *args], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=120, **kwargs)

    def worker():
        return subprocess.Popen([sys.executable, "-m", "parley", "manage", "db_worker", "--no-startup-delay"],
                                env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "worker.log", "a"))

    workers = []
    try:
        assert manage("migrate", "--noinput").returncode == 0
        r = manage("shell", "-c", SETUP % {"n": RECIPIENTS})
        assert r.returncode == 0, r.stderr
        first = worker()
        workers.append(first)
        assert until(lambda: len(smtp.messages) >= KILL_AT, 90), (len(smtp.messages), (tmp_path / "worker.log").read_text())
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        release.set()  # the server got the whole email before the worker died: it counts as received
        # Restart as `parley serve` does (it queues a sweep of what is due), with two workers
        # now, sharing the queue and the notices.
        assert manage("shell", "-c", RESTART).returncode == 0
        workers += [worker(), worker()]
        assert until(lambda: len(smtp.messages) >= RECIPIENTS, 120), len(smtp.messages)
        # Every notice recorded: the email the worker died in stays claimed, never sent again.
        report = ""

        def settled() -> bool:
            nonlocal report
            report = manage("shell", "-c", REPORT).stdout
            return report.count("('sent', 'sent')") == RECIPIENTS - 1 and report.count("('sending', '')") == 1

        assert until(settled, 60), report
        received = Counter(str(m["To"]).strip() for m in smtp.messages)
        assert received == Counter({f"seller{i}@example.com": 1 for i in range(RECIPIENTS)}), received
    finally:
        release.set()
        for w in workers:
            if w.poll() is None:
                w.send_signal(signal.SIGTERM)
                try:
                    w.wait(15)
                except subprocess.TimeoutExpired:
                    w.kill()
        smtp.stop()
