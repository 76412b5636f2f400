"""The members repositories over their own collections, and the unit of work that groups them.
Documents map to the domain objects here; pymongo errors stop here."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from cachetools import TTLCache
from pymongo import UpdateOne
from pymongo.errors import DuplicateKeyError

from services.infra import paging
from services.infra.errors import AlreadyStored, Stale
from services.infra.events import isoformat, stamp
from services.infra.outbox import public, set_with_events, with_events
from services.infra.repository import insert, insert_once, page
from services.infra.scope import ancestors
from services.members import recount
from services.members.accounts.store import AccountsStore
from services.members.activity import MemberActivity
from services.members.activity import backfill as activity_backfill
from services.members.domain import (
    IN_REGISTER,
    Attendance,
    Event,
    Grid,
    Kiosk,
    Meeting,
    Member,
    MobileStay,
    Org,
    OrgCounts,
    SignInWindow,
    org_ids_on,
    probation_end,
)
from services.members.dues.store import DuesStore
from services.members.lifecycle.store import LifecycleStore
from services.members.mobile.store import MobileStore
from services.members.orglife.store import OrgLifeStore
from services.members.phone_sign_in.store import PhoneSignInStore
from services.members.plans.store import PlansStore
from services.members.roster.store import RosterStore
from services.members.transfers.store import TransfersStore
from services.members.tree.store import TreeStore

# orglife/: meeting_closed on "meetings"; dues/: "dues_ledger"; transfers/: "transfers";
# mobile/: "lapse_warnings"
OUTBOX_COLLECTIONS = (
    "members",
    "attendance",
    "orgs",
    "cards",
    "meetings",
    "dues_ledger",
    "transfers",
    "lapse_warnings",
)

# Kiosks and meetings are read on every card swipe and change rarely: a found one is reused for a
# few seconds, so a kiosk's revocation or a meeting's change takes effect on the sign-in path
# within RECENT_SECONDS. The cache belongs to the repository, which lives as long as its database.
RECENT_SECONDS = 5
PHONE_SHARERS = 10  # members read for one phone number (a number signs in one member only)

# A created organization, member, meeting or attendance carries UNCOUNTED until the counters
# it adds to (services/members/recount.py) have been raised: whoever clears the mark (one
# conditional update) raises them, so a retried create counts once and a create whose counting
# was cut short is counted by its retry. Sign-ins are counted in batches, off the card-swipe
# path (handlers.count_sign_ins, every few seconds).
UNCOUNTED = "uncounted"
BY_ID = [("_id", 1)]
BY_NAME = [("name", 1), ("_id", 1)]
NEWEST_FIRST = [("checked_in_at", -1), ("_id", -1)]
SIGN_IN_ORDER = [("recorded_at", 1), ("_id", 1)]
NAME_KEY_CHARS = 10  # name_keys: the name's first 1..10 characters
BY_OPENING = [("opens_at", 1), ("_id", 1)]


def _claim(collection: Any, key: str) -> bool:
    """Clear the UNCOUNTED mark of one document: True for the one call that cleared it."""
    result = collection.update_one({"_id": key, UNCOUNTED: True}, {"$unset": {UNCOUNTED: ""}})
    return bool(result.modified_count == 1)


def name_keys(name: str) -> list[str]:
    """The prefixes a member is found by (up to NAME_KEY_CHARS characters): an equality the
    embedded engine's hash index narrows a subtree's search with."""
    return [name[:n] for n in range(1, min(len(name), NAME_KEY_CHARS) + 1)]


def utc_days(since: datetime, until: datetime) -> list[str]:
    """The UTC dates from ``since``'s to ``until``'s, both included ('2026-11-23')."""
    first, last = since.astimezone(UTC).date(), until.astimezone(UTC).date()
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def window_keys(org_path: str, opens_at: datetime, closes_at: datetime) -> list[str]:
    """'<UTC date>|<org path>' for each day a meeting's sign-in window touches and each
    organization from the root down to the meeting's: a kiosk's meetings of a day are found by
    equality (the embedded engine's hash indexes narrow by equality only)."""
    return [
        f"{day}|{path}" for day in utc_days(opens_at, closes_at) for path in ancestors(org_path)
    ]


def _prefix(text: str) -> dict[str, str]:
    return {"$regex": "^" + re.escape(text)}


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

    def by_path(self, path: str) -> Org | None:
        doc = self.c.find_one({"path": path})
        return _org(doc) if doc else None

    def add(self, org: Org) -> tuple[Org, bool]:
        doc = {**_org_doc(org), UNCOUNTED: True}
        stored, created = insert_once(self.c, doc)
        return _org(stored), created

    def save(self, org: Org, events: list[Event]) -> Org:
        """Write the organization's fields (not its counters) with the events they raise, if
        it is still at the version it was read at (else ``Stale``); the saved one is returned."""
        fields = _org_doc(org)
        for kept in ("_id", "counts"):
            del fields[kept]
        fields["version"] = org.version + 1
        update = set_with_events(fields, events)
        result = self.c.update_one({"_id": org.org_id, "version": _version_match(org)}, update)
        if result.matched_count != 1:
            raise Stale(org.org_id)
        return replace(org, version=org.version + 1)

    def children(
        self, parent_id: str, cursor: str | None, limit: int
    ) -> tuple[list[Org], str | None]:
        """The direct sub-organizations, by id (index parent_id, _id)."""
        return self._page({"parent_id": parent_id}, cursor, limit)

    def roots(self, cursor: str | None, limit: int) -> tuple[list[Org], str | None]:
        """The organizations without a parent, by id (index depth, _id)."""
        return self._page({"depth": 1}, cursor, limit)

    def _page(
        self, query: dict[str, Any], cursor: str | None, limit: int
    ) -> tuple[list[Org], str | None]:
        after = paging.decode(cursor, ("_id",))
        rows, position = page(self.c, query, BY_ID, after, limit)
        return [_org(row) for row in rows], paging.encode(position)

    def members_under(self, paths: list[str]) -> dict[str, int]:
        """Members in the subtree of each organization path (its counter), by path."""
        ids = [org_ids_on(path)[-1] for path in paths]
        found = self.c.find({"_id": {"$in": ids}}, {"path": 1, "counts": 1})
        return {doc["path"]: _counts(doc).members for doc in found}

    def claim_count(self, org_id: str) -> bool:
        return _claim(self.c, org_id)

    def count_org(self, org: Org) -> None:
        """One more organization under each of ``org``'s ancestors, one more child of its
        parent."""
        above = org_ids_on(org.path)[:-1]
        if above:
            self.c.update_many({"_id": {"$in": above}}, {"$inc": {"counts.orgs_below": 1}})
            self.c.update_one({"_id": above[-1]}, {"$inc": {"counts.children": 1}})

    def count_members(self, org_path: str, by_status: Mapping[str, int]) -> None:
        """Members of each status more (or fewer) in the organization at ``org_path`` and in
        each one above it; ``members``/``own_members`` follow those in the register."""
        ids = org_ids_on(org_path)
        in_register = sum(n for status, n in by_status.items() if status in IN_REGISTER)
        subtree = {f"counts.by_status.{status}": n for status, n in by_status.items() if n}
        if in_register:
            subtree["counts.members"] = in_register
        if subtree:
            self.c.update_many({"_id": {"$in": ids}}, {"$inc": subtree})
        if in_register:
            self.c.update_one({"_id": ids[-1]}, {"$inc": {"counts.own_members": in_register}})


def _version_match(found: Org | Member) -> Any:
    """Documents stored before versions have none: version 0 matches those."""
    return found.version if found.version else {"$in": [0, None]}


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _from_day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _org_doc(org: Org) -> dict[str, Any]:
    return {
        "_id": org.org_id,
        "parent_id": org.parent_id,
        "name": org.name,
        "kind": org.kind,
        "tags": list(org.tags),
        "path": org.path,
        "ancestors": ancestors(org.path),  # its subtree's members are found by this (a move)
        "depth": org.depth,
        "counts": {**asdict(org.counts), "by_status": dict(org.counts.by_status)},
        "ends_on": _day(org.ends_on),
        "dissolved_on": _day(org.dissolved_on),
        "merged_into": org.merged_into,
        "grid": {**asdict(org.grid), "worker_ids": list(org.grid.worker_ids)} if org.grid else None,
        "version": org.version,
    }


def _counts(doc: dict[str, Any]) -> OrgCounts:
    counts = doc.get("counts") or {}
    by_status = {k: int(n) for k, n in (counts.get("by_status") or {}).items() if n}
    plain = ("children", "orgs_below", "own_members", "members")
    return OrgCounts(**{k: int(counts.get(k, 0)) for k in plain}, by_status=by_status)


def _org(doc: dict[str, Any]) -> Org:
    grid = doc.get("grid")
    return Org(
        doc["_id"],
        doc.get("parent_id"),
        doc["name"],
        doc["kind"],
        tuple(doc["tags"]),
        doc["path"],
        _counts(doc),
        ends_on=_from_day(doc.get("ends_on")),
        dissolved_on=_from_day(doc.get("dissolved_on")),
        merged_into=doc.get("merged_into"),
        grid=Grid(
            grid.get("leader_id"), tuple(grid.get("worker_ids", ())), int(grid.get("households", 0))
        )
        if grid
        else None,
        version=int(doc.get("version") or 0),
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
        doc = {**_member_doc(member), UNCOUNTED: True}
        if doc["card_uid"] is None:
            del doc["card_uid"]  # the sparse unique index skips members without a card
        insert(self.c, with_events(doc, events))

    def save(
        self, member: Member, events: list[Event], also: Mapping[str, Any] | None = None
    ) -> Member:
        """Write the member's fields with the events they raise, if the member is still at the
        version it was read at (else ``Stale``); the saved one is returned. A card taken by
        another member raises ``AlreadyStored``. ``also``: more fields of the document to set in
        the same write (lifecycle/: the status change still to be settled)."""
        fields = _member_doc(member)
        del fields["_id"]
        fields["version"] = member.version + 1
        fields.update(also or {})
        if member.card_uid is None:
            del fields["card_uid"]
        update = set_with_events(fields, events)
        if member.card_uid is None:  # the sparse unique index skips members without a card
            update["$unset"] = {"card_uid": ""}
        try:
            result = self.c.update_one(
                {"_id": member.member_id, "version": _version_match(member)}, update
            )
        except DuplicateKeyError:
            raise AlreadyStored(member.member_id) from None
        if result.matched_count != 1:
            raise Stale(member.member_id)
        return replace(member, version=member.version + 1)

    def claim_count(self, member_id: str) -> bool:
        return _claim(self.c, member_id)

    def many(self, member_ids: list[str]) -> dict[str, Member]:
        found = map(_member, self.c.find({"_id": {"$in": list(dict.fromkeys(member_ids))}}))
        return {m.member_id: m for m in found if m is not None}

    def listed(
        self,
        org: Org,
        subtree: bool,
        name_prefix: str | None,
        cursor: str | None,
        limit: int,
        statuses: tuple[str, ...] | None = None,
    ) -> tuple[list[Member], str | None]:
        """An organization's own members, or (``subtree``) its subtree's, by name then id; with
        ``name_prefix``, those whose name starts with it. Served by the indexes (org_id, name,
        _id) and (ancestors, name, _id); the cursor names the last member only by id (a name in
        a cursor would show what the masked items hide)."""
        query: dict[str, Any] = {"ancestors": org.path} if subtree else {"org_id": org.org_id}
        if name_prefix:
            query["name"] = _prefix(name_prefix)
            if subtree:
                query["name_keys"] = name_prefix[:NAME_KEY_CHARS]
        if statuses is not None:  # among an organization's own or a name's few: no index
            query["status"] = {"$in": list(statuses)}
        last = paging.decode(cursor, ("_id",))
        after = None
        if last is not None:
            found = self.c.find_one({"_id": last["_id"]}, {"name": 1})
            after = {"name": found["name"] if found else "", "_id": last["_id"]}
        rows, position = page(self.c, query, BY_NAME, after, limit)
        members = [m for m in map(_member, rows) if m is not None]
        return members, paging.encode({"_id": position["_id"]} if position else None)


def _member_doc(member: Member) -> dict[str, Any]:
    doc = asdict(member)
    doc.update(
        _id=member.member_id,
        birth_date=member.birth_date.isoformat(),
        join_date=member.join_date.isoformat(),
        status_since=_day(member.status_since),
        skills=list(member.skills),
        duties=list(member.duties),
        ancestors=ancestors(member.org_path),
        name_keys=name_keys(member.name),
        **probation_fields(member),
        **mobile_fields(member),
    )
    del doc["member_id"]
    return doc


def mobile_fields(member: Member) -> dict[str, Any]:
    """A mobile member's stay, and the host organization's ancestors: the meetings of a host's
    subtree find the mobile members they expect by ``mobile_host_ancestors``."""
    stay = member.mobile
    if stay is None:
        return {"mobile": None, "mobile_host_ancestors": None}
    return {
        "mobile": {
            "place": stay.place,
            "since": stay.since.isoformat(),
            "until": stay.until.isoformat(),
            "host_org_id": stay.host_org_id,
            "host_org_path": stay.host_org_path,
            "region": stay.region,
        },
        "mobile_host_ancestors": ancestors(stay.host_org_path) if stay.host_org_path else None,
    }


def _mobile(doc: dict[str, Any] | None) -> MobileStay | None:
    if not doc:
        return None
    return MobileStay(
        place=doc["place"],
        since=date.fromisoformat(doc["since"]),
        until=date.fromisoformat(doc["until"]),
        host_org_id=doc.get("host_org_id"),
        host_org_path=doc.get("host_org_path"),
        region=doc.get("region"),
    )


def probation_fields(member: Member) -> dict[str, Any]:
    """When a probationary member's probation ends (a year from joining unless extended; kept
    after it, as history): the probation lists find members by it (lifecycle/store.py)."""
    ends = member.probation_ends
    if member.status == "probationary" and ends is None:
        ends = probation_end(member.join_date)
    return {"probation_ends": _day(ends)}


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
        status_since=_from_day(doc.get("status_since")),
        ethnicity=doc.get("ethnicity") or "",
        education=doc.get("education") or "",
        work_unit=doc.get("work_unit") or "",
        duties=tuple(doc.get("duties") or ()),
        grid_id=doc.get("grid_id"),
        address_enc=doc.get("address_enc") or "",
        address_masked=doc.get("address_masked") or "",
        home_org_id=doc.get("home_org_id"),
        home_org_path=doc.get("home_org_path"),
        version=int(doc.get("version") or 0),
        probation_ends=_from_day(doc.get("probation_ends")),
        mobile=_mobile(doc.get("mobile")),
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
            "starts_at": stamp(meeting.starts_at),
            "opens_at": stamp(meeting.opens_at),
            "closes_at": stamp(meeting.closes_at),
            "invited_org_paths": list(meeting.invited_org_paths),
            "guest_member_ids": list(meeting.guest_member_ids),
            "open_to_all": meeting.open_to_all,
            "window_keys": window_keys(meeting.org_path, meeting.opens_at, meeting.closes_at),
            "signed_in": 0,
            UNCOUNTED: True,
        }
        stored, created = insert_once(self.c, doc)
        return _meeting(stored), created

    def many(self, meeting_ids: list[str]) -> dict[str, Meeting]:
        found = self.c.find({"_id": {"$in": list(dict.fromkeys(meeting_ids))}})
        return {doc["_id"]: _meeting(doc) for doc in found}

    def of_org(
        self,
        org_path: str,
        since: datetime | None,
        until: datetime | None,
        newest_first: bool,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[Meeting], str | None]:
        """An organization's meetings starting in [since, until), by start time (index
        org_path, starts_at, _id)."""
        query: dict[str, Any] = {"org_path": org_path}
        bounds = {}
        if since is not None:
            bounds["$gte"] = stamp(since)
        if until is not None:
            bounds["$lt"] = stamp(until)
        if bounds:
            query["starts_at"] = bounds
        direction = -1 if newest_first else 1
        sort = [("starts_at", direction), ("_id", direction)]
        after = paging.decode(cursor, ("starts_at", "_id"))
        rows, position = page(self.c, query, sort, after, limit)
        return [_meeting(row) for row in rows], paging.encode(position)

    def open_for_sign_in(
        self, org_path: str, since: datetime, until: datetime, limit: int
    ) -> list[Meeting]:
        """Meetings under ``org_path`` whose sign-in window is open at some moment in [since,
        until), by window opening (index window_keys, opens_at, _id)."""
        query = {
            "window_keys": {"$in": [f"{day}|{org_path}" for day in utc_days(since, until)]},
            "opens_at": {"$lt": stamp(until)},
            "closes_at": {"$gte": stamp(since)},
        }
        return [_meeting(row) for row in self.c.find(query).sort(BY_OPENING).limit(limit)]

    def claim_count(self, meeting_id: str) -> bool:
        return _claim(self.c, meeting_id)

    def count_sign_ins(self, meeting_id: str, n: int) -> None:
        self.c.update_one({"_id": meeting_id}, {"$inc": {"signed_in": n}})


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
        signed_in=int(doc.get("signed_in", 0)),
        closed_at=datetime.fromisoformat(doc["closed_at"]) if doc.get("closed_at") else None,
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
            "checked_in_at": stamp(attendance.checked_in_at),
            "recorded_at": stamp(attendance.recorded_at or attendance.checked_in_at),
            "device_id": attendance.device_id,
            "event_id": attendance.check_in_id,
            UNCOUNTED: True,
        }
        if attendance.recorded_offline:
            doc["recorded_offline"] = True
        stored, created = insert_once(self.c, with_events(doc, events))
        return _attendance(stored) or attendance, created

    def claim_uncounted(self, limit: int) -> list[Attendance]:
        """Sign-ins still marked uncounted (index uncounted), claimed with a token of this call
        (another process claiming at the same time gets the others), then unmarked."""
        ids = [d["_id"] for d in self.c.find({UNCOUNTED: True}, {"_id": 1}).limit(limit)]
        if not ids:
            return []
        token = uuid.uuid4().hex
        self.c.update_many({"_id": {"$in": ids}, UNCOUNTED: True}, {"$set": {UNCOUNTED: token}})
        mine = list(self.c.find({"_id": {"$in": ids}, UNCOUNTED: token}))
        self.c.update_many({"_id": {"$in": [d["_id"] for d in mine]}}, {"$unset": {UNCOUNTED: ""}})
        return [a for a in map(_attendance, mine) if a is not None]

    def of_member(
        self, member_id: str, cursor: str | None, limit: int
    ) -> tuple[list[Attendance], str | None]:
        """A member's sign-ins, newest first (index member_id, checked_in_at, _id)."""
        after = paging.decode(cursor, ("checked_in_at", "_id"))
        rows, position = page(self.c, {"member_id": member_id}, NEWEST_FIRST, after, limit)
        return [a for a in map(_attendance, rows) if a is not None], paging.encode(position)

    def of_meeting(
        self, meeting_id: str, cursor: str | None, limit: int, settled_before: datetime
    ) -> tuple[list[Attendance], str | None, bool]:
        """A meeting's sign-ins in the order they were recorded (index meeting_id,
        recorded_at, _id), after the cursor; whether more are waiting. The next cursor does not
        pass rows recorded at or after ``settled_before`` (unless the page is full): a sign-in
        recorded a moment earlier by another process may still arrive behind them, so they
        come again in the next poll."""
        last = paging.decode(cursor, ("recorded_at", "_id"))
        rows, position = page(self.c, {"meeting_id": meeting_id}, SIGN_IN_ORDER, last, limit)
        more = position is not None
        if not more:
            settled = [r for r in rows if r["recorded_at"] < stamp(settled_before)]
            position = {k: settled[-1][k] for k in ("recorded_at", "_id")} if settled else last
        found = [a for a in map(_attendance, rows) if a is not None]
        return found, paging.encode(position), more


