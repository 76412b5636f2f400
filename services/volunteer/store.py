"""Needs recorded under grids: the repository, and the unit of work that groups it. Documents map
to the domain objects here; pymongo is touched only here."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from pymongo import UpdateOne

from services.infra import paging
from services.infra.events import Event, stamp
from services.infra.outbox import public, with_events
from services.infra.repository import insert, page
from services.infra.scope import ancestors
from services.volunteer.needs import Need

OUTBOX_COLLECTIONS = ("needs",)
MOVE_BATCH = 500
NEWEST_FIRST = [("recorded_at", -1), ("_id", -1)]


class Needs:
    def __init__(self, db: Any) -> None:
        self.c = db.needs

    def add(self, need: Need, events: list[Event]) -> None:
        doc = {
            "_id": need.need_id,
            "grid_path": need.grid_path,
            "ancestors": need.ancestors,
            "title": need.title,
            "description": need.description,
            "category": need.category,
            "status": need.status,
            "resident_name_enc": need.resident_name_enc,
            "resident_name_masked": need.resident_name_masked,
            "resident_phone_enc": need.resident_phone_enc,
            "resident_phone_masked": need.resident_phone_masked,
            "recorded_by": need.recorded_by,
            "recorded_at": stamp(need.recorded_at),
        }
        insert(self.c, with_events(doc, events))

    def open_under(
        self, scope: str, cursor: str | None, limit: int
    ) -> tuple[list[Need], str | None]:
        return self.under(scope, "open", cursor, limit)

    def under(
        self, scope: str, status: str | None, cursor: str | None, limit: int
    ) -> tuple[list[Need], str | None]:
        after = paging.decode(cursor, tuple(k for k, _ in NEWEST_FIRST))
        rows, position = page(self.c, _query(scope, status), NEWEST_FIRST, after, limit)
        return [_need(row) for row in rows], paging.encode(position)

    def count_under(self, scope: str, status: str | None, at_most: int) -> int:
        return int(self.c.count_documents(_query(scope, status), limit=at_most))


def _query(scope: str, status: str | None) -> dict[str, Any]:
    """Served by the indexes (ancestors[, status], recorded_at, _id) and, for the whole
    deployment, ([status, ]recorded_at, _id)."""
    query: dict[str, Any] = {}
    if status is not None:
        query["status"] = status
    if scope.strip("/"):
        query["ancestors"] = scope
    return query


def _need(doc: dict[str, Any]) -> Need:
    doc = public(doc) or {}
    return Need(
        need_id=doc["_id"],
        grid_path=doc["grid_path"],
        title=doc["title"],
        description=doc.get("description", ""),
        category=doc["category"],
        status=doc["status"],
        resident_name_enc=doc["resident_name_enc"],
        resident_name_masked=doc["resident_name_masked"],
        resident_phone_enc=doc.get("resident_phone_enc"),
        resident_phone_masked=doc.get("resident_phone_masked"),
        recorded_by=doc["recorded_by"],
        recorded_at=datetime.fromisoformat(doc["recorded_at"]),
    )


class VolunteerStore:
    """The unit of work: the needs repository over the service's database."""

    INDEXES: ClassVar[dict[str, list[Any]]] = {
        "needs": [
            ([("ancestors", 1), ("status", 1), ("recorded_at", -1), ("_id", -1)], {}),
            ([("status", 1), ("recorded_at", -1), ("_id", -1)], {}),  # the whole deployment
            ([("ancestors", 1), ("recorded_at", -1), ("_id", -1)], {}),  # every status
            ([("recorded_at", -1), ("_id", -1)], {}),
        ]
    }

    def __init__(self, db: Any) -> None:
        self.db = db
        self.needs = Needs(db)

    def move_org_paths(self, from_path: str, to_path: str) -> int:
        """Needs recorded under a moved subtree follow it (members' org_moved): their grid path
        and ancestors, found by the ancestors index a batch at a time; a rewritten need no
        longer lies under ``from_path``, so a repeated batch finds nothing. How many moved."""
        moved = 0
        while True:
            found = list(
                self.db.needs.find({"ancestors": from_path}, {"grid_path": 1}).limit(MOVE_BATCH)
            )
            if not found:
                return moved
            writes = []
            for doc in found:
                path = to_path + doc["grid_path"][len(from_path) :]
                writes.append(
                    UpdateOne(
                        {"_id": doc["_id"], "grid_path": doc["grid_path"]},
                        {"$set": {"grid_path": path, "ancestors": ancestors(path)}},
                    )
                )
            self.db.needs.bulk_write(writes, ordered=False)
            moved += len(found)

    def ping(self) -> bool:
        self.db.needs.find_one({"_id": "__ping__"})
        return True
