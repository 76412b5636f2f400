"""What callers ask of the volunteer service: one typed command per RPC."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RecordNeed:
    grid_path: str
    title: str
    category: str
    resident_name: str
    description: str = ""
    resident_phone: str | None = None


@dataclass(frozen=True)
class ListOpenNeeds:
    scope: str
    cursor: str | None = None
    limit: int = 50


@dataclass(frozen=True)
class ListNeeds:
    """Needs in a subtree (a grid's path: that grid's), newest first; all statuses when None."""

    scope: str
    status: str | None = "open"
    cursor: str | None = None
    limit: int = 50


@dataclass(frozen=True)
class CountNeeds:
    scope: str
    status: str | None = "open"
