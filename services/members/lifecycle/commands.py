"""What callers ask of the members' lifecycle: statuses, profiles, search and cards."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class UpdateMemberProfile:
    member_id: str
    changes: dict[str, Any] = field(default_factory=dict)  # profile field -> new value
    version: int | None = None  # the version the changes were made from (None: any)


@dataclass(frozen=True)
class ChangeStatus:
    member_id: str
    to_status: str
    effective_on: date
    reason: str
    approved_by: str  # who approved: 支部大会, 上级党委, ...
    reason_code: str | None = None  # the kind of change (lifecycle.status.REASON_CODES)
    extend_days: int | None = None  # an extended probation: by how many days (at most a year)


@dataclass(frozen=True)
class ListStatusHistory:
    member_id: str
    cursor: str | None = None
    limit: int = 50


@dataclass(frozen=True)
class ListProbationDue:
    org_id: str
    within_days: int | None = None  # None: the configured default
    cursor: str | None = None
    limit: int = 50


@dataclass(frozen=True)
class SearchMembers:
    org_id: str
    q: str
    cursor: str | None = None
    limit: int = 50


@dataclass(frozen=True)
class IssueCard:
    member_id: str
    card_uid: str


@dataclass(frozen=True)
class ReplaceCard:
    member_id: str
    card_uid: str


@dataclass(frozen=True)
class EndCard:
    """Report the member's card lost (blocked at once) or take it back (returned)."""

    member_id: str
    reason: str


@dataclass(frozen=True)
class ListCards:
    member_id: str
    cursor: str | None = None
    limit: int = 50
