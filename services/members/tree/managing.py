"""The register's changes: create checks, update (rename, tags, end date, grid), merge two
branches, dissolve, place members in a temporary branch and return them, and the history.

Each change writes one history line keyed by the change (a repeat writes nothing more). Members
move between organizations one document write each, the counters of the two organizations
(and those above) following per batch."""

from __future__ import annotations

import functools
import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from services.infra.errors import Conflict, InvalidInput, NotFound, Stale
from services.infra.i18n import _
from services.infra.scope import Caller
from services.members.domain import Member, Org
from services.members.handlers import STAFF, Page, get_org
from services.members.tree import commands, domain
from services.members.tree.ports import TreeUnitOfWork

BATCH = 200  # members read and moved at a time


def now() -> datetime:
    return datetime.now().astimezone()


def record(
    uow: TreeUnitOfWork,
    caller: Caller,
    change_id: str,
    org_id: str,
    action: str,
    changes: dict[str, Any],
    at: datetime | None = None,
) -> None:
    entry = domain.history_entry(
        change_id, org_id, at or now(), caller.as_context(), action, changes
    )
    uow.org_history.record(entry)


def _unknown(ids: list[str], found: dict[str, Member], caller: Caller) -> list[str]:
    """The ids of members not found, or outside the caller's area (not told apart)."""
    return [i for i in ids if i not in found or not caller.covers(found[i].org_path)]


def _member_ids_exist(ids: list[str], uow: TreeUnitOfWork, caller: Caller) -> None:
    missing = _unknown(ids, uow.members.many(ids), caller)
    if missing:
        raise InvalidInput(
            _("Some fields are missing or invalid"),
            fields={"grid": [_("Unknown members: {ids}", ids=", ".join(missing))]},
        )


