"""The contract of mobile members (流动党员) and lapse warnings: RPC payloads and the events published."""

from __future__ import annotations

from typing import Any

PUBLISHED_EVENTS: dict[str, Any] = {}
