"""Payments and their corrections: an append-only ledger keyed by the payment reference.

A payment is written in steps that its retry (the same reference) completes:
1. each month covered is marked paid by the reference on its charge (a month not charged yet,
   prepaid, is stored as a paid charge the run counts later); a month another payment holds
   refuses the payment, and the months this one marked are released;
2. the ledger entry with one ``dues_paid`` per month, in one write, marked unsettled;
3. by the one call that settles it: the paid counters of each month (the organization and every
   one above it) and the member's last month of dues (member_activity).
A reversal is an entry of its own pointing at the payment: the payment is marked reversed, its
months are owed again and the paid counters lowered; ``dues_reversed`` rides with it.
The same reference with different content is refused (409)."""

from __future__ import annotations

from services.infra.errors import Conflict, Forbidden, NotFound
from services.infra.i18n import _
from services.infra.scope import Caller
from services.members.activity import DUES
from services.members.domain import Member
from services.members.dues import commands
from services.members.dues.domain import (
    PAYMENT,
    REVERSAL,
    Charge,
    LedgerEntry,
    Tally,
    check_amount,
    month_key,
    on_time,
    paid_events,
    payment_months,
    reverse,
)
from services.members.dues.ports import DuesSettings, DuesUnitOfWork
from services.members.handlers import SECRETARIES


def collecting_member(
    member_id: str, uow: DuesUnitOfWork, caller: Caller, settings: DuesSettings
) -> Member:
    """The member, for a secretary of their organization's area or, when dues may be collected
    there, of the organization a mobile member takes part at."""
    caller.require_role(SECRETARIES)
    member = uow.members.get(member_id)
    if member is None:
        raise NotFound(_("Unknown member"), member_id=member_id)
    if caller.covers(member.org_path):
        return member
    host = member.mobile.host_org_path if member.mobile else None
    if settings.rules.collect_at_host and host and caller.covers(host):
        return member
    raise Forbidden(_("This organization is outside your area of responsibility"))


def _reused(reference: str) -> Conflict:
    return Conflict(
        _("Payment reference {reference} was used for another entry", reference=reference)
    )


def record_payment(
    cmd: commands.RecordPayment, uow: DuesUnitOfWork, caller: Caller, settings: DuesSettings
) -> tuple[LedgerEntry, bool]:
    member = collecting_member(cmd.member_id, uow, caller, settings)
    found = uow.dues.get_entry(cmd.reference)
    if found is not None:
        same = (found.kind, found.member_id, tuple(sorted(cmd.months)), found.method) == (
            PAYMENT,
            member.member_id,
            found.months,
            cmd.method,
        )
        if not same or found.total_fen != cmd.amount_fen:
            raise _reused(cmd.reference)
        settle(found, uow)  # a retry: finish what a crash left
        return found, False
    today = settings.today()
    months = list(cmd.months)
    charges = uow.dues.charges_of(member.member_id, months)
    years = {int(m[:4]) for m in months if m not in charges}
    declared = {y: uow.dues.declaration(member.member_id, y) for y in years}
    prepay = {
        m: d.amount_fen for m in months if (d := declared.get(int(m[:4]))) and m not in charges
    }
    covered = payment_months(
        months, charges, prepay, month_key(today), settings.rules, cmd.reference
    )
    check_amount(covered, cmd.amount_fen)
    punctual = [on_time(month, today, settings.rules) for month, _amount in covered]
    entry = LedgerEntry(
        reference=cmd.reference,
        kind=PAYMENT,
        member_id=member.member_id,
        org_id=member.org_id,
        org_path=member.org_path,
        months=tuple(m for m, _a in covered),
        amounts_fen=tuple(a for _m, a in covered),
        method=cmd.method,
        recorded_by=f"{caller.role}:{caller.subject}",
        recorded_at=settings.clock(),
        on_time=tuple(punctual),
    )
    wanted = [
        charges.get(month)
        or Charge(member.member_id, member.org_id, member.org_path, month, amount)
        for month, amount in covered
    ]
    held = uow.dues.claim_months(wanted, cmd.reference, today, punctual)
    if held:
        uow.dues.release_months(member.member_id, list(entry.months), cmd.reference)
        raise Conflict(_("The dues of {month} are already paid", month=held[0]))
    stored, created = uow.dues.add_entry(entry, paid_events(entry))
    if not created and not stored.same_request(entry):
        raise _reused(cmd.reference)
    settle(stored, uow)
    return stored, created


def reverse_payment(
    cmd: commands.ReversePayment, uow: DuesUnitOfWork, caller: Caller, settings: DuesSettings
) -> tuple[LedgerEntry, bool]:
    original = uow.dues.get_entry(cmd.reference)
    if original is None:
        raise NotFound(_("Unknown payment"), reference=cmd.reference)
    collecting_member(original.member_id, uow, caller, settings)
    found = uow.dues.get_entry(cmd.reversal_reference)
    if found is not None:
        if found.kind != REVERSAL or found.reverses != original.reference:
            raise _reused(cmd.reversal_reference)
        settle(found, uow)
        return found, False
    if original.reversed_by is not None:
        raise Conflict(_("This payment was already reversed"))
    entry, events = reverse(
        original,
        cmd.reversal_reference,
        cmd.reason,
        f"{caller.role}:{caller.subject}",
        settings.clock(),
    )
    if not uow.dues.mark_reversed(original.reference, cmd.reversal_reference):
        raise Conflict(_("This payment was already reversed"))
    stored, created = uow.dues.add_entry(entry, events)
    settle(stored, uow)
    return stored, created


def settle(entry: LedgerEntry, uow: DuesUnitOfWork) -> None:
    """Step 3 (once per entry, whoever calls it): the paid counters, and for a payment the
    member's activity; for a reversal, the months owed again first."""
    if not uow.dues.claim_settle(entry.reference):
        return
    months = list(entry.months)
    sign = 1
    if entry.kind == REVERSAL and entry.reverses:
        months = uow.dues.release_months(entry.member_id, months, entry.reverses)
        sign = -1
    amounts = dict(zip(entry.months, entry.amounts_fen, strict=True))
    for month in months:
        paid = Tally(paid_members=sign, paid_fen=sign * abs(amounts[month]))
        uow.dues.raise_tallies(month, {entry.org_path: paid})
    if entry.kind == PAYMENT:
        for month in months:
            uow.activity.record([entry.member_id], DUES, month)
