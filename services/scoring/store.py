"""The append-only points ledger and the per-member yearly totals derived from it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from services.infra import paging
from services.infra.events import Event, isoformat
from services.infra.org_paths import move_paths
from services.infra.outbox import public, with_events
from services.infra.repository import insert, page
from services.scoring.ledger import Entry, Totals

OUTBOX_COLLECTIONS = ("ledger",)


class LedgerEntries:
    def __init__(self, db: Any) -> None:
        self.c = db.ledger

    def get(self, entry_id: str) -> Entry | None:
        return _entry(self.c.find_one({"_id": entry_id}))

    def at_seq(self, member_id: str, year: int, seq: int) -> Entry | None:
        return _entry(self.c.find_one({"member_id": member_id, "year": year, "seq": seq}))

    def add(self, entry: Entry, events: list[Event]) -> None:
        doc = {
            "_id": entry.entry_id,
            "member_id": entry.member_id,
            "org_path": entry.org_path,
            "year": entry.year,
            "seq": entry.seq,
            "at": isoformat(entry.at),
            "category": entry.category,
            "item": entry.item,
            "counter": entry.counter,
            "points": entry.points,
            "requested_points": entry.requested_points,
            "reason": entry.reason,
            "source_event_type": entry.source_event_type,
            "source_event_id": entry.source_event_id,
            "total_after": entry.total_after,
            "device_id": entry.device_id,
        }
        insert(self.c, with_events(doc, events))

    def page(
        self, member_id: str, year: int, cursor: str | None, limit: int
    ) -> tuple[list[Entry], str | None]:
        after = paging.decode(cursor, ("seq",))
        query = {"member_id": member_id, "year": year}
        rows, position = page(self.c, query, [("seq", -1)], after, limit)
        return [e for e in map(_entry, rows) if e is not None], paging.encode(position)


def _entry(doc: dict[str, Any] | None) -> Entry | None:
    if doc is None:
        return None
    doc = public(doc) or {}
    return Entry(
        entry_id=doc["_id"],
        member_id=doc["member_id"],
        org_path=doc["org_path"],
        year=int(doc["year"]),
        seq=int(doc["seq"]),
        at=datetime.fromisoformat(doc["at"]),
        category=doc["category"],
        item=doc["item"],
        counter=doc["counter"],
        points=int(doc["points"]),
        requested_points=int(doc["requested_points"]),
        reason=doc["reason"],
        source_event_type=doc["source_event_type"],
        source_event_id=doc["source_event_id"],
        total_after=int(doc["total_after"]),
        device_id=doc.get("device_id"),
    )


class YearTotals:
    def __init__(self, db: Any) -> None:
        self.c = db.totals

    def get(self, member_id: str, year: int) -> Totals:
        doc = self.c.find_one({"_id": _key(member_id, year)})
        if doc is None:
            return Totals(member_id, year)
        return Totals(
            member_id=member_id,
            year=year,
            org_path=doc.get("org_path", ""),
            version=int(doc.get("version", 0)),
            total=int(doc.get("total", 0)),
            by_category=dict(doc.get("categories", {})),
            items=dict(doc.get("items", {})),
            counts=dict(doc.get("counts", {})),
        )

    def apply(self, entry: Entry) -> None:
        """One conditional update: applied only when the totals are at ``entry.seq - 1``, so a
        repeated or concurrent apply of the same entry changes nothing."""
        key = _key(entry.member_id, entry.year)
        if entry.seq == 1:
            self.c.update_one(
                {"_id": key},
                {"$setOnInsert": {"member_id": entry.member_id, "year": entry.year, "version": 0}},
                upsert=True,
            )
        self.c.update_one(
            {"_id": key, "version": entry.seq - 1},
            {
                "$inc": {
                    "total": entry.points,
                    f"categories.{entry.category}": entry.points,
                    f"items.{entry.counter}": entry.points,
                    f"counts.{entry.item}": 1,
                },
                "$set": {"version": entry.seq, "org_path": entry.org_path},
            },
        )


def _key(member_id: str, year: int) -> str:
    return f"{member_id}:{year}"


class ScoringStore:
    """The unit of work: the ledger and the totals, over one database."""

    INDEXES: ClassVar[dict[str, list[Any]]] = {
        "ledger": [
            ([("member_id", 1), ("year", 1), ("seq", -1)], {"unique": True}),
            ([("org_path", 1)], {}),  # a moved subtree's entries (move_org_paths)
        ],
        "totals": [([("org_path", 1)], {})],
    }

    def __init__(self, db: Any) -> None:
        self.db = db
        self.ledger = LedgerEntries(db)
        self.totals = YearTotals(db)

    def move_org_paths(self, from_path: str, to_path: str) -> int:
        """The ledger's and the totals' organization paths follow a moved subtree (members'
        org_moved): the entries keep their points, only where they are filed changes."""
        return sum(
            move_paths(self.db[c], "org_path", from_path, to_path) for c in ("ledger", "totals")
        )

    def ping(self) -> bool:
        self.db.totals.find_one({"_id": "__ping__"})
        return True
