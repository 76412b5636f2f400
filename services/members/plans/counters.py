"""Meetings held per organization, year, month and kind: the subtree's gaps list
(plans/planning.py) joins a page of organizations with these by id, never counting meetings.

``plan_counts``: ``{_id: "<org_id>|<YYYY>", org_id, year, months: {"MM": {kind: n}}}``, raised
once per meeting by the call that claims the meeting's count (handlers._count_meeting), so a
repeated schedule counts once. Keyed by organization id: a move of the subtree changes nothing
here. A crash between the claim and this write leaves the count one short (as the tallies):
``python -m services.members.plans.counters`` rebuilds them from the meetings (a scan, for a
quiet system); the members service does so once by itself on a database stored before them
(``store_versions``: ``plan_counts``).
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any, ClassVar, Protocol

Months = dict[str, dict[str, int]]  # "MM" -> kind -> meetings held
MARKER, VERSION = "plan_counts", 1


class PlanCounters(Protocol):
    def add(self, org_id: str, kind: str, month: str) -> None:
        """One more meeting of ``kind`` held by the organization in ``month`` (YYYY-MM)."""

    def of(self, org_ids: list[str], year: int) -> dict[str, Months]:
        """The counts of these organizations in ``year`` (organizations without any: absent)."""


class PlanCounts:
    INDEXES: ClassVar[dict[str, list[Any]]] = {"plan_counts": []}  # read by _id only

    def __init__(self, db: Any) -> None:
        self.c = db.plan_counts

    def add(self, org_id: str, kind: str, month: str) -> None:
        year, number = month.split("-")
        self.c.update_one(
            {"_id": f"{org_id}|{year}"},
            {
                "$inc": {f"months.{number}.{kind}": 1},
                "$setOnInsert": {"org_id": org_id, "year": int(year)},
            },
            upsert=True,
        )

    def of(self, org_ids: list[str], year: int) -> dict[str, Months]:
        keys = [f"{org_id}|{year}" for org_id in dict.fromkeys(org_ids)]
        found = self.c.find({"_id": {"$in": keys}})
        return {doc["org_id"]: doc.get("months") or {} for doc in found}


def rebuild(db: Any, zone: tzinfo) -> int:
    """Every organization's counts from its meetings (a scan of ``meetings``), replacing what
    was there; how many meetings were read."""
    docs: dict[str, dict[str, Any]] = {}
    read = 0
    for doc in db.meetings.find({}, {"org_id": 1, "kind": 1, "starts_at": 1}):
        starts = datetime.fromisoformat(doc["starts_at"]).astimezone(zone)
        key = f"{doc['org_id']}|{starts:%Y}"
        found = docs.setdefault(key, {"org_id": doc["org_id"], "year": starts.year, "months": {}})
        kinds = found["months"].setdefault(f"{starts:%m}", {})
        kinds[doc["kind"]] = kinds.get(doc["kind"], 0) + 1
        read += 1
    db.plan_counts.delete_many({})
    for key, doc in docs.items():
        db.plan_counts.replace_one({"_id": key}, {"_id": key, **doc}, upsert=True)
    return read


def upgrade(db: Any, zone: tzinfo) -> bool:
    """Rebuild once for a database stored before the counts (True when it did)."""
    found = db.store_versions.find_one({"_id": MARKER})
    if found and int(found.get("version", 0)) >= VERSION:
        return False
    rebuild(db, zone)
    db.store_versions.replace_one({"_id": MARKER}, {"_id": MARKER, "version": VERSION}, upsert=True)
    return True


def main() -> None:
    from zoneinfo import ZoneInfo

    from services.infra.config import data_dir, load_config
    from services.infra.storage import open_database

    config = load_config("members")
    db = open_database("members", config.get("MONGO_URI") or None, data_dir(config))
    read = rebuild(db, ZoneInfo(str(config.get("TIMEZONE") or "Asia/Shanghai")))
    print(f"plan counts rebuilt from {read} meetings")


if __name__ == "__main__":
    main()
