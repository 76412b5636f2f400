"""Rules of the organization register: what a new organization may be and where, what a change,
a move, a merge, a dissolution and a temporary placement may do. Functions over the members'
domain objects that return the new state plus the events it raises; no framework, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from services.infra.errors import Conflict, InvalidInput
from services.infra.events import Event, new_event
from services.infra.i18n import _
from services.infra.scope import in_subtree
from services.members.domain import ORG_TAGS, Grid, Member, Org, child_path

BRANCH_KINDS = ("branch", "general_branch")  # where members are placed
TEMPORARY_TAGS = frozenset({"temporary", "action"})  # 临时党支部 / 行动支部: need an end date
PLACE_TAGS = frozenset({"community", "village"})  # where grids are drawn
# Grids never lie under these: they are units, not places where residents live.
NOT_PLACES = frozenset(ORG_TAGS) - PLACE_TAGS - {"grid"}
# What may lie under what is kept permissive (older data and the demo county hang branches
# under branches and grids under a community's general branch); the firm rules: a party group
# has no sub-organizations, and under a grid lie only smaller grids.


def _invalid(field_name: str, message: str) -> InvalidInput:
    return InvalidInput(_("Some fields are missing or invalid"), fields={field_name: [message]})


def check_tags(tags: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    unknown = [t for t in tags if t not in ORG_TAGS]
    if unknown:
        raise _invalid(
            "tags",
            _(
                "Unknown tag {tags}; choose from {known}",
                tags=", ".join(unknown),
                known=", ".join(ORG_TAGS),
            ),
        )
    return tuple(dict.fromkeys(tags))


def check_ends_on(tags: tuple[str, ...], ends_on: date | None, today: date) -> None:
    """A temporary or action branch needs a future end date; no other organization has one."""
    temporary = bool(TEMPORARY_TAGS & set(tags))
    if temporary and ends_on is None:
        raise _invalid("ends_on", _("A temporary or action branch needs its end date"))
    if not temporary and ends_on is not None:
        raise _invalid("ends_on", _("Only a temporary or action branch has an end date"))
    if ends_on is not None and ends_on <= today:
        raise _invalid("ends_on", _("The end date must lie in the future"))


def require_current(org: Org) -> None:
    """New sub-organizations, members and meetings go only to a current organization (a
    dissolved or merged one is kept as history)."""
    if org.dissolved:
        raise Conflict(_("This organization is dissolved; choose a current one"))


def check_placement(kind: str, tags: tuple[str, ...], parent: Org | None) -> None:
    """Whether an organization of ``kind`` may lie under ``parent``. A grid lies in a community
    or village: under an organization tagged community or village, under a larger grid, or under
    an untagged organization (a community's own committee or branch, as older data has it);
    never under a firm, building, school, hospital, institution, temporary branch or a group."""
    if parent is None:
        if kind in ("grid", "group"):
            raise _invalid("parent_id", _("A grid or a party group needs a parent organization"))
        return
    require_current(parent)
    if parent.kind == "group":
        raise _invalid("parent_id", _("A party group has no sub-organizations"))
    if parent.kind == "grid" and kind != "grid":
        raise _invalid("parent_id", _("Under a grid lie only smaller grids"))
    parent_tags = set(parent.tags)
    not_a_place = NOT_PLACES & parent_tags and not PLACE_TAGS & parent_tags
    if kind == "grid" and parent.kind != "grid" and not_a_place:
        raise _invalid("parent_id", _("A grid lies under a community or village organization"))
    if "grid" in tags and kind != "grid":
        raise _invalid("tags", _("Only a grid carries the grid tag"))


def check_new_org(
    kind: str, tags: list[str], parent: Org | None, ends_on: date | None, today: date
) -> tuple[str, ...]:
    """The new organization's tags once every rule holds (else InvalidInput / Conflict)."""
    clean = check_tags(tags)
    check_placement(kind, clean, parent)
    check_ends_on(clean, ends_on, today)
    return clean


# -- changes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrgChange:
    """What an update asks; None leaves a field as it is."""

    name: str | None = None
    tags: list[str] | None = None
    ends_on: date | None = None
    clear_ends_on: bool = False
    grid: Grid | None = None


def _value(v: Any) -> Any:
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, Grid):
        return {
            "leader_id": v.leader_id,
            "worker_ids": list(v.worker_ids),
            "households": v.households,
        }
    if isinstance(v, tuple):
        return list(v)
    return v


