"""notify: tells members what happened, through channels (in-app now; SMS and others later).

Each entrypoint loads its input through the contract (schemas), calls its handler with the unit
of work (and the caller, for RPCs), and dumps RPC results through an output schema."""

from __future__ import annotations

from typing import Any

from services.infra.consuming import reliable_event_handler
from services.infra.dependencies import BuiltOnce, CallerOf
from services.infra.i18n import DEFAULT_LOCALE
from services.infra.providers import Instrumentation
from services.infra.rpc import rpc
from services.infra.schemas import dump, load, shared
from services.infra.storage import Database
from services.notify import handlers, schemas
from services.notify.sms import SmsProvider, provider_from_config
from services.notify.store import NotifyStore


def settings(config: dict[str, Any]) -> handlers.Settings:
    return handlers.Settings(locale=str(config.get("LOCALE") or DEFAULT_LOCALE))


class NotifyService:
    name = "notify"

    uow: NotifyStore = Database(NotifyStore)
    settings: handlers.Settings = BuiltOnce(settings)
    sms: SmsProvider = BuiltOnce(provider_from_config)
    caller = CallerOf()
    metrics = Instrumentation()

    @reliable_event_handler("scoring", "points_awarded", idempotent=True)
    def tell_points_awarded(self, payload: dict[str, Any]) -> None:
        cmd = shared(schemas.PointsAwarded).load(payload)
        handlers.tell_points_awarded(cmd, self.uow, self.settings)

    @reliable_event_handler("members", "org_moved")
    def follow_org_move(self, payload: dict[str, Any]) -> None:
        """Messages filed under a moved subtree follow it (once per event)."""
        moved = shared(schemas.OrgMoved).load(payload)
        self.uow.move_org_paths(moved["from_path"], moved["to_path"])

    @rpc
    def list_inbox(
        self, member_id: str, cursor: str | None = None, limit: int = 50
    ) -> dict[str, Any]:
        query = load(schemas.ListInbox, {"member_id": member_id, "cursor": cursor, "limit": limit})
        found, next_cursor = handlers.list_inbox(query, self.uow, self.caller())
        return dump(schemas.InboxPage, {"items": found, "next_cursor": next_cursor})

    @rpc
    def send_sms(self, payload: dict[str, Any]) -> dict[str, Any]:
        self.caller()  # the text's sender (members, for a sign-in code) names its caller too
        sent = handlers.send_sms(load(schemas.SendSms, payload), self.uow, self.sms, self.settings)
        return dump(schemas.SmsSent, sent)

    @rpc
    def ping(self) -> bool:
        return self.uow.ping()


SERVICE = NotifyService
