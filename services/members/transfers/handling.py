"""The transfer handlers (transfers/domain.py has the rules). No nameko, no pymongo.

Issue (the sender's secretary, the member within their area): the request id is the letter's
id, so a request asked again answers the same letter; the member is held by one open letter at
a time (``TransferRecords.hold``). Accept (the receiver's secretary, the destination within
their area) is written in steps that a retry completes:
1. the letter accepted (with the receipt and the member's status and organization then), marked
   uncounted, in one versioned write;
2. the member moved to the receiving organization (same member id and card) with
   ``member_transferred``, by a versioned save (a concurrent change is read again, never
   overwritten);
3. the counters: lowered at the sender and its ancestors, raised at the receiver and its
   ancestors, by the one call that claims the mark;
4. the member's hold released.
Accepting an accepted letter again completes what is left and answers it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from services.infra.errors import Conflict, Forbidden, NotFound, retrying
from services.infra.events import Event
from services.infra.i18n import _
from services.infra.scope import Caller, ancestors
from services.members.activity import DUES
from services.members.domain import Member
from services.members.handlers import SECRETARIES, Page, get_member, get_org
from services.members.transfers import commands, domain
from services.members.transfers.domain import Destination, Transfer
from services.members.transfers.exchange import seal_member, transfer_requested
from services.members.transfers.ports import TransferSettings, TransfersUnitOfWork
from services.members.tree.domain import require_current

T = TypeVar("T")


def _actor(caller: Caller) -> str:
    return f"{caller.role}:{caller.subject}"


def _retrying(attempt: Callable[[], T], settings: TransferSettings) -> T:
    message = _("Too many concurrent changes to this letter; try again")
    return retrying(attempt, message, settings.retries)


def _sees(transfer: Transfer, caller: Caller) -> bool:
    to_path = transfer.to.org_path
    return caller.covers(transfer.from_org_path) or (to_path is not None and caller.covers(to_path))


def _letter(transfer_id: str, uow: TransfersUnitOfWork, caller: Caller) -> Transfer:
    """The letter, when the caller's area holds its sender or its receiver."""
    caller.require_role(SECRETARIES)
    found = uow.transfers.get(transfer_id)
    if found is None or not _sees(found, caller):
        raise NotFound(_("Unknown transfer letter"), transfer_id=transfer_id)
    return found


def get_transfer(cmd: commands.GetTransfer, uow: TransfersUnitOfWork, caller: Caller) -> Transfer:
    return _letter(cmd.transfer_id, uow, caller)


def _destination(cmd: commands.IssueTransfer, uow: TransfersUnitOfWork) -> Destination:
    if cmd.to_deployment:
        if not cmd.to_org_name.strip():
            raise Conflict(_("Name the receiving organization in the other deployment"))
        return Destination(org_name=cmd.to_org_name.strip(), deployment=cmd.to_deployment)
    if not cmd.to_org_id:
        raise Conflict(_("Choose the receiving organization"))
    org = uow.orgs.get(cmd.to_org_id)  # any organization of the deployment may receive
    if org is None:
        raise NotFound(_("Unknown organization"), org_id=cmd.to_org_id)
    require_current(org)
    return Destination(org_id=org.org_id, org_path=org.path, org_name=org.name)


def _dues_paid_to(member: Member, uow: TransfersUnitOfWork) -> str | None:
    return uow.activity.of([member.member_id]).get(member.member_id, {}).get(DUES)


def _held_by_another(member: Member, transfer_id: str, uow: TransfersUnitOfWork) -> None:
    holder = uow.transfers.hold(member.member_id, transfer_id)
    if holder != transfer_id:
        other = uow.transfers.get(holder)
        raise Conflict(
            _(
                "This member already has an open transfer letter ({letter_no})",
                letter_no=other.letter_no if other else holder,
            )
        )


