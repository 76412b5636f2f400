"""The contract of the yearly plan of meetings per organization and what is due or missing: RPC payloads and the events published."""

from __future__ import annotations

from typing import Any

PUBLISHED_EVENTS: dict[str, Any] = {}
