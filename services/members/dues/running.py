"""The monthly run: one charge per member in the register and month, with the amount of the
member's declaration for that year (none: a charge marked undeclared, listed for the
secretary). The run walks the organization's subtree (a parent's children a page at a time),
each organization's own members by the name index, charges them in batches (one insert and one
counter write per batch) and records after each batch how many organizations are done: a run
cut short resumes there, and charges and counting are idempotent (a charge per member and
month, counted by the one call that claims it), so running a month again changes nothing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace

from services.infra.errors import InvalidInput, NotFound
from services.infra.i18n import _
from services.infra.scope import Caller
from services.members.domain import IN_REGISTER, Member, Org
from services.members.dues import commands
from services.members.dues.domain import Charge, Tally, month_key
from services.members.dues.ports import DuesRun, DuesSettings, DuesUnitOfWork
from services.members.handlers import SECRETARIES, get_org

ORG_PAGE = 200


def start_run(
    cmd: commands.StartRun, uow: DuesUnitOfWork, caller: Caller, settings: DuesSettings
) -> tuple[DuesRun, bool]:
    """Start (or find) the month's run over the organization's subtree; the timer works it. A
    finished run asked again is worked again (only members not charged yet are charged)."""
    caller.require_role(SECRETARIES)
    org = get_org(cmd.org_id, uow, caller)
    if cmd.month > month_key(settings.today()):
        raise InvalidInput(
            _("A month is charged from its first day"), fields={"month": [cmd.month]}
        )
    run = DuesRun(
        org_id=org.org_id,
        org_path=org.path,
        month=cmd.month,
        started_by=f"{caller.role}:{caller.subject}",
        started_at=settings.clock(),
    )
    found, created = uow.dues.add_run(run)
    if not created and found.state == "done" and uow.dues.restart_run(found.run_id):
        # asked again: walk the subtree again for members registered since (charged members
        # are found charged and nothing else changes)
        return replace(found, state="running", orgs_done=0, finished_at=None), False
    return found, created


def get_run(run_id: str, uow: DuesUnitOfWork, caller: Caller) -> DuesRun:
    caller.require_role(SECRETARIES)
    run = uow.dues.get_run(run_id)
    if run is None:
        raise NotFound(_("Unknown dues run"), run_id=run_id)
    caller.require(run.org_path)
    return run


def start_monthly_runs(uow: DuesUnitOfWork, settings: DuesSettings) -> int:
    """From ``run_day`` on, this month's run for every root organization (once each)."""
    today = settings.today()
    if today.day < settings.run_day:
        return 0
    started, cursor = 0, None
    while True:
        roots, cursor = uow.orgs.roots(cursor, ORG_PAGE)
        for root in roots:
            run = DuesRun(root.org_id, root.path, month_key(today), "system", settings.clock())
            started += uow.dues.add_run(run)[1]
        if cursor is None:
            return started


def work_runs(uow: DuesUnitOfWork, settings: DuesSettings) -> int:
    """Work every run not leased to another process; how many were finished."""
    done = 0
    for run in uow.dues.claim_runs(settings.clock(), settings.lease_seconds):
        work_run(run, uow, settings)
        done += 1
    return done


def work_run(run: DuesRun, uow: DuesUnitOfWork, settings: DuesSettings) -> DuesRun:
    org = uow.orgs.get(run.org_id)
    if org is None:
        finished = replace(run, state="done", finished_at=settings.clock())
        uow.dues.save_run(finished)
        return finished
    pending: list[Member] = []
    walked = 0
    for walked, each in enumerate(subtree(org, uow), start=1):
        if walked <= run.orgs_done:
            continue  # done before a crash
        pending.extend(own_members(each, uow, settings.batch))
        if len(pending) >= settings.batch:
            run = replace(run, orgs_done=walked, charged=run.charged + charge(pending, run, uow))
            uow.dues.save_run(run)
            pending = []
    run = replace(
        run,
        orgs_done=max(walked, run.orgs_done),
        charged=run.charged + charge(pending, run, uow),
        state="done",
        finished_at=settings.clock(),
    )
    uow.dues.save_run(run)
    return run


def subtree(org: Org, uow: DuesUnitOfWork) -> Iterator[Org]:
    """The organization and every one below it, once each, in the same order every time."""
    queue = [org]
    while queue:
        parent = queue.pop(0)
        yield parent
        cursor = None
        while True:
            children, cursor = uow.orgs.children(parent.org_id, cursor, ORG_PAGE)
            queue.extend(children)
            if cursor is None:
                break


def own_members(org: Org, uow: DuesUnitOfWork, page: int) -> list[Member]:
    found: list[Member] = []
    cursor = None
    while True:
        members, cursor = uow.members.listed(org, False, None, cursor, page, IN_REGISTER)
        found.extend(members)
        if cursor is None:
            return found


def charge(members: list[Member], run: DuesRun, uow: DuesUnitOfWork) -> int:
    """Charge the members for the run's month and count what this call charged; how many new."""
    if not members:
        return 0
    year = int(run.month[:4])
    declared = uow.dues.declarations([m.member_id for m in members], year)
    charges = []
    for member in members:
        found = declared.get(member.member_id)
        charges.append(
            Charge(
                member_id=member.member_id,
                org_id=member.org_id,
                org_path=member.org_path,
                month=run.month,
                amount_fen=found.amount_fen if found else 0,
                undeclared=found is None,
            )
        )
    created, counted = uow.dues.add_charges(charges)
    by_path: dict[str, Tally] = defaultdict(Tally)
    for each in counted:
        was = by_path[each.org_path]
        by_path[each.org_path] = replace(
            was,
            charged_members=was.charged_members + 1,
            charged_fen=was.charged_fen + each.amount_fen,
            undeclared=was.undeclared + int(each.undeclared),
        )
    if by_path:
        uow.dues.raise_tallies(run.month, by_path)
    return created
