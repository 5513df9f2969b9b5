"""Row ids from the outside world, checked once for every access function."""

# Row ids as the databases store them (signed 64-bit). Anything outside would make the
# query itself fail (OverflowError on SQLite, an out-of-range error on PostgreSQL): a 500,
# and in a send batch, every request of the batch.
MAX_ID = 2**63 - 1


def database_id(value) -> int | None:
    """The id as an int in the databases' range, else None (which no row has).

    Accepts what paths, forms and frames carry (an int, or a str of digits); refuses bools,
    floats and anything else, so `1.5`, `True` and `"1e30"` are never an id.
    """
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= MAX_ID else None


def row_or_not_found(queryset, object_id, message):
    """The row of `queryset` (already narrowed to what the user may see) with this id; NotFound
    with `message` when the id is no database id or no such row is there, so someone else's
    row and a missing one get the same 404."""
    from .errors import NotFound

    pk = database_id(object_id)
    row = queryset.filter(pk=pk).first() if pk else None
    if row is None:
        raise NotFound(message)
    return row
