"""Rules of the organization tree, meetings and sign-in. No framework imports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

ORG_KINDS = ("committee", "working_committee", "general_branch", "branch", "group", "grid")
MEETING_KINDS = (
    "general_meeting",
    "committee_meeting",
    "group_meeting",
    "lecture",
    "theme_day",
    "org_life_meeting",
)
MEMBER_STATUSES = ("full", "probationary")


def child_path(parent_path: str | None, org_id: str) -> str:
    return f"{parent_path}/{org_id}" if parent_path else f"/{org_id}"


def in_subtree(path: str, scope: str) -> bool:
    return path == scope or path.startswith(scope.rstrip("/") + "/")


@dataclass(frozen=True)
class SignInWindow:
    starts_at: datetime
    minutes_before: int
    minutes_after: int

    @property
    def opens_at(self) -> datetime:
        return self.starts_at - timedelta(minutes=self.minutes_before)

    @property
    def closes_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes_after)

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now <= self.closes_at
