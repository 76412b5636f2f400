"""What the lifecycle handlers work over: the repositories of the unit of work (the members
store mixes the lifecycle's in) and the settings read once at start-up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Protocol, TypeVar

from services.infra.errors import retrying
from services.infra.events import Event
from services.infra.i18n import _
from services.infra.pii import PiiCipher
from services.members.accounts.domain import Session
from services.members.accounts.ports import SessionRepository
from services.members.domain import Member, Org
from services.members.handlers import CHINA, MemberRepository, Page, UnitOfWork
from services.members.lifecycle.domain import Card, CardRefusal, StatusChange

T = TypeVar("T")


class MemberDirectory(MemberRepository, Protocol):
    def save(self, member: Member, events: list[Event]) -> Member:
        """Raises Stale when the member changed since it was read, AlreadyStored when the card
        is another member's."""


class LifecycleRecords(Protocol):
    """The lifecycle's own records over the members database."""

    def pending_change(self, member_id: str) -> StatusChange | None:
        """The member's last status change while its history entry or counting is still to
        be done (written with the member by ``save_change``)."""

    def save_change(self, member: Member, events: list[Event], change: StatusChange) -> Member:
        """Save the member (as ``MemberDirectory.save``) with ``change`` marked pending."""

    def record_change(self, change: StatusChange) -> None:
        """Add the change to the status history (once: keyed by its id)."""

    def claim_change_count(self, member_id: str, change_id: str) -> bool:
        """Clear the pending mark: True for the one call that takes the counting on itself."""

    def status_history(self, member_id: str, cursor: str | None, limit: int) -> Page:
        """The member's status changes, newest first."""

    def probation_due(
        self, org: Org, since: date, until: date, cursor: str | None, limit: int
    ) -> Page:
        """Probationary members in the organization's subtree whose probation ends in
        [today, until], soonest first."""

    def probation_reminders_due(self, days: list[date], limit: int) -> list[Member]:
        """Probationary members whose probation ends on one of ``days`` and who were not yet
        reminded of that end."""

    def mark_reminded(self, member: Member, events: list[Event]) -> bool:
        """Mark the member reminded of its probation's end, with the event; False when another
        call did first."""

    def search(self, org: Org, kind: str, key: str, cursor: str | None, limit: int) -> Page:
        """Members in the organization's subtree by ``kind``: ``name`` (a prefix), ``card``
        (the UID) or ``id_hash``."""

    def member_sessions(self, member_id: str) -> list[Session]:
        """The member's phone sessions not yet revoked."""


class CardRegister(Protocol):
    def get(self, card_uid: str) -> Card | None: ...
    def reserve(self, card: Card) -> Card:
        """Store a new card; a UID already held by anyone raises AlreadyStored."""

    def end(self, card: Card) -> None:
        """Store the card's end (blocked or returned), adding it if it was never recorded (a
        card given at registration)."""

    def active_of(self, member_id: str) -> list[Card]:
        """The member's cards still recorded as issued."""

    def latest_of(self, member_id: str) -> Card | None: ...
    def of_member(self, member_id: str, cursor: str | None, limit: int) -> Page:
        """The member's cards, newest first (the card history)."""

    def refuse(self, refusal: CardRefusal) -> None:
        """Record a refused swipe (once per kiosk, card and minute)."""

    def purge(self, before: datetime) -> int:
        """Remove the refused swipes recorded before the UTC day of ``before``; how many."""


class LifecycleUnitOfWork(UnitOfWork, Protocol):
    @property
    def members(self) -> MemberDirectory: ...

    @property
    def lifecycle(self) -> LifecycleRecords: ...

    @property
    def cards(self) -> CardRegister: ...

    @property
    def sessions(self) -> SessionRepository: ...


@dataclass(frozen=True)
class LifecycleSettings:
    cipher: PiiCipher
    clock: Callable[[], datetime] = lambda: datetime.now().astimezone()
    timezone: tzinfo = CHINA  # where "today" is
    retries: int = 4  # a read-decide-write step met by a concurrent write is done again
    confirm_window_days: int = 30  # a probationary member may be confirmed this long before
    extension_max_days: int = 365  # a probation is extended once, by at most this
    probation_due_days: int = 30  # the console's default look-ahead
    probation_overdue_days: int = 365  # how far back the list reaches for undecided probations
    reminder_days: int = 30  # probation_ending is published this long before the end
    reminder_batch: int = 500

    def today(self) -> date:
        return self.clock().astimezone(self.timezone).date()


def retrying_member(attempt: Callable[[], T], settings: LifecycleSettings) -> T:
    """``services.infra.errors.retrying`` with the member's message and the settings' tries."""
    message = _("Too many concurrent changes to this member; try again")
    return retrying(attempt, message, settings.retries)
