"""What events and callers ask of the notify service."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TellPointsAwarded:
    """From scoring's points_awarded."""

    event_id: str
    member_id: str
    org_path: str  # the member's organization when the points were awarded
    category: str
    item: str
    points: int
    total_after: int


@dataclass(frozen=True)
class ListInbox:
    member_id: str
    cursor: str | None = None
    limit: int = 50


@dataclass(frozen=True)
class SendSms:
    """A text to one phone, sent once per key (a retried call with the same key sends nothing)."""

    key: str
    phone: str
    template: str
    params: dict[str, str]
