"""The search backend, chosen by the database in use (GUIDE.md §3.11: one interface, one
shared contract test, tests/search/test_contract.py)."""

from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from .base import SearchBackend
from .postgresql import PostgresFTSBackend
from .sqlite import SQLiteFTS5Backend

BACKENDS = {"sqlite": SQLiteFTS5Backend, "postgresql": PostgresFTSBackend}


def backend() -> SearchBackend:
    try:
        return BACKENDS[connection.vendor]()
    except KeyError:
        raise ImproperlyConfigured(
            f"parley.search has no backend for the {connection.vendor} database: use SQLite or PostgreSQL, "
            "or leave parley.search out of INSTALLED_APPS."
        ) from None
