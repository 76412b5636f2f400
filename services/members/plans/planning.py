"""The plans' handlers (plans/domain.py has the rules). No nameko, no pymongo.

- An organization's plan for a year counts its own meetings of the year by month and kind from
  the meetings' (org_path, starts_at) index: a range read of that organization only.
- A subtree's gaps read its organizations of the kinds the rules name a page at a time (orgs'
  ancestors index) and join them by id with ``plan_counts`` (raised when a meeting is
  scheduled): no meeting is read and no other subtree is scanned.
"""

from __future__ import annotations

from datetime import date, datetime

from services.infra.scope import Caller
from services.members.domain import month_of
from services.members.handlers import READERS, get_org
from services.members.plans import commands
from services.members.plans.counters import Months
from services.members.plans.domain import (
    GapsPage,
    OrgGaps,
    PlanOrg,
    YearPlan,
    gaps_in,
    parse_month,
    year_plan,
)
from services.members.plans.ports import PlansSettings, PlansUnitOfWork


def get_plan(
    cmd: commands.GetPlan, uow: PlansUnitOfWork, caller: Caller, settings: PlansSettings
) -> YearPlan:
    """The organization's plan for the year (this year by default)."""
    caller.require_role(READERS)
    org = get_org(cmd.org_id, uow, caller)
    today = settings.today()
    year = cmd.year or today.year
    held = held_in_year(org.path, year, uow, settings)
    plan_org = PlanOrg(org.org_id, org.name, org.kind, org.path)
    return year_plan(plan_org, year, held, today, settings.rules)


def held_in_year(path: str, year: int, uow: PlansUnitOfWork, settings: PlansSettings) -> Months:
    """The organization's own meetings starting in ``year`` by month and kind."""
    since = datetime(year, 1, 1, tzinfo=settings.timezone)
    until = datetime(year + 1, 1, 1, tzinfo=settings.timezone)
    held: Months = {}
    cursor: str | None = None
    while True:
        meetings, cursor = uow.meetings.of_org(
            path, since, until, False, cursor, settings.meetings_page
        )
        for meeting in meetings:
            month = month_of(meeting.starts_at, settings.timezone)[5:]
            kinds = held.setdefault(month, {})
            kinds[meeting.kind] = kinds.get(meeting.kind, 0) + 1
        if cursor is None:
            return held


def list_plan_gaps(
    cmd: commands.ListPlanGaps, uow: PlansUnitOfWork, caller: Caller, settings: PlansSettings
) -> GapsPage:
    """The period (its month) and the subtree's organizations with required meetings not
    done in the periods containing it (due or missing), by id: pages of organizations are
    read until ``limit`` have gaps or ``gap_scan_pages`` were read (continue at the cursor)."""
    caller.require_role(READERS)
    org = get_org(cmd.org_id, uow, caller)
    today = settings.today()
    month = parse_month(cmd.period) if cmd.period else date(today.year, today.month, 1)
    kinds = settings.rules.org_kinds()
    found: list[OrgGaps] = []
    cursor = cmd.cursor
    for _ in range(settings.gap_scan_pages):
        orgs, cursor = uow.plan_orgs.under(org.path, kinds, cursor, cmd.limit - len(found))
        counts = uow.plan_counts.of([o.org_id for o in orgs], month.year)
        for o in orgs:
            gaps = gaps_in(o.kind, month, counts.get(o.org_id, {}), today, settings.rules)
            if gaps:
                found.append(OrgGaps(o, gaps))
        if cursor is None or len(found) >= cmd.limit:
            break
    return GapsPage(f"{month:%Y-%m}", found, cursor)
