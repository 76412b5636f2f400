"""What callers ask of the organization register: one typed command per RPC."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from services.members.domain import Grid


@dataclass(frozen=True)
class UpdateOrg:
    org_id: str
    version: int
    name: str | None = None
    tags: list[str] | None = None
    ends_on: date | None = None
    clear_ends_on: bool = False
    grid: Grid | None = None


@dataclass(frozen=True)
class MoveOrg:
    org_id: str
    new_parent_id: str


@dataclass(frozen=True)
class MergeOrg:
    org_id: str
    into_org_id: str
    reason: str


@dataclass(frozen=True)
class DissolveOrg:
    org_id: str
    reason: str


@dataclass(frozen=True)
class PlaceTemporaryMembers:
    org_id: str
    member_ids: list[str] = field(default_factory=list)
    reason: str = ""


@dataclass(frozen=True)
class ListOrgHistory:
    org_id: str
    cursor: str | None = None
    limit: int = 50