def _attendance(doc: dict[str, Any] | None) -> Attendance | None:
    if doc is None:
        return None
    recorded_at = doc.get("recorded_at")
    return Attendance(
        attendance_id=doc["_id"],
        meeting_id=doc["meeting_id"],
        member_id=doc["member_id"],
        checked_in_at=datetime.fromisoformat(doc["checked_in_at"]),
        device_id=doc.get("device_id") or "",
        check_in_id=doc["event_id"],
        recorded_offline=bool(doc.get("recorded_offline", False)),
        recorded_at=datetime.fromisoformat(recorded_at) if recorded_at else None,
    )


class Tallies:
    """Per organization and month: meetings starting that month in its subtree and sign-ins at
    them (``{_id: "<org_id>|<YYYY-MM>", org_id, month, meetings, attendance}``)."""

    def __init__(self, db: Any) -> None:
        self.c = db.tallies

    def add(self, org_path: str, month: str, *, meetings: int = 0, attendance: int = 0) -> None:
        raise_by = {"meetings": meetings, "attendance": attendance}
        self.c.bulk_write(
            [
                UpdateOne(
                    {"_id": f"{org_id}|{month}"},
                    {"$inc": raise_by, "$setOnInsert": {"org_id": org_id, "month": month}},
                    upsert=True,
                )
                for org_id in org_ids_on(org_path)
            ],
            ordered=False,
        )

    def of(self, org_ids: list[str], month: str) -> dict[str, tuple[int, int]]:
        """(meetings, attendance) of each organization in a month (point reads by id)."""
        keys = [f"{org_id}|{month}" for org_id in org_ids]
        found = self.c.find({"_id": {"$in": keys}})
        return {
            d["org_id"]: (int(d.get("meetings", 0)), int(d.get("attendance", 0))) for d in found
        }


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


