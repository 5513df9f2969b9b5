"""Small builders for the raw SQL of the send path (one place for the vendor differences)."""

from django.db import connection


def placeholders(count: int) -> str:
    """`%s, %s, …` for an `IN (…)` list of `count` values."""
    return ", ".join(["%s"] * count)


def values_rows(rows: int, width: int) -> str:
    """`(%s, %s), (%s, %s), …` for a `FROM (VALUES …) AS v` of integer columns v.column1…

    PostgreSQL types each parameter as BIGINT so the columns compare with the id columns.
    """
    cell = "CAST(%s AS BIGINT)" if connection.vendor == "postgresql" else "%s"
    row = "(" + ", ".join([cell] * width) + ")"
    return ", ".join([row] * rows)
