"""Income declarations (one per member and year) by the member or a secretary in scope. The
income is personal data: stored encrypted, never answered; the monthly amount it gives is kept
in clear in fen. A declaration replaces the year's from the first month not yet charged; the
year's unpaid charges made without a declaration get its amount."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from services.infra.errors import InvalidInput
from services.infra.i18n import _
from services.infra.scope import Caller
from services.members.domain import Member
from services.members.dues import commands
from services.members.dues.domain import (
    Declaration,
    Tally,
    add_months,
    monthly_fen,
)
from services.members.dues.ports import DuesSettings, DuesUnitOfWork
from services.members.handlers import SECRETARIES, get_member


def member_for(member_id: str, uow: DuesUnitOfWork, caller: Caller) -> Member:
    """The member, for the member themselves or a secretary whose scope covers them."""
    member = get_member(member_id, uow, caller)  # a member: their own; staff: within scope
    if caller.role != "member":
        caller.require_role(SECRETARIES)
    return member


def declare_income(
    cmd: commands.DeclareIncome, uow: DuesUnitOfWork, caller: Caller, settings: DuesSettings
) -> Declaration:
    member = member_for(cmd.member_id, uow, caller)
    this_year = settings.today().year
    if not this_year - 1 <= cmd.year <= this_year + 1:
        raise InvalidInput(
            _("Income is declared for last year, this year or next year"),
            fields={"year": [str(cmd.year)]},
        )
    amount = monthly_fen(cmd.category, cmd.monthly_income, settings.rules)
    income = cmd.monthly_income if cmd.category == "income" else None
    found = uow.dues.declaration(member.member_id, cmd.year)
    if found is not None and _same(found, cmd.category, amount, income, settings):
        return found  # the same declaration again
    charged = [c.month for c in uow.dues.member_charges(member.member_id, cmd.year)]
    first = add_months(max(charged), 1) if charged else f"{cmd.year:04d}-01"
    declaration = Declaration(
        member_id=member.member_id,
        org_path=member.org_path,
        year=cmd.year,
        category=cmd.category,
        income_enc=settings.cipher.encrypt(str(income), "income") if income is not None else None,
        amount_fen=amount,
        effective_from=first,
        declared_by=f"{caller.role}:{caller.subject}",
        declared_at=settings.clock(),
    )
    uow.dues.save_declaration(declaration)
    filled = uow.dues.fill_undeclared(member.member_id, cmd.year, amount)
    by_month: dict[str, dict[str, Tally]] = defaultdict(dict)
    for charge in filled:
        by_month[charge.month][charge.org_path] = Tally(charged_fen=amount, undeclared=-1)
    for month, by_path in by_month.items():
        uow.dues.raise_tallies(month, by_path)
    return declaration


def _same(
    found: Declaration, category: str, amount: int, income: Decimal | None, settings: DuesSettings
) -> bool:
    if (found.category, found.amount_fen) != (category, amount):
        return False
    if income is None or found.income_enc is None:
        return income is None and found.income_enc is None
    return settings.cipher.decrypt(found.income_enc, "income") == str(income)
