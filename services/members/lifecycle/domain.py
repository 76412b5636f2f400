"""The rules of a member's lifecycle: status changes (a state machine with dates, reasons and
approvers; exits are states, never deletions) and smart cards (issued, blocked when lost or
replaced, returned on exit; a UID is held once, ever). No framework imports.

Statuses (services/members/domain.py): in the register ``full``, ``probationary``,
``suspended``; exits ``lapsed`` (自行脱党), ``withdrawn`` (退党), ``expelled`` (开除党籍),
``deceased``, ``transferred_out`` (转出本系统). Allowed changes, each with its ``reason_code``:

| from | to | reason_code | rule |
| --- | --- | --- | --- |
| probationary | full | confirmed | from ``confirm_window_days`` before the probation's end |
| probationary | probationary | probation_extended | once, by 1 to ``extension_max_days`` days |
| probationary | withdrawn, expelled | disqualified | 取消预备党员资格 |
| full, probationary | suspended | suspended | 停止党籍 |
| suspended | full, probationary | suspension_lifted | 恢复党籍 (as decided; a probation keeps its end) |
| in register | lapsed, withdrawn, expelled, deceased | lapsed, withdrew, expelled, deceased | |
| an exit | full, probationary | reinstated | county operators only: a decision undone |
| in register | transferred_out | transferred_out | only when another deployment accepts the
  member's transfer letter (``transfer_out``), never by hand |
| transferred_out | full, probationary | transferred_in | only by a transfer back (``transfer_in``) |

Every change is effective on a day between the current status's start and today, names who
approved it (支部大会, 上级党委, ...) and why; the event carries neither the reason nor names.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from services.infra.errors import Conflict, Forbidden, InvalidInput
from services.infra.events import Event, isoformat, new_event
from services.infra.i18n import _
from services.members.domain import (
    EXITS,
    IN_REGISTER,
    TRANSFERRED_OUT,
    Member,
    Org,
    probation_end,
)

REINSTATERS = frozenset({"county_operator"})
CARD_STATES = ("issued", "blocked", "returned")
CARD_ENDS = {"lost": "blocked", "replaced": "blocked", "returned": "returned"}
REASON_CODES = (
    "confirmed",
    "probation_extended",
    "disqualified",
    "suspended",
    "suspension_lifted",
    "lapsed",
    "withdrew",
    "expelled",
    "deceased",
    "reinstated",
    "transferred_out",
    "transferred_in",
)
_EXIT_CODES = {"lapsed": "lapsed", "withdrawn": "withdrew", "expelled": "expelled"}


@dataclass(frozen=True)
class StatusChange:
    change_id: str
    member_id: str
    org_path: str
    from_status: str
    to_status: str
    reason_code: str
    effective_on: date
    reason: str
    approved_by: str
    actor: str  # who recorded it: "<role>:<subject>"
    at: datetime
    probation_ends: date | None = None  # after the change (an extension moves it)
    from_org_path: str | None = None  # a transfer in: where the member was before (org_path)

    def same_request(self, to_status: str, effective_on: date, reason: str, approved: str) -> bool:
        """Whether a request asks for exactly this change again (a retried call)."""
        return (self.to_status, self.effective_on, self.reason, self.approved_by) == (
            to_status,
            effective_on,
            reason,
            approved,
        )

    @property
    def counted(self) -> list[tuple[str, dict[str, int]]]:
        """The counter changes it makes, by organization path: one organization's unless the
        member also moved (a transfer in)."""
        if self.from_org_path and self.from_org_path != self.org_path:
            return [
                (self.from_org_path, {self.from_status: -1}),
                (self.org_path, {self.to_status: 1}),
            ]
        return [(self.org_path, self.counts)] if self.counts else []

    @property
    def counts(self) -> dict[str, int]:
        """The counter changes it makes (none when the status stays)."""
        if self.from_status == self.to_status:
            return {}
        return {self.from_status: -1, self.to_status: 1}


@dataclass(frozen=True)
class StatusRules:
    confirm_window_days: int = 30
    extension_max_days: int = 365


def reason_code_for(member: Member, to_status: str, role: str) -> str:
    """The kind of change from the member's status to ``to_status``, if it is allowed."""
    now = member.status
    if now == TRANSFERRED_OUT:
        raise Conflict(_("A member registered in another deployment comes back by a transfer"))
    if to_status == TRANSFERRED_OUT:
        raise Conflict(_("A transfer out is recorded when the receiving deployment accepts it"))
    if now in EXITS:
        if to_status not in ("full", "probationary"):
            raise Conflict(_("A member who has left can only be reinstated"))
        if role not in REINSTATERS:
            raise Forbidden(_("Only a county operator may reinstate a member who has left"))
        return "reinstated"
    if to_status in EXITS:
        if now == "probationary" and to_status in ("withdrawn", "expelled"):
            return "disqualified"
        return _EXIT_CODES.get(to_status, to_status)
    if to_status == "suspended":
        if now == "suspended":
            raise Conflict(_("The member is already suspended"))
        return "suspended"
    if now == "suspended":
        return "suspension_lifted"
    if (now, to_status) == ("probationary", "full"):
        return "confirmed"
    if (now, to_status) == ("probationary", "probationary"):
        return "probation_extended"
    raise Conflict(
        _(
            "A member cannot change from {from_status} to {to_status}",
            from_status=_("status:" + now),
            to_status=_("status:" + to_status),
        )
    )


