"""Append-only points ledger and the per-member yearly totals derived from it."""

from __future__ import annotations

from typing import Any, ClassVar

from pymongo.errors import DuplicateKeyError

from services.infra.outbox import public, strip, with_events

OUTBOX_COLLECTIONS = ("ledger",)


class ScoringStore:
    INDEXES: ClassVar[dict[str, list[Any]]] = {
        "ledger": [([("member_id", 1), ("year", 1)], {})],
        "totals": [([("org_path", 1)], {})],
    }

    def __init__(self, db: Any) -> None:
        self.db = db

    def entry(self, entry_id: str) -> dict[str, Any] | None:
        return public(self.db.ledger.find_one({"_id": entry_id}))

    def add_entry(self, entry: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
        try:
            self.db.ledger.insert_one(with_events(entry, [event]))
            return entry
        except DuplicateKeyError:
            return self.entry(entry["_id"]) or entry

    def totals(self, member_id: str, year: int) -> dict[str, Any]:
        found = self.db.totals.find_one({"_id": f"{member_id}:{year}"})
        return found or {"total": 0, "categories": {}, "items": {}, "counts": {}}

    def apply(self, entry: dict[str, Any]) -> None:
        """Add an entry to its member's totals exactly once (the entry id guards the $inc)."""
        key = f"{entry['member_id']}:{entry['year']}"
        self.db.totals.update_one(
            {"_id": key},
            {
                "$setOnInsert": {
                    "member_id": entry["member_id"],
                    "year": entry["year"],
                    "applied": [],
                }
            },
            upsert=True,
        )
        self.db.totals.update_one(
            {"_id": key, "applied": {"$ne": entry["_id"]}},
            {
                "$inc": {
                    "total": entry["points"],
                    f"categories.{entry['category']}": entry["points"],
                    f"items.{entry['counter']}": entry["points"],
                    f"counts.{entry['item']}": 1,
                },
                "$push": {"applied": entry["_id"]},
                "$set": {"org_path": entry["org_path"]},
            },
        )

    def entries(self, member_id: str, year: int, limit: int = 50) -> list[dict[str, Any]]:
        cursor = self.db.ledger.find({"member_id": member_id, "year": year})
        found = [strip(e) for e in cursor]
        return sorted(found, key=lambda e: e["at"], reverse=True)[:limit]

    def ping(self) -> bool:
        self.db.totals.find_one({"_id": "__ping__"})
        return True
