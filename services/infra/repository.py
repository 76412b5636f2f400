"""Store helpers shared by every service's repository. pymongo errors stop here: nothing above a
store sees one."""

from __future__ import annotations

from typing import Any

from pymongo.errors import DuplicateKeyError

from services.infra.errors import AlreadyStored

__all__ = ["AlreadyStored", "insert", "insert_once", "page"]


def insert_once(collection: Any, document: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Create-or-find by ``_id``: (the stored document, True) when this call created it, else the
    document already stored under that id and False. Raises ``AlreadyStored`` when another
    unique key (not ``_id``) is taken by a different document."""
    try:
        collection.insert_one(document)
        return document, True
    except DuplicateKeyError:
        found = collection.find_one({"_id": document["_id"]})
        if found is None:
            raise AlreadyStored(document["_id"]) from None
        return found, False


def insert(collection: Any, document: dict[str, Any]) -> None:
    """Insert; a unique-key clash becomes ``AlreadyStored``."""
    try:
        collection.insert_one(document)
    except DuplicateKeyError as error:
        raise AlreadyStored(str(error)) from None


def page(
    collection: Any,
    query: dict[str, Any],
    sort: list[tuple[str, int]],
    after: dict[str, Any] | None,
    limit: int,
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """A page of ``query`` in ``sort`` order (descending keys, ``_id`` last), served by an index
    with the sort and the limit in the store. ``after`` is the last row's sort values of the
    previous page. Returns the rows and the sort values to continue after (None at the end)."""
    keys = [k for k, _ in sort]
    filters = dict(query)
    if after:
        filters = {"$and": [query, _after(sort, after)]}
    rows = list(collection.find(filters).sort(sort).limit(limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, ({k: rows[-1][k] for k in keys} if more and rows else None)


def _after(sort: list[tuple[str, int]], last: dict[str, Any]) -> dict[str, Any]:
    """Rows strictly after ``last`` in a compound sort: (a < a0) or (a == a0 and b < b0) ..."""
    branches = []
    for i, (key, direction) in enumerate(sort):
        cond = {k: last[k] for k, _ in sort[:i]}
        cond[key] = {"$lt" if direction < 0 else "$gt": last[key]}
        branches.append(cond)
    return {"$or": branches}
