"""The contract of meetings held: leave, closing with the attendance sheet and minutes, attendance rates rolled up the tree: RPC payloads and the events published."""

from __future__ import annotations

from typing import Any

PUBLISHED_EVENTS: dict[str, Any] = {}
