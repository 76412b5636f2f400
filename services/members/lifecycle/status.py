"""Status changes (lifecycle/domain.py has the rules), their history, and probation reminders.
No nameko, no pymongo.

A change is written in steps that a retry (or the member's next change) completes:
1. the member with the new status, its events and the change marked pending, in one write;
2. the change in the status history (keyed by its id);
3. the counters (Orgs.count_members {old: -1, new: +1}), by the one call that claims the mark;
4. on an exit: the card's record returned and the member's phone sessions ended.
The same request asked again finds the change done and completes what is left of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from services.infra.errors import Conflict, Stale
from services.infra.events import Event, new_event
from services.infra.i18n import _
from services.infra.scope import Caller
from services.members.domain import EXITS, IN_REGISTER, TRANSFERRED_OUT, Member, Org
from services.members.handlers import READERS, SECRETARIES, Page, get_member, get_org
from services.members.lifecycle import commands
from services.members.lifecycle.cards import settle_card_end
from services.members.lifecycle.domain import (
    StatusChange,
    StatusRules,
    change_status,
    transfer_in,
    transfer_out,
)
from services.members.lifecycle.ports import (
    LifecycleSettings,
    LifecycleUnitOfWork,
    retrying_member,
)


def change_member_status(
    cmd: commands.ChangeStatus,
    uow: LifecycleUnitOfWork,
    caller: Caller,
    settings: LifecycleSettings,
) -> Member:
    caller.require_role(SECRETARIES)
    rules = StatusRules(settings.confirm_window_days, settings.extension_max_days)

    def attempt() -> Member:
        member = get_member(cmd.member_id, uow, caller)
        caller.require(member.org_path)
        last = uow.lifecycle.pending_change(member.member_id)
        asked = (cmd.to_status, cmd.effective_on, cmd.reason, cmd.approved_by)
        if last is not None and member.status == cmd.to_status and last.same_request(*asked):
            settle_change(last, member, uow, caller, settings)  # a retry: finish it
            return member
        if last is not None:
            settle_change(last, member, uow, caller, settings)
        if member.status == cmd.to_status and cmd.to_status != "probationary":
            raise Conflict(
                _("The member's status is already {status}", status=_("status:" + member.status))
            )
        now = settings.clock()
        changed, change, events = change_status(
            member,
            to_status=cmd.to_status,
            effective_on=cmd.effective_on,
            reason=cmd.reason,
            approved_by=cmd.approved_by,
            extend_days=cmd.extend_days,
            actor_role=caller.role,
            actor=f"{caller.role}:{caller.subject}",
            now=now,
            today=settings.today(),
            rules=rules,
        )
        saved = uow.lifecycle.save_change(changed, events, change)
        settle_change(change, saved, uow, caller, settings, ended_uid=member.card_uid)
        return saved

    return retrying_member(attempt, settings)


def settle_change(
    change: StatusChange,
    member: Member,
    uow: LifecycleUnitOfWork,
    caller: Caller,
    settings: LifecycleSettings,
    ended_uid: str | None = None,
) -> None:
    """Steps 2-4 of a change (each done once whoever calls it, however often); ``member`` as
    it is after the change, ``ended_uid`` the card an exit took from them."""
    uow.lifecycle.record_change(change)
    if uow.lifecycle.claim_change_count(change.member_id, change.change_id):
        for path, counts in change.counted:
            uow.orgs.count_members(path, counts)
    if change.to_status in EXITS:
        settle_card_end(
            member, "returned", change.reason, uow, caller, settings, ended_uid=ended_uid
        )
        now = settings.clock()
        for session in uow.lifecycle.member_sessions(change.member_id):
            try:
                uow.sessions.save(session.revoked(now, "member_left"))
            except Stale:
                continue  # touched meanwhile: the next change or retry ends it, and the
                # phone sign-in refuses a member who left anyway


TRANSFERS = Caller(subject="transfers", role="system", scope="/")


@dataclass(frozen=True)
class TransferredRecord:
    """What the sending deployment's letter says of a member coming back."""

    status: str
    probation_ends: date | None
    letter_no: str
    sender: str  # the sending deployment
    effective_on: date


