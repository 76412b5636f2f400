"""The members service's repository over its own collections."""

from __future__ import annotations

from typing import Any, ClassVar

from pymongo.errors import DuplicateKeyError

from services.infra.outbox import public, with_events

OUTBOX_COLLECTIONS = ("members", "attendance")


class MembersStore:
    INDEXES: ClassVar[dict[str, list[Any]]] = {
        "orgs": [([("path", 1)], {"unique": True})],
        "members": [
            ([("id_hash", 1)], {"unique": True}),
            ([("card_uid", 1)], {"unique": True, "sparse": True}),
            ([("org_path", 1)], {}),
        ],
        "meetings": [([("org_path", 1)], {})],
        "attendance": [([("member_id", 1)], {})],
        "audit": [([("member_id", 1)], {})],
    }

    def __init__(self, db: Any) -> None:
        self.db = db

    # -- organizations --
    def org(self, org_id: str) -> dict[str, Any] | None:
        return self.db.orgs.find_one({"_id": org_id})

    def add_org(self, org: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        try:
            self.db.orgs.insert_one(org)
            return org, True
        except DuplicateKeyError:
            return self.db.orgs.find_one({"_id": org["_id"]}) or org, False

    # -- members --
    def member(self, member_id: str) -> dict[str, Any] | None:
        return public(self.db.members.find_one({"_id": member_id}))

    def member_by_card(self, card_uid: str) -> dict[str, Any] | None:
        return public(self.db.members.find_one({"card_uid": card_uid}))

    def member_by_id_hash(self, id_hash: str) -> dict[str, Any] | None:
        return public(self.db.members.find_one({"id_hash": id_hash}))

    def add_member(self, member: dict[str, Any], event: dict[str, Any]) -> None:
        """Raises DuplicateKeyError when the person or the card is already registered."""
        self.db.members.insert_one(with_events(member, [event]))

    # -- meetings and attendance --
    def meeting(self, meeting_id: str) -> dict[str, Any] | None:
        return self.db.meetings.find_one({"_id": meeting_id})

    def add_meeting(self, meeting: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        try:
            self.db.meetings.insert_one(meeting)
            return meeting, True
        except DuplicateKeyError:
            return self.db.meetings.find_one({"_id": meeting["_id"]}) or meeting, False

    def attendance(self, attendance_id: str) -> dict[str, Any] | None:
        return public(self.db.attendance.find_one({"_id": attendance_id}))

    def record_attendance(
        self, attendance: dict[str, Any], event: dict[str, Any]
    ) -> tuple[dict[str, Any], bool]:
        try:
            self.db.attendance.insert_one(with_events(attendance, [event]))
            return attendance, True
        except DuplicateKeyError:
            return self.attendance(attendance["_id"]) or attendance, False

    # -- kiosks --
    def kiosk(self, device_id: str) -> dict[str, Any] | None:
        return self.db.kiosks.find_one({"_id": device_id})

    def add_kiosk(self, kiosk: dict[str, Any]) -> dict[str, Any]:
        self.db.kiosks.replace_one({"_id": kiosk["_id"]}, kiosk, upsert=True)
        return kiosk

    # -- audit of full personal-data reads --
    def audit(self, entry: dict[str, Any]) -> None:
        self.db.audit.insert_one(entry)

    def ping(self) -> bool:
        self.db.orgs.find_one({"_id": "__ping__"})
        return True
