"""members: the organization tree, member records, meetings and card sign-in."""

from __future__ import annotations

from typing import Any

from nameko.dependency_providers import Config
from pymongo.errors import DuplicateKeyError

from services.infra.errors import Conflict, Forbidden, NotFound
from services.infra.events import isoformat, utcnow
from services.infra.i18n import _
from services.infra.pii import PiiCipher
from services.infra.providers import Instrumentation, OutboxPublisher
from services.infra.rpc import rpc
from services.infra.schemas import load
from services.infra.storage import Database
from services.members import records, schemas
from services.members.domain import in_subtree
from services.members.store import OUTBOX_COLLECTIONS, MembersStore


class MembersService:
    name = "members"

    store: MembersStore = Database(MembersStore)
    outbox = OutboxPublisher(OUTBOX_COLLECTIONS)
    metrics = Instrumentation()
    config = Config()

    @rpc
    def create_org(self, payload: dict[str, Any]) -> dict[str, Any]:
        data = load(schemas.OrgIn(), payload)
        parent = self._org(data["parent_id"]) if data["parent_id"] else None
        org, created = self.store.add_org(records.org_record(data, parent))
        return {**schemas.OrgOut().dump(org), "created": created}

    @rpc
    def get_org(self, org_id: str) -> dict[str, Any]:
        return schemas.OrgOut().dump(self._org(org_id))

    @rpc
    def register_member(self, payload: dict[str, Any]) -> dict[str, Any]:
        return self._register(load(schemas.MemberIn(), payload))

    @rpc
    def register_members(self, payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
        batch = load(schemas.MemberIn(many=True), payloads)
        return [self._register(data) for data in batch]

    @rpc
    def get_member(self, member_id: str) -> dict[str, Any]:
        return schemas.MemberOut().dump(self._member(member_id))

    @rpc
    def read_member_pii(self, member_id: str, actor: dict[str, Any]) -> dict[str, Any]:
        member = self._member(member_id)
        self.store.audit(
            {
                "at": isoformat(utcnow()),
                "actor": actor,
                "member_id": member_id,
                "fields": ["id_number", "phone"],
            }
        )
        cipher = PiiCipher.from_env()
        return {
            "member_id": member_id,
            "name": member["name"],
            "id_number": cipher.decrypt(member["id_number_enc"], "id_number"),
            "phone": cipher.decrypt(member["phone_enc"], "phone"),
        }

    @rpc
    def schedule_meeting(self, payload: dict[str, Any]) -> dict[str, Any]:
        data = load(schemas.MeetingIn(), payload)
        window = self.config.get("SIGN_IN_WINDOW") or {"before_min": 20, "after_min": 20}
        meeting, created = self.store.add_meeting(
            records.meeting_record(data, self._org(data["org_id"]), window)
        )
        return {**schemas.MeetingOut().dump(meeting), "created": created}

    @rpc
    def enroll_kiosk(self, payload: dict[str, Any]) -> dict[str, Any]:
        data = load(schemas.KioskIn(), payload)
        org = self._org(data["org_id"])
        kiosk = {
            "_id": data["device_id"],
            "org_id": org["_id"],
            "org_path": org["path"],
            "place": data["place"],
        }
        return {**self.store.add_kiosk(kiosk), "device_id": kiosk["_id"]}

    @rpc
    def check_in(self, payload: dict[str, Any]) -> dict[str, Any]:
        data = load(schemas.CheckInIn(), payload)
        kiosk = self.store.kiosk(data["device_id"]) or _raise(
            Forbidden(_("This kiosk is not enrolled"))
        )
        member = self.store.member_by_card(data["card_uid"]) or _raise(NotFound(_("Unknown card")))
        meeting = self._meeting(data["meeting_id"])
        if not in_subtree(meeting["org_path"], kiosk["org_path"]):
            raise Forbidden(_("This kiosk is not enrolled for the meeting's organization"))
        existing = self.store.attendance(f"{meeting['_id']}:{member['_id']}")
        if existing is None:
            now = utcnow()
            if not records.is_open(meeting, now):
                raise Conflict(
                    _("The meeting is not open for sign-in"),
                    opens_at=meeting["opens_at"],
                    closes_at=meeting["closes_at"],
                )
            existing, created = self.store.record_attendance(
                *records.attendance_record(member, meeting, now, data["device_id"])
            )
        else:
            created = False
        return {
            "created": created,
            "attendance_id": existing["_id"],
            "event_id": existing["event_id"],
            "checked_in_at": existing["checked_in_at"],
            "member": schemas.MemberOut(only=("member_id", "name_masked", "org_path")).dump(member),
            "meeting": schemas.MeetingOut(only=("meeting_id", "title", "kind", "starts_at")).dump(
                meeting
            ),
        }

    @rpc
    def echo(self, payload: Any) -> Any:
        return payload

    @rpc
    def ping(self) -> bool:
        return self.store.ping()

    # -- helpers --
    def _register(self, data: dict[str, Any]) -> dict[str, Any]:
        cipher = PiiCipher.from_env()
        member = records.member_record(data, self._org(data["org_id"]), cipher)
        existing = self.store.member_by_id_hash(member["id_hash"])
        if existing is None:
            try:
                self.store.add_member(member, records.member_registered(member))
                return {**schemas.MemberOut().dump(member), "created": True}
            except DuplicateKeyError:
                existing = self.store.member_by_id_hash(member["id_hash"])
                if existing is None:
                    raise Conflict(_("The card is already registered to another member")) from None
        return {**schemas.MemberOut().dump(existing), "created": False}

    def _org(self, org_id: str) -> dict[str, Any]:
        return self.store.org(org_id) or _raise(NotFound(_("Unknown organization"), org_id=org_id))

    def _member(self, member_id: str) -> dict[str, Any]:
        return self.store.member(member_id) or _raise(
            NotFound(_("Unknown member"), member_id=member_id)
        )

    def _meeting(self, meeting_id: str) -> dict[str, Any]:
        return self.store.meeting(meeting_id) or _raise(
            NotFound(_("Unknown meeting"), meeting_id=meeting_id)
        )


def _raise(error: Exception) -> Any:
    raise error


SERVICE = MembersService
