"""Transfers between deployments (transfers/exchange.py has the events and the sealing). No
nameko, no pymongo.

Receiving side: ``receive_transfer_requested`` stores a request addressed to this deployment
once (by sender and letter number; a redelivery changes nothing); ``accept_incoming_transfer``
registers the member here (new member id, no card) in the chosen organization and publishes
``transfer_accepted``; ``decline_incoming_transfer`` publishes ``transfer_declined``.
Sending side: ``apply_transfer_answer`` records the receiver's answer on the letter (accepted:
the receipt; declined: the reason) once.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from cryptography.exceptions import InvalidTag

from services.infra.errors import Conflict, NotFound, PoisonMessage, retrying
from services.infra.i18n import _
from services.infra.pii import mask_name
from services.infra.scope import Caller
from services.members import commands as member_commands
from services.members import handlers
from services.members.domain import TRANSFERRED_OUT
from services.members.handlers import SECRETARIES, Page, get_org
from services.members.lifecycle.ports import LifecycleSettings
from services.members.lifecycle.status import (
    TransferredRecord,
    record_transfer_in,
    record_transfer_out,
)
from services.members.transfers.exchange import (
    IncomingTransfer,
    transfer_answered,
    unseal_member,
)
from services.members.transfers.ports import TransferSettings, TransfersUnitOfWork


def _peer(settings: TransferSettings, deployment: str) -> Any:
    key = settings.peers.get(deployment)
    if key is None:
        raise PoisonMessage(f"no key for deployment {deployment!r}")
    return key


def receive_transfer_requested(
    event: dict[str, Any], uow: TransfersUnitOfWork, settings: TransferSettings
) -> IncomingTransfer | None:
    """Store a request addressed here (others are ignored: None)."""
    if event["to_deployment"] != settings.deployment_id:
        return None
    sender = event["from_deployment"]
    binding = (sender, settings.deployment_id, event["letter_no"])
    try:
        record = unseal_member(event["member_sealed"], _peer(settings, sender), binding)
    except (ValueError, KeyError) as error:
        raise PoisonMessage(f"member record cannot be opened: {error}") from None
    except InvalidTag:  # a wrong key, or the record of another letter
        raise PoisonMessage("member record cannot be opened: InvalidTag") from None
    named = uow.orgs.get(event["to_org_name"])
    incoming = IncomingTransfer(
        from_deployment=sender,
        letter_no=event["letter_no"],
        from_org_id=event["from_org_id"],
        valid_until=date.fromisoformat(event["valid_until"]),
        to_org_name=event["to_org_name"],
        to_org_path=named.path if named else None,
        member_sealed=event["member_sealed"],
        member_name_masked=mask_name(record["name"]),
    )
    stored, _created = uow.incoming_transfers.add(incoming)
    return stored


def _incoming(key: str, uow: TransfersUnitOfWork, caller: Caller) -> IncomingTransfer:
    caller.require_role(SECRETARIES)
    found = uow.incoming_transfers.get(key)
    if found is None or not caller.covers(found.to_org_path or "/"):
        raise NotFound(_("Unknown transfer letter"), transfer_id=key)
    return found


def list_incoming_transfers(
    org_id: str, cursor: str | None, limit: int, uow: TransfersUnitOfWork, caller: Caller
) -> Page:
    """Letters from other deployments for the organization's subtree, newest first."""
    caller.require_role(SECRETARIES)
    org = get_org(org_id, uow, caller)
    return uow.incoming_transfers.listed(org.path, cursor, limit)


def accept_incoming_transfer(
    key: str,
    org_id: str,
    uow: TransfersUnitOfWork,
    caller: Caller,
    settings: TransferSettings,
    lifecycle: LifecycleSettings,
) -> IncomingTransfer:
    """Register the member in ``org_id`` (within the caller's area) before the letter's end; a
    member who once left here for the sender comes back to the same record."""
    incoming = _incoming(key, uow, caller)
    if incoming.state == "accepted":
        return incoming  # asked again
    if incoming.state != "issued":
        raise Conflict(_("This letter is {state}", state=_("transfer_state:" + incoming.state)))
    today = settings.today()
    if today > incoming.valid_until:
        raise Conflict(_("This letter has expired: the sending organization must re-issue it"))
    org = get_org(org_id, uow, caller)
    binding = (incoming.from_deployment, settings.deployment_id, incoming.letter_no)
    record = unseal_member(
        incoming.member_sealed, _peer(settings, incoming.from_deployment), binding
    )
    if record["status"] not in ("full", "probationary"):
        raise Conflict(_("Only a member in the register can be transferred"))
    if settings.cipher is None:
        raise Conflict(_("Unknown deployment: transfers go only to configured peers"))
    id_hash = settings.cipher.lookup_hash(record["id_number"].upper(), "id_number")
    returning = uow.members.by_id_hash(id_hash)
    if returning is not None and (
        returning.status == TRANSFERRED_OUT or incoming.member_id == returning.member_id
    ):
        ends = record.get("probation_ends")
        back = TransferredRecord(
            status=record["status"],
            probation_ends=date.fromisoformat(ends) if ends else None,
            letter_no=incoming.letter_no,
            sender=incoming.from_deployment,
            effective_on=today,
        )
        member = record_transfer_in(returning.member_id, org, back, uow, lifecycle)
    else:
        member = _register(record, org.org_id, uow, caller, settings)
    return _close_accepted(key, org, member.member_id, uow, caller, settings)