class MembersStore(
    AccountsStore,
    PhoneSignInStore,
    TreeStore,
    LifecycleStore,
    RosterStore,
    OrgLifeStore,
    PlansStore,
    DuesStore,
    TransfersStore,
    MobileStore,
):
    """The unit of work: the repositories of one service call, over one database (staff
    accounts, sessions and pairing codes: services/members/accounts/store.py; members' phone
    sign-in codes: services/members/phone_sign_in/store.py)."""

    INDEXES: ClassVar[dict[str, list[Any]]] = {
        **AccountsStore.INDEXES,
        **PhoneSignInStore.INDEXES,
        **TreeStore.INDEXES,
        **LifecycleStore.INDEXES,
        **RosterStore.INDEXES,
        **OrgLifeStore.INDEXES,
        **PlansStore.INDEXES,
        **DuesStore.INDEXES,
        **TransfersStore.INDEXES,
        **MobileStore.INDEXES,
        **MemberActivity.INDEXES,
        "orgs": [
            ([("path", 1)], {"unique": True}),
            ([("parent_id", 1), ("_id", 1)], {}),
            ([("depth", 1), ("_id", 1)], {}),
            ([("ancestors", 1), ("_id", 1)], {}),  # a subtree (tree/: a move)
        ],
        "members": [
            ([("id_hash", 1)], {"unique": True}),
            ([("card_uid", 1)], {"unique": True, "sparse": True}),
            ([("org_path", 1)], {}),
            ([("phone_hash", 1)], {}),
            ([("org_id", 1), ("name", 1), ("_id", 1)], {}),
            ([("ancestors", 1), ("name", 1), ("_id", 1)], {}),
            ([("name_keys", 1)], {}),
            # lifecycle/: probations ending in a subtree, and (by day) the daily reminders
            ([("ancestors", 1), ("status", 1), ("probation_ends", 1), ("_id", 1)], {}),
            ([("probation_ends", 1)], {"sparse": True}),
            ([("home_org_path", 1)], {"sparse": True}),  # tree/: returns, moves
            ([("mobile_host_ancestors", 1)], {"sparse": True}),  # mobile/: hosts' meetings
            ([("ancestors", 1), ("mobile.until", 1), ("_id", 1)], {}),  # mobile/: a home's list
            ([("mobile.until", 1)], {"sparse": True}),  # mobile/: overdue reminders (by day)
        ],
        "meetings": [
            ([("org_path", 1), ("starts_at", -1), ("_id", -1)], {}),
            ([("window_keys", 1), ("opens_at", 1), ("_id", 1)], {}),  # a kiosk's meetings
            ([("invited_org_paths", 1)], {}),  # tree/: a move rewrites them
        ],
        "attendance": [
            ([(UNCOUNTED, 1)], {"sparse": True}),  # the sign-ins still to count
            ([("meeting_id", 1), ("recorded_at", 1), ("_id", 1)], {}),
            ([("member_id", 1), ("checked_in_at", -1), ("_id", -1)], {}),
        ],
        "audit": [([("member_id", 1), ("at", -1)], {})],
        "kiosks": [([("org_path", 1)], {})],  # tree/: a move rewrites them
    }

    def __init__(self, db: Any) -> None:
        AccountsStore.__init__(self, db)
        PhoneSignInStore.__init__(self, db)
        TreeStore.__init__(self, db)
        LifecycleStore.__init__(self, db)
        RosterStore.__init__(self, db)
        OrgLifeStore.__init__(self, db)
        PlansStore.__init__(self, db)
        DuesStore.__init__(self, db)
        TransfersStore.__init__(self, db)
        MobileStore.__init__(self, db)
        self.db = db
        self.activity = MemberActivity(db)
        self.orgs = Orgs(db)
        self.members = Members(db)
        self.meetings = Meetings(db)
        self.attendance = Attendances(db)
        self.kiosks = Kiosks(db)
        self.audit = Audit(db)
        self.tallies = Tallies(db)

    def prepare(self, config: dict[str, Any]) -> None:
        """At start: counters and the fields the lists are served by, for data stored before
        they existed (services/members/recount.py; once per database)."""
        zone = ZoneInfo(str(config.get("TIMEZONE") or recount.DEFAULT_TIMEZONE))
        recount.upgrade(self.db, zone)
        activity_backfill(self.db, zone)  # mobile/: lapse warnings need a record per member
        self.prepare_plans(zone)  # plans/: meetings held per organization and month

    def ping(self) -> bool:
        self.db.orgs.find_one({"_id": "__ping__"})
        return True