def record_transfer_out(
    member_id: str,
    letter_no: str,
    receiver: str,
    effective_on: date,
    uow: LifecycleUnitOfWork,
    settings: LifecycleSettings,
) -> Member | None:
    """Another deployment (``receiver``) registered the member on letter ``letter_no``: they
    leave this register as ``transferred_out`` (history, counters, card and sessions as any
    exit). Once: asked again, it finishes what a crash left and changes nothing more."""

    def attempt() -> Member | None:
        member = uow.members.get(member_id)
        if member is None:
            return None
        last = uow.lifecycle.pending_change(member_id)
        if member.status == TRANSFERRED_OUT:
            if last is not None and last.to_status == TRANSFERRED_OUT:
                settle_change(last, member, uow, TRANSFERS, settings)
            return member
        if member.status not in IN_REGISTER:
            return member  # left the register meanwhile: nothing to transfer
        if last is not None:
            settle_change(last, member, uow, TRANSFERS, settings)
        now = settings.clock()
        changed, change, events = transfer_out(
            member, letter_no=letter_no, receiver=receiver, effective_on=effective_on, now=now
        )
        saved = uow.lifecycle.save_change(changed, events, change)
        settle_change(change, saved, uow, TRANSFERS, settings, ended_uid=member.card_uid)
        return saved

    return retrying_member(attempt, settings)


def record_transfer_in(
    member_id: str,
    org: Org,
    record: TransferredRecord,
    uow: LifecycleUnitOfWork,
    settings: LifecycleSettings,
) -> Member:
    """A member who had left for another deployment comes back to ``org`` by its letter: the
    same member id, the status the sender had. Once, as ``record_transfer_out``."""

    def attempt() -> Member:
        member = uow.members.get(member_id)
        if member is None:
            raise Conflict(_("The member is already in this register"))
        last = uow.lifecycle.pending_change(member_id)
        if member.status != TRANSFERRED_OUT:
            if last is not None and last.reason_code == "transferred_in":
                settle_change(last, member, uow, TRANSFERS, settings)
                return member
            raise Conflict(_("The member is already in this register"))
        if last is not None:
            settle_change(last, member, uow, TRANSFERS, settings)
        changed, change, events = transfer_in(
            member,
            org,
            status=record.status,
            probation_ends=record.probation_ends,
            letter_no=record.letter_no,
            sender=record.sender,
            effective_on=record.effective_on,
            now=settings.clock(),
        )
        saved = uow.lifecycle.save_change(changed, events, change)
        settle_change(change, saved, uow, TRANSFERS, settings)
        return saved

    return retrying_member(attempt, settings)


def list_status_history(
    cmd: commands.ListStatusHistory, uow: LifecycleUnitOfWork, caller: Caller
) -> Page:
    get_member(cmd.member_id, uow, caller)  # a member reads their own; readers within scope
    return uow.lifecycle.status_history(cmd.member_id, cmd.cursor, cmd.limit)


def list_probation_due(
    cmd: commands.ListProbationDue,
    uow: LifecycleUnitOfWork,
    caller: Caller,
    settings: LifecycleSettings,
) -> Page:
    """Probationary members of the organization's subtree whose year ends within the days
    asked (the setting's by default) or ended up to ``probation_overdue_days`` ago without a
    decision (overdue: listed first, the longest overdue at the top)."""
    caller.require_role(READERS)
    org = get_org(cmd.org_id, uow, caller)
    today = settings.today()
    within = settings.probation_due_days if cmd.within_days is None else cmd.within_days
    until = today + timedelta(days=within)
    since = today - timedelta(days=settings.probation_overdue_days)
    return uow.lifecycle.probation_due(org, since, until, cmd.cursor, cmd.limit)


def remind_probation_ending(uow: LifecycleUnitOfWork, settings: LifecycleSettings) -> int:
    """Publish ``probation_ending`` once for each probationary member whose probation ends
    within ``reminder_days`` (a daily timer; a member is reminded again only of a new end, after
    an extension). How many were reminded."""
    today = settings.today()
    days = [today + timedelta(days=n) for n in range(settings.reminder_days + 1)]
    reminded = 0
    for member in uow.lifecycle.probation_reminders_due(days, settings.reminder_batch):
        if uow.lifecycle.mark_reminded(member, [probation_ending(member)]):
            reminded += 1
    return reminded


def probation_ending(member: Member) -> Event:
    ends = member.probation_ends
    return new_event(
        "probation_ending",
        member.org_path,
        {
            "member_id": member.member_id,
            "org_id": member.org_id,
            "probation_ends": ends.isoformat() if ends else None,
        },
    )
