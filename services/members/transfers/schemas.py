"""The contract of transfers between organizations (组织关系转接), within and between deployments: RPC payloads and the events published."""

from __future__ import annotations

from typing import Any

PUBLISHED_EVENTS: dict[str, Any] = {}
