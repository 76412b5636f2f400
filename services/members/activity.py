"""Each member's last month of organizational life and last month of dues paid for: the lapse
warnings (services/members/mobile/lapse) find members inactive for N months by ``last_active``
without a scan of the register.

``member_activity``: ``{_id: member_id, org_life: "YYYY-MM", dues: "YYYY-MM", last_active:
"YYYY-MM"}``; every field only ever rises (``$max``), so a replayed or late write is harmless.
Registration (handlers._register) marks a new member ``seen`` in its month; members stored before
the activity existed get a record once at start (``backfill``: the month of the backfill, so the
warnings count from when the system began watching, never from an unknown past).
Writers: closing a meeting (orglife/: the present members), a dues payment (dues/: the last month
it covers; a reversed payment does not lower it: a person decides a lapse, from the register).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Protocol
from zoneinfo import ZoneInfo

from pymongo import UpdateOne
from pymongo.errors import BulkWriteError

ORG_LIFE, DUES = "org_life", "dues"


class Activity(Protocol):
    def record(self, member_ids: list[str], kind: str, month: str) -> None: ...
    def seen(self, member_ids: list[str], month: str) -> None:
        """These members were registered here in ``month``: the lapse warnings count from it
        when nothing happened since."""

    def of(self, member_ids: list[str]) -> dict[str, dict[str, str]]: ...


class MemberActivity:
    INDEXES: ClassVar[dict[str, list[Any]]] = {
        "member_activity": [([("last_active", 1), ("_id", 1)], {})],
    }

    def __init__(self, db: Any) -> None:
        self.c = db.member_activity

    def record(self, member_ids: list[str], kind: str, month: str) -> None:
        """``kind`` (ORG_LIFE or DUES) happened for these members in ``month`` (YYYY-MM)."""
        if kind not in (ORG_LIFE, DUES):
            raise ValueError(f"unknown activity {kind!r}")
        if not member_ids:
            return
        rise = {"$max": {kind: month, "last_active": month}}
        self.c.bulk_write(
            [UpdateOne({"_id": m}, rise, upsert=True) for m in dict.fromkeys(member_ids)],
            ordered=False,
        )

    def seen(self, member_ids: list[str], month: str) -> None:
        """Newly registered members: a record each (one insert for the batch: an upsert per
        member cost the embedded engine a third of a registration); a member who has one
        already (a repeated registration) only has ``last_active`` raised."""
        ids = list(dict.fromkeys(member_ids))
        if not ids:
            return
        try:
            self.c.insert_many(
                [{"_id": m, "last_active": month, "registered": month} for m in ids],
                ordered=False,
            )
        except BulkWriteError as error:
            had = [ids[e["index"]] for e in error.details.get("writeErrors", [])]
            rise = {"$max": {"last_active": month}}
            self.c.bulk_write([UpdateOne({"_id": m}, rise) for m in had], ordered=False)

    def of(self, member_ids: list[str]) -> dict[str, dict[str, str]]:
        found = self.c.find({"_id": {"$in": list(member_ids)}})
        return {d["_id"]: {k: v for k, v in d.items() if k != "_id"} for d in found}


MARKER = "member_activity"  # store_versions: the backfill was done
VERSION = 1
BACKFILL_BATCH = 1000


def backfill(db: Any, zone: ZoneInfo, now: datetime | None = None) -> int:
    """Once per database: every member without a record gets one for this month (in batches of
    BACKFILL_BATCH by member id, never overwriting a record). How many members were read."""
    found = db.store_versions.find_one({"_id": MARKER})
    if found and int(found.get("version", 0)) >= VERSION:
        return 0
    moment = (now or datetime.now(zone)).astimezone(zone)
    month = f"{moment.year:04d}-{moment.month:02d}"
    first = {"$setOnInsert": {"last_active": month, "registered": month}}
    read, after = 0, None
    while True:
        query: dict[str, Any] = {"_id": {"$gt": after}} if after is not None else {}
        ids = [
            d["_id"]
            for d in db.members.find(query, {"_id": 1}).sort("_id", 1).limit(BACKFILL_BATCH)
        ]
        if not ids:
            break
        db.member_activity.bulk_write(
            [UpdateOne({"_id": m}, first, upsert=True) for m in ids], ordered=False
        )
        read += len(ids)
        after = ids[-1]
    db.store_versions.replace_one({"_id": MARKER}, {"_id": MARKER, "version": VERSION}, upsert=True)
    return read
