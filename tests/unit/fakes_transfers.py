"""In-memory fakes of the transfers' records (beside the lifecycle's fake unit of work), and a
small world to run the transfer handlers in: the lifecycle's county (hj; streets s1, s2;
branches b1, b2 under s1 and b3 under s2)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from services.infra import paging
from services.infra.errors import Stale
from services.infra.events import Event
from services.infra.scope import Caller, ancestors
from services.members.transfers.domain import Transfer, TransferRules, letter_number
from services.members.transfers.exchange import IncomingTransfer
from services.members.transfers.ports import TransferSettings
from tests.unit.fakes import _sorted_page
from tests.unit.fakes_lifecycle import NOW, FakeLifecycleUoW, world

SECRETARY3 = Caller("sec3", "branch_secretary", "/hj/s2/b3")


class FakeTransfers:
    def __init__(self) -> None:
        self.rows: dict[str, Transfer] = {}
        self.order: dict[str, int] = {}  # issue order (the store's issued_at)
        self.holds: dict[str, str] = {}
        self.uncounted: set[str] = set()
        self.seq: dict[int, int] = {}
        self.events: list[Event] = []

    def get(self, transfer_id: str) -> Transfer | None:
        return self.rows.get(transfer_id)

    def next_letter_no(self, year: int) -> str:
        self.seq[year] = self.seq.get(year, 0) + 1
        return letter_number(year, self.seq[year])

    def hold(self, member_id: str, transfer_id: str) -> str:
        holder = self.holds.setdefault(member_id, transfer_id)
        if holder != transfer_id and holder not in self.rows:
            self.holds[member_id] = transfer_id
            return transfer_id
        return holder

    def release(self, member_id: str, transfer_id: str) -> None:
        if self.holds.get(member_id) == transfer_id:
            del self.holds[member_id]

    def by_letter(self, letter_no: str) -> Transfer | None:
        return next((t for t in self.rows.values() if t.letter_no == letter_no), None)

    def add(self, transfer: Transfer, events: list[Event]) -> tuple[Transfer, bool]:
        if transfer.transfer_id in self.rows:
            return self.rows[transfer.transfer_id], False
        self.rows[transfer.transfer_id] = transfer
        self.events.extend(events)
        self.order[transfer.transfer_id] = len(self.order)
        return transfer, True

    def save(self, transfer: Transfer, events: list[Event], uncounted: bool = False) -> Transfer:
        stored = self.rows.get(transfer.transfer_id)
        if stored is None or stored.version != transfer.version:
            raise Stale(transfer.transfer_id)
        saved = replace(transfer, version=transfer.version + 1)
        self.rows[transfer.transfer_id] = saved
        if uncounted:
            self.uncounted.add(transfer.transfer_id)
        self.events.extend(events)
        return saved

    def claim_count(self, transfer_id: str) -> bool:
        if transfer_id in self.uncounted:
            self.uncounted.discard(transfer_id)
            return True
        return False

    def listed(
        self, org_path: str, direction: str, open_only: bool, cursor: str | None, limit: int
    ) -> Any:
        def side(t: Transfer) -> list[str]:
            path = t.from_org_path if direction == "outgoing" else t.to.org_path
            return ancestors(path) if path else []

        rows = [
            t
            for t in self.rows.values()
            if org_path in side(t) and (not open_only or t.state == "issued")
        ]
        shown, position = _sorted_page(
            rows,
            ("issued_at", "_id"),
            lambda t: (self.order[t.transfer_id], t.transfer_id),
            cursor,
            limit,
            True,
        )
        return shown, paging.encode(position)


class FakeIncoming:
    def __init__(self) -> None:
        self.rows: dict[str, IncomingTransfer] = {}
        self.events: list[Event] = []

    def get(self, key: str) -> IncomingTransfer | None:
        return self.rows.get(key)

    def add(self, incoming: IncomingTransfer) -> tuple[IncomingTransfer, bool]:
        if incoming.key in self.rows:
            return self.rows[incoming.key], False
        self.rows[incoming.key] = incoming
        return incoming, True

    def listed(self, org_path: str, cursor: str | None, limit: int) -> Any:
        rows = [
            i
            for i in self.rows.values()
            if org_path in (ancestors(i.to_org_path) if i.to_org_path else ["/"])
        ]
        order = list(self.rows)
        shown, position = _sorted_page(
            rows, ("issued_at", "_id"), lambda i: (order.index(i.key), i.key), cursor, limit, True
        )
        return shown, paging.encode(position)

    def save(self, incoming: IncomingTransfer, events: list[Event]) -> IncomingTransfer:
        stored = self.rows.get(incoming.key)
        if stored is None or stored.version != incoming.version:
            raise Stale(incoming.key)
        saved = replace(incoming, version=incoming.version + 1)
        self.rows[incoming.key] = saved
        self.events.extend(events)
        return saved


class FakeTransfersUoW(FakeLifecycleUoW):
    def __init__(self) -> None:
        super().__init__()
        self.transfers = FakeTransfers()
        self.incoming_transfers = FakeIncoming()

    def events(self) -> list[Event]:
        return super().events() + self.transfers.events + self.incoming_transfers.events


def transfers_world() -> FakeTransfersUoW:
    uow = FakeTransfersUoW()
    built = world()
    uow.orgs = built.orgs
    return uow


class Clock:
    """A settable clock: tests move it forward by days."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> Any:
        return self.now

    def forward(self, days: int) -> None:
        self.now = self.now + timedelta(days=days)


def transfer_settings(clock: Any = None, **rules: Any) -> TransferSettings:
    return TransferSettings(rules=TransferRules(**rules), clock=clock or (lambda: NOW))


TODAY: date = NOW.date()
