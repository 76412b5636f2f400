"""Residents' needs (微心愿 / 群众需求) recorded under grids. Pure rules: no nameko, no pymongo;
a need is recorded with its resident's name and phone encrypted, and raises need_recorded."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from services.infra.events import Event, isoformat, new_event
from services.infra.pii import PiiCipher, mask_name, mask_phone
from services.infra.scope import ancestors

NEED_CATEGORIES = ("elderly_care", "repair", "legal", "health", "education", "errand", "other")
NEED_STATUSES = ("open", "claimed", "in_progress", "done", "closed")


@dataclass(frozen=True)
class Need:
    need_id: str
    grid_path: str
    title: str
    description: str
    category: str
    status: str
    resident_name_enc: str
    resident_name_masked: str
    resident_phone_enc: str | None
    resident_phone_masked: str | None
    recorded_by: str
    recorded_at: datetime

    @property
    def ancestors(self) -> list[str]:
        """The org paths a need is listed under: its grid and every organization above it."""
        return ancestors(self.grid_path)

    @classmethod
    def record(
        cls,
        *,
        grid_path: str,
        title: str,
        description: str,
        category: str,
        resident_name: str,
        resident_phone: str | None,
        recorded_by: str,
        cipher: PiiCipher,
        now: datetime,
    ) -> tuple[Need, list[Event]]:
        """A new open need. The resident's name and phone are kept encrypted, shown masked."""
        need = cls(
            need_id="nd-" + uuid.uuid4().hex[:16],
            grid_path=grid_path,
            title=title,
            description=description,
            category=category,
            status="open",
            resident_name_enc=cipher.encrypt(resident_name, "resident_name"),
            resident_name_masked=mask_name(resident_name),
            resident_phone_enc=cipher.encrypt(resident_phone, "phone") if resident_phone else None,
            resident_phone_masked=mask_phone(resident_phone) if resident_phone else None,
            recorded_by=recorded_by,
            recorded_at=now,
        )
        event = new_event(
            "need_recorded",
            grid_path,
            {
                "need_id": need.need_id,
                "grid_path": grid_path,
                "category": category,
                "title": title,
                "recorded_at": isoformat(now),
            },
        )
        return need, [event]
