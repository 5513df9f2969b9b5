"""The stream sink: committed events in, a few numbers buffered, nothing slow on the committing thread.

It keeps the recipient's copy of each `message.created` and the reader's copy of each
`conversation.read` as a few small numbers per event, and hands each `meetup.reminder` copy
(parley.deals) to a `meetup_reminders` task, with each `meetup.proposed` (which replaces the
conversation's meet-up, so its pending reminders are cancelled). Types are matched by name
(docs/protocol.md), as in webhooks.

With a task queue that runs later (the database worker), the numbers go into a per-process
buffer that a background thread hands to one `ladder` task every FLUSH_EVERY seconds: queueing a
task per commit cost the send path about 70 µs per message (a database insert on the writer
thread, docs/benchmarks.md), this costs about one. A process that dies loses at most that
half second of notifications (never a message); `atexit` flushes on a normal stop. With the
immediate backend (development, tests) each commit's task runs at once.
"""

import atexit
import logging
import os
import threading

import orjson

from parley.stream.presence import tracker

from .services.reminders import reminder_items

logger = logging.getLogger("parley.notifications")

FLUSH_EVERY = 0.5  # seconds
FLUSH_AT = 5000  # items: flush sooner under load, so one task stays small
KEEP_AT_MOST = 200_000  # items kept while the database refuses the task (then the oldest go)


def ladder_items(events) -> tuple[list[list], list[list]]:
    """([recipient, conversation, seq, sent at, socket here] per message, [reader, conversation, seq] per read).

    "Socket here" (1 or 0) is whether the recipient had a socket open on this process when the
    message committed: a dict lookup. The worker cannot see this process's sockets when the
    presence store is in-process (one server process), so the committing process says it;
    with Redis the worker asks the shared store about the rest (services/live.py).
    """
    messages, reads = [], []
    for e in events:
        if e.type == "message.created":
            m = e.data["message"]
            if e.user_id != m["sender_id"]:
                here = 1 if tracker.has_local_socket(e.user_id) else 0
                messages.append([e.user_id, m["conversation_id"], m["seq"], m["created_at"], here])
        elif e.type == "conversation.read" and e.user_id == e.data["user_id"]:
            reads.append([e.user_id, e.data["conversation_id"], e.data["seq"]])
    return messages, reads


def _enqueue(messages: list, reads: list) -> None:
    from .tasks import ladder

    # One JSON string: django.tasks normalises nested arguments several times per enqueue.
    ladder.enqueue(orjson.dumps([messages, reads]).decode())


class Buffer:
    """Items waiting for the next `ladder` task, in this process; a daemon thread flushes them."""

    def __init__(self):
        self._messages: list = []
        self._reads: list = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._pid = None

    def add(self, messages: list, reads: list) -> None:
        with self._lock:
            self._messages += messages
            self._reads += reads
            size = len(self._messages) + len(self._reads)
            if self._pid != os.getpid():  # first use in this process (or after a fork)
                self._pid = os.getpid()
                threading.Thread(target=self._run, name="parley-notify-flush", daemon=True).start()
        if size >= FLUSH_AT:
            self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait(FLUSH_EVERY)
            self._wake.clear()
            self.flush()

    def flush(self) -> None:
        with self._lock:
            messages, reads = self._messages, self._reads
            self._messages, self._reads = [], []
        if not messages and not reads:
            return
        try:
            _enqueue(messages, reads)
        except Exception:
            logger.exception("notifications: %d items not queued yet; trying again", len(messages) + len(reads))
            from django.db import connection

            connection.close()  # a broken connection is replaced at the next try
            with self._lock:
                self._messages = (messages + self._messages)[-KEEP_AT_MOST:]
                self._reads = (reads + self._reads)[-KEEP_AT_MOST:]


buffer = Buffer()
atexit.register(buffer.flush)


def notifications_sink(events) -> None:
    """Hand the commit's messages and reads on to the ladder (never raises)."""
    try:
        reminders, proposed = reminder_items(events)
        if reminders or proposed:  # rare (a few per meet-up): their own task, straight away
            from .tasks import meetup_reminders

            meetup_reminders.enqueue(orjson.dumps([reminders, proposed]).decode())
        messages, reads = ladder_items(events)
        if not messages and not reads:
            return
        from .tasks import ladder

        if ladder.get_backend().supports_defer:
            buffer.add(messages, reads)
        else:
            _enqueue(messages, reads)
    except Exception:
        logger.exception("notifications: %d committed events were not handed on", len(events))
