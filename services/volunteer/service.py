"""volunteer: residents' needs under grids (matching, claiming and hours come later).

Each entrypoint loads its arguments through the contract (schemas), calls its handler with the
unit of work and the caller, and dumps the result through an output schema."""

from __future__ import annotations

from typing import Any

from services.infra.consuming import reliable_event_handler
from services.infra.dependencies import BuiltOnce, CallerOf
from services.infra.pii import PiiCipher
from services.infra.providers import Instrumentation, OutboxPublisher
from services.infra.rpc import rpc
from services.infra.schemas import dump, load, shared
from services.infra.storage import Database
from services.volunteer import handlers, schemas
from services.volunteer.store import OUTBOX_COLLECTIONS, VolunteerStore


def settings(config: dict[str, Any]) -> handlers.Settings:
    return handlers.Settings(cipher=PiiCipher.from_env())


class VolunteerService:
    name = "volunteer"

    uow: VolunteerStore = Database(VolunteerStore)
    settings: handlers.Settings = BuiltOnce(settings)
    caller = CallerOf()
    outbox = OutboxPublisher(OUTBOX_COLLECTIONS)
    metrics = Instrumentation()

    @reliable_event_handler("members", "org_moved")
    def follow_org_move(self, payload: dict[str, Any]) -> None:
        """Needs recorded under a moved subtree follow it (once per event: a move back and
        forth must not be replayed out of order)."""
        moved = shared(schemas.OrgMoved).load(payload)
        self.uow.move_org_paths(moved["from_path"], moved["to_path"])

    @rpc
    def record_need(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.NeedIn, payload)
        need = handlers.record_need(cmd, self.uow, self.caller(), self.settings)
        return dump(schemas.NeedOut, need)

    @rpc
    def list_open_needs(
        self, scope: str, cursor: str | None = None, limit: int = 50
    ) -> dict[str, Any]:
        query = load(schemas.ListOpenNeeds, {"scope": scope, "cursor": cursor, "limit": limit})
        needs, next_cursor = handlers.list_open_needs(query, self.uow, self.caller())
        return dump(schemas.NeedsPage, {"items": needs, "next_cursor": next_cursor})

    @rpc
    def list_needs(self, query: dict[str, Any]) -> dict[str, Any]:
        needs, next_cursor = handlers.list_needs(
            load(schemas.ListNeeds, query), self.uow, self.caller()
        )
        return dump(schemas.NeedsPage, {"items": needs, "next_cursor": next_cursor})

    @rpc
    def count_needs(self, query: dict[str, Any]) -> dict[str, Any]:
        found = handlers.count_needs(load(schemas.CountNeeds, query), self.uow, self.caller())
        return dump(schemas.NeedCountOut, found)

    @rpc
    def ping(self) -> bool:
        return self.uow.ping()


SERVICE = VolunteerService
