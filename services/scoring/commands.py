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
class DeductAbsences:
    """From members' meeting_closed: the unexcused absent members of a closed meeting."""

    meeting_id: str
    meeting_kind: str
    org_path: str
    closed_at: datetime
    absent_member_ids: tuple[str, ...]


@dataclass(frozen=True)
class ListEntries:
    member_id: str
    year: int | None = None
    cursor: str | None = None
    limit: int = 50
