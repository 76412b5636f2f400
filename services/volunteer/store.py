"""Needs recorded under grids."""

from __future__ import annotations

from typing import Any, ClassVar

from services.infra.outbox import strip, with_events

OUTBOX_COLLECTIONS = ("needs",)


class VolunteerStore:
    INDEXES: ClassVar[dict[str, list[Any]]] = {"needs": [([("ancestors", 1), ("status", 1)], {})]}

    def __init__(self, db: Any) -> None:
        self.db = db

    def add_need(self, need: dict[str, Any], event: dict[str, Any]) -> None:
        self.db.needs.insert_one(with_events(need, [event]))

    def open_needs(self, scope: str, limit: int) -> list[dict[str, Any]]:
        found = [strip(n) for n in self.db.needs.find({"ancestors": scope, "status": "open"})]
        found.sort(key=lambda n: n["recorded_at"], reverse=True)
        return found[:limit]

    def ping(self) -> bool:
        self.db.needs.find_one({"_id": "__ping__"})
        return True
