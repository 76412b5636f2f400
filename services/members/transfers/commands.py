"""What callers ask of transfers between organizations (组织关系转接)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IssueTransfer:
    request_id: str  # the caller's id of this request: asked again, it answers the same letter
    member_id: str
    scope: str  # within_city / outside_city
    reason: str
    to_org_id: str | None = None  # an organization of this deployment
    to_deployment: str | None = None  # or another deployment ...
    to_org_name: str = ""  # ... and the receiving organization's name (or id) there


@dataclass(frozen=True)
class ReissueTransfer:
    transfer_id: str  # the expired letter
    request_id: str


@dataclass(frozen=True)
class CloseTransfer:
    """Accept, cancel (no reason needed) or decline (with the reason) a letter."""

    transfer_id: str
    reason: str = ""


@dataclass(frozen=True)
class GetTransfer:
    transfer_id: str


@dataclass(frozen=True)
class ListTransfers:
    org_id: str
    direction: str  # outgoing (issued by the subtree) / incoming (addressed to it)
    open_only: bool = False
    cursor: str | None = None
    limit: int = 50
