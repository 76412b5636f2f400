"""Moving a subtree under a new parent, crash-safe and idempotent.

The move is recorded first (``org_moves``: from and to path, the subtree's totals read from the
moved organization's counters, the phase reached); then it advances phase by phase: the root's
parent and path; the counters of the old and new ancestors (claimed once by the phase change);
the subtree's organizations, members and sign-in attempts in batches by ``ancestors``; per
moved organization its meetings, invitations, kiosks, home branches and account scopes; last
``org_moved`` is published with the root's document and the job is done. Each batch is
idempotent (a rewritten document no longer matches), so a job a crash left unfinished is taken
up again where it stood, by the request's retry or by the service's timer (at start and every
few seconds). While a move runs, another move touching the same subtree is refused.
Monthly tallies stay keyed by organization id: they move with their organizations unchanged.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from services.infra.errors import Conflict, InvalidInput, NotFound, Stale
from services.infra.i18n import _
from services.infra.scope import Caller
from services.members.handlers import STAFF, get_org
from services.members.tree import commands, domain
from services.members.tree.domain import MoveJob
from services.members.tree.managing import now, record
from services.members.tree.ports import TreeUnitOfWork

log = logging.getLogger(__name__)

BATCH = 200  # documents rewritten per batch
BUDGET_SECONDS = 5.0  # how long a request moves before answering 202 (the timer finishes)
BATCHED = {"orgs": "members", "members": "attempts", "attempts": "keyed"}


def move_org(
    cmd: commands.MoveOrg,
    uow: TreeUnitOfWork,
    caller: Caller,
    budget: float = BUDGET_SECONDS,
) -> MoveJob:
    caller.require_role(STAFF)
    org = get_org(cmd.org_id, uow, caller)
    parent = get_org(cmd.new_parent_id, uow, caller)
    last = uow.org_moves.latest_of(org.org_id)
    same = last is not None and last.new_parent_id == parent.org_id
    if last is not None and same and (last.state == "running" or org.parent_id == parent.org_id):
        return run_move(last, uow, budget)  # the same move asked again
    if org.parent_id == parent.org_id:
        raise InvalidInput(
            _("Some fields are missing or invalid"),
            fields={"new_parent_id": [_("The organization already lies under this parent")]},
        )
    to_path = domain.check_move(org, parent)
    _refuse_overlapping(uow, org.path, to_path, None)
    job = MoveJob(
        move_id="mv-" + uuid.uuid4().hex[:16],
        org_id=org.org_id,
        from_path=org.path,
        to_path=to_path,
        new_parent_id=parent.org_id,
        old_parent_id=org.parent_id,
        orgs=org.counts.orgs_below + 1,
        members=org.counts.members,
        by_status=dict(org.counts.by_status),
        started_at=now(),
        actor=caller.as_context(),
    )
    uow.org_moves.add(job)
    try:  # two overlapping moves asked at once: the one started first goes on
        _refuse_overlapping(uow, org.path, to_path, job)
    except Conflict:
        uow.org_moves.drop(job.move_id)
        raise
    changes = {"parent_id": [org.parent_id, parent.org_id], "path": [org.path, to_path]}
    record(uow, caller, job.move_id, org.org_id, "moved", changes, job.started_at)
    return run_move(job, uow, budget)


def _refuse_overlapping(
    uow: TreeUnitOfWork, from_path: str, to_path: str, mine: MoveJob | None
) -> None:
    for other in uow.org_moves.running():
        if mine is not None and (
            other.move_id == mine.move_id
            or (other.started_at, other.move_id) > (mine.started_at, mine.move_id)
        ):
            continue
        if other.overlaps(from_path, to_path):
            raise Conflict(
                _("Another move of this part of the tree is under way; try again when it is done"),
                move_id=other.move_id,
            )


def get_move(move_id: str, uow: TreeUnitOfWork, caller: Caller) -> MoveJob:
    caller.require_role(STAFF)
    job = uow.org_moves.get(move_id)
    if job is None:
        raise NotFound(_("Unknown move"), move_id=move_id)
    caller.require(job.from_path)  # both ends of the move lie within the caller's area
    caller.require(job.to_path)
    return job


def resume_moves(uow: TreeUnitOfWork, budget: float = BUDGET_SECONDS) -> int:
    """Take up the moves left running (by a crash, or a request out of time)."""
    unfinished = uow.org_moves.running()
    for job in unfinished:
        run_move(job, uow, budget)
    return len(unfinished)


def run_move(
    job: MoveJob,
    uow: TreeUnitOfWork,
    budget: float = BUDGET_SECONDS,
    clock: Callable[[], float] = time.monotonic,
    stop_after: int | None = None,
) -> MoveJob:
    """Advance the move until it is done or ``budget`` seconds have passed (``stop_after``
    steps: tests stop it midway as a crash would); the job as it stands."""
    deadline = clock() + budget
    steps = 0
    while job.state == "running" and clock() < deadline:
        if stop_after is not None and steps >= stop_after:
            break
        try:
            _step(job, uow)
        except Stale:  # an account changed under the step: the step is taken again
            log.info("move %s: a document changed during %s; again", job.move_id, job.phase)
        steps += 1
        job = uow.org_moves.get(job.move_id) or job
    return job


def _step(job: MoveJob, uow: TreeUnitOfWork) -> None:
    """One idempotent step of the job's phase; the phase moves on when there is nothing left."""
    phase, paths = job.phase, uow.paths
    if phase == "root":
        paths.move_root(job)
        uow.org_moves.advance(job, "counters")
    elif phase == "counters":
        if uow.org_moves.advance(job, "orgs"):  # claimed once: the counters move once
            paths.shift_counters(job)
    elif phase in BATCHED:
        rewrite = {
            "orgs": paths.rewrite_orgs,
            "members": paths.rewrite_members,
            "attempts": paths.rewrite_attempts,
        }[phase]
        n = rewrite(job.from_path, job.to_path, BATCH)
        uow.org_moves.count(job, phase, n)
        if n == 0:
            uow.org_moves.advance(job, BATCHED[phase])
    elif phase == "keyed":
        orgs = paths.subtree_after(job.to_path, job.cursor, BATCH)
        for org in orgs:
            old = job.from_path + org.path[len(job.to_path) :]
            uow.org_moves.count(job, "keyed", paths.rewrite_keyed(old, org.path))
        if orgs:
            uow.org_moves.set_cursor(job, orgs[-1].org_id)
        else:
            uow.org_moves.advance(job, "publish")
    elif phase == "publish":
        paths.publish_moved(job, [job.moved_event()])
        uow.org_moves.advance(job, "done")
