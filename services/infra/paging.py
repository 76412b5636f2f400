"""Opaque cursors for lists: the last row's sort values, base64-encoded JSON."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from services.infra.errors import InvalidInput
from services.infra.i18n import _

MAX_LIMIT = 200


def encode(position: dict[str, Any] | None) -> str | None:
    if position is None:
        return None
    raw = json.dumps(position, separators=(",", ":"), ensure_ascii=False, default=str)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(cursor: str | None, keys: tuple[str, ...]) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        position = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        position = None
    # sort values only (or lists of them): an operator ({"$ne": ...}) never reaches a query
    values = isinstance(position, dict) and all(
        _sort_value(v) or (isinstance(v, list) and all(map(_sort_value, v)))
        for v in position.values()
    )
    if not values or set(position) != set(keys):
        raise InvalidInput(
            _("Some fields are missing or invalid"), fields={"cursor": ["invalid cursor"]}
        )
    return position


def _sort_value(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def clamp(limit: int | None, default: int = 50) -> int:
    return max(1, min(MAX_LIMIT, int(limit or default)))
