"""The lifecycle repositories over the members database (MembersStore mixes them in): the status
history, the pending status change kept on the member's document, probation look-ups, search,
the card register and refused swipes.

Documents:
- ``members.last_status_change``: the member's last status change with ``uncounted`` until the
  one call that claims it has moved the organization counters (written with the status itself,
  so a crash after it leaves the history entry and the counting to the next call);
  ``probation_reminded``: the probation end the member was reminded of (``probation_ending``).
- ``status_history``: one per change, ``_id`` the change id; (member_id, at, _id) newest first.
- ``cards``: one per card UID ever held, ``_id`` the UID (a UID is never given twice), with its
  holder, state (issued, blocked, returned) and end; (member_id, at, _id) newest first.
- ``card_refusals``: one per kiosk, card and minute a blocked card was swiped.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from services.infra import paging
from services.infra.errors import AlreadyStored
from services.infra.events import Event, stamp
from services.infra.outbox import set_with_events
from services.infra.repository import insert_once, page
from services.infra.retention import PURGE_DAY, PURGE_INDEX, day_of, purge_before
from services.members.accounts.domain import Session
from services.members.accounts.store import _moment, _session, _stamp
from services.members.domain import Member, Org
from services.members.lifecycle.domain import Card, CardRefusal, StatusChange

NEWEST_FIRST = [("at", -1), ("_id", -1)]
BY_PROBATION_END = [("probation_ends", 1), ("_id", 1)]
LAST_CHANGE = "last_status_change"
REMINDED = "probation_reminded"


def _change_doc(change: StatusChange) -> dict[str, Any]:
    return {
        "_id": change.change_id,
        "member_id": change.member_id,
        "org_path": change.org_path,
        "from_status": change.from_status,
        "to_status": change.to_status,
        "reason_code": change.reason_code,
        "effective_on": change.effective_on.isoformat(),
        "reason": change.reason,
        "approved_by": change.approved_by,
        "actor": change.actor,
        "at": stamp(change.at),
        "probation_ends": change.probation_ends.isoformat() if change.probation_ends else None,
        "from_org_path": change.from_org_path,
    }


def _change(doc: dict[str, Any]) -> StatusChange:
    ends = doc.get("probation_ends")
    return StatusChange(
        change_id=doc["_id"],
        member_id=doc["member_id"],
        org_path=doc["org_path"],
        from_status=doc["from_status"],
        to_status=doc["to_status"],
        reason_code=doc["reason_code"],
        effective_on=date.fromisoformat(doc["effective_on"]),
        reason=doc["reason"],
        approved_by=doc["approved_by"],
        actor=doc["actor"],
        at=datetime.fromisoformat(doc["at"]),
        probation_ends=date.fromisoformat(ends) if ends else None,
        from_org_path=doc.get("from_org_path"),
    )


class LifecycleRecords:
    def __init__(self, db: Any) -> None:
        from services.members.store import Members, _member  # the members store mixes us in

        self.members = Members(db)
        self.to_member = _member
        self.history = db.status_history
        self.cards = db.cards
        self.sessions = db.sessions

    def pending_change(self, member_id: str) -> StatusChange | None:
        doc = self.members.c.find_one({"_id": member_id}, {LAST_CHANGE: 1})
        last = (doc or {}).get(LAST_CHANGE)
        return _change(last) if last else None

    def save_change(self, member: Member, events: list[Event], change: StatusChange) -> Member:
        return self.members.save(
            member, events, {LAST_CHANGE: {**_change_doc(change), "uncounted": True}}
        )

    def record_change(self, change: StatusChange) -> None:
        insert_once(self.history, _change_doc(change))

    def claim_change_count(self, member_id: str, change_id: str) -> bool:
        result = self.members.c.update_one(
            {"_id": member_id, f"{LAST_CHANGE}._id": change_id, f"{LAST_CHANGE}.uncounted": True},
            {"$set": {f"{LAST_CHANGE}.uncounted": False}},
        )
        return bool(result.modified_count == 1)

    def status_history(
        self, member_id: str, cursor: str | None, limit: int
    ) -> tuple[list[StatusChange], str | None]:
        """Index (member_id, at, _id), newest first."""
        after = paging.decode(cursor, ("at", "_id"))
        rows, position = page(self.history, {"member_id": member_id}, NEWEST_FIRST, after, limit)
        return [_change(row) for row in rows], paging.encode(position)

    def probation_due(
        self, org: Org, since: date, until: date, cursor: str | None, limit: int
    ) -> tuple[list[Member], str | None]:
        """Index (ancestors, status, probation_ends, _id) on MongoDB; the embedded engine's hash
        index on probation_ends narrows to the members whose probation ends on one of the days
        (an equality each), soonest first. Ancestors follow a subtree's move (tree/)."""
        days = [
            date.fromordinal(n).isoformat() for n in range(since.toordinal(), until.toordinal() + 1)
        ]
        query = {"probation_ends": {"$in": days}, "ancestors": org.path, "status": "probationary"}
        after = paging.decode(cursor, ("probation_ends", "_id"))
        rows, position = page(self.members.c, query, BY_PROBATION_END, after, limit)
        found = [m for m in map(self.to_member, rows) if m is not None]
        return found, paging.encode(position)

    def probation_reminders_due(self, days: list[date], limit: int) -> list[Member]:
        """Index probation_ends (an equality per day); those reminded of that end are skipped."""
        query = {
            "probation_ends": {"$in": [day.isoformat() for day in days]},
            "status": "probationary",
        }
        found = []
        for doc in self.members.c.find(query).sort(BY_PROBATION_END):
            if doc.get(REMINDED) != doc.get("probation_ends"):
                found.append(self.to_member(doc))
                if len(found) >= limit:
                    break
        return [m for m in found if m is not None]

    def mark_reminded(self, member: Member, events: list[Event]) -> bool:
        if member.probation_ends is None:
            return False
        ends = member.probation_ends.isoformat()
        update = set_with_events({REMINDED: ends}, events)
        result = self.members.c.update_one(
            {"_id": member.member_id, "probation_ends": ends, REMINDED: {"$ne": ends}}, update
        )
        return bool(result.modified_count == 1)

    def search(
        self, org: Org, kind: str, key: str, cursor: str | None, limit: int
    ) -> tuple[list[Member], str | None]:
        """By name prefix (the subtree's name index), or the one member holding a card UID or
        an ID number's keyed hash (unique indexes), if they lie in the subtree; a card no
        longer held (lost, replaced, returned) finds the member it was last issued to."""
        if kind == "name":
            return self.members.listed(org, True, key, cursor, limit)
        field = "card_uid" if kind == "card" else "id_hash"
        doc = self.members.c.find_one({field: key, "ancestors": org.path})
        if doc is None and kind == "card":
            card = self.cards.find_one({"_id": key}, {"member_id": 1})
            if card is not None:
                doc = self.members.c.find_one({"_id": card["member_id"], "ancestors": org.path})
        found = self.to_member(doc)
        return ([found] if found else []), None

    def member_sessions(self, member_id: str) -> list[Session]:
        """Index subject (the sessions')."""
        found = self.sessions.find({"subject": member_id, "kind": "member", "revoked_at": None})
        return [s for s in map(_session, found) if s is not None]


