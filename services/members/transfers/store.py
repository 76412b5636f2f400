"""The repositories of transfers between organizations (组织关系转接) over the members database
(MembersStore mixes them in).

Documents:
- ``transfers``: one per letter, ``_id`` the request id that issued it, ``letter_no`` unique;
  ``from_ancestors`` / ``to_ancestors`` (every organization path above and at the sender and
  the receiver) serve the subtree lists newest first, (ancestors, issued_at, _id) and with the
  state (ancestors, state, issued_at, _id) for the open ones; ``uncounted`` while an accepted
  letter's counters are still to be moved; the outbox rides in the document.
- ``transfer_holds``: ``_id`` the member id, ``transfer_id`` the member's open letter (one per
  member: the insert is the check).
- ``transfer_letter_seq``: ``_id`` the year, ``seq`` the last number given (``$inc``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any, ClassVar

from pymongo import ReturnDocument

from services.infra import paging
from services.infra.errors import AlreadyStored, Stale
from services.infra.events import Event, stamp
from services.infra.outbox import set_with_events, with_events
from services.infra.repository import insert_once, page
from services.infra.scope import ancestors
from services.members.transfers.domain import Destination, Transfer, letter_number
from services.members.transfers.exchange import IncomingTransfer

UNCOUNTED = "uncounted"
NEWEST_FIRST = [("issued_at", -1), ("_id", -1)]
SIDES = {"outgoing": "from_ancestors", "incoming": "to_ancestors"}


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _from_day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _doc(t: Transfer) -> dict[str, Any]:
    return {
        "_id": t.transfer_id,
        "letter_no": t.letter_no,
        "member_id": t.member_id,
        "member_status": t.member_status,
        "from_org_id": t.from_org_id,
        "from_org_path": t.from_org_path,
        "from_ancestors": ancestors(t.from_org_path),
        "to": {
            "org_id": t.to.org_id,
            "org_path": t.to.org_path,
            "org_name": t.to.org_name,
            "deployment": t.to.deployment,
        },
        "to_ancestors": ancestors(t.to.org_path) if t.to.org_path else [],
        "scope": t.scope,
        "reason": t.reason,
        "dues_paid_to": t.dues_paid_to,
        "issued_on": _day(t.issued_on),
        "valid_until": _day(t.valid_until),
        "issued_by": t.issued_by,
        "state": t.state,
        "replaces": t.replaces,
        "replaced_by": t.replaced_by,
        "closed_at": stamp(t.closed_at) if t.closed_at else None,
        "closed_by": t.closed_by,
        "decline_reason": t.decline_reason,
        "receipt_on": _day(t.receipt_on),
        "version": t.version,
    }


def _transfer(doc: dict[str, Any]) -> Transfer:
    closed = doc.get("closed_at")
    return Transfer(
        transfer_id=doc["_id"],
        letter_no=doc["letter_no"],
        member_id=doc["member_id"],
        member_status=doc["member_status"],
        from_org_id=doc["from_org_id"],
        from_org_path=doc["from_org_path"],
        to=Destination(**doc["to"]),
        scope=doc["scope"],
        reason=doc["reason"],
        dues_paid_to=doc.get("dues_paid_to"),
        issued_on=date.fromisoformat(doc["issued_on"]),
        valid_until=date.fromisoformat(doc["valid_until"]),
        issued_by=doc["issued_by"],
        state=doc["state"],
        replaces=doc.get("replaces"),
        replaced_by=doc.get("replaced_by"),
        closed_at=datetime.fromisoformat(closed.replace("Z", "+00:00")) if closed else None,
        closed_by=doc.get("closed_by"),
        decline_reason=doc.get("decline_reason"),
        receipt_on=_from_day(doc.get("receipt_on")),
        version=int(doc.get("version") or 0),
    )


class Transfers:
    def __init__(self, db: Any) -> None:
        self.c = db.transfers
        self.holds = db.transfer_holds
        self.seq = db.transfer_letter_seq

    def get(self, transfer_id: str) -> Transfer | None:
        doc = self.c.find_one({"_id": transfer_id})
        return _transfer(doc) if doc else None

    def next_letter_no(self, year: int) -> str:
        doc = self.seq.find_one_and_update(
            {"_id": str(year)},
            {"$inc": {"seq": 1}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        return letter_number(year, int(doc["seq"]))

    def hold(self, member_id: str, transfer_id: str) -> str:
        stored, created = insert_once(self.holds, {"_id": member_id, "transfer_id": transfer_id})
        holder = str(stored["transfer_id"])
        if created or holder == transfer_id:
            return transfer_id
        if self.c.find_one({"_id": holder}, {"_id": 1}) is None:
            # the holder's letter was never stored (a crash between the two writes): take over
            taken = self.holds.update_one(
                {"_id": member_id, "transfer_id": holder}, {"$set": {"transfer_id": transfer_id}}
            )
            if taken.modified_count == 1:
                return transfer_id
        return holder

    def release(self, member_id: str, transfer_id: str) -> None:
        self.holds.delete_one({"_id": member_id, "transfer_id": transfer_id})

    def by_letter(self, letter_no: str) -> Transfer | None:
        doc = self.c.find_one({"letter_no": letter_no})
        return _transfer(doc) if doc else None

    def add(self, transfer: Transfer, events: list[Event]) -> tuple[Transfer, bool]:
        doc = {**_doc(transfer), "issued_at": stamp(datetime.now().astimezone())}
        if events:
            doc = with_events(doc, events)
        try:
            stored, created = insert_once(self.c, doc)
        except AlreadyStored:
            raise AlreadyStored(transfer.letter_no) from None
        return _transfer(stored), created

    def save(self, transfer: Transfer, events: list[Event], uncounted: bool = False) -> Transfer:
        fields = _doc(transfer)
        del fields["_id"]
        fields["version"] = transfer.version + 1
        if uncounted:
            fields[UNCOUNTED] = True
        match = {"_id": transfer.transfer_id, "version": transfer.version}
        result = self.c.update_one(match, set_with_events(fields, events))
        if result.matched_count != 1:
            raise Stale(transfer.transfer_id)
        return replace(transfer, version=transfer.version + 1)

    def claim_count(self, transfer_id: str) -> bool:
        result = self.c.update_one(
            {"_id": transfer_id, UNCOUNTED: True}, {"$set": {UNCOUNTED: False}}
        )
        return bool(result.modified_count == 1)

    def listed(
        self, org_path: str, direction: str, open_only: bool, cursor: str | None, limit: int
    ) -> tuple[list[Transfer], str | None]:
        query: dict[str, Any] = {SIDES[direction]: org_path}
        if open_only:
            query["state"] = "issued"
        after = paging.decode(cursor, ("issued_at", "_id"))
        rows, position = page(self.c, query, NEWEST_FIRST, after, limit)
        return [_transfer(r) for r in rows], paging.encode(position)


INCOMING = "incoming|"  # the _id prefix of letters received from other deployments


def _incoming_doc(i: IncomingTransfer) -> dict[str, Any]:
    return {
        "_id": INCOMING + i.key,
        "kind": "incoming",
        "letter_no": INCOMING + i.key,  # unique beside this deployment's own numbers
        "from_deployment": i.from_deployment,
        "remote_letter_no": i.letter_no,
        "from_org_id": i.from_org_id,
        "valid_until": _day(i.valid_until),
        "to_org_name": i.to_org_name,
        "to_org_path": i.to_org_path,
        "in_ancestors": ancestors(i.to_org_path) if i.to_org_path else ["/"],
        "member_sealed": i.member_sealed,
        "member_name_masked": i.member_name_masked,
        "state": i.state,
        "org_id": i.org_id,
        "member_id": i.member_id,
        "closed_on": _day(i.closed_on),
        "decline_reason": i.decline_reason,
        "version": i.version,
    }


def _incoming(doc: dict[str, Any]) -> IncomingTransfer:
    return IncomingTransfer(
        from_deployment=doc["from_deployment"],
        letter_no=doc["remote_letter_no"],
        from_org_id=doc["from_org_id"],
        valid_until=date.fromisoformat(doc["valid_until"]),
        to_org_name=doc["to_org_name"],
        to_org_path=doc.get("to_org_path"),
        member_sealed=doc["member_sealed"],
        member_name_masked=doc["member_name_masked"],
        state=doc["state"],
        org_id=doc.get("org_id"),
        member_id=doc.get("member_id"),
        closed_on=_from_day(doc.get("closed_on")),
        decline_reason=doc.get("decline_reason"),
        version=int(doc.get("version") or 0),
    )


class IncomingTransfers:
    """Letters received from other deployments, in the ``transfers`` collection (its outbox
    publishes their answers): ``_id`` ``incoming|<sender>|<letter number>``, found for the
    receiving organization's subtree by ``in_ancestors``."""

    def __init__(self, db: Any) -> None:
        self.c = db.transfers

    def get(self, key: str) -> IncomingTransfer | None:
        doc = self.c.find_one({"_id": INCOMING + key.removeprefix(INCOMING)})
        return _incoming(doc) if doc else None

    def add(self, incoming: IncomingTransfer) -> tuple[IncomingTransfer, bool]:
        doc = {**_incoming_doc(incoming), "issued_at": stamp(datetime.now().astimezone())}
        stored, created = insert_once(self.c, doc)
        return _incoming(stored), created

    def listed(
        self, org_path: str, cursor: str | None, limit: int
    ) -> tuple[list[IncomingTransfer], str | None]:
        after = paging.decode(cursor, ("issued_at", "_id"))
        rows, position = page(self.c, {"in_ancestors": org_path}, NEWEST_FIRST, after, limit)
        return [_incoming(r) for r in rows], paging.encode(position)

    def save(self, incoming: IncomingTransfer, events: list[Event]) -> IncomingTransfer:
        fields = _incoming_doc(incoming)
        del fields["_id"]
        fields["version"] = incoming.version + 1
        match = {"_id": INCOMING + incoming.key, "version": incoming.version}
        result = self.c.update_one(match, set_with_events(fields, events))
        if result.matched_count != 1:
            raise Stale(incoming.key)
        return replace(incoming, version=incoming.version + 1)


class TransfersStore:
    INDEXES: ClassVar[dict[str, list[Any]]] = {
        "transfers": [
            ([("letter_no", 1)], {"unique": True}),
            ([("from_ancestors", 1), ("issued_at", -1), ("_id", -1)], {}),
            ([("from_ancestors", 1), ("state", 1), ("issued_at", -1), ("_id", -1)], {}),
            ([("to_ancestors", 1), ("issued_at", -1), ("_id", -1)], {}),
            ([("to_ancestors", 1), ("state", 1), ("issued_at", -1), ("_id", -1)], {}),
            ([("in_ancestors", 1), ("issued_at", -1), ("_id", -1)], {}),
        ],
    }

    def __init__(self, db: Any) -> None:
        self.db = db
        self.transfers = Transfers(db)
        self.incoming_transfers = IncomingTransfers(db)
