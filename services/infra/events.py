"""The event envelope every published payload carries (DESIGN.md, Events)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

Event = dict[str, Any]
"""An event ready for the outbox: ``{"type": routing key, "payload": body}``."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def isoformat(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def new_event(event_type: str, org_path: str, data: dict[str, Any], *, version: int = 1) -> Event:
    """An event ready for the outbox: ``type`` is the routing key, ``payload`` the body."""
    payload = {
        "event_id": str(uuid.uuid4()),
        "occurred_at": isoformat(utcnow()),
        "version": version,
        "org_path": org_path,
        **data,
    }
    return {"type": event_type, "payload": payload}


def stamp(moment: datetime) -> str:
    """A UTC timestamp of fixed width, so that stored strings sort as the moments do."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
