"""Turn a counted activity into a ledger entry and its points_awarded event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.infra.events import isoformat, new_event
from services.scoring.rules import AwardRule


def ledger_entry(
    *,
    source_event_type: str,
    source: dict[str, Any],
    rule: AwardRule,
    at: datetime,
    totals: dict[str, Any],
    reason: str,
) -> tuple[dict[str, Any], dict[str, Any]]:
    counter = rule.counter(at)
    points = rule.award(int(totals.get("items", {}).get(counter, 0)))
    entry = {
        "_id": f"{source_event_type}:{source['event_id']}",
        "member_id": source["member_id"],
        "org_path": source["member_org_path"],
        "year": at.year,
        "at": isoformat(at),
        "category": rule.category,
        "item": rule.item,
        "counter": counter,
        "points": points,
        "requested_points": rule.points,
        "capped": points < rule.points,
        "reason": reason,
        "source_event_type": source_event_type,
        "source_event_id": str(source["event_id"]),
        "total_after": int(totals.get("total", 0)) + points,
    }
    payload = {
        k: entry[k]
        for k in (
            "member_id",
            "category",
            "item",
            "points",
            "requested_points",
            "capped",
            "year",
            "reason",
            "source_event_type",
            "source_event_id",
            "total_after",
        )
    }
    payload["entry_id"] = entry["_id"]
    return entry, new_event("points_awarded", entry["org_path"], payload)
