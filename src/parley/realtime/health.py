"""Health checks for load balancers: liveness (/healthz/live) and readiness (/healthz, /healthz/ready).

Readiness depends on the database only: while Redis is down sending still works (live pushes
pause, clients catch up by `sync`), so the broker is reported "degraded" and never turns a
Redis blip into a full outage by taking every process out of the pool.
"""

from django.db import DatabaseError, connection
from django.http import JsonResponse

from parley.stream.broker import get_broker
from parley.stream.hub import hub


def live(request):
    """Answer 200 while this process serves requests; nothing else is checked."""
    return JsonResponse({"status": "ok"})


def ready(request):
    """Report the database, the broker and this process's open sockets; 503 only if the database is down."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except DatabaseError as exc:
        database = f"down: {exc.__class__.__name__}"
    broker = get_broker()
    body = {
        "database": database,
        "broker": {"kind": broker.__class__.__name__, "status": "ok" if broker.healthy() else "degraded"},
        "connections": hub.connection_count(),
        "users_connected": hub.user_count(),
    }
    return JsonResponse(body, status=200 if database == "ok" else 503)


health = ready  # /healthz, kept for existing health checks
