"""Lapse warnings (自行脱党 warnings). No nameko, no pymongo.

A timer finds the members whose last active month (member_activity ``last_active``: the last
month of organizational life or dues; the month of registration for a member with neither) lies
a threshold's months back, by an equality on ``last_active`` per month (the threshold's month and
``lapse_catch_up_months`` before it, for a timer that did not run meanwhile), never by a scan of
the register; each member, threshold and streak is warned once (``member_lapse_warning``, stored
with its warning). The secretary's list shows the current warnings in scope, longest inactive
first; recording the lapse is a person's decision (a status change to ``lapsed``).
"""

from __future__ import annotations

from dataclasses import dataclass

from services.infra import paging
from services.infra.scope import Caller
from services.members.domain import IN_REGISTER, Member
from services.members.handlers import READERS, get_org
from services.members.mobile import commands, domain
from services.members.mobile.ports import MobileSettings, MobileUnitOfWork, Warning


@dataclass(frozen=True)
class CurrentWarning:
    member: Member
    last_active: str
    months_inactive: int
    threshold: int
    rule_months: int
    rule_reached: bool


def raise_lapse_warnings(uow: MobileUnitOfWork, settings: MobileSettings) -> int:
    """One pass of the timer; how many warnings were raised."""
    month = domain.month_of(settings.today())
    raised = 0
    for threshold in sorted(settings.lapse_thresholds):
        months = [
            domain.month_back(month, threshold + n)
            for n in range(settings.lapse_catch_up_months + 1)
        ]
        after: str | None = None
        while True:
            rows = uow.lapse.inactive_since(months, after, settings.lapse_batch)
            if not rows:
                break
            after = rows[-1]["_id"]
            members = uow.members.many([r["_id"] for r in rows])
            for row in rows:
                member = members.get(row["_id"])
                if member is None or member.status not in IN_REGISTER:
                    continue
                raised += _warn(uow, member, row["last_active"], month, threshold)
            if len(rows) < settings.lapse_batch:
                break
    return raised


def _warn(uow: MobileUnitOfWork, member: Member, last_active: str, month: str, n: int) -> int:
    reached = domain.thresholds_reached(last_active, month, (n,))
    if not reached:
        return 0
    warning = Warning(member.member_id, member.org_id, member.org_path, last_active, n)
    event = domain.lapse_warning(member, last_active, month, n)
    return 1 if uow.lapse.warn(warning, [event]) else 0


def list_lapse_warnings(
    cmd: commands.ListLapseWarnings,
    uow: MobileUnitOfWork,
    caller: Caller,
    settings: MobileSettings,
) -> tuple[list[CurrentWarning], str | None]:
    """The warnings of a subtree whose member is still inactive since the warned month and still
    in the register there, longest inactive first."""
    caller.require_role(READERS)
    org = get_org(cmd.org_id, uow, caller)
    warnings, cursor = uow.lapse.current(org, cmd.cursor, paging.clamp(cmd.limit))
    ids = [w.member_id for w in warnings]
    members = uow.members.many(ids)
    activity = uow.activity.of(ids)
    month = domain.month_of(settings.today())
    found = []
    for w in warnings:
        member = members.get(w.member_id)
        last = (activity.get(w.member_id) or {}).get("last_active")
        if member is None or member.status not in IN_REGISTER or last != w.last_active:
            continue  # active again (a new streak), left, or gone
        if not caller.covers(member.org_path):
            continue  # moved out of the caller's area since
        inactive = domain.months_between(w.last_active, month)
        found.append(
            CurrentWarning(
                member=member,
                last_active=w.last_active,
                months_inactive=inactive,
                threshold=w.threshold,
                rule_months=settings.lapse_rule_months,
                rule_reached=inactive >= settings.lapse_rule_months,
            )
        )
    return found, cursor
