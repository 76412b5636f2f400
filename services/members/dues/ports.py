"""What the dues handlers work over: the dues records of the unit of work (the members store
mixes them in) and the settings read once at start-up."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Protocol

from services.infra.events import Event
from services.infra.pii import PiiCipher
from services.members.dues.domain import Charge, Declaration, DuesRules, LedgerEntry, Tally
from services.members.handlers import CHINA, Page, UnitOfWork


@dataclass(frozen=True)
class DuesRun:
    """The monthly run over an organization's subtree (``_id`` org|month: one per month), with
    how far it got (organizations done in the walk's order) so a crash resumes there."""

    org_id: str
    org_path: str
    month: str
    started_by: str
    started_at: datetime
    state: str = "running"  # running, done
    orgs_done: int = 0
    charged: int = 0  # charges this run created
    finished_at: datetime | None = None

    @property
    def run_id(self) -> str:
        return f"{self.org_id}|{self.month}"


class DuesRecords(Protocol):
    def declaration(self, member_id: str, year: int) -> Declaration | None: ...
    def declarations(self, member_ids: list[str], year: int) -> dict[str, Declaration]: ...
    def save_declaration(self, declaration: Declaration) -> None:
        """Store (or replace) the member's declaration for its year."""

    def charges_of(self, member_id: str, months: list[str]) -> dict[str, Charge]: ...
    def member_charges(self, member_id: str, year: int) -> list[Charge]:
        """The member's charges of a year, by month."""

    def unpaid_of(self, member_id: str, limit: int) -> list[Charge]:
        """The member's charged months not paid (arrears), oldest first."""

    def fill_undeclared(self, member_id: str, year: int, amount_fen: int) -> list[Charge]:
        """Give the member's unpaid undeclared charges of the year the amount; those changed."""

    def add_charges(self, charges: list[Charge]) -> tuple[int, list[Charge]]:
        """Store the charges not stored yet (one per member and month) and claim for this call
        the counting of those it stored and of those of the batch still uncounted (a prepaid
        month, a batch a crash cut short): how many were new, and the charges to count."""

    def claim_months(
        self, charges: list[Charge], reference: str, paid_on: date, on_time: list[bool]
    ) -> list[str]:
        """Mark each month paid by ``reference`` (a month not charged yet is stored as a paid
        charge, uncounted until the run): the months that another payment holds."""

    def release_months(self, member_id: str, months: list[str], reference: str) -> list[str]:
        """Mark the months paid by ``reference`` unpaid again: the months released."""

    def add_entry(self, entry: LedgerEntry, events: list[Event]) -> tuple[LedgerEntry, bool]:
        """Append a ledger entry with its events in one write (once per reference, unsettled):
        the stored entry, and whether this call stored it."""

    def get_entry(self, reference: str) -> LedgerEntry | None: ...
    def mark_reversed(self, reference: str, reversal_reference: str) -> bool:
        """Point the payment at its reversal (once): False when already reversed."""

    def claim_settle(self, reference: str) -> bool:
        """True for the one call that settles the entry (counters, activity)."""

    def entries_of(self, member_id: str, limit: int) -> list[LedgerEntry]:
        """The member's ledger, newest first."""

    def raise_tallies(self, month: str, by_path: Mapping[str, Tally]) -> None:
        """Raise (or lower) the month's tallies of each organization path and every one above
        it by the amounts given (one bulk write)."""

    def tallies(self, org_ids: list[str], month: str) -> dict[str, Tally]: ...
    def register(self, org_id: str, month: str, cursor: str | None, limit: int) -> Page:
        """The organization's own members' charges of the month, by member id."""

    def unpaid_counts(self, member_ids: list[str]) -> dict[str, int]:
        """How many charged months each member owes."""

    def undeclared(self, org_path: str, month: str, cursor: str | None, limit: int) -> Page:
        """The subtree's charges of the month without a declaration, by member id."""

    def add_run(self, run: DuesRun) -> tuple[DuesRun, bool]: ...
    def get_run(self, run_id: str) -> DuesRun | None: ...
    def save_run(self, run: DuesRun) -> None: ...
    def restart_run(self, run_id: str) -> bool:
        """Make a finished run run again from the start, at once; False if it was not done."""

    def claim_runs(self, now: datetime, lease_seconds: int) -> list[DuesRun]:
        """Running runs whose lease has lapsed, each leased to this call until now + lease."""


class DuesUnitOfWork(UnitOfWork, Protocol):
    @property
    def dues(self) -> DuesRecords: ...


@dataclass(frozen=True)
class DuesSettings:
    cipher: PiiCipher
    rules: DuesRules
    clock: Callable[[], datetime] = lambda: datetime.now().astimezone()
    timezone: tzinfo = CHINA
    batch: int = 500  # members charged per bulk write
    run_day: int = 1  # the monthly run starts by itself on this day of the month
    lease_seconds: int = 120  # a run's worker holds it this long between progress writes

    def today(self) -> date:
        return self.clock().astimezone(self.timezone).date()
