"""What callers ask of the yearly plan: an organization's plan for a year, and a subtree's
organizations missing required meetings in a period."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GetPlan:
    org_id: str
    year: int | None = None  # None: this year (China time)


@dataclass(frozen=True)
class ListPlanGaps:
    org_id: str
    period: str | None = None  # a month 'YYYY-MM'; None: this month
    cursor: str | None = None
    limit: int = 50
