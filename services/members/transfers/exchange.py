"""Transfers between deployments (another county running its own copy of the system): the
public events that carry them and the sealed member record. No nameko, no pymongo.

The sending deployment publishes ``transfer_requested`` on its own ``members.events`` (through the
letter's outbox) with the letter's number and validity, both deployments' ids, the receiving
organization as the sender named it, and ``member_sealed``: the member fields the receiver needs
to register them (name, gender, birth date, ID number, phone, join date, status, probation end,
dues paid up to) as JSON encrypted with AES-256-GCM under the key shared with that peer only
(``TRANSFER_PEER_KEYS``: deployment id -> base64 key, a secret), the associated data binding it to
the letter (``<from>|<to>|<letter_no>``): no one else on the bus can read it, and a payload moved
to another letter fails to open. Nothing else in the event is personal.

The receiving deployment stores the request once (keyed by sender and letter number), its
secretary accepts (the member is registered there: a new member id, no card) or declines, and it
publishes ``transfer_accepted`` / ``transfer_declined`` (no personal data) that the sender applies
to its letter (the receipt).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.infra.events import Event, new_event
from services.infra.pii import PiiCipher
from services.members.domain import Member
from services.members.transfers.domain import Transfer

SEALED_FIELDS = (
    "name",
    "gender",
    "birth_date",
    "id_number",
    "phone",
    "join_date",
    "status",
    "probation_ends",
    "dues_paid_to",
)


def _binding(from_deployment: str, to_deployment: str, letter_no: str) -> str:
    return f"{from_deployment}|{to_deployment}|{letter_no}"


def seal_member(
    member: Member,
    dues_paid_to: str | None,
    local: PiiCipher,
    peer: PiiCipher,
    binding: tuple[str, str, str],
) -> str:
    """The member's fields for the receiver, encrypted under the peer's key."""
    record = {
        "name": member.name,
        "gender": member.gender,
        "birth_date": member.birth_date.isoformat(),
        "id_number": local.decrypt(member.id_number_enc, "id_number"),
        "phone": local.decrypt(member.phone_enc, "phone"),
        "join_date": member.join_date.isoformat(),
        "status": member.status,
        "probation_ends": member.probation_ends.isoformat() if member.probation_ends else None,
        "dues_paid_to": dues_paid_to,
    }
    return peer.encrypt(json.dumps(record, ensure_ascii=False), _binding(*binding))


def unseal_member(sealed: str, peer: PiiCipher, binding: tuple[str, str, str]) -> dict[str, Any]:
    """The member's fields (raises on a wrong key or a payload of another letter)."""
    record: dict[str, Any] = json.loads(peer.decrypt(sealed, _binding(*binding)))
    return {k: record.get(k) for k in SEALED_FIELDS}


def transfer_requested(transfer: Transfer, from_deployment: str, sealed: str) -> Event:
    return new_event(
        "transfer_requested",
        transfer.from_org_path,
        {
            "letter_no": transfer.letter_no,
            "valid_until": transfer.valid_until.isoformat(),
            "from_deployment": from_deployment,
            "from_org_id": transfer.from_org_id,
            "to_deployment": transfer.to.deployment,
            "to_org_name": transfer.to.org_name,
            "member_sealed": sealed,
        },
    )


@dataclass(frozen=True)
class IncomingTransfer:
    """A letter from another deployment, as this one received it."""

    from_deployment: str
    letter_no: str
    from_org_id: str
    valid_until: date
    to_org_name: str  # as the sender named it (an organization id here when they knew it)
    to_org_path: str | None  # the organization it names here, when it names one
    member_sealed: str  # kept as it came: encrypted under the peer's key
    member_name_masked: str
    state: str = "issued"
    org_id: str | None = None  # where the member was registered
    member_id: str | None = None
    closed_on: date | None = None
    decline_reason: str | None = None
    version: int = 0

    @property
    def key(self) -> str:
        return f"{self.from_deployment}|{self.letter_no}"


def transfer_answered(
    incoming: IncomingTransfer, to_deployment: str, org_path: str, accepted: bool
) -> Event:
    """``transfer_accepted`` (with the new member's organization) or ``transfer_declined``
    (with the reason), for the sending deployment; never personal data."""
    data: dict[str, Any] = {
        "letter_no": incoming.letter_no,
        "from_deployment": incoming.from_deployment,
        "to_deployment": to_deployment,
    }
    if accepted:
        data |= {"to_org_id": incoming.org_id, "accepted_on": _day(incoming.closed_on)}
        return new_event("transfer_accepted", org_path, data)
    data |= {"reason": incoming.decline_reason or "", "declined_on": _day(incoming.closed_on)}
    return new_event("transfer_declined", org_path, data)


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None
