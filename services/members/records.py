"""Build stored records from validated input: keys, paths, encrypted personal data."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from services.infra.events import isoformat, new_event
from services.infra.pii import PiiCipher, mask_id_number, mask_name, mask_phone
from services.members.domain import SignInWindow, child_path


def org_record(data: dict[str, Any], parent: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "_id": data["org_id"],
        "parent_id": data["parent_id"],
        "name": data["name"],
        "kind": data["kind"],
        "tags": data["tags"],
        "path": child_path(parent["path"] if parent else None, data["org_id"]),
    }


def member_record(data: dict[str, Any], org: dict[str, Any], cipher: PiiCipher) -> dict[str, Any]:
    id_number, phone = data["id_number"].upper(), data["phone"]
    return {
        "_id": "mb-" + uuid.uuid4().hex[:16],
        "org_id": org["_id"],
        "org_path": org["path"],
        "name": data["name"],
        "name_masked": mask_name(data["name"]),
        "gender": data["gender"],
        "birth_date": data["birth_date"].isoformat(),
        "status": data["status"],
        "join_date": data["join_date"].isoformat(),
        "card_uid": data["card_uid"],
        "skills": data["skills"],
        "id_hash": cipher.lookup_hash(id_number, "id_number"),
        "id_number_enc": cipher.encrypt(id_number, "id_number"),
        "id_number_masked": mask_id_number(id_number),
        "phone_hash": cipher.lookup_hash(phone, "phone"),
        "phone_enc": cipher.encrypt(phone, "phone"),
        "phone_masked": mask_phone(phone),
    }


def member_registered(member: dict[str, Any]) -> dict[str, Any]:
    return new_event(
        "member_registered",
        member["org_path"],
        {
            "member_id": member["_id"],
            "org_id": member["org_id"],
            "status": member["status"],
            "join_date": member["join_date"],
        },
    )


def meeting_record(
    data: dict[str, Any], org: dict[str, Any], default_window: dict[str, int]
) -> dict[str, Any]:
    before = data["window_before_min"]
    after = data["window_after_min"]
    window = SignInWindow(
        data["starts_at"].astimezone(UTC),
        default_window["before_min"] if before is None else before,
        default_window["after_min"] if after is None else after,
    )
    return {
        "_id": data["meeting_id"] or "mt-" + uuid.uuid4().hex[:16],
        "org_id": org["_id"],
        "org_path": org["path"],
        "kind": data["kind"],
        "title": data["title"],
        "starts_at": isoformat(window.starts_at),
        "opens_at": isoformat(window.opens_at),
        "closes_at": isoformat(window.closes_at),
    }


def is_open(meeting: dict[str, Any], now: datetime) -> bool:
    opens = datetime.fromisoformat(meeting["opens_at"])
    closes = datetime.fromisoformat(meeting["closes_at"])
    return opens <= now <= closes


def attendance_record(
    member: dict[str, Any], meeting: dict[str, Any], now: datetime, device_id: str | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    checked_in_at = isoformat(now)
    event = new_event(
        "member_checked_in",
        meeting["org_path"],
        {
            "member_id": member["_id"],
            "member_org_path": member["org_path"],
            "meeting_id": meeting["_id"],
            "meeting_kind": meeting["kind"],
            "meeting_org_id": meeting["org_id"],
            "checked_in_at": checked_in_at,
            "device_id": device_id,
        },
    )
    attendance = {
        "_id": f"{meeting['_id']}:{member['_id']}",
        "meeting_id": meeting["_id"],
        "member_id": member["_id"],
        "checked_in_at": checked_in_at,
        "device_id": device_id,
        "event_id": event["payload"]["event_id"],
    }
    return attendance, event
