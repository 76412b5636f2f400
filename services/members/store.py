"""The members repositories over their own collections, and the unit of work that groups them.
Documents map to the domain objects here; pymongo errors stop here."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict
from datetime import date, datetime
from typing import Any, ClassVar

from cachetools import TTLCache

from services.infra import paging
from services.infra.events import isoformat, stamp
from services.infra.outbox import public, with_events
from services.infra.repository import insert, insert_once, page
from services.members.accounts.store import AccountsStore
from services.members.domain import (
    Attendance,
    Event,
    Kiosk,
    Meeting,
    Member,
    Org,
    SignInWindow,
)
from services.members.phone_sign_in.store import PhoneSignInStore

OUTBOX_COLLECTIONS = ("members", "attendance")

# Kiosks and meetings are read on every card swipe and change rarely: a found one is reused for a
# few seconds, so a kiosk's revocation or a meeting's change takes effect on the sign-in path
# within RECENT_SECONDS. The cache belongs to the repository, which lives as long as its database.
RECENT_SECONDS = 5
PHONE_SHARERS = 10  # members read for one phone number (a number signs in one member only)


class _Recent:
    def __init__(self, load: Callable[[str], Any]) -> None:
        self.load = load
        self.found: TTLCache[str, Any] = TTLCache(maxsize=4096, ttl=RECENT_SECONDS)

    def get(self, key: str) -> Any:
        found = self.found.get(key)
        if found is None:
            found = self.load(key)
            if found is not None:
                self.found[key] = found
        return found


class Orgs:
    def __init__(self, db: Any) -> None:
        self.c = db.orgs

    def get(self, org_id: str) -> Org | None:
        doc = self.c.find_one({"_id": org_id})
        return _org(doc) if doc else None

    def add(self, org: Org) -> tuple[Org, bool]:
        doc = {"_id": org.org_id, **asdict(org), "tags": list(org.tags)}
        stored, created = insert_once(self.c, doc)
        return _org(stored), created


def _org(doc: dict[str, Any]) -> Org:
    return Org(
        doc["_id"], doc.get("parent_id"), doc["name"], doc["kind"], tuple(doc["tags"]), doc["path"]
    )


class Members:
    def __init__(self, db: Any) -> None:
        self.c = db.members

    def get(self, member_id: str) -> Member | None:
        return _member(self.c.find_one({"_id": member_id}))

    def by_card(self, card_uid: str) -> Member | None:
        return _member(self.c.find_one({"card_uid": card_uid}))

    def by_id_hash(self, id_hash: str) -> Member | None:
        return _member(self.c.find_one({"id_hash": id_hash}))

    def with_phone_hash(self, phone_hash: str) -> list[Member]:
        found = self.c.find({"phone_hash": phone_hash}).limit(PHONE_SHARERS)
        return [m for m in map(_member, found) if m is not None]

    def add(self, member: Member, events: list[Event]) -> None:
        doc = asdict(member)
        doc.update(
            _id=member.member_id,
            birth_date=member.birth_date.isoformat(),
            join_date=member.join_date.isoformat(),
            skills=list(member.skills),
        )
        del doc["member_id"]
        if doc["card_uid"] is None:
            del doc["card_uid"]  # the sparse unique index skips members without a card
        insert(self.c, with_events(doc, events))


def _member(doc: dict[str, Any] | None) -> Member | None:
    if doc is None:
        return None
    doc = public(doc) or {}
    return Member(
        member_id=doc["_id"],
        org_id=doc["org_id"],
        org_path=doc["org_path"],
        name=doc["name"],
        gender=doc["gender"],
        birth_date=date.fromisoformat(doc["birth_date"]),
        status=doc["status"],
        join_date=date.fromisoformat(doc["join_date"]),
        card_uid=doc.get("card_uid"),
        skills=tuple(doc.get("skills", ())),
        id_hash=doc["id_hash"],
        id_number_enc=doc["id_number_enc"],
        id_number_masked=doc["id_number_masked"],
        phone_hash=doc["phone_hash"],
        phone_enc=doc["phone_enc"],
        phone_masked=doc["phone_masked"],
    )


class Meetings:
    def __init__(self, db: Any) -> None:
        self.c = db.meetings
        self.recent = _Recent(self.get)

    def get(self, meeting_id: str) -> Meeting | None:
        doc = self.c.find_one({"_id": meeting_id})
        return _meeting(doc) if doc else None

    def get_recent(self, meeting_id: str) -> Meeting | None:
        return self.recent.get(meeting_id)  # type: ignore[no-any-return]

    def add(self, meeting: Meeting) -> tuple[Meeting, bool]:
        doc = {
            "_id": meeting.meeting_id,
            "org_id": meeting.org_id,
            "org_path": meeting.org_path,
            "kind": meeting.kind,
            "title": meeting.title,
            "starts_at": isoformat(meeting.starts_at),
            "opens_at": isoformat(meeting.opens_at),
            "closes_at": isoformat(meeting.closes_at),
            "invited_org_paths": list(meeting.invited_org_paths),
            "guest_member_ids": list(meeting.guest_member_ids),
            "open_to_all": meeting.open_to_all,
        }
        stored, created = insert_once(self.c, doc)
        return _meeting(stored), created


def _meeting(doc: dict[str, Any]) -> Meeting:
    starts_at = datetime.fromisoformat(doc["starts_at"])
    opens_at = datetime.fromisoformat(doc["opens_at"])
    closes_at = datetime.fromisoformat(doc["closes_at"])
    window = SignInWindow(
        starts_at,
        int((starts_at - opens_at).total_seconds() // 60),
        int((closes_at - starts_at).total_seconds() // 60),
    )
    return Meeting(
        meeting_id=doc["_id"],
        org_id=doc["org_id"],
        org_path=doc["org_path"],
        kind=doc["kind"],
        title=doc["title"],
        window=window,
        invited_org_paths=tuple(doc.get("invited_org_paths", ())),
        guest_member_ids=tuple(doc.get("guest_member_ids", ())),
        open_to_all=bool(doc.get("open_to_all", False)),
    )


class Attendances:
    def __init__(self, db: Any) -> None:
        self.c = db.attendance

    def get(self, attendance_id: str) -> Attendance | None:
        return _attendance(self.c.find_one({"_id": attendance_id}))

    def add(self, attendance: Attendance, events: list[Event]) -> tuple[Attendance, bool]:
        doc: dict[str, Any] = {
            "_id": attendance.attendance_id,
            "meeting_id": attendance.meeting_id,
            "member_id": attendance.member_id,
            "checked_in_at": isoformat(attendance.checked_in_at),
            "device_id": attendance.device_id,
            "event_id": attendance.check_in_id,
        }
        if attendance.recorded_offline:
            doc["recorded_offline"] = True
        stored, created = insert_once(self.c, with_events(doc, events))
        return _attendance(stored) or attendance, created


def _attendance(doc: dict[str, Any] | None) -> Attendance | None:
    if doc is None:
        return None
    return Attendance(
        attendance_id=doc["_id"],
        meeting_id=doc["meeting_id"],
        member_id=doc["member_id"],
        checked_in_at=datetime.fromisoformat(doc["checked_in_at"]),
        device_id=doc.get("device_id") or "",
        check_in_id=doc["event_id"],
        recorded_offline=bool(doc.get("recorded_offline", False)),
    )


class Kiosks:
    def __init__(self, db: Any) -> None:
        self.c = db.kiosks
        self.recent = _Recent(self.get)

    def get(self, device_id: str) -> Kiosk | None:
        doc = self.c.find_one({"_id": device_id})
        return _kiosk(doc) if doc else None

    def get_recent(self, device_id: str) -> Kiosk | None:
        return self.recent.get(device_id)  # type: ignore[no-any-return]

    def add(self, kiosk: Kiosk) -> tuple[Kiosk, bool]:
        doc = {"_id": kiosk.device_id, **asdict(kiosk)}
        del doc["device_id"]
        doc["revoked_at"] = stamp(kiosk.revoked_at) if kiosk.revoked_at else None
        stored, created = insert_once(self.c, doc)
        return _kiosk(stored), created

    def save(self, kiosk: Kiosk) -> None:
        revoked_at = stamp(kiosk.revoked_at) if kiosk.revoked_at else None
        self.c.update_one({"_id": kiosk.device_id}, {"$set": {"revoked_at": revoked_at}})
        self.recent.found.pop(kiosk.device_id, None)

    def under(self, scope: str, cursor: str | None, limit: int) -> tuple[list[Kiosk], str | None]:
        """The kiosks of a subtree, by device id (few per organization: a prefix match)."""
        after = paging.decode(cursor, ("_id",))
        root = scope.rstrip("/")
        query = {"org_path": {"$regex": f"^{re.escape(root)}(/|$)"}} if root else {}
        rows, position = page(self.c, query, [("_id", 1)], after, limit)
        return [_kiosk(row) for row in rows], paging.encode(position)


def _kiosk(doc: dict[str, Any]) -> Kiosk:
    revoked_at = doc.get("revoked_at")
    return Kiosk(
        doc["_id"],
        doc["org_id"],
        doc["org_path"],
        doc["place"],
        datetime.fromisoformat(revoked_at) if revoked_at else None,
    )


class Audit:
    def __init__(self, db: Any) -> None:
        self.c = db.audit

    def record(self, entry: dict[str, Any]) -> None:
        self.c.insert_one({**entry, "at": isoformat(entry["at"])})


class MembersStore(AccountsStore, PhoneSignInStore):
    """The unit of work: the repositories of one service call, over one database (staff
    accounts, sessions and pairing codes: services/members/accounts/store.py; members' phone
    sign-in codes: services/members/phone_sign_in/store.py)."""

    INDEXES: ClassVar[dict[str, list[Any]]] = {
        **AccountsStore.INDEXES,
        **PhoneSignInStore.INDEXES,
        "orgs": [([("path", 1)], {"unique": True}), ([("parent_id", 1)], {})],
        "members": [
            ([("id_hash", 1)], {"unique": True}),
            ([("card_uid", 1)], {"unique": True, "sparse": True}),
            ([("org_path", 1)], {}),
            ([("phone_hash", 1)], {}),
        ],
        "meetings": [([("org_path", 1), ("starts_at", -1)], {})],
        "attendance": [([("meeting_id", 1)], {}), ([("member_id", 1)], {})],
        "audit": [([("member_id", 1), ("at", -1)], {})],
    }

    def __init__(self, db: Any) -> None:
        AccountsStore.__init__(self, db)
        PhoneSignInStore.__init__(self, db)
        self.db = db
        self.orgs = Orgs(db)
        self.members = Members(db)
        self.meetings = Meetings(db)
        self.attendance = Attendances(db)
        self.kiosks = Kiosks(db)
        self.audit = Audit(db)

    def ping(self) -> bool:
        self.db.orgs.find_one({"_id": "__ping__"})
        return True