def differences(before: Org, after: Org, names: tuple[str, ...]) -> dict[str, list[Any]]:
    """{field: [old, new]} for each named field that differs."""
    return {
        n: [_value(getattr(before, n)), _value(getattr(after, n))]
        for n in names
        if getattr(before, n) != getattr(after, n)
    }


CHANGEABLE = ("name", "tags", "ends_on", "grid")


def change_org(
    org: Org, change: OrgChange, parent: Org | None, today: date
) -> tuple[Org, dict[str, list[Any]], list[Event]]:
    """The changed organization, its changes {field: [old, new]} and the ``org_changed`` event
    (none when nothing changed)."""
    if org.dissolved:
        raise Conflict(_("This organization is dissolved; it cannot be changed"))
    tags = check_tags(change.tags) if change.tags is not None else org.tags
    if change.tags is not None:
        check_placement(org.kind, tags, parent)
    ends_on = None if change.clear_ends_on else (change.ends_on or org.ends_on)
    if change.ends_on is not None or change.tags is not None or change.clear_ends_on:
        # a new end date must lie ahead; an unchanged one may have passed
        check_ends_on(tags, ends_on, today if ends_on != org.ends_on else date.min)
    if change.grid is not None and org.kind != "grid":
        raise _invalid("grid", _("Only a grid has a leader, workers and households"))
    if change.grid is not None and change.grid.leader_id in change.grid.worker_ids:
        raise _invalid("grid", _("The grid leader is not also one of its workers"))
    changed = replace(
        org,
        name=change.name if change.name is not None else org.name,
        tags=tags,
        ends_on=ends_on,
        grid=change.grid if change.grid is not None else org.grid,
    )
    changes = differences(org, changed, CHANGEABLE)
    if not changes:
        return org, {}, []
    event = new_event("org_changed", org.path, {"org_id": org.org_id, "changed": sorted(changes)})
    return changed, changes, [event]


# -- moves -------------------------------------------------------------------------------------


def check_move(org: Org, new_parent: Org) -> str:
    """The moved organization's new path, once the move is allowed."""
    if org.dissolved:
        raise Conflict(_("This organization is dissolved; it cannot be moved"))
    if new_parent.dissolved:
        raise Conflict(_("Nothing can be moved under a dissolved organization"))
    if in_subtree(new_parent.path, org.path):
        raise _invalid(
            "new_parent_id", _("An organization cannot move under itself or its own subtree")
        )
    check_placement(org.kind, org.tags, new_parent)
    return child_path(new_parent.path, org.org_id)


def moved_path(path: str, from_path: str, to_path: str) -> str:
    """A path of the moved subtree after the move (unchanged when it lies outside)."""
    if path == from_path or path.startswith(from_path + "/"):
        return to_path + path[len(from_path) :]
    return path


MOVE_PHASES = ("root", "counters", "orgs", "members", "attempts", "keyed", "publish", "done")