def _day(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _changed_meanwhile(org: Org) -> Conflict:
    return Conflict(
        _("Someone else changed this organization meanwhile; reload it and try again"),
        version=org.version,
    )


def update_org(cmd: commands.UpdateOrg, uow: TreeUnitOfWork, caller: Caller) -> Org:
    caller.require_role(STAFF)
    org = get_org(cmd.org_id, uow, caller)
    change = domain.OrgChange(cmd.name, cmd.tags, cmd.ends_on, cmd.clear_ends_on, cmd.grid)
    parent = uow.orgs.get(org.parent_id) if org.parent_id else None
    today = now().date()
    if org.version != cmd.version:
        _same, nothing, _events = domain.change_org(org, change, parent, today)
        if org.version == cmd.version + 1 and not nothing:
            return org  # a repeat of the change that made this version: answered again
        raise _changed_meanwhile(org)
    if cmd.grid is not None:
        _member_ids_exist([i for i in (cmd.grid.leader_id, *cmd.grid.worker_ids) if i], uow, caller)
    changed, changes, events = domain.change_org(org, change, parent, today)
    if not changes:
        return org
    try:
        saved = uow.orgs.save(changed, events)
    except Stale:
        raise _changed_meanwhile(uow.orgs.get(org.org_id) or org) from None
    record(uow, caller, f"{org.org_id}:v{saved.version}", org.org_id, "changed", changes)
    return saved


def _members_of(org: Org, uow: TreeUnitOfWork) -> Iterator[list[Member]]:
    """The organization's own members, a batch at a time (index org_id, name, _id; the cursor
    names the last member by id, so members moved out meanwhile do not disturb it)."""
    cursor: str | None = None
    while True:
        found, cursor = uow.members.listed(org, False, None, cursor, BATCH)
        if found:
            yield found
        if cursor is None:
            return


def _move_members(
    members: list[Member],
    target: Callable[[Member], Member],
    uow: TreeUnitOfWork,
) -> int:
    """Save each member as ``target`` makes them, then move the counters of the organizations
    they left and joined by their statuses (also for those saved before a failure). A member
    changed meanwhile is read again and moved from where they are now, unless they left the
    organization they were read in."""
    left: Counter[tuple[str, str]] = Counter()
    joined: Counter[tuple[str, str]] = Counter()
    try:
        for member in members:
            try:
                moved = uow.members.save(target(member), [])
            except Stale:
                fresh = uow.members.get(member.member_id)
                if fresh is None or fresh.org_id != member.org_id:
                    continue
                member, moved = fresh, uow.members.save(target(fresh), [])
            left[(member.org_path, member.status)] += 1
            joined[(moved.org_path, moved.status)] += 1
    finally:
        for counter, sign in ((left, -1), (joined, 1)):
            by_org: dict[str, dict[str, int]] = {}
            for (path, status), n in counter.items():
                by_org.setdefault(path, {})[status] = sign * n
            for path, by_status in by_org.items():
                uow.orgs.count_members(path, by_status)
    return sum(left.values())


def merge_org(cmd: commands.MergeOrg, uow: TreeUnitOfWork, caller: Caller) -> Org:
    """Branch ``org_id`` merged into ``into_org_id``: its members move there (counters
    follow); its meetings and kiosks stay as history; it is marked merged and dissolved today.
    A repeat (or a retry after a crash) finishes what is left and answers the target again."""
    caller.require_role(STAFF)
    org = get_org(cmd.org_id, uow, caller)
    into = get_org(cmd.into_org_id, uow, caller)
    if org.merged_into != into.org_id:
        domain.check_merge(org, into)
        merged, events = domain.merged(org, into, org.counts.own_members, now().date())
        org = uow.orgs.save(merged, events)
    # the history lines are keyed by the merge: a retry after a crash writes the missing ones
    changes = {
        "merged_into": [None, into.org_id],
        "dissolved_on": [None, _day(org.dissolved_on)],
        "reason": [None, cmd.reason],
    }
    record(uow, caller, f"{org.org_id}:merged", org.org_id, "merged", changes)
    merged_in = {"merged_from": [None, org.org_id]}
    record(uow, caller, f"{org.org_id}:merged:{into.org_id}", into.org_id, "merged_in", merged_in)

    def into_target(member: Member) -> Member:
        return replace(member, org_id=into.org_id, org_path=into.path)

    for batch in _members_of(org, uow):
        _move_members(batch, into_target, uow)
    return get_org(into.org_id, uow, caller)


def _children_dissolved(org: Org, uow: TreeUnitOfWork) -> bool:
    cursor: str | None = None
    while True:
        children, cursor = uow.orgs.children(org.org_id, cursor, BATCH)
        if any(not child.dissolved for child in children):
            return False
        if cursor is None:
            return True


def dissolve_org(cmd: commands.DissolveOrg, uow: TreeUnitOfWork, caller: Caller) -> Org:
    """An empty organization (no members in the register, no sub-organizations but dissolved
    ones) is marked dissolved, never deleted; a temporary or action branch returns its members
    to their home branches first. A repeat answers the dissolved organization."""
    caller.require_role(STAFF)
    org = get_org(cmd.org_id, uow, caller)
    if not org.dissolved:
        if not _children_dissolved(org, uow):
            raise Conflict(
                _("This organization still has sub-organizations: dissolve or move them first")
            )
        if org.counts.members and not domain.is_temporary(org):
            raise Conflict(
                _("This organization still has members: transfer them before dissolving it")
            )
        done, events = domain.dissolved(org, org.counts.own_members, cmd.reason, now().date())
        org = uow.orgs.save(done, events)
    changes = {"dissolved_on": [None, _day(org.dissolved_on)], "reason": [None, cmd.reason]}
    record(uow, caller, f"{org.org_id}:dissolved", org.org_id, "dissolved", changes)
    if domain.is_temporary(org):  # members registered in it directly stay, as its history
        for batch in _members_of(org, uow):
            homed = [m for m in batch if m.home_org_id and m.org_id == org.org_id]
            _move_members(homed, functools.partial(_home_of, uow=uow), uow)
    return get_org(org.org_id, uow, caller)


def _home_of(member: Member, uow: TreeUnitOfWork) -> Member:
    """The member back in their home branch (where it is now: it may have moved, or been
    merged into another)."""
    home = uow.orgs.get(member.home_org_id) if member.home_org_id else None
    if home is not None and home.merged_into:
        home = uow.orgs.get(home.merged_into) or home
    if home is None:
        raise NotFound(_("Unknown organization"), org_id=member.home_org_id or "")
    return domain.returned(member, home)


def _batch_key(branch: Org, action: str, members: list[Member]) -> str:
    """A history key of one placement: the members at the versions they were moved from."""
    moved = ",".join(sorted(f"{m.member_id}@{m.version}" for m in members))
    return f"{branch.org_id}:{action}:{hashlib.sha256(moved.encode()).hexdigest()[:24]}"


def _in_temporary_branch(
    cmd: commands.PlaceTemporaryMembers, uow: TreeUnitOfWork, caller: Caller
) -> tuple[Org, dict[str, Member]]:
    """The temporary branch and the members asked for, each within the caller's area."""
    caller.require_role(STAFF)
    branch = get_org(cmd.org_id, uow, caller)
    domain.check_temporary_branch(branch)
    found = uow.members.many(cmd.member_ids)
    missing = _unknown(cmd.member_ids, found, caller)
    if missing:
        raise NotFound(_("Unknown member"), member_ids=missing)
    return branch, found


def _move_recorded(
    branch: Org,
    action: str,
    movers: list[Member],
    target: Callable[[Member], Member],
    cmd: commands.PlaceTemporaryMembers,
    uow: TreeUnitOfWork,
    caller: Caller,
) -> None:
    """The history line first (keyed by the members' versions: a retry after a crash writes
    it once), then the members moved."""
    if movers:
        ids = sorted(m.member_id for m in movers)
        changes = {"members": [None, ids], "reason": [None, cmd.reason]}
        record(uow, caller, _batch_key(branch, action, movers), branch.org_id, action, changes)
    _move_members(movers, target, uow)


def place_temporary_members(
    cmd: commands.PlaceTemporaryMembers, uow: TreeUnitOfWork, caller: Caller
) -> dict[str, int]:
    """Members of the caller's area placed in a temporary or action branch (they keep their
    home branch to return to); answers how many of them are now there (a repeat: the same)."""
    branch, found = _in_temporary_branch(cmd, uow, caller)
    outside = [m.member_id for m in found.values() if not m.in_register]
    if outside:
        message = _("Only members in the register can be placed: {ids}", ids=", ".join(outside))
        raise Conflict(message)
    to_place = [m for m in found.values() if m.org_id != branch.org_id]
    place = functools.partial(domain.placed, branch=branch)
    _move_recorded(branch, "members_placed", to_place, place, cmd, uow, caller)
    return {"placed": len(found)}


def return_temporary_members(
    cmd: commands.PlaceTemporaryMembers, uow: TreeUnitOfWork, caller: Caller
) -> dict[str, int]:
    """Members of a temporary branch returned to their home branches before it ends."""
    branch, found = _in_temporary_branch(cmd, uow, caller)
    here = [m for m in found.values() if m.org_id == branch.org_id and m.home_org_id]
    home = functools.partial(_home_of, uow=uow)
    _move_recorded(branch, "members_returned", here, home, cmd, uow, caller)
    return {"returned": len(found)}


def org_history(cmd: commands.ListOrgHistory, uow: TreeUnitOfWork, caller: Caller) -> Page:
    caller.require_role(STAFF)
    org = get_org(cmd.org_id, uow, caller)
    return uow.org_history.of_org(org.org_id, cmd.cursor, cmd.limit)
