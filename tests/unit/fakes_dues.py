"""In-memory fakes of the dues records of the members unit of work, and a small world (the
lifecycle's county: hj, streets s1, s2, branches b1, b2, b3) to run the dues handlers in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from services.infra import paging
from services.infra.events import Event
from services.infra.scope import in_subtree
from services.members.domain import org_ids_on
from services.members.dues.domain import Band, Charge, Declaration, DuesRules, LedgerEntry, Tally
from services.members.dues.ports import DuesRun, DuesSettings
from tests.unit.fakes import _sorted_page
from tests.unit.fakes_lifecycle import NOW, FakeLifecycleUoW, cipher
from tests.unit.fakes_lifecycle import world as lifecycle_world

RULES = DuesRules(
    bands=(
        Band(Decimal(3000), Decimal("0.5")),
        Band(Decimal(5000), Decimal(1)),
        Band(Decimal(10000), Decimal("1.5")),
        Band(None, Decimal(2)),
    ),
    fixed_fen={"retiree": 50, "student": 20, "no_income": 20},
    due_day=31,
    months_ahead=12,
    collect_at_host=True,
)


def dues_settings(clock: Any = lambda: NOW, **overrides: Any) -> DuesSettings:
    rules = overrides.pop("rules", RULES)
    return DuesSettings(cipher=cipher(), rules=rules, clock=clock, **overrides)


class FakeDues:
    def __init__(self) -> None:
        self.decls: dict[str, Declaration] = {}
        self.charges: dict[str, Charge] = {}
        self.uncounted: set[str] = set()
        self.ledger: dict[str, LedgerEntry] = {}
        self.unsettled: set[str] = set()
        self.tally_rows: dict[tuple[str, str], Tally] = {}
        self.runs: dict[str, DuesRun] = {}
        self.leased: dict[str, datetime] = {}
        self.events: list[Event] = []
        self.tally_writes = 0

    def declaration(self, member_id: str, year: int) -> Declaration | None:
        return self.decls.get(f"{member_id}|{year}")

    def declarations(self, member_ids: list[str], year: int) -> dict[str, Declaration]:
        return {m: d for m in member_ids if (d := self.decls.get(f"{m}|{year}"))}

    def save_declaration(self, declaration: Declaration) -> None:
        self.decls[declaration.declaration_id] = declaration

    def charges_of(self, member_id: str, months: list[str]) -> dict[str, Charge]:
        return {m: c for m in months if (c := self.charges.get(f"{member_id}|{m}"))}

    def member_charges(self, member_id: str, year: int) -> list[Charge]:
        found = [
            c
            for c in self.charges.values()
            if c.member_id == member_id and c.month.startswith(f"{year}-")
        ]
        return sorted(found, key=lambda c: c.month)

    def unpaid_of(self, member_id: str, limit: int) -> list[Charge]:
        found = [c for c in self.charges.values() if c.member_id == member_id and not c.paid]
        return sorted(found, key=lambda c: c.month)[:limit]

    def fill_undeclared(self, member_id: str, year: int, amount_fen: int) -> list[Charge]:
        filled = []
        for charge in self.member_charges(member_id, year):
            if charge.undeclared and not charge.paid:
                new = replace(charge, undeclared=False, amount_fen=amount_fen)
                self.charges[charge.charge_id] = new
                filled.append(new)
        return filled

    def add_charges(self, charges: list[Charge]) -> tuple[int, list[Charge]]:
        new = 0
        for charge in charges:
            if charge.charge_id not in self.charges:
                self.charges[charge.charge_id] = charge
                self.uncounted.add(charge.charge_id)
                new += 1
        ids = {c.charge_id for c in charges}
        claimed = [self.charges[k] for k in sorted(ids & self.uncounted)]
        self.uncounted -= ids
        return new, claimed

    def claim_months(
        self, charges: list[Charge], reference: str, paid_on: date, on_time: list[bool]
    ) -> list[str]:
        held = []
        for charge, punctual in zip(charges, on_time, strict=True):
            stored = self.charges.get(charge.charge_id)
            if stored is None:
                self.uncounted.add(charge.charge_id)
                stored = charge
            if stored.paid_by not in (None, reference):
                held.append(charge.month)
                continue
            self.charges[charge.charge_id] = replace(
                stored, paid_by=reference, paid_on=paid_on, on_time=punctual
            )
        return held

    def release_months(self, member_id: str, months: list[str], reference: str) -> list[str]:
        released = []
        for month in months:
            charge = self.charges.get(f"{member_id}|{month}")
            if charge is not None and charge.paid_by == reference:
                self.charges[charge.charge_id] = replace(
                    charge, paid_by=None, paid_on=None, on_time=None
                )
                released.append(month)
        return released

    def add_entry(self, entry: LedgerEntry, events: list[Event]) -> tuple[LedgerEntry, bool]:
        if entry.reference in self.ledger:
            return self.ledger[entry.reference], False
        self.ledger[entry.reference] = entry
        self.unsettled.add(entry.reference)
        self.events.extend(events)
        return entry, True

    def get_entry(self, reference: str) -> LedgerEntry | None:
        return self.ledger.get(reference)

    def mark_reversed(self, reference: str, reversal_reference: str) -> bool:
        entry = self.ledger[reference]
        if entry.reversed_by not in (None, reversal_reference):
            return False
        self.ledger[reference] = replace(entry, reversed_by=reversal_reference)
        return True

    def claim_settle(self, reference: str) -> bool:
        if reference in self.unsettled:
            self.unsettled.discard(reference)
            return True
        return False

    def entries_of(self, member_id: str, limit: int) -> list[LedgerEntry]:
        found = [e for e in self.ledger.values() if e.member_id == member_id]
        return sorted(found, key=lambda e: (e.recorded_at, e.reference), reverse=True)[:limit]

    def raise_tallies(self, month: str, by_path: Mapping[str, Tally]) -> None:
        self.tally_writes += 1
        for path, delta in by_path.items():
            for org_id in org_ids_on(path):
                was = asdict(self.tally_rows.get((org_id, month), Tally()))
                raised = {k: was[k] + n for k, n in asdict(delta).items()}
                self.tally_rows[(org_id, month)] = Tally(**raised)

    def tallies(self, org_ids: list[str], month: str) -> dict[str, Tally]:
        return {o: t for o in org_ids if (t := self.tally_rows.get((o, month)))}

    def _page(self, found: list[Charge], cursor: str | None, limit: int) -> Any:
        shown, position = _sorted_page(
            found, ("member_id",), lambda c: (c.member_id,), cursor, limit
        )
        return shown, paging.encode(position)

    def register(self, org_id: str, month: str, cursor: str | None, limit: int) -> Any:
        found = [c for c in self.charges.values() if c.org_id == org_id and c.month == month]
        return self._page(found, cursor, limit)

    def unpaid_counts(self, member_ids: list[str]) -> dict[str, int]:
        return {m: len(self.unpaid_of(m, 10_000)) for m in member_ids}

    def undeclared(self, org_path: str, month: str, cursor: str | None, limit: int) -> Any:
        found = [
            c
            for c in self.charges.values()
            if in_subtree(c.org_path, org_path) and c.month == month and c.undeclared
        ]
        return self._page(found, cursor, limit)

    def add_run(self, run: DuesRun) -> tuple[DuesRun, bool]:
        if run.run_id in self.runs:
            return self.runs[run.run_id], False
        self.runs[run.run_id] = run
        return run, True

    def get_run(self, run_id: str) -> DuesRun | None:
        return self.runs.get(run_id)

    def save_run(self, run: DuesRun) -> None:
        self.runs[run.run_id] = run

    def restart_run(self, run_id: str) -> bool:
        run = self.runs[run_id]
        if run.state != "done":
            return False
        self.runs[run_id] = replace(run, state="running", orgs_done=0, finished_at=None)
        return True

    def claim_runs(self, now: datetime, lease_seconds: int) -> list[DuesRun]:
        return [r for r in self.runs.values() if r.state == "running"]


class FakeDuesUoW(FakeLifecycleUoW):
    def __init__(self) -> None:
        super().__init__()
        self.dues = FakeDues()

    def events(self) -> list[Event]:
        return super().events() + self.dues.events


def world() -> FakeDuesUoW:
    """The lifecycle's county (hj; s1 with b1, b2; s2 with b3) with dues records."""
    built = lifecycle_world()
    uow = FakeDuesUoW()
    uow.orgs = built.orgs
    return uow