def _new_letter(
    request_id: str,
    member: Member,
    to: Destination,
    scope: str,
    reason: str,
    uow: TransfersUnitOfWork,
    caller: Caller,
    settings: TransferSettings,
    letter_no: str | None = None,
    replaces: str | None = None,
) -> Transfer:
    today = settings.today()
    transfer = domain.issue(
        transfer_id=request_id,
        letter_no=letter_no or uow.transfers.next_letter_no(today.year),
        member_id=member.member_id,
        member_status=member.status,
        in_register=member.in_register,
        from_org_id=member.org_id,
        from_org_path=member.org_path,
        to=to,
        scope=scope,
        reason=reason,
        dues_paid_to=_dues_paid_to(member, uow),
        today=today,
        issued_by=_actor(caller),
        rules=settings.rules,
        replaces=replaces,
    )
    _held_by_another(member, transfer.transfer_id, uow)
    stored, _created = uow.transfers.add(transfer, _requested(transfer, member, settings))
    return stored


def _requested(transfer: Transfer, member: Member, settings: TransferSettings) -> list[Event]:
    """A letter to another deployment: ``transfer_requested`` with the member sealed for it."""
    peer = transfer.to.deployment
    if peer is None:
        return []
    key = settings.peers.get(peer)
    if key is None or settings.cipher is None:
        raise Conflict(_("Unknown deployment: transfers go only to configured peers"))
    binding = (settings.deployment_id, peer, transfer.letter_no)
    sealed = seal_member(member, transfer.dues_paid_to, settings.cipher, key, binding)
    return [transfer_requested(transfer, settings.deployment_id, sealed)]


def issue_transfer(
    cmd: commands.IssueTransfer,
    uow: TransfersUnitOfWork,
    caller: Caller,
    settings: TransferSettings,
) -> Transfer:
    """An introduction letter for a member of the caller's area (the same request again: the
    same letter)."""
    caller.require_role(SECRETARIES)
    found = uow.transfers.get(cmd.request_id)
    if found is not None:
        if not caller.covers(found.from_org_path):
            raise Forbidden(_("This organization is outside your area of responsibility"))
        return found
    member = get_member(cmd.member_id, uow, caller)
    caller.require(member.org_path)
    to = _destination(cmd, uow)
    return _new_letter(cmd.request_id, member, to, cmd.scope, cmd.reason, uow, caller, settings)


def reissue_transfer(
    cmd: commands.ReissueTransfer,
    uow: TransfersUnitOfWork,
    caller: Caller,
    settings: TransferSettings,
) -> Transfer:
    """A new letter (new number) for an expired one, which is marked expired and names it."""
    found = uow.transfers.get(cmd.request_id)
    if found is not None:  # asked again
        caller.require(found.from_org_path)
        return found
    old = _letter(cmd.transfer_id, uow, caller)
    caller.require(old.from_org_path)

    def expire() -> Transfer:
        current = _letter(cmd.transfer_id, uow, caller)
        if current.state == "expired" and current.replaced_by:
            return current  # a retry after the old letter was marked
        number = uow.transfers.next_letter_no(settings.today().year)
        ended = domain.expire(current, settings.today(), settings.clock(), _actor(caller), number)
        return uow.transfers.save(ended, [])

    expired = _retrying(expire, settings)
    uow.transfers.release(expired.member_id, expired.transfer_id)
    member = get_member(expired.member_id, uow, caller)
    if member.org_id != expired.from_org_id:
        raise Conflict(_("The member is no longer in the sending organization"))
    to = expired.to
    if to.local and to.org_id:  # the receiver as it is now (it may have moved)
        org = uow.orgs.get(to.org_id)
        if org is None:
            raise NotFound(_("Unknown organization"), org_id=to.org_id)
        to = replace(to, org_path=org.path)
    return _new_letter(
        cmd.request_id,
        member,
        to,
        expired.scope,
        expired.reason,
        uow,
        caller,
        settings,
        letter_no=expired.replaced_by,
        replaces=expired.letter_no,
    )