def _card_doc(card: Card) -> dict[str, Any]:
    return {
        "_id": card.card_uid,
        "member_id": card.member_id,
        "org_path": card.org_path,
        "state": card.state,
        "issued_at": _stamp(card.issued_at),
        "issued_by": card.issued_by,
        "ended_at": _stamp(card.ended_at),
        "ended_reason": card.ended_reason,
        "note": card.note,
        "ended_by": card.ended_by,
        "replaced_by": card.replaced_by,
        "at": stamp(card.issued_at or card.ended_at or datetime.min),  # the history's order
    }


def _card(doc: dict[str, Any] | None) -> Card | None:
    if doc is None:
        return None
    return Card(
        card_uid=doc["_id"],
        member_id=doc["member_id"],
        org_path=doc["org_path"],
        state=doc["state"],
        issued_at=_moment(doc.get("issued_at")),
        issued_by=doc.get("issued_by"),
        ended_at=_moment(doc.get("ended_at")),
        ended_reason=doc.get("ended_reason"),
        note=doc.get("note") or "",
        ended_by=doc.get("ended_by"),
        replaced_by=doc.get("replaced_by"),
    )


class Cards:
    def __init__(self, db: Any) -> None:
        self.c = db.cards
        self.refusals = db.card_refusals

    def get(self, card_uid: str) -> Card | None:
        return _card(self.c.find_one({"_id": card_uid}))

    def reserve(self, card: Card) -> Card:
        _stored, created = insert_once(self.c, _card_doc(card))
        if not created:
            raise AlreadyStored(card.card_uid)
        return card

    def end(self, card: Card) -> None:
        doc = _card_doc(card)
        kept = {"_id", "issued_at", "issued_by", "at"}
        self.c.update_one(
            {"_id": card.card_uid},
            {
                "$set": {k: v for k, v in doc.items() if k not in kept},
                "$setOnInsert": {k: doc[k] for k in kept - {"_id"}},
            },
            upsert=True,
        )

    def active_of(self, member_id: str) -> list[Card]:
        found = self.c.find({"member_id": member_id, "state": "issued"}).limit(10)
        return [c for c in map(_card, found) if c is not None]

    def latest_of(self, member_id: str) -> Card | None:
        found = list(self.c.find({"member_id": member_id}).sort(NEWEST_FIRST).limit(1))
        return _card(found[0]) if found else None

    def of_member(
        self, member_id: str, cursor: str | None, limit: int
    ) -> tuple[list[Card], str | None]:
        """Index (member_id, at, _id), newest first."""
        after = paging.decode(cursor, ("at", "_id"))
        rows, position = page(self.c, {"member_id": member_id}, NEWEST_FIRST, after, limit)
        return [c for c in map(_card, rows) if c is not None], paging.encode(position)

    def refuse(self, refusal: CardRefusal) -> None:
        doc = {
            "_id": refusal.refusal_id,
            "card_uid": refusal.card_uid,
            "device_id": refusal.device_id,
            "at": stamp(refusal.at),
            "member_id": refusal.member_id,
            "kiosk_org_path": refusal.kiosk_org_path,
            "meeting_id": refusal.meeting_id,
            PURGE_DAY: day_of(refusal.at),
        }
        insert_once(self.refusals, doc)

    def purge(self, before: datetime) -> int:
        """Remove the refused swipes recorded before the UTC day of ``before``; how many."""
        return purge_before(self.refusals, ("at",), before)


class LifecycleStore:
    INDEXES: ClassVar[dict[str, list[Any]]] = {
        "status_history": [([("member_id", 1), ("at", -1), ("_id", -1)], {})],
        "cards": [
            ([("member_id", 1), ("at", -1), ("_id", -1)], {}),
            ([("member_id", 1), ("state", 1)], {}),
        ],
        "card_refusals": [([("card_uid", 1), ("at", -1)], {}), PURGE_INDEX],
    }

    def __init__(self, db: Any) -> None:
        self.db = db
        self.lifecycle = LifecycleRecords(db)
        self.cards = Cards(db)
