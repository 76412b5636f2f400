"""The register's RPCs of the members service (mixed into MembersService): change, move,
merge and dissolve organizations, place members in temporary branches, read the history; a
timer takes up the moves a crash (or a request out of time) left unfinished."""

from __future__ import annotations

from typing import Any

from nameko.timer import timer

from services.infra.rpc import rpc
from services.infra.schemas import dump, load
from services.members import schemas as member_schemas
from services.members.tree import managing, moving, schemas

RESUME_MOVES_SECONDS = 5  # how soon an unfinished move is taken up again (and at start)


class TreeEntrypoints:
    """Needs ``uow`` (the MembersStore) and ``caller`` from the service class."""

    uow: Any
    caller: Any

    @rpc
    def update_org(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.UpdateOrg, payload)
        org = managing.update_org(cmd, self.uow, self.caller())
        return dump(member_schemas.OrgNodeOut, org)  # type: ignore[no-any-return]

    @rpc
    def move_org(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.MoveOrg, payload)
        return dump(schemas.MoveOut, moving.move_org(cmd, self.uow, self.caller()))  # type: ignore[no-any-return]

    @rpc
    def get_org_move(self, move_id: str) -> dict[str, Any]:
        job = moving.get_move(str(move_id), self.uow, self.caller())
        return dump(schemas.MoveOut, job)  # type: ignore[no-any-return]

    @rpc
    def merge_org(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.MergeOrg, payload)
        org = managing.merge_org(cmd, self.uow, self.caller())
        return dump(member_schemas.OrgNodeOut, org)  # type: ignore[no-any-return]

    @rpc
    def dissolve_org(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.DissolveOrg, payload)
        org = managing.dissolve_org(cmd, self.uow, self.caller())
        return dump(member_schemas.OrgNodeOut, org)  # type: ignore[no-any-return]

    @rpc
    def place_temporary_members(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.TemporaryMembers, payload)
        found = managing.place_temporary_members(cmd, self.uow, self.caller())
        return dump(schemas.PlacedOut, found)  # type: ignore[no-any-return]

    @rpc
    def return_temporary_members(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.TemporaryMembers, payload)
        found = managing.return_temporary_members(cmd, self.uow, self.caller())
        return dump(schemas.ReturnedOut, found)  # type: ignore[no-any-return]

    @rpc
    def list_org_history(self, query: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.ListOrgHistory, query)
        items, next_cursor = managing.org_history(cmd, self.uow, self.caller())
        return dump(schemas.HistoryPage, {"items": items, "next_cursor": next_cursor})  # type: ignore[no-any-return]

    @timer(interval=RESUME_MOVES_SECONDS, eager=True)
    def resume_org_moves(self) -> None:
        moving.resume_moves(self.uow)
