"""The dues reads: a member's dues (a member their own), an organization's register for a month,
the paid rates of an organization and its children, and the members charged without a
declaration. Every figure comes from a charge, a ledger entry or a tally: nothing is counted on
a request."""

from __future__ import annotations

from typing import Any

from services.infra.scope import Caller
from services.members.dues import commands
from services.members.dues.domain import Charge, Tally, month_key
from services.members.dues.ports import DuesSettings, DuesUnitOfWork
from services.members.handlers import READERS, Page, get_member, get_org

ARREARS_SHOWN = 120  # months of arrears listed for one member
LEDGER_SHOWN = 50
CHILDREN_SHOWN = 200


def member_dues(
    cmd: commands.MemberDues, uow: DuesUnitOfWork, caller: Caller, settings: DuesSettings
) -> dict[str, Any]:
    member = get_member(cmd.member_id, uow, caller)  # a member reads their own
    year = cmd.year or settings.today().year
    declaration = uow.dues.declaration(member.member_id, year)
    arrears = uow.dues.unpaid_of(member.member_id, ARREARS_SHOWN)
    return {
        "member_id": member.member_id,
        "name_masked": member.name_masked,
        "org_id": member.org_id,
        "year": year,
        "declaration": declaration,
        "months": uow.dues.member_charges(member.member_id, year),
        "arrears": arrears,
        "arrears_fen": sum(c.amount_fen for c in arrears),
        "ledger": uow.dues.entries_of(member.member_id, LEDGER_SHOWN),
    }


def org_register(
    cmd: commands.OrgMonth, uow: DuesUnitOfWork, caller: Caller, settings: DuesSettings
) -> dict[str, Any]:
    caller.require_role(READERS)
    org = get_org(cmd.org_id, uow, caller)
    month = cmd.month or month_key(settings.today())
    charges, next_cursor = uow.dues.register(org.org_id, month, cmd.cursor, cmd.limit)
    return {
        "org_id": org.org_id,
        "month": month,
        "tally": uow.dues.tallies([org.org_id], month).get(org.org_id, Tally()),
        "items": _rows(charges, uow),
        "next_cursor": next_cursor,
    }


def undeclared(
    cmd: commands.OrgMonth, uow: DuesUnitOfWork, caller: Caller, settings: DuesSettings
) -> Page:
    caller.require_role(READERS)
    org = get_org(cmd.org_id, uow, caller)
    month = cmd.month or month_key(settings.today())
    charges, next_cursor = uow.dues.undeclared(org.path, month, cmd.cursor, cmd.limit)
    return _rows(charges, uow), next_cursor


def paid_rates(
    cmd: commands.OrgMonth, uow: DuesUnitOfWork, caller: Caller, settings: DuesSettings
) -> dict[str, Any]:
    """The organization's tally of the month and a page of its children's (by id)."""
    caller.require_role(READERS)
    org = get_org(cmd.org_id, uow, caller)
    month = cmd.month or month_key(settings.today())
    children, next_cursor = uow.orgs.children(org.org_id, cmd.cursor, cmd.limit)
    found = uow.dues.tallies([org.org_id, *(c.org_id for c in children)], month)
    return {
        "month": month,
        "org": {"org_id": org.org_id, "name": org.name, **_rate(found.get(org.org_id))},
        "items": [
            {"org_id": c.org_id, "name": c.name, **_rate(found.get(c.org_id))} for c in children
        ],
        "next_cursor": next_cursor,
    }


def _rate(tally: Tally | None) -> dict[str, Any]:
    tally = tally or Tally()
    return {"tally": tally, "paid_rate": tally.paid_rate}


def _rows(charges: list[Charge], uow: DuesUnitOfWork) -> list[dict[str, Any]]:
    ids = [c.member_id for c in charges]
    members = uow.members.many(ids)
    owed = uow.dues.unpaid_counts(ids)
    rows = []
    for charge in charges:
        member = members.get(charge.member_id)
        rows.append(
            {
                "charge": charge,
                "name_masked": member.name_masked if member else "",
                "arrears_months": owed.get(charge.member_id, 0),
            }
        )
    return rows