@dataclass(frozen=True)
class MoveJob:
    """A subtree's move, recorded before anything is rewritten and advanced phase by phase
    (each phase's batches are idempotent), so a crash leaves a job that is resumed."""

    move_id: str
    org_id: str
    from_path: str
    to_path: str
    new_parent_id: str
    old_parent_id: str | None
    orgs: int  # the subtree's organizations (the root's orgs_below + 1)
    members: int  # its members in the register (the root's counters)
    by_status: Mapping[str, int]
    started_at: datetime
    actor: Mapping[str, str]
    state: str = "running"
    phase: str = "root"
    cursor: str | None = None  # the last organization done in the "keyed" phase
    progress: Mapping[str, int] = field(default_factory=dict)
    finished_at: datetime | None = None

    @property
    def paths(self) -> tuple[str, str]:
        return self.from_path, self.to_path

    def overlaps(self, from_path: str, to_path: str) -> bool:
        """Whether another move of ``from_path`` under ``to_path`` touches this one's
        subtrees (either one's subtree holds a path of the other)."""
        mine = (self.from_path, self.to_path)
        theirs = (from_path, to_path)
        return any(in_subtree(a, b) or in_subtree(b, a) for a in mine for b in theirs)

    def moved_event(self) -> Event:
        return new_event(
            "org_moved",
            self.to_path,
            {"org_id": self.org_id, "from_path": self.from_path, "to_path": self.to_path},
        )


# -- merges, dissolutions, temporary branches ---------------------------------------------------


def check_merge(org: Org, into: Org) -> None:
    if org.org_id == into.org_id:
        raise _invalid("into_org_id", _("A branch cannot be merged into itself"))
    if org.kind != "branch" or into.kind != "branch":
        raise _invalid("into_org_id", _("Only a branch can be merged, and only into a branch"))
    if org.dissolved or into.dissolved:
        raise Conflict(_("This organization is dissolved; choose a current one"))
    if org.counts.children:
        raise Conflict(
            _("This branch still has sub-organizations: move or dissolve them before the merge")
        )


def merged(org: Org, into: Org, members: int, today: date) -> tuple[Org, list[Event]]:
    event = new_event(
        "org_merged",
        org.path,
        {
            "org_id": org.org_id,
            "into_org_id": into.org_id,
            "into_path": into.path,
            "members": members,
        },
    )
    return replace(org, dissolved_on=today, merged_into=into.org_id), [event]


def check_dissolve(org: Org) -> None:
    if org.dissolved:
        raise Conflict(_("This organization is already dissolved"))
    if org.counts.orgs_below and not is_temporary(org):
        raise Conflict(
            _("This organization still has sub-organizations: dissolve or move them first")
        )
    if org.counts.members and not is_temporary(org):
        raise Conflict(_("This organization still has members: transfer them before dissolving it"))
    if is_temporary(org) and org.counts.children:
        raise Conflict(
            _("This organization still has sub-organizations: dissolve or move them first")
        )


def is_temporary(org: Org) -> bool:
    return bool(TEMPORARY_TAGS & set(org.tags))


def dissolved(org: Org, returned: int, reason: str, today: date) -> tuple[Org, list[Event]]:
    event = new_event(
        "org_dissolved",
        org.path,
        {
            "org_id": org.org_id,
            "dissolved_on": today.isoformat(),
            "returned": returned,
            "reason": reason,
        },
    )
    return replace(org, dissolved_on=today), [event]


def check_temporary_branch(org: Org) -> None:
    if not is_temporary(org):
        raise _invalid("org_id", _("Members are placed only in a temporary or action branch"))
    if org.dissolved:
        raise Conflict(_("This organization is dissolved; choose a current one"))


def placed(member: Member, branch: Org) -> Member:
    """The member in a temporary branch, with the branch they return to (kept if already
    placed in another temporary branch)."""
    home_id = member.home_org_id or member.org_id
    home_path = member.home_org_path or member.org_path
    return replace(
        member,
        org_id=branch.org_id,
        org_path=branch.path,
        home_org_id=home_id,
        home_org_path=home_path,
    )


def returned(member: Member, home: Org) -> Member:
    return replace(
        member, org_id=home.org_id, org_path=home.path, home_org_id=None, home_org_path=None
    )


def history_entry(
    change_id: str,
    org_id: str,
    at: datetime,
    actor: Mapping[str, str],
    action: str,
    changes: Mapping[str, Any],
) -> dict[str, Any]:
    """One line of an organization's history (who, when, what), keyed by the change."""
    return {
        "change_id": change_id,
        "org_id": org_id,
        "at": at,
        "actor": {k: actor[k] for k in ("subject", "role") if k in actor},
        "action": action,
        "changes": dict(changes),
    }
