"""The RPCs of mobile members (流动党员) and lapse warnings (mixed into MembersService). Each
loads its arguments through the contract, calls its handler with the unit of work and the
caller, and dumps the result through an output schema."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from nameko.timer import timer

from services.infra.dependencies import BuiltOnce
from services.infra.rpc import rpc
from services.infra.schemas import dump, load
from services.members import schemas as member_schemas
from services.members.mobile import lapse, schemas, stays
from services.members.mobile.ports import MobileSettings

# member_lapse_warning: the work is a day's (months), done hourly so that a restart never skips
# a day; each member, threshold and streak is warned once however often it runs
LAPSE_EVERY_SECONDS = 3600


def mobile_settings(config: dict[str, Any]) -> MobileSettings:
    """Read once at start-up (config.yml ``MOBILE``; defaults when absent)."""
    c = config.get("MOBILE") or {}
    thresholds = c.get("lapse_thresholds") or [3, 5]
    if isinstance(thresholds, str):
        thresholds = [p for p in thresholds.replace(",", " ").split() if p]
    return MobileSettings(
        timezone=ZoneInfo(str(config.get("TIMEZONE") or "Asia/Shanghai")),
        max_months=int(c.get("max_months", 6)),
        lapse_thresholds=tuple(sorted(int(n) for n in thresholds)),
        lapse_rule_months=int(c.get("lapse_rule_months", 6)),
        lapse_catch_up_months=int(c.get("lapse_catch_up_months", 1)),
        overdue_days=int(c.get("overdue_days", 7)),
    )


def _page(schema: type, found: tuple[list[Any], str | None]) -> dict[str, Any]:
    items, next_cursor = found
    return dump(schema, {"items": items, "next_cursor": next_cursor})  # type: ignore[no-any-return]


def _mobile_member(member: Any) -> dict[str, Any]:
    return dump(schemas.MobileMemberOut, member)  # type: ignore[no-any-return]


class MobileEntrypoints:
    """Needs ``uow`` (the MembersStore) and ``caller`` from the service class."""

    uow: Any
    caller: Any
    mobile_settings: MobileSettings = BuiltOnce(mobile_settings)

    @rpc
    def register_mobile_member(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.RegisterMobile, payload)
        found = stays.register_mobile(cmd, self.uow, self.caller(), self.mobile_settings)
        return _mobile_member(found)

    @rpc
    def change_mobile_host(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.ChangeHost, payload)
        found = stays.change_host(cmd, self.uow, self.caller(), self.mobile_settings)
        return _mobile_member(found)

    @rpc
    def end_mobile_stay(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.EndMobile, payload)
        found = stays.end_mobile(cmd, self.uow, self.caller(), self.mobile_settings)
        return _mobile_member(found)

    @rpc
    def list_mobile_members(self, query: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.ListMobile, query)
        found = stays.list_mobile(cmd, self.uow, self.caller(), self.mobile_settings)
        return _page(schemas.MobileMembersPage, found)

    @rpc
    def get_mobile_member(self, member_id: str) -> dict[str, Any]:
        found = stays.get_mobile_member(str(member_id), self.uow, self.caller())
        return _mobile_member(found)

    @rpc
    def list_mobile_attendance(self, query: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.ListMobileAttendance, query)
        found = stays.list_mobile_attendance(cmd, self.uow, self.caller())
        return _page(member_schemas.MemberSignInsPage, found)

    @rpc
    def list_lapse_warnings(self, query: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.ListLapseWarnings, query)
        found = lapse.list_lapse_warnings(cmd, self.uow, self.caller(), self.mobile_settings)
        return _page(schemas.LapseWarningsPage, found)

    @timer(interval=LAPSE_EVERY_SECONDS)
    def raise_lapse_warnings(self) -> None:
        lapse.raise_lapse_warnings(self.uow, self.mobile_settings)

    @timer(interval=LAPSE_EVERY_SECONDS)
    def remind_mobile_overdue(self) -> None:
        stays.remind_overdue(self.uow, self.mobile_settings)