def _register(
    record: dict[str, Any],
    org_id: str,
    uow: TransfersUnitOfWork,
    caller: Caller,
    settings: TransferSettings,
) -> Any:
    cmd = member_commands.RegisterMember(
        org_id=org_id,
        name=record["name"],
        gender=record["gender"],
        birth_date=date.fromisoformat(record["birth_date"]),
        id_number=record["id_number"],
        phone=record["phone"],
        join_date=date.fromisoformat(record["join_date"]),
        status=record["status"],
        card_uid=None,
    )
    assert settings.cipher is not None  # checked by the caller
    member_settings = handlers.Settings(cipher=settings.cipher, clock=settings.clock)
    member, _created = handlers.register_member(cmd, uow, caller, member_settings)
    return member


def _close_accepted(
    key: str,
    org: Any,
    member_id: str,
    uow: TransfersUnitOfWork,
    caller: Caller,
    settings: TransferSettings,
) -> IncomingTransfer:
    today = settings.today()

    def close() -> IncomingTransfer:
        current = _incoming(key, uow, caller)
        if current.state == "accepted":
            return current
        done = replace(
            current,
            state="accepted",
            org_id=org.org_id,
            member_id=member_id,
            closed_on=today,
        )
        event = transfer_answered(done, settings.deployment_id, org.path, accepted=True)
        return uow.incoming_transfers.save(done, [event])

    return retrying(close, _("Too many concurrent changes to this letter; try again"))


def decline_incoming_transfer(
    key: str,
    reason: str,
    uow: TransfersUnitOfWork,
    caller: Caller,
    settings: TransferSettings,
) -> IncomingTransfer:
    if len(reason.strip()) < 2:
        raise Conflict(_("Give the reason the member is not received"))

    def close() -> IncomingTransfer:
        current = _incoming(key, uow, caller)
        if current.state == "declined":
            return current
        if current.state != "issued":
            raise Conflict(_("This letter is {state}", state=_("transfer_state:" + current.state)))
        done = replace(current, state="declined", decline_reason=reason, closed_on=settings.today())
        path = current.to_org_path or caller.scope
        event = transfer_answered(done, settings.deployment_id, path, accepted=False)
        return uow.incoming_transfers.save(done, [event])

    return retrying(close, _("Too many concurrent changes to this letter; try again"))


def apply_transfer_answer(
    event_type: str,
    event: dict[str, Any],
    uow: TransfersUnitOfWork,
    settings: TransferSettings,
    lifecycle: LifecycleSettings,
) -> bool:
    """The receiver's answer to one of this deployment's letters: accepted (the member leaves
    this register as transferred_out, the receipt, the hold released) or declined (the
    reason). True when it changed the letter."""
    if event["from_deployment"] != settings.deployment_id:
        return False
    letter = uow.transfers.by_letter(event["letter_no"])
    if letter is None or letter.to.deployment != event["to_deployment"] or not letter.open:
        return False
    if event_type == "transfer_accepted":
        on = date.fromisoformat(event["accepted_on"])
        receiver = event["to_deployment"]
        record_transfer_out(letter.member_id, letter.letter_no, receiver, on, uow, lifecycle)
        done = replace(letter, state="accepted", receipt_on=on, closed_by=event["to_deployment"])
    else:
        done = replace(letter, state="declined", decline_reason=event.get("reason") or "")
    uow.transfers.save(done, [])
    uow.transfers.release(letter.member_id, letter.transfer_id)
    return True


def handle_peer_event(
    event_type: str,
    event: dict[str, Any],
    uow: TransfersUnitOfWork,
    settings: TransferSettings,
    lifecycle: LifecycleSettings,
) -> None:
    """A transfer event from a peer's exchange (transfers/bridge.py): a request addressed here,
    or the answer to one of this deployment's letters; a malformed one is a PoisonMessage."""
    try:
        if event_type == "transfer_requested":
            receive_transfer_requested(event, uow, settings)
        else:
            apply_transfer_answer(event_type, event, uow, settings, lifecycle)
    except (KeyError, TypeError, ValueError) as error:
        raise PoisonMessage(f"malformed {event_type}: {error!r}") from None