def change_status(
    member: Member,
    *,
    to_status: str,
    effective_on: date,
    reason: str,
    approved_by: str,
    extend_days: int | None,
    actor_role: str,
    actor: str,
    now: datetime,
    today: date,
    rules: StatusRules,
) -> tuple[Member, StatusChange, list[Event]]:
    """The member in the new status, the change for the history, and ``member_status_changed``
    (an exit also returns the card: ``card_blocked`` with reason ``returned``)."""
    code = reason_code_for(member, to_status, actor_role)
    since = member.status_since or member.join_date
    problems: dict[str, list[str]] = {}
    if effective_on > today:
        problems["effective_on"] = [_("The effective date cannot be in the future")]
    elif effective_on < since:
        problems["effective_on"] = [
            _("The effective date cannot be before the current status began")
        ]
    ends = member.probation_ends or probation_end(member.join_date)
    if code == "confirmed" and effective_on < ends - timedelta(days=rules.confirm_window_days):
        problems["effective_on"] = [
            _(
                "A probationary member is confirmed from {day} on",
                day=(ends - timedelta(days=rules.confirm_window_days)).isoformat(),
            )
        ]
    if code == "probation_extended":
        if ends != probation_end(member.join_date):
            raise Conflict(_("The probation was already extended once"))
        if extend_days is None or not 1 <= extend_days <= rules.extension_max_days:
            problems["extend_days"] = [
                _("Extend the probation by 1 to {days} days", days=rules.extension_max_days)
            ]
    elif extend_days is not None:
        problems["extend_days"] = [_("Only a probation is extended")]
    if problems:
        raise InvalidInput(_("Some fields are missing or invalid"), fields=problems)
    if code == "probation_extended":
        new_ends: date | None = ends + timedelta(days=extend_days or 0)
    elif to_status == "probationary":
        new_ends = ends if member.status == "suspended" else probation_end(member.join_date)
    else:
        new_ends = member.probation_ends
    return _changed(
        member,
        StatusChange(
            change_id="sc-" + uuid.uuid4().hex[:16],
            member_id=member.member_id,
            org_path=member.org_path,
            from_status=member.status,
            to_status=to_status,
            reason_code=code,
            effective_on=effective_on,
            reason=reason,
            approved_by=approved_by,
            actor=actor,
            at=now,
            probation_ends=new_ends,
        ),
    )


def transfer_out(
    member: Member, *, letter_no: str, receiver: str, effective_on: date, now: datetime
) -> tuple[Member, StatusChange, list[Event]]:
    """The member leaves this register: ``receiver`` (another deployment) accepted the transfer
    letter ``letter_no`` and registered them there. The card returns as on any exit."""
    if member.status not in IN_REGISTER:
        raise Conflict(_("Only a member in the register can be transferred"))
    change = StatusChange(
        change_id="sc-" + uuid.uuid4().hex[:16],
        member_id=member.member_id,
        org_path=member.org_path,
        from_status=member.status,
        to_status=TRANSFERRED_OUT,
        reason_code=TRANSFERRED_OUT,
        effective_on=max(effective_on, member.status_since or member.join_date),
        reason=letter_no,
        approved_by=receiver,
        actor="system:transfers",
        at=now,
        probation_ends=member.probation_ends,
    )
    return _changed(member, change)


