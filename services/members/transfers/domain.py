"""Rules of transfers between organizations (组织关系转接). No nameko, no pymongo.

A transfer is an introduction letter issued by the member's organization for a destination
within this deployment (an organization id) or in another deployment (its id and the receiving
organization's name or id there). Its states:

    issued ──accept──► accepted (the member moved; the receipt recorded for the sender)
       │ ──decline──► declined (with the receiver's reason)
       │ ──cancel───► cancelled (by the sender, before acceptance)
       └ ──reissue──► expired (past its validity: a new letter replaces it)

The member stays in the sender's register until acceptance; one open (issued) letter per
member. Validity: ``within_city`` or ``outside_city`` days from the settings, never more than
``max_days`` (90: three months).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from services.infra.errors import Conflict, InvalidInput
from services.infra.events import Event, new_event
from services.infra.i18n import _

SCOPES = ("within_city", "outside_city")
STATES = ("issued", "accepted", "declined", "cancelled", "expired")
OPEN = "issued"


@dataclass(frozen=True)
class TransferRules:
    within_city_days: int = 10
    outside_city_days: int = 30
    max_days: int = 90  # never more than three months
    expiring_days: int = 3  # a letter is listed as expiring this many days before its end
    receipt_days: int = 30  # a receipt is overdue this many days after the letter was issued

    def validity(self, scope: str) -> int:
        days = self.within_city_days if scope == "within_city" else self.outside_city_days
        return min(days, self.max_days)


@dataclass(frozen=True)
class Destination:
    """Where the member goes: an organization of this deployment (``org_id`` and its path), or
    one of another deployment (``deployment`` and the organization's ``org_name`` there)."""

    org_id: str | None = None
    org_path: str | None = None
    org_name: str = ""
    deployment: str | None = None  # None: this deployment

    @property
    def local(self) -> bool:
        return self.deployment is None


@dataclass(frozen=True)
class Transfer:
    transfer_id: str
    letter_no: str
    member_id: str
    member_status: str  # the status the member is counted under
    from_org_id: str
    from_org_path: str
    to: Destination
    scope: str
    reason: str
    dues_paid_to: str | None  # YYYY-MM, the last month the member's dues are paid for
    issued_on: date
    valid_until: date
    issued_by: str
    state: str = OPEN
    replaces: str | None = None  # the letter number this one re-issues
    replaced_by: str | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    decline_reason: str | None = None
    receipt_on: date | None = None  # the receipt (回执) the sender holds
    version: int = 0

    @property
    def open(self) -> bool:
        return self.state == OPEN

    def expired_on(self, today: date) -> bool:
        return today > self.valid_until

    def flags(self, today: date, rules: TransferRules) -> dict[str, bool]:
        """What the lists show: an open letter past its end (``overdue``: re-issue it) or near
        it (``expiring``), and an accepted-elsewhere receipt not back in time."""
        is_open = self.open
        return {
            "overdue": is_open and self.expired_on(today),
            "expiring": is_open
            and not self.expired_on(today)
            and (self.valid_until - today).days <= rules.expiring_days,
            "receipt_overdue": self.receipt_on is None
            and self.state in (OPEN, "accepted")
            and (today - self.issued_on).days > rules.receipt_days,
        }


def issue(
    *,
    transfer_id: str,
    letter_no: str,
    member_id: str,
    member_status: str,
    in_register: bool,
    from_org_id: str,
    from_org_path: str,
    to: Destination,
    scope: str,
    reason: str,
    dues_paid_to: str | None,
    today: date,
    issued_by: str,
    rules: TransferRules,
    replaces: str | None = None,
) -> Transfer:
    if scope not in SCOPES:
        raise InvalidInput(_("Some fields are missing or invalid"), fields={"scope": ["unknown"]})
    if not in_register:
        raise Conflict(_("Only a member in the register can be transferred"))
    if to.local and to.org_id == from_org_id:
        raise Conflict(_("The member is already in that organization"))
    return Transfer(
        transfer_id=transfer_id,
        letter_no=letter_no,
        member_id=member_id,
        member_status=member_status,
        from_org_id=from_org_id,
        from_org_path=from_org_path,
        to=to,
        scope=scope,
        reason=reason,
        dues_paid_to=dues_paid_to,
        issued_on=today,
        valid_until=today + timedelta(days=rules.validity(scope)),
        issued_by=issued_by,
        replaces=replaces,
    )


def _require_open(transfer: Transfer) -> None:
    if not transfer.open:
        raise Conflict(
            _("This letter is {state}", state=_("transfer_state:" + transfer.state)),
            state=transfer.state,
        )


def accept(transfer: Transfer, today: date, now: datetime, actor: str) -> Transfer:
    """The receiver accepts before the letter's end; the receipt is recorded for the sender at
    once (this deployment: both sides share the record)."""
    _require_open(transfer)
    if transfer.expired_on(today):
        raise Conflict(_("This letter has expired: the sending organization must re-issue it"))
    return replace(
        transfer,
        state="accepted",
        closed_at=now,
        closed_by=actor,
        receipt_on=today if transfer.to.local else None,
    )


def decline(transfer: Transfer, reason: str, now: datetime, actor: str) -> Transfer:
    _require_open(transfer)
    return replace(
        transfer, state="declined", closed_at=now, closed_by=actor, decline_reason=reason
    )


def cancel(transfer: Transfer, now: datetime, actor: str) -> Transfer:
    _require_open(transfer)
    return replace(transfer, state="cancelled", closed_at=now, closed_by=actor)


def expire(transfer: Transfer, today: date, now: datetime, actor: str, by: str) -> Transfer:
    """The sender re-issues a letter past its end: the old one is marked expired, replaced by
    the letter number ``by``."""
    _require_open(transfer)
    if not transfer.expired_on(today):
        raise Conflict(_("This letter is still valid: cancel it first to issue another"))
    return replace(transfer, state="expired", closed_at=now, closed_by=actor, replaced_by=by)


def member_transferred(transfer: Transfer, to_path: str) -> Event:
    """Published with the member's move (never personal data)."""
    return new_event(
        "member_transferred",
        to_path,
        {
            "member_id": transfer.member_id,
            "from_org_id": transfer.from_org_id,
            "from_org_path": transfer.from_org_path,
            "to_org_id": transfer.to.org_id,
            "letter_no": transfer.letter_no,
        },
    )


def letter_number(year: int, seq: int) -> str:
    """The readable letter number: year and a sequence per deployment ('2026-000042')."""
    return f"{year}-{seq:06d}"
