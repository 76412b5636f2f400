"""The repositories of meetings held: leave, closing with the attendance sheet and minutes, attendance rates rolled up the tree over the members database (MembersStore mixes them in).

Documents:
- ``leave_requests``: one per meeting and member (``_id`` ``<meeting>:<member>``), with
  ``pending_under`` (the ancestors of the meeting's organization) while pending: the approvals
  page of a scope is one equality on an index.
- ``meetings`` (the core's documents): ``closed_at`` and ``closing`` (the counts, the month,
  the absent ids) set with ``meeting_closed`` in one write; ``rates_uncounted`` until the one
  call that claims it has raised the rates.
- ``attendance_sheets``: one row per expected member (``_id`` ``<meeting>:<member>``), with the
  member's own org path and its ancestors (a home organization reads its mobile members' rows).
- ``attendance_rates``: ``{_id: "<org_id>|<YYYY-MM>", org_id, month, meetings, expected,
  excused, present}``, raised for the meeting's organization and each one above it.
- ``meeting_minutes`` (``_id`` the meeting) and ``meeting_photos`` (the content, encrypted).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from pymongo import UpdateOne

from services.infra import paging
from services.infra.events import Event, isoformat, stamp
from services.infra.outbox import set_with_events
from services.infra.repository import page
from services.infra.scope import ancestors
from services.members.domain import IN_REGISTER, Meeting, Member, org_ids_on
from services.members.orglife.domain import (
    PENDING,
    Closing,
    LeaveRequest,
    Minutes,
    MonthRates,
    Photo,
    SheetRow,
)

BY_REQUEST = [("requested_at", 1), ("_id", 1)]
BY_MEMBER = [("member_id", 1), ("_id", 1)]
RATES_UNCOUNTED = "rates_uncounted"


def _leave_doc(r: LeaveRequest) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "_id": r.leave_id,
        "meeting_id": r.meeting_id,
        "meeting_org_path": r.meeting_org_path,
        "member_id": r.member_id,
        "member_org_path": r.member_org_path,
        "reason": r.reason,
        "status": r.status,
        "requested_by": r.requested_by,
        "requested_at": stamp(r.requested_at),
        "decided_by": r.decided_by,
        "decided_at": stamp(r.decided_at) if r.decided_at else None,
        "decline_reason": r.decline_reason,
    }
    if r.status == PENDING:
        doc["pending_under"] = ancestors(r.meeting_org_path)
    return doc


def _leave(doc: dict[str, Any]) -> LeaveRequest:
    decided = doc.get("decided_at")
    return LeaveRequest(
        leave_id=doc["_id"],
        meeting_id=doc["meeting_id"],
        meeting_org_path=doc["meeting_org_path"],
        member_id=doc["member_id"],
        member_org_path=doc["member_org_path"],
        reason=doc["reason"],
        status=doc["status"],
        requested_by=doc["requested_by"],
        requested_at=datetime.fromisoformat(doc["requested_at"]),
        decided_by=doc.get("decided_by"),
        decided_at=datetime.fromisoformat(decided) if decided else None,
        decline_reason=doc.get("decline_reason") or "",
    )


def _closing(doc: dict[str, Any]) -> Closing:
    c = doc["closing"]
    return Closing(
        meeting_id=doc["_id"],
        org_id=doc["org_id"],
        org_path=doc["org_path"],
        kind=doc["kind"],
        month=c["month"],
        closed_at=datetime.fromisoformat(doc["closed_at"]),
        closed_by=c["closed_by"],
        expected=int(c["expected"]),
        present=int(c["present"]),
        excused=int(c["excused"]),
        absent=int(c["absent"]),
        absent_ids=tuple(c["absent_ids"]),
    )


class OrgLifeRecords:
    def __init__(self, db: Any) -> None:
        from services.members.store import _member  # the members store mixes us in

        self.to_member = _member
        self.leaves = db.leave_requests
        self.meetings = db.meetings
        self.members = db.members
        self.attendance = db.attendance
        self.sheets = db.attendance_sheets
        self.rates_c = db.attendance_rates
        self.minutes_c = db.meeting_minutes
        self.photos = db.meeting_photos

    # -- leave ---------------------------------------------------------------------------

    def leave(self, leave_id: str) -> LeaveRequest | None:
        doc = self.leaves.find_one({"_id": leave_id})
        return _leave(doc) if doc else None

    def put_leave(self, request: LeaveRequest) -> None:
        self.leaves.replace_one({"_id": request.leave_id}, _leave_doc(request), upsert=True)

    def leave_of_meeting(
        self, meeting_id: str, cursor: str | None, limit: int
    ) -> tuple[list[LeaveRequest], str | None]:
        """Index (meeting_id, requested_at, _id)."""
        return self._page({"meeting_id": meeting_id}, cursor, limit)

    def pending_leave(
        self, org_path: str, cursor: str | None, limit: int
    ) -> tuple[list[LeaveRequest], str | None]:
        """Index (pending_under, requested_at, _id), sparse: only pending requests carry it."""
        return self._page({"pending_under": org_path}, cursor, limit)

    def _page(
        self, query: dict[str, Any], cursor: str | None, limit: int
    ) -> tuple[list[LeaveRequest], str | None]:
        after = paging.decode(cursor, ("requested_at", "_id"))
        rows, position = page(self.leaves, query, BY_REQUEST, after, limit)
        return [_leave(r) for r in rows], paging.encode(position)

    def approved_leave(self, meeting_id: str) -> set[str]:
        found = self.leaves.find({"meeting_id": meeting_id, "status": "approved"})
        return {d["member_id"] for d in found}

    # -- closing -------------------------------------------------------------------------

    def expected_members(self, meeting: Meeting) -> list[Member]:
        """One indexed query per kind of expectation: the subtrees (ancestors), the mobile
        members hosted in them (mobile_host_ancestors), the guests (_id)."""
        paths = list(dict.fromkeys((meeting.org_path, *meeting.invited_org_paths)))
        in_register = {"status": {"$in": list(IN_REGISTER)}}
        queries = [
            {"ancestors": {"$in": paths}, **in_register},
            {"mobile_host_ancestors": {"$in": paths}, **in_register},
        ]
        if meeting.guest_member_ids:
            queries.append({"_id": {"$in": list(meeting.guest_member_ids)}, **in_register})
        found: dict[str, Member] = {}
        for query in queries:
            for doc in self.members.find(query):
                member = self.to_member(doc)
                if member is not None:
                    found[member.member_id] = member
        return list(found.values())

    def present_members(self, meeting_id: str) -> list[Member]:
        ids = [d["member_id"] for d in self.attendance.find({"meeting_id": meeting_id})]
        if not ids:
            return []
        found = self.members.find({"_id": {"$in": ids}})
        return [m for m in map(self.to_member, found) if m is not None]

    def put_sheet(self, meeting_id: str, rows: list[SheetRow]) -> None:
        keys = [f"{meeting_id}:{r.member_id}" for r in rows]
        self.sheets.delete_many({"meeting_id": meeting_id, "_id": {"$nin": keys}})
        if not rows:
            return
        self.sheets.bulk_write(
            [
                UpdateOne(
                    {"_id": key},
                    {
                        "$set": {
                            "meeting_id": meeting_id,
                            "member_id": r.member_id,
                            "member_org_path": r.member_org_path,
                            "member_ancestors": ancestors(r.member_org_path),
                            "outcome": r.outcome,
                        }
                    },
                    upsert=True,
                )
                for key, r in zip(keys, rows, strict=True)
            ],
            ordered=False,
        )

    def sheet(
        self, meeting_id: str, cursor: str | None, limit: int
    ) -> tuple[list[SheetRow], str | None]:
        """Index (meeting_id, member_id, _id)."""
        after = paging.decode(cursor, ("member_id", "_id"))
        rows, position = page(self.sheets, {"meeting_id": meeting_id}, BY_MEMBER, after, limit)
        found = [
            SheetRow(r["meeting_id"], r["member_id"], r["member_org_path"], r["outcome"])
            for r in rows
        ]
        return found, paging.encode(position)

    def close(self, closing: Closing, events: list[Event]) -> bool:
        fields = {
            "closed_at": stamp(closing.closed_at),
            "closing": {
                "month": closing.month,
                "closed_by": closing.closed_by,
                "expected": closing.expected,
                "present": closing.present,
                "excused": closing.excused,
                "absent": closing.absent,
                "absent_ids": list(closing.absent_ids),
            },
            RATES_UNCOUNTED: True,
        }
        result = self.meetings.update_one(
            {"_id": closing.meeting_id, "closed_at": None}, set_with_events(fields, events)
        )
        return bool(result.modified_count == 1)

    def closing(self, meeting_id: str) -> Closing | None:
        doc = self.meetings.find_one({"_id": meeting_id})
        return _closing(doc) if doc and doc.get("closed_at") and doc.get("closing") else None

    def claim_rates(self, meeting_id: str) -> bool:
        result = self.meetings.update_one(
            {"_id": meeting_id, RATES_UNCOUNTED: True}, {"$unset": {RATES_UNCOUNTED: ""}}
        )
        return bool(result.modified_count == 1)

    def add_rates(self, closing: Closing) -> None:
        raise_by = {
            "meetings": 1,
            "expected": closing.expected,
            "excused": closing.excused,
            "present": closing.present,
        }
        self.rates_c.bulk_write(
            [
                UpdateOne(
                    {"_id": f"{org_id}|{closing.month}"},
                    {"$inc": raise_by, "$setOnInsert": {"org_id": org_id, "month": closing.month}},
                    upsert=True,
                )
                for org_id in org_ids_on(closing.org_path)
            ],
            ordered=False,
        )

    def rates(self, org_ids: list[str], months: list[str]) -> dict[tuple[str, str], MonthRates]:
        """Point reads by id."""
        keys = [f"{o}|{m}" for o in org_ids for m in months]
        return {
            (d["org_id"], d["month"]): MonthRates(
                d["org_id"],
                d["month"],
                int(d.get("meetings", 0)),
                int(d.get("expected", 0)),
                int(d.get("excused", 0)),
                int(d.get("present", 0)),
            )
            for d in self.rates_c.find({"_id": {"$in": keys}})
        }

    # -- minutes -------------------------------------------------------------------------

    def minutes(self, meeting_id: str) -> Minutes | None:
        doc = self.minutes_c.find_one({"_id": meeting_id})
        if doc is None:
            return None
        photos = tuple(
            Photo(p["photo_id"], meeting_id, p["content_type"], int(p["size"]))
            for p in doc.get("photos", [])
        )
        return Minutes(
            meeting_id,
            doc["topic"],
            doc["content"],
            photos,
            doc["updated_by"],
            datetime.fromisoformat(doc["updated_at"]),
        )

    def put_minutes(self, minutes: Minutes, photos: dict[str, str]) -> None:
        for photo_id, sealed in photos.items():  # the contents first: the minutes name them
            self.photos.replace_one(
                {"_id": photo_id}, {"_id": photo_id, "sealed": sealed}, upsert=True
            )
        doc = {
            "_id": minutes.meeting_id,
            "topic": minutes.topic,
            "content": minutes.content,
            "photos": [
                {"photo_id": p.photo_id, "content_type": p.content_type, "size": p.size}
                for p in minutes.photos
            ],
            "updated_by": minutes.updated_by,
            "updated_at": isoformat(minutes.updated_at),
        }
        self.minutes_c.replace_one({"_id": minutes.meeting_id}, doc, upsert=True)

    def photo(self, photo_id: str) -> str | None:
        doc = self.photos.find_one({"_id": photo_id})
        return str(doc["sealed"]) if doc else None


class OrgLifeStore:
    INDEXES: ClassVar[dict[str, list[Any]]] = {
        "leave_requests": [
            ([("meeting_id", 1), ("requested_at", 1), ("_id", 1)], {}),
            ([("pending_under", 1), ("requested_at", 1), ("_id", 1)], {"sparse": True}),
        ],
        "attendance_sheets": [
            ([("meeting_id", 1), ("member_id", 1), ("_id", 1)], {}),
            ([("member_org_path", 1)], {}),  # tree/: a move rewrites the rows of its members
        ],
    }

    def __init__(self, db: Any) -> None:
        self.db = db
        self.orglife = OrgLifeRecords(db)