def transfer_in(
    member: Member,
    org: Org,
    *,
    status: str,
    probation_ends: date | None,
    letter_no: str,
    sender: str,
    effective_on: date,
    now: datetime,
) -> tuple[Member, StatusChange, list[Event]]:
    """A member who left for another deployment comes back by its transfer letter: the same
    record, in ``org``, with the status the sender had."""
    if member.status != TRANSFERRED_OUT:
        raise Conflict(_("The member is already in this register"))
    moved = replace(
        member,
        org_id=org.org_id,
        org_path=org.path,
        home_org_id=None,
        home_org_path=None,
        mobile=None,
    )
    change = StatusChange(
        change_id="sc-" + uuid.uuid4().hex[:16],
        member_id=member.member_id,
        org_path=org.path,
        from_status=TRANSFERRED_OUT,
        to_status=status,
        reason_code="transferred_in",
        effective_on=max(effective_on, member.status_since or member.join_date),
        reason=letter_no,
        approved_by=sender,
        actor="system:transfers",
        at=now,
        probation_ends=probation_ends if status == "probationary" else member.probation_ends,
        from_org_path=member.org_path,
    )
    return _changed(moved, change)


def _changed(member: Member, change: StatusChange) -> tuple[Member, StatusChange, list[Event]]:
    to_status, effective_on, code = change.to_status, change.effective_on, change.reason_code
    new_ends = change.probation_ends
    changed = replace(member, status=to_status, status_since=effective_on, probation_ends=new_ends)
    events = [
        new_event(
            "member_status_changed",
            member.org_path,
            {
                "member_id": member.member_id,
                "from_status": member.status,
                "to_status": to_status,
                "effective_on": effective_on.isoformat(),
                "reason_code": code,
            },
        )
    ]
    if to_status in EXITS and member.card_uid:
        changed, returned = end_card(changed, "returned")
        events += returned
    return changed, change, events


# -- cards -----------------------------------------------------------------------------------


def mask_card_uid(card_uid: str) -> str:
    """A card UID signs its holder in at any kiosk (a copied card would too): events and logs
    show its last four digits only."""
    return "****" + card_uid[-4:]


@dataclass(frozen=True)
class Card:
    """One card UID's story: whose it was, when it was issued, and how it ended."""

    card_uid: str
    member_id: str
    org_path: str
    state: str  # issued, blocked, returned
    issued_at: datetime | None  # None: a card given at registration, before card records
    issued_by: str | None = None
    ended_at: datetime | None = None
    ended_reason: str | None = None  # lost, replaced, returned
    note: str = ""  # why, as the caller said it
    ended_by: str | None = None
    replaced_by: str | None = None  # the UID issued in its place

    @property
    def active(self) -> bool:
        return self.state == "issued"

    @classmethod
    def issue(cls, member: Member, card_uid: str, actor: str, now: datetime) -> Card:
        return cls(card_uid, member.member_id, member.org_path, "issued", now, actor)

    def ended(
        self, reason: str, note: str, actor: str, now: datetime, replaced_by: str | None = None
    ) -> Card:
        if not self.active:
            return self
        return replace(
            self,
            state=CARD_ENDS[reason],
            ended_at=now,
            ended_reason=reason,
            note=note,
            ended_by=actor,
            replaced_by=replaced_by,
        )


@dataclass(frozen=True)
class CardRefusal:
    """A swipe refused because its card is blocked or returned (recorded, never lost)."""

    card_uid: str
    device_id: str
    at: datetime
    member_id: str | None
    kiosk_org_path: str
    meeting_id: str

    @property
    def refusal_id(self) -> str:
        """One record per kiosk, card and minute: a repeated or retried swipe adds nothing."""
        return f"{self.device_id}|{self.card_uid}|{isoformat(self.at)[:16]}"


def give_card(member: Member, card_uid: str) -> tuple[Member, list[Event]]:
    """The member holding ``card_uid`` (they hold none), and ``card_issued``."""
    if not member.in_register:
        raise Conflict(_("A member who has left gets no card"))
    if member.card_uid is not None:
        raise Conflict(_("The member already has a card; report it lost or replace it"))
    event = new_event(
        "card_issued",
        member.org_path,
        {"member_id": member.member_id, "card_uid_masked": mask_card_uid(card_uid)},
    )
    return replace(member, card_uid=card_uid), [event]


def end_card(member: Member, reason: str) -> tuple[Member, list[Event]]:
    """The member without their card (lost, replaced or returned), and ``card_blocked``: the card
    signs nobody in from now on."""
    if member.card_uid is None:
        raise Conflict(_("The member has no card"))
    event = new_event(
        "card_blocked",
        member.org_path,
        {
            "member_id": member.member_id,
            "card_uid_masked": mask_card_uid(member.card_uid),
            "reason_code": reason,
        },
    )
    return replace(member, card_uid=None), [event]
