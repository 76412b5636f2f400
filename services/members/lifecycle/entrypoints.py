"""The lifecycle RPCs of the members service (mixed into MembersService): members' statuses,
profiles, search and cards. Each loads its arguments through the contract, calls its handler
with the unit of work and the caller, and dumps the result through an output schema."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from nameko.timer import timer

from services.infra.dependencies import BuiltOnce
from services.infra.pii import PiiCipher
from services.infra.rpc import rpc
from services.infra.schemas import dump, load
from services.members import schemas as member_schemas
from services.members.lifecycle import cards, schemas, search, status, updating
from services.members.lifecycle.ports import LifecycleSettings

REMIND_EVERY_SECONDS = 3600  # probation_ending: at most an hour late, once per member


def lifecycle_settings(config: dict[str, Any]) -> LifecycleSettings:
    """Read once at start-up (config.yml ``LIFECYCLE``; defaults when absent)."""
    c = config.get("LIFECYCLE") or {}
    return LifecycleSettings(
        cipher=PiiCipher.from_env(),
        timezone=ZoneInfo(str(config.get("TIMEZONE") or "Asia/Shanghai")),
        confirm_window_days=int(c.get("confirm_window_days", 30)),
        extension_max_days=int(c.get("extension_max_days", 365)),
        probation_due_days=int(c.get("probation_due_days", 30)),
        probation_overdue_days=int(c.get("probation_overdue_days", 365)),
        reminder_days=int(c.get("reminder_days", 30)),
    )


def _page(schema: type, found: tuple[list[Any], str | None]) -> dict[str, Any]:
    items, next_cursor = found
    return dump(schema, {"items": items, "next_cursor": next_cursor})  # type: ignore[no-any-return]


def _member(member: Any) -> dict[str, Any]:
    return dump(member_schemas.MemberOut, member)  # type: ignore[no-any-return]


class LifecycleEntrypoints:
    """Needs ``uow`` (the MembersStore) and ``caller`` from the service class."""

    uow: Any
    caller: Any
    lifecycle_settings: LifecycleSettings = BuiltOnce(lifecycle_settings)

    @rpc
    def update_member_profile(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.UpdateMemberProfile, payload)
        found = updating.update_member_profile(
            cmd, self.uow, self.caller(), self.lifecycle_settings
        )
        return _member(found)

    @rpc
    def change_member_status(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.ChangeStatus, payload)
        found = status.change_member_status(cmd, self.uow, self.caller(), self.lifecycle_settings)
        return _member(found)

    @rpc
    def list_status_history(self, query: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.ListStatusHistory, query)
        found = status.list_status_history(cmd, self.uow, self.caller())
        return _page(schemas.StatusHistoryPage, found)

    @rpc
    def list_probation_due(self, query: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.ListProbationDue, query)
        found = status.list_probation_due(cmd, self.uow, self.caller(), self.lifecycle_settings)
        return _page(member_schemas.MembersPage, found)

    @rpc
    def search_members(self, query: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.SearchMembers, query)
        found = search.search_members(cmd, self.uow, self.caller(), self.lifecycle_settings)
        return _page(member_schemas.MembersPage, found)

    @rpc
    def issue_card(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.IssueCard, payload)
        return _member(cards.issue_card(cmd, self.uow, self.caller(), self.lifecycle_settings))

    @rpc
    def replace_card(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.ReplaceCard, payload)
        return _member(cards.replace_card(cmd, self.uow, self.caller(), self.lifecycle_settings))

    @rpc
    def report_card_lost(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.EndCard, payload)
        found = cards.report_card_lost(cmd, self.uow, self.caller(), self.lifecycle_settings)
        return _member(found)

    @rpc
    def return_card(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.EndCard, payload)
        return _member(cards.return_card(cmd, self.uow, self.caller(), self.lifecycle_settings))

    @rpc
    def list_cards(self, query: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.ListCards, query)
        return _page(schemas.CardsPage, cards.list_cards(cmd, self.uow, self.caller()))

    @timer(interval=REMIND_EVERY_SECONDS)
    def remind_probation_ending(self) -> None:
        status.remind_probation_ending(self.uow, self.lifecycle_settings)
