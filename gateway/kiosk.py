"""Card sign-in at a kiosk: record attendance, then report the points scoring awarded for it."""

from __future__ import annotations

import time
from typing import Any

from flask import current_app, jsonify

from gateway.auth import Principal
from gateway.http_schemas import KioskCheckInBody
from services.infra.i18n import _


def check_in(principal: Principal, body: dict[str, Any]) -> Any:
    data = KioskCheckInBody().load(body)
    rpc = current_app.extensions["rpc"]
    result = rpc.call(
        "members",
        "check_in",
        {**data, "device_id": principal.device or ""},
    )
    points = _points(rpc, result["event_id"], wait=current_app.config["SETTINGS"].award_wait)
    first = result["created"]
    answer = {
        "message": _("Signed in") if first else _("Already signed in; nothing new was recorded"),
        "first_sign_in": first,
        "checked_in_at": result["checked_in_at"],
        "member": result["member"],
        "meeting": result["meeting"],
        "points": points,
    }
    return jsonify(answer), 201 if first else 200


def _points(rpc: Any, event_id: str, wait: float) -> dict[str, Any]:
    """Scoring awards asynchronously; wait briefly for the entry, else report it as pending."""
    deadline = time.monotonic() + wait
    while True:
        entry = rpc.call("scoring", "award_for_event", "member_checked_in", event_id)
        if entry is not None:
            status = "capped" if entry["capped"] else "awarded"
            return {
                "status": status,
                "points": entry["points"],
                "category": entry["category"],
                "total": entry["total_after"],
            }
        if time.monotonic() >= deadline:
            return {"status": "pending", "points": None, "category": None, "total": None}
        time.sleep(0.02)
