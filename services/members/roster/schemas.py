"""The roster part of the members service's contract."""

from __future__ import annotations

from typing import Any

PUBLISHED_EVENTS: dict[str, Any] = {}
