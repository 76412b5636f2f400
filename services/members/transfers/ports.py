"""What the transfer handlers work over: the transfers' records (the members store mixes them
in), the members unit of work and the settings read once at start-up."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Protocol

from services.infra.events import Event
from services.infra.pii import PiiCipher
from services.members.handlers import CHINA, Page
from services.members.lifecycle.ports import LifecycleUnitOfWork, MemberDirectory
from services.members.transfers.domain import Transfer, TransferRules
from services.members.transfers.exchange import IncomingTransfer


class TransferRecords(Protocol):
    def get(self, transfer_id: str) -> Transfer | None: ...

    def next_letter_no(self, year: int) -> str:
        """A new letter number of the year (a sequence per deployment, never given twice)."""

    def hold(self, member_id: str, transfer_id: str) -> str:
        """Mark ``transfer_id`` as the member's open letter; the id already holding the member
        when another (that still exists) does."""

    def release(self, member_id: str, transfer_id: str) -> None:
        """The member has no open letter (when ``transfer_id`` held it)."""

    def add(self, transfer: Transfer, events: list[Event]) -> tuple[Transfer, bool]:
        """Store a new letter with its events; the one stored under its id and False when
        there is one."""

    def by_letter(self, letter_no: str) -> Transfer | None: ...

    def save(self, transfer: Transfer, events: list[Event], uncounted: bool = False) -> Transfer:
        """Write the letter if it is still at the version it was read at (else ``Stale``);
        ``uncounted``: its counters are still to be moved (``claim_count``)."""

    def claim_count(self, transfer_id: str) -> bool:
        """Clear the uncounted mark: True for the one call that moves the counters."""

    def listed(
        self, org_path: str, direction: str, open_only: bool, cursor: str | None, limit: int
    ) -> Page:
        """Letters issued by (outgoing) or addressed to (incoming) the subtree, newest first."""


class IncomingRecords(Protocol):
    """Letters from other deployments (stored beside this one's letters, sharing their outbox)."""

    def get(self, key: str) -> IncomingTransfer | None: ...

    def add(self, incoming: IncomingTransfer) -> tuple[IncomingTransfer, bool]:
        """Store a received letter once (by its key); the stored one and whether this call
        stored it."""

    def save(self, incoming: IncomingTransfer, events: list[Event]) -> IncomingTransfer:
        """Write it if still at the version read (else ``Stale``), with the events."""

    def listed(self, org_path: str, cursor: str | None, limit: int) -> Page:
        """Letters received for the subtree (those naming no organization here: for the
        deployment-wide scope), newest first."""


class TransfersUnitOfWork(LifecycleUnitOfWork, Protocol):
    @property
    def members(self) -> MemberDirectory: ...

    @property
    def transfers(self) -> TransferRecords: ...

    @property
    def incoming_transfers(self) -> IncomingRecords: ...


@dataclass(frozen=True)
class TransferSettings:
    rules: TransferRules = field(default_factory=TransferRules)
    clock: Callable[[], datetime] = lambda: datetime.now().astimezone()
    timezone: tzinfo = CHINA
    retries: int = 4
    deployment_id: str = "local"  # this deployment's id among its peers
    cipher: PiiCipher | None = None  # this deployment's personal-data cipher
    peers: Mapping[str, PiiCipher] = field(default_factory=dict)  # peer id -> shared key

    def today(self) -> date:
        return self.clock().astimezone(self.timezone).date()
