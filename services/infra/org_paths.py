"""Copies of organization paths kept by other services (scoring's ledger and totals, notify's
inbox) follow a moved subtree (the members' ``org_moved`` event): each document at ``from_path``
or below it is rewritten to lie under ``to_path``, in batches.

The documents are found by the path itself (``from_path`` exactly, or the range of paths that
start with ``from_path + "/"``: an index range on MongoDB; the embedded engine's indexes serve
equality only, so there it reads the collection, acceptable for a rare move). Each batch
rewrites a document only if it still holds the path it was read with, and a rewritten document
leaves the range, so a repeat or a redelivery finds nothing left to do. Organization ids are
never reused, so no other document can come to lie under ``from_path``."""

from __future__ import annotations

from typing import Any

from pymongo import UpdateOne

BATCH = 500


def under(field: str, path: str) -> dict[str, Any]:
    """The documents whose ``field`` is ``path`` or a path below it ('/' sorts before '0')."""
    return {"$or": [{field: path}, {field: {"$gte": path + "/", "$lt": path + "0"}}]}


def move_paths(collection: Any, field: str, from_path: str, to_path: str) -> int:
    """Rewrite ``field`` of every document at or below ``from_path``; how many were."""
    moved = 0
    while True:
        found = list(collection.find(under(field, from_path), {field: 1}).limit(BATCH))
        if not found:
            return moved
        collection.bulk_write(
            [
                UpdateOne(
                    {"_id": doc["_id"], field: doc[field]},
                    {"$set": {field: to_path + doc[field][len(from_path) :]}},
                )
                for doc in found
            ],
            ordered=False,
        )
        moved += len(found)
