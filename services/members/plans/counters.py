"""Meetings held per organization, year, month and kind: the subtree's gaps list
(plans/planning.py) joins a page of organizations with these by id, never counting meetings.

``plan_counts``: ``{_id: "<org_id>|<YYYY>", org_id, year, months: {"MM": {kind: n}}}``, raised
once per meeting by the call that claims the meeting's count (handlers._count_meeting), so a
repeated schedule counts once. Keyed by organization id: a move of the subtree changes nothing
here. A crash between the claim and this write leaves the count one short (as the tallies).
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol

Months = dict[str, dict[str, int]]  # "MM" -> kind -> meetings held


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
