"""The repositories of mobile members (流动党员) and lapse warnings over the members database
(MembersStore mixes them in).

Documents:
- ``members.mobile`` (the stay: place, since, until, host) and ``mobile_host_ancestors``, written
  with the member (services/members/store.py mobile_fields); the home's list by the index
  (ancestors, mobile.until, _id), the host's by (mobile_host_ancestors).
- ``lapse_warnings``: one per member and inactive streak, ``_id`` ``<member>|<last active
  month>``, with the highest threshold warned and the thresholds warned (each once), its
  ``member_lapse_warning`` events in the same write; the list by (ancestors, last_active, _id).
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from services.infra import paging
from services.infra.events import Event
from services.infra.outbox import set_with_events, with_events
from services.infra.repository import insert_once, page
from services.infra.scope import ancestors
from services.members.domain import Member, Org
from services.members.mobile.ports import Warning

UNTIL = "mobile.until"
OVERDUE = "mobile_overdue_reminded"  # the stay (since|until) mobile_stay_overdue was sent for
BY_UNTIL = [(UNTIL, 1), ("_id", 1)]
BY_ID = [("_id", 1)]
LONGEST_INACTIVE = [("last_active", 1), ("_id", 1)]


class MobileRecords:
    def __init__(self, db: Any) -> None:
        from services.members.store import Members, _member  # the members store mixes us in

        self.members = Members(db)
        self.to_member = _member

    def away(
        self, org: Org, overdue_before: date | None, cursor: str | None, limit: int
    ) -> tuple[list[Member], str | None]:
        """Index (ancestors, mobile.until, _id): a stay's end is a day (a string), so the range
        leaves out members who are not mobile (null)."""
        until: dict[str, Any] = {"$gt": ""}
        if overdue_before is not None:
            until["$lt"] = overdue_before.isoformat()
        query: dict[str, Any] = {"ancestors": org.path, UNTIL: until}
        last = paging.decode(cursor, ("until", "_id"))
        if last is not None:
            query = {
                "$and": [
                    query,
                    {
                        "$or": [
                            {UNTIL: {"$gt": last["until"]}},
                            {UNTIL: last["until"], "_id": {"$gt": last["_id"]}},
                        ]
                    },
                ]
            }
        rows = list(self.members.c.find(query).sort(BY_UNTIL).limit(limit + 1))
        more = len(rows) > limit
        rows = rows[:limit]
        position = None
        if more and rows:
            position = {"until": rows[-1]["mobile"]["until"], "_id": rows[-1]["_id"]}
        found = [m for m in map(self.to_member, rows) if m is not None]
        return found, paging.encode(position)

    def overdue_due(self, days: list[date], limit: int) -> list[Member]:
        """Index mobile.until (an equality per day); those reminded of that stay are skipped."""
        query = {UNTIL: {"$in": [d.isoformat() for d in days]}}
        found = []
        for doc in self.members.c.find(query).sort(BY_UNTIL):
            if doc.get(OVERDUE) != _stay_key(doc["mobile"]):
                found.append(self.to_member(doc))
                if len(found) >= limit:
                    break
        return [m for m in found if m is not None]

    def mark_overdue(self, member: Member, events: list[Event]) -> bool:
        stay = member.mobile
        if stay is None:
            return False
        key = f"{stay.since.isoformat()}|{stay.until.isoformat()}"
        matched = {
            "_id": member.member_id,
            "mobile.since": stay.since.isoformat(),
            UNTIL: stay.until.isoformat(),
            OVERDUE: {"$ne": key},
        }
        result = self.members.c.update_one(matched, set_with_events({OVERDUE: key}, events))
        return bool(result.modified_count == 1)

    def hosted(self, org: Org, cursor: str | None, limit: int) -> tuple[list[Member], str | None]:
        """Index (mobile_host_ancestors): the few members hosted in a subtree, by id."""
        after = paging.decode(cursor, ("_id",))
        query = {"mobile_host_ancestors": org.path}
        rows, position = page(self.members.c, query, BY_ID, after, limit)
        found = [m for m in map(self.to_member, rows) if m is not None]
        return found, paging.encode(position)


def _stay_key(stay: dict[str, Any]) -> str:
    return f"{stay['since']}|{stay['until']}"


def _warning(doc: dict[str, Any]) -> Warning:
    return Warning(
        member_id=doc["member_id"],
        org_id=doc["org_id"],
        org_path=doc["org_path"],
        last_active=doc["last_active"],
        threshold=int(doc["threshold"]),
    )


class LapseWarnings:
    def __init__(self, db: Any) -> None:
        self.c = db.lapse_warnings
        self.activity = db.member_activity

    def inactive_since(
        self, months: list[str], after: str | None, limit: int
    ) -> list[dict[str, str]]:
        """Index (last_active, _id) of member_activity: an equality per month."""
        query: dict[str, Any] = {"last_active": {"$in": list(months)}}
        if after is not None:
            query["_id"] = {"$gt": after}
        found = self.activity.find(query, {"last_active": 1}).sort(BY_ID).limit(limit)
        return [{"_id": d["_id"], "last_active": d["last_active"]} for d in found]

    def warn(self, warning: Warning, events: list[Event]) -> bool:
        key = f"{warning.member_id}|{warning.last_active}"
        doc = {
            "_id": key,
            "member_id": warning.member_id,
            "org_id": warning.org_id,
            "org_path": warning.org_path,
            "ancestors": ancestors(warning.org_path),
            "last_active": warning.last_active,
            "threshold": warning.threshold,
            "thresholds": [warning.threshold],
        }
        _stored, created = insert_once(self.c, with_events(doc, events))
        if created:
            return True
        update = set_with_events(
            {
                "org_id": warning.org_id,
                "org_path": warning.org_path,
                "ancestors": ancestors(warning.org_path),
            },
            events,
        )
        update["$max"] = {"threshold": warning.threshold}
        update["$addToSet"] = {"thresholds": warning.threshold}
        result = self.c.update_one({"_id": key, "thresholds": {"$ne": warning.threshold}}, update)
        return bool(result.modified_count == 1)

    def current(self, org: Org, cursor: str | None, limit: int) -> tuple[list[Warning], str | None]:
        after = paging.decode(cursor, ("last_active", "_id"))
        query = {"ancestors": org.path}
        rows, position = page(self.c, query, LONGEST_INACTIVE, after, limit)
        return [_warning(r) for r in rows], paging.encode(position)


class MobileStore:
    INDEXES: ClassVar[dict[str, list[Any]]] = {
        "lapse_warnings": [([("ancestors", 1), ("last_active", 1), ("_id", 1)], {})],
    }

    def __init__(self, db: Any) -> None:
        self.db = db
        self.mobile = MobileRecords(db)
        self.lapse = LapseWarnings(db)
