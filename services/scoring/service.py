"""scoring: the member points card (append-only ledger, yearly totals, scorecards)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from services.infra.consuming import reliable_event_handler
from services.infra.dependencies import BuiltOnce, CallerOf
from services.infra.providers import Instrumentation, OutboxPublisher
from services.infra.rpc import rpc
from services.infra.schemas import dump, load, shared
from services.infra.storage import Database
from services.scoring import handlers, schemas
from services.scoring.rules import rules_from_config
from services.scoring.store import OUTBOX_COLLECTIONS, ScoringStore


def settings(config: dict[str, Any]) -> handlers.Settings:
    return handlers.Settings(
        meeting_points=rules_from_config(config["MEETING_POINTS"]),
        requirement={k: int(v) for k, v in config["ANNUAL_REQUIREMENT"].items()},
        timezone=ZoneInfo(config.get("TIMEZONE", "Asia/Shanghai")),
        absence=rules_from_config(config.get("MEETING_ABSENCE") or {}),
    )


class ScoringService:
    name = "scoring"

    uow: ScoringStore = Database(ScoringStore)
    settings: handlers.Settings = BuiltOnce(settings)
    caller = CallerOf()
    outbox = OutboxPublisher(OUTBOX_COLLECTIONS)
    metrics = Instrumentation()

    @reliable_event_handler("members", "member_checked_in", idempotent=True)
    def award_meeting_attendance(self, payload: dict[str, Any]) -> None:
        cmd = shared(schemas.MemberCheckedIn).load(payload)
        handlers.award_meeting_attendance(cmd, self.uow, self.settings)

    @reliable_event_handler("members", "meeting_closed", idempotent=True)
    def deduct_meeting_absences(self, payload: dict[str, Any]) -> None:
        """One negative entry per unexcused absent member (keyed by meeting and member)."""
        cmd = shared(schemas.MeetingClosed).load(payload)
        handlers.deduct_absences(cmd, self.uow, self.settings)

    @reliable_event_handler("members", "org_moved")
    def follow_org_move(self, payload: dict[str, Any]) -> None:
        """Entries and totals filed under a moved subtree follow it (once per event: a move
        back and forth must not be replayed out of order)."""
        moved = shared(schemas.OrgMoved).load(payload)
        self.uow.move_org_paths(moved["from_path"], moved["to_path"])

    @rpc
    def get_scorecard(self, member_id: str, year: int | None = None) -> dict[str, Any]:
        query = load(schemas.ListEntries, {"member_id": member_id, "year": year})
        card = handlers.scorecard(query, self.uow, self.caller(), self.settings)
        return dump(schemas.ScorecardOut, card)

    @rpc
    def list_entries(
        self, member_id: str, year: int | None = None, cursor: str | None = None, limit: int = 50
    ) -> dict[str, Any]:
        args = {"member_id": member_id, "year": year, "cursor": cursor, "limit": limit}
        entries, next_cursor = handlers.list_entries(
            load(schemas.ListEntries, args), self.uow, self.caller(), self.settings
        )
        return dump(schemas.EntriesPage, {"items": entries, "next_cursor": next_cursor})

    @rpc
    def get_check_in_points(self, check_in_id: str) -> dict[str, Any]:
        points = handlers.check_in_points(str(check_in_id), self.uow, self.caller())
        return dump(schemas.CheckInPoints, points)

    @rpc
    def ping(self) -> bool:
        return self.uow.ping()


SERVICE = ScoringService
