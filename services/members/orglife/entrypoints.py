"""The RPCs of meetings held: leave, closing with the attendance sheet and minutes, attendance rates rolled up the tree (mixed into MembersService)."""

from __future__ import annotations

import base64
from typing import Any
from zoneinfo import ZoneInfo

from services.infra.dependencies import BuiltOnce
from services.infra.pii import PiiCipher
from services.infra.rpc import rpc
from services.infra.schemas import dump, load, with_created
from services.members.orglife import closing, leave, schemas
from services.members.orglife.ports import OrgLifeSettings


def orglife_settings(config: dict[str, Any]) -> OrgLifeSettings:
    """Read once at start-up (config.yml ``ORGLIFE``; defaults when absent)."""
    c = config.get("ORGLIFE") or {}
    return OrgLifeSettings(
        cipher=PiiCipher.from_env(),
        timezone=ZoneInfo(str(config.get("TIMEZONE") or "Asia/Shanghai")),
        photo_max_bytes=int(float(c.get("photo_max_mb", 1)) * 2**20),
        photo_max_count=int(c.get("photo_max_count", 9)),
        max_months=int(c.get("rates_max_months", 24)),
    )


def _page(schema: type, found: tuple[list[Any], str | None]) -> dict[str, Any]:
    items, next_cursor = found
    return dump(schema, {"items": items, "next_cursor": next_cursor})  # type: ignore[no-any-return]


class OrgLifeEntrypoints:
    """Needs ``uow`` (the MembersStore) and ``caller`` from the service class."""

    uow: Any
    caller: Any
    orglife_settings: OrgLifeSettings = BuiltOnce(orglife_settings)

    @rpc
    def request_leave(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.RequestLeave, payload)
        found, created = leave.request_leave(cmd, self.uow, self.caller(), self.orglife_settings)
        return with_created(schemas.LeaveOut, found, created)

    @rpc
    def decide_leave(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.DecideLeave, payload)
        found = leave.decide_leave(cmd, self.uow, self.caller(), self.orglife_settings)
        return dump(schemas.LeaveOut, found)  # type: ignore[no-any-return]

    @rpc
    def withdraw_leave(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.WithdrawLeave, payload)
        found = leave.withdraw_leave(cmd, self.uow, self.caller(), self.orglife_settings)
        return dump(schemas.LeaveOut, found)  # type: ignore[no-any-return]

    @rpc
    def list_meeting_leave(self, query: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.ListMeetingLeave, query)
        return _page(schemas.LeavePage, leave.list_meeting_leave(cmd, self.uow, self.caller()))

    @rpc
    def list_pending_leave(self, query: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.ListPendingLeave, query)
        return _page(schemas.LeavePage, leave.list_pending_leave(cmd, self.uow, self.caller()))

    @rpc
    def close_meeting(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.CloseMeeting, payload)
        found, created = closing.close_meeting(cmd, self.uow, self.caller(), self.orglife_settings)
        return with_created(schemas.ClosingOut, found, created)

    @rpc
    def get_attendance_sheet(self, query: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.GetSheet, query)
        found, items, cursor = closing.get_sheet(cmd, self.uow, self.caller())
        result = {"closing": found, "items": items, "next_cursor": cursor}
        return dump(schemas.SheetOut, result)  # type: ignore[no-any-return]

    @rpc
    def put_minutes(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.PutMinutes, payload)
        found = closing.put_minutes(cmd, self.uow, self.caller(), self.orglife_settings)
        return dump(schemas.MinutesOut, found)  # type: ignore[no-any-return]

    @rpc
    def get_minutes(self, meeting_id: str) -> dict[str, Any]:
        found = closing.get_minutes(str(meeting_id), self.uow, self.caller())
        return dump(schemas.MinutesOut, found)  # type: ignore[no-any-return]

    @rpc
    def read_minutes_photo(self, query: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.ReadPhoto, query)
        photo, content = closing.read_photo(cmd, self.uow, self.caller(), self.orglife_settings)
        return {
            "content_type": photo.content_type,
            "content": base64.b64encode(content).decode("ascii"),
        }

    @rpc
    def get_attendance_rates(self, query: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.GetRates, query)
        found = closing.get_rates(cmd, self.uow, self.caller(), self.orglife_settings)
        return _page(schemas.RatesPage, found)
