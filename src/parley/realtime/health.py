"""/healthz: the database, the broker and this process's open sockets, for load balancers."""

from django.db import DatabaseError, connection
from django.http import JsonResponse

from parley.stream.broker import get_broker
from parley.stream.hub import hub


def health(request):
    """Report the database, the broker and this process's open sockets; 503 if any is down."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except DatabaseError as exc:
        database = f"down: {exc.__class__.__name__}"
    broker = get_broker()
    body = {
        "database": database,
        "broker": {"kind": broker.__class__.__name__, "status": "ok" if broker.healthy() else "down"},
        "connections": hub.connection_count(),
        "users_connected": hub.user_count(),
    }
    ok = database == "ok" and broker.healthy()
    return JsonResponse(body, status=200 if ok else 503)
