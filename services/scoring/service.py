"""scoring: the member points card (ledger, yearly totals, scorecards)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from nameko.dependency_providers import Config

from services.infra.consuming import reliable_event_handler
from services.infra.outbox import public
from services.infra.providers import Instrumentation, OutboxPublisher
from services.infra.rpc import rpc
from services.infra.storage import Database
from services.scoring import awards, schemas
from services.scoring.rules import gaps, rules_from_config
from services.scoring.store import OUTBOX_COLLECTIONS, ScoringStore


class ScoringService:
    name = "scoring"

    store: ScoringStore = Database(ScoringStore)
    outbox = OutboxPublisher(OUTBOX_COLLECTIONS)
    metrics = Instrumentation()
    config = Config()

    @reliable_event_handler("members", "member_checked_in")
    def award_meeting_attendance(self, payload: dict[str, Any]) -> None:
        event = schemas.MemberCheckedIn().load(payload)
        rule = rules_from_config(self.config["MEETING_POINTS"]).get(event["meeting_kind"])
        if rule is None:
            return
        entry_id = f"member_checked_in:{event['event_id']}"
        entry = self.store.entry(entry_id)
        if entry is None:
            at = event["checked_in_at"].astimezone(self._tz())
            entry, points_awarded = awards.ledger_entry(
                source_event_type="member_checked_in",
                source=event,
                rule=rule,
                at=at,
                totals=self.store.totals(event["member_id"], at.year),
                reason=f"meeting_attended:{event['meeting_kind']}",
            )
            entry = self.store.add_entry(entry, points_awarded)
        self.store.apply(entry)

    @rpc
    def get_scorecard(self, member_id: str, year: int | None = None) -> dict[str, Any]:
        year = year or datetime.now(self._tz()).year
        totals = self.store.totals(member_id, year)
        by_category = totals.get("categories", {})
        return {
            "member_id": member_id,
            "year": year,
            "total": totals.get("total", 0),
            "by_category": by_category,
            "counts": totals.get("counts", {}),
            "requirement": self.config["ANNUAL_REQUIREMENT"],
            "gaps": gaps(by_category, self.config["ANNUAL_REQUIREMENT"]),
            "entries": self.store.entries(member_id, year),
        }

    @rpc
    def award_for_event(
        self, source_event_type: str, source_event_id: str
    ) -> dict[str, Any] | None:
        return public(self.store.entry(f"{source_event_type}:{source_event_id}"))

    @rpc
    def ping(self) -> bool:
        return self.store.ping()

    def _tz(self) -> ZoneInfo:
        return ZoneInfo(self.config.get("TIMEZONE", "Asia/Shanghai"))


SERVICE = ScoringService
