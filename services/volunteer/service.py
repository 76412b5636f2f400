"""volunteer: residents' needs under grids (matching, claiming and hours come later)."""

from __future__ import annotations

import uuid
from typing import Any

from services.infra.events import isoformat, new_event, utcnow
from services.infra.pii import PiiCipher, mask_name, mask_phone
from services.infra.providers import Instrumentation, OutboxPublisher
from services.infra.rpc import rpc
from services.infra.schemas import load
from services.infra.storage import Database
from services.volunteer import schemas
from services.volunteer.needs import ancestors
from services.volunteer.store import OUTBOX_COLLECTIONS, VolunteerStore


class VolunteerService:
    name = "volunteer"

    store: VolunteerStore = Database(VolunteerStore)
    outbox = OutboxPublisher(OUTBOX_COLLECTIONS)
    metrics = Instrumentation()

    @rpc
    def record_need(self, payload: dict[str, Any]) -> dict[str, Any]:
        data = load(schemas.NeedIn(), payload)
        need = _need_record(data, PiiCipher.from_env())
        event = new_event(
            "need_recorded",
            need["grid_path"],
            {k: need[k] for k in ("grid_path", "category", "title", "recorded_at")}
            | {"need_id": need["_id"]},
        )
        self.store.add_need(need, event)
        return schemas.NeedOut().dump(need)

    @rpc
    def list_open_needs(self, scope: str, limit: int = 50) -> list[dict[str, Any]]:
        return schemas.NeedOut(many=True).dump(self.store.open_needs(scope, min(int(limit), 200)))

    @rpc
    def ping(self) -> bool:
        return self.store.ping()


def _need_record(data: dict[str, Any], cipher: PiiCipher) -> dict[str, Any]:
    phone = data["resident_phone"]
    return {
        "_id": "nd-" + uuid.uuid4().hex[:16],
        "grid_path": data["grid_path"],
        "ancestors": ancestors(data["grid_path"]),
        "title": data["title"],
        "description": data["description"],
        "category": data["category"],
        "status": "open",
        "resident_name_enc": cipher.encrypt(data["resident_name"], "resident_name"),
        "resident_name_masked": mask_name(data["resident_name"]),
        "resident_phone_enc": cipher.encrypt(phone, "phone") if phone else None,
        "resident_phone_masked": mask_phone(phone) if phone else None,
        "recorded_by": data["recorded_by"],
        "recorded_at": isoformat(utcnow()),
    }


SERVICE = VolunteerService