def _close(
    cmd: commands.CloseTransfer,
    uow: TransfersUnitOfWork,
    caller: Caller,
    settings: TransferSettings,
    side: str,
    to_state: str,
) -> Transfer:
    def attempt() -> Transfer:
        transfer = _letter(cmd.transfer_id, uow, caller)
        path = transfer.from_org_path if side == "sender" else transfer.to.org_path
        if path is None:
            raise Conflict(_("This letter is answered by the other deployment"))
        caller.require(path)
        if transfer.state == to_state:
            return transfer  # asked again
        now = settings.clock()
        if to_state == "cancelled":
            closed = domain.cancel(transfer, now, _actor(caller))
        else:
            closed = domain.decline(transfer, cmd.reason, now, _actor(caller))
        return uow.transfers.save(closed, [])

    closed = _retrying(attempt, settings)
    uow.transfers.release(closed.member_id, closed.transfer_id)
    return closed


def cancel_transfer(
    cmd: commands.CloseTransfer,
    uow: TransfersUnitOfWork,
    caller: Caller,
    settings: TransferSettings,
) -> Transfer:
    """The sender withdraws a letter not yet accepted."""
    return _close(cmd, uow, caller, settings, "sender", "cancelled")


def decline_transfer(
    cmd: commands.CloseTransfer,
    uow: TransfersUnitOfWork,
    caller: Caller,
    settings: TransferSettings,
) -> Transfer:
    """The receiver declines a letter, with the reason the sender reads."""
    if len(cmd.reason.strip()) < 2:
        raise Conflict(_("Give the reason the member is not received"))
    return _close(cmd, uow, caller, settings, "receiver", "declined")


def accept_transfer(
    cmd: commands.CloseTransfer,
    uow: TransfersUnitOfWork,
    caller: Caller,
    settings: TransferSettings,
) -> Transfer:
    """The receiver registers the member (steps in the module's docstring)."""

    def attempt() -> Transfer:
        transfer = _letter(cmd.transfer_id, uow, caller)
        if not transfer.to.local or transfer.to.org_id is None:
            raise Conflict(_("This letter is answered by the other deployment"))
        receiver = get_org(transfer.to.org_id, uow, caller)
        if transfer.state == "accepted":
            return transfer  # asked again: settled below
        require_current(receiver)
        member = uow.members.get(transfer.member_id)
        if member is None or not member.in_register or member.org_id != transfer.from_org_id:
            raise Conflict(_("The member is no longer in the sending organization"))
        accepted = domain.accept(transfer, settings.today(), settings.clock(), _actor(caller))
        accepted = replace(
            accepted,
            member_status=member.status,
            from_org_path=member.org_path,
            to=replace(transfer.to, org_path=receiver.path),
        )
        return uow.transfers.save(accepted, [], uncounted=True)

    accepted = _retrying(attempt, settings)
    _settle(accepted, uow, settings)
    return accepted


def _settle(transfer: Transfer, uow: TransfersUnitOfWork, settings: TransferSettings) -> None:
    """Steps 2-4 of an acceptance (each done once, whoever calls it)."""
    to_path = transfer.to.org_path or ""

    def move() -> None:
        member = uow.members.get(transfer.member_id)
        if member is None or member.org_id != transfer.from_org_id:
            return  # moved already
        moved = replace(
            member,
            org_id=transfer.to.org_id or member.org_id,
            org_path=to_path,
            home_org_id=None,
            home_org_path=None,
        )
        uow.members.save(moved, [domain.member_transferred(transfer, to_path)])

    _retrying(move, settings)
    if uow.transfers.claim_count(transfer.transfer_id):
        status = transfer.member_status
        uow.orgs.count_members(transfer.from_org_path, {status: -1})
        uow.orgs.count_members(to_path, {status: 1})
    uow.transfers.release(transfer.member_id, transfer.transfer_id)


def list_transfers(cmd: commands.ListTransfers, uow: TransfersUnitOfWork, caller: Caller) -> Page:
    caller.require_role(SECRETARIES)
    org = get_org(cmd.org_id, uow, caller)
    return uow.transfers.listed(org.path, cmd.direction, cmd.open_only, cmd.cursor, cmd.limit)


def flags(transfer: Transfer, settings: TransferSettings) -> dict[str, bool]:
    return transfer.flags(settings.today(), settings.rules)


def letter_ancestors(path: str | None) -> list[str]:
    return ancestors(path) if path else []
