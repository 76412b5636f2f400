"""The contract of dues (党费): income declarations, the monthly run, the payments ledger, paid rates: RPC payloads and the events published."""

from __future__ import annotations

from typing import Any

PUBLISHED_EVENTS: dict[str, Any] = {}
