"""A queryset's `in_bulk` with its SQL compiled once per shape, for hot lookups by key.

Django builds a queryset's SQL again on every evaluation. For the send path's access check
(a conversation with its listing and both people, three joins) that is about 1 ms of Python
for one row, more than the rest of a send at a batch of one, and it is paid for every
conversation a writer has not cached: every conversation after a restart, and every one whose
cache entry expired (docs/benchmarks.md, "The access check's cold path"). KeyLookup compiles
the query once per number of keys, as Django would, and then only executes it: the same SQL,
the same converters, the same instances with the same select_related objects attached.
"""

import threading
from collections.abc import Callable, Iterable

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators

# Key counts are padded up to a power of two (the last key repeated) so a lookup has few
# shapes; above MAX_KEYS it is the queryset's own in_bulk.
MAX_KEYS = 512


class KeyLookup:
    """`make_queryset().in_bulk(keys)` by primary key, compiled once per padded key count.

    `make_queryset` must return the same query every time (filters, select_related), as a
    module-level queryset function does; its primary key must be an integer column. Shapes are
    kept per thread and database alias, because a compiler belongs to its thread's connection.
    """

    def __init__(self, make_queryset: Callable[[], QuerySet]):
        self.make_queryset = make_queryset
        self._local = threading.local()

    def in_bulk(self, keys: Iterable[int]) -> dict:
        keys = sorted(set(keys))
        if not keys:
            return {}
        queryset = self.make_queryset()
        if len(keys) > MAX_KEYS:
            return queryset.in_bulk(keys)
        size = 1 << (len(keys) - 1).bit_length()
        shape = self._shape(queryset, size)
        if shape is None:  # a query whose parameters are not just the keys
            return queryset.in_bulk(keys)
        sql, compiler, populators, db = shape
        with connections[db].cursor() as cursor:
            cursor.execute(sql, keys + [keys[-1]] * (size - len(keys)))
            rows = cursor.fetchall()
        return _instances(compiler, populators, db, rows)

    def _shape(self, queryset: QuerySet, size: int):
        shapes = self._local.__dict__.setdefault("shapes", {})
        key = (queryset.db, size)
        if key not in shapes:
            shapes[key] = _compile(queryset, size)
        return shapes[key]


def _compile(queryset: QuerySet, size: int):
    """(sql, compiler, related populators, alias) for `size` keys, or None if the compiled
    parameters are not exactly the keys in order (then the caller uses Django's path)."""
    probe = list(range(-size, 0))  # distinct values no key has, to find the keys' placeholders
    pk = queryset.model._meta.pk.name
    compiler = queryset.filter(**{f"{pk}__in": probe}).query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()  # also sets compiler.select and compiler.klass_info
    if list(params) != probe or compiler.annotation_col_map:
        return None
    return sql, compiler, get_related_populators(compiler.klass_info, compiler.select, queryset.db), queryset.db


def _instances(compiler, populators, db: str, rows: list) -> dict:
    """The instances of the rows, as ModelIterable builds them: {pk: instance}."""
    fields = compiler.klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    model = compiler.klass_info["model"]
    names = [f[0].target.attname for f in compiler.select[start:end]]
    out = {}
    for row in compiler.results_iter(results=[rows]):
        obj = model.from_db(db, names, row[start:end])
        for populator in populators:
            populator.populate(row, obj)
        out[obj.pk] = obj
    return out
