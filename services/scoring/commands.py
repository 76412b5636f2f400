"""What callers and events ask of the scoring service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class AwardMeetingAttendance:
    """From members' member_checked_in."""

    event_id: str
    member_id: str
    member_org_path: str
    meeting_kind: str
    checked_in_at: datetime
    device_id: str | None = None


@dataclass(frozen=True)
class ListEntries:
    member_id: str
    year: int | None = None
    cursor: str | None = None
    limit: int = 50
