"""notify: tells members what happened, through channels (in-app now; SMS and others later)."""

from __future__ import annotations

from typing import Any

from services.infra.consuming import reliable_event_handler
from services.infra.providers import Instrumentation
from services.infra.rpc import rpc
from services.infra.storage import Database
from services.notify import messages, schemas
from services.notify.channels import InAppChannel
from services.notify.store import NotifyStore


class NotifyService:
    name = "notify"

    store: NotifyStore = Database(NotifyStore)
    metrics = Instrumentation()

    @reliable_event_handler("scoring", "points_awarded")
    def tell_points_awarded(self, payload: dict[str, Any]) -> None:
        event = schemas.PointsAwarded().load(payload)
        InAppChannel(self.store).deliver(messages.points_awarded(event))

    @rpc
    def get_inbox(self, member_id: str, limit: int = 50) -> list[dict[str, Any]]:
        return self.store.inbox(member_id, limit)

    @rpc
    def ping(self) -> bool:
        return self.store.ping()


SERVICE = NotifyService
