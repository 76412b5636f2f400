"""The outbox relay's logic on the real embedded engine, with an in-memory transport: batching,
per-event failure isolation, order within a document, parking, leases and their takeover."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId

from services.infra.events import new_event
from services.infra.outbox import (
    OUTBOX,
    OUTBOX_EVENTS_PARKED,
    OUTBOX_INDEX,
    OUTBOX_PUBLISH_FAILURES,
    PARKED,
    PENDING,
    RETRYING,
    OutboxRelay,
    Outgoing,
    _entry,
    _shard_of,
    public,
    push_events,
    strip,
    with_events,
)
from services.infra.storage import ensure_indexes, open_database


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class FakeTransport:
    """Confirms everything except what ``refuse`` says no to; records every batch."""

    def __init__(self, refuse: Callable[[Outgoing], str | None] = lambda m: None) -> None:
        self.refuse = refuse
        self.batches: list[list[Outgoing]] = []
        self.on_send: Callable[[], None] = lambda: None

    def send(self, messages: Sequence[Outgoing]) -> list[str | None]:
        self.batches.append(list(messages))
        self.on_send()
        return [self.refuse(m) for m in messages]

    def wait(self, ticket: list[str | None]) -> list[str | None]:
        return ticket

    @property
    def sent(self) -> list[Outgoing]:
        return [m for batch in self.batches for m in batch]

    def confirmed_ids(self) -> list[str]:
        return [m.event_id for m in self.sent if self.refuse(m) is None]


class CountingCollection:
    """A collection proxy that counts the writes the relay makes and keeps its queries."""

    def __init__(self, collection: Any, counts: dict[str, int], finds: list[Any]) -> None:
        self._collection = collection
        self._counts = counts
        self._finds = finds

    def find(self, query: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        self._finds.append(query)
        return self._collection.find(query, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._collection, name)
        if name.startswith(("update", "delete", "insert", "replace")):

            def counted(*args: Any, **kwargs: Any) -> Any:
                self._counts[name] = self._counts.get(name, 0) + 1
                return attribute(*args, **kwargs)

            return counted
        return attribute


class CountingDb:
    def __init__(self, db: Any) -> None:
        self._db = db
        self.counts: dict[str, int] = {}
        self.finds: list[Any] = []

    def __getitem__(self, name: str) -> Any:
        if name == "things":
            return CountingCollection(self._db[name], self.counts, self.finds)
        return self._db[name]


@pytest.fixture
def db(tmp_path):
    database = open_database("relaytest", None, tmp_path)
    ensure_indexes(database, {"things": [OUTBOX_INDEX]})
    return database


@pytest.fixture
def clock():
    return Clock()


def relay_for(db: Any, clock: Clock, **options: Any) -> OutboxRelay:
    options.setdefault("owner", "relay-a")
    return OutboxRelay(db, ["things"], service="test", clock=clock, pause=lambda: None, **options)


def event(kind: str = "a_happened", **data: Any) -> dict[str, Any]:
    return new_event(kind, "/x", data)


def ids(*events: dict[str, Any]) -> list[str]:
    return [e["payload"]["event_id"] for e in events]


def metric(counter: Any, event_type: str) -> float:
    return counter.labels("test", event_type)._value.get()


# -- writing -----------------------------------------------------------------------------------


def test_documents_carry_serialised_events_and_callers_never_see_the_bookkeeping(db):
    first = event(n=1)
    db.things.insert_one(with_events({"_id": "t1", "name": "x"}, [first]))
    stored = db.things.find_one({"_id": "t1"})
    assert stored[PENDING] in {f"{n:02d}" for n in range(16)}
    [entry] = stored[OUTBOX]
    assert entry["type"] == "a_happened" and entry["event_id"] == first["payload"]["event_id"]
    assert json.loads(entry["body"]) == first["payload"]
    assert strip(stored) == public(stored) == {"_id": "t1", "name": "x"}
    assert public(None) is None


def test_an_event_that_cannot_be_serialised_fails_the_write_that_raises_it():
    with pytest.raises(TypeError):
        with_events({"_id": "t1"}, [event(oid=ObjectId())])
    with pytest.raises(TypeError):
        push_events([event(oid=ObjectId())])


# -- batching ----------------------------------------------------------------------------------


def test_the_relay_publishes_every_event_once_in_batches_and_settles_the_store_in_batches(
    db, clock
):
    events = [event(n=n) for n in range(1200)]
    db.things.insert_many([with_events({"_id": f"t{n}"}, [e]) for n, e in enumerate(events)])
    counting = CountingDb(db)
    transport = FakeTransport()
    relay = relay_for(counting, clock, batch=100)

    assert relay.relay_once(transport) == 1200
    assert sorted(transport.confirmed_ids()) == sorted(ids(*events))
    assert max(len(b) for b in transport.batches) <= 100
    assert len(transport.batches) <= 1200 // 100 + 16  # at most one short batch per shard
    # no write per event: one update_many per group of documents (50), no update_one
    assert counting.counts.get("update_one", 0) == 0
    assert counting.counts["update_many"] <= 1200 // 50 + 16
    assert relay.pending() == 0
    assert db.things.find_one({"_id": "t7"}) == {"_id": "t7"}
    assert relay.relay_once(transport) == 0


def test_events_of_one_document_keep_their_order_each_sent_after_the_previous_was_confirmed(
    db, clock
):
    chain = [event("step", n=n) for n in range(5)]
    db.things.insert_one(with_events({"_id": "long"}, chain[:2]))
    db.things.update_one({"_id": "long"}, push_events(chain[2:]))
    others = [event(n=n) for n in range(30)]
    db.things.insert_many([with_events({"_id": f"o{n}"}, [e]) for n, e in enumerate(others)])
    transport = FakeTransport()

    assert relay_for(db, clock).relay_once(transport) == 35
    steps = [m.event_id for m in transport.sent if m.routing_key == "step"]
    assert steps == ids(*chain)
    batch_of = {m.event_id: number for number, batch in enumerate(transport.batches) for m in batch}
    assert [batch_of[i] for i in ids(*chain)] == sorted({batch_of[i] for i in ids(*chain)})
    assert db.things.find_one({"_id": "long"}) == {"_id": "long"}


def test_an_event_appended_while_its_document_is_being_relayed_stays_pending(db, clock):
    first = event(n=1)
    late = event(n=2)
    while _shard_of(late["payload"]["event_id"]) <= _shard_of("t1"):  # moves to a later shard
        late = event(n=2)
    db.things.insert_one(with_events({"_id": "t1"}, [first]))
    transport = FakeTransport()

    def a_writer_appends_once() -> None:
        transport.on_send = lambda: None
        db.things.update_one({"_id": "t1"}, push_events([late]))

    transport.on_send = a_writer_appends_once
    relay = relay_for(db, clock)
    relay.relay_once(transport)
    relay.relay_once(transport)
    assert transport.confirmed_ids() == ids(first, late)
    assert db.things.find_one({"_id": "t1"}) == {"_id": "t1"}


def test_documents_written_before_shards_and_bodies_are_still_relayed(db, clock):
    old = event(n=1)
    db.things.insert_one({"_id": "legacy", OUTBOX: [old], PENDING: True})
    transport = FakeTransport()

    assert relay_for(db, clock).relay_once(transport) == 1
    assert json.loads(transport.sent[0].body) == old["payload"]
    assert db.things.find_one({"_id": "legacy"}) == {"_id": "legacy"}


# -- failures ----------------------------------------------------------------------------------


def test_a_refused_event_holds_back_its_own_document_only_and_is_retried_later(db, clock):
    refused, after_it, elsewhere = event("bad_one"), event("fine"), event("fine")
    db.things.insert_one(with_events({"_id": "a"}, [refused, after_it]))
    db.things.insert_one(with_events({"_id": "b"}, [elsewhere]))
    broker_says_no = True
    transport = FakeTransport(
        lambda m: (
            "refused by the broker (basic.nack)"
            if broker_says_no and m.routing_key == "bad_one"
            else None
        )
    )
    relay = relay_for(db, clock)
    failures_before = metric(OUTBOX_PUBLISH_FAILURES, "bad_one")

    assert relay.relay_once(transport) == 1
    assert transport.confirmed_ids() == ids(elsewhere)  # not the one behind the refused event
    stored = db.things.find_one({"_id": "a"})
    assert stored[PENDING] == RETRYING
    head = stored[OUTBOX][0]
    assert head["attempts"] == 1 and "basic.nack" in head["last_error"]
    assert head["next_attempt_at"].replace(tzinfo=UTC) == clock.now + timedelta(seconds=1)
    assert metric(OUTBOX_PUBLISH_FAILURES, "bad_one") == failures_before + 1

    transport.batches.clear()
    assert relay.relay_once(transport) == 0 and transport.batches == []  # not due yet
    clock.advance(1)
    broker_says_no = False
    assert relay.relay_once(transport) == 2
    assert transport.confirmed_ids() == ids(refused, after_it)
    assert db.things.find_one({"_id": "a"}) == {"_id": "a"}


def test_the_backoff_doubles_up_to_its_cap(db, clock):
    db.things.insert_one(with_events({"_id": "a"}, [event("bad_one")]))
    transport = FakeTransport(lambda m: "refused")
    relay = relay_for(db, clock, max_attempts=10, backoff_seconds=1, max_backoff_seconds=5)
    delays = []
    for _ in range(5):
        relay.relay_once(transport)
        due = db.things.find_one({"_id": "a"})[OUTBOX][0]["next_attempt_at"].replace(tzinfo=UTC)
        delays.append((due - clock.now).total_seconds())
        clock.now = due
    assert delays == [1, 2, 4, 5, 5]


def test_an_event_refused_too_often_is_parked_logged_and_counted_and_the_rest_go_on(
    db, clock, caplog
):
    poison, next_one = event("bad_one"), event("fine")
    db.things.insert_one(with_events({"_id": "a", "name": "x"}, [poison, next_one]))
    transport = FakeTransport(lambda m: "refused" if m.routing_key == "bad_one" else None)
    relay = relay_for(db, clock, max_attempts=2)
    parked_before = metric(OUTBOX_EVENTS_PARKED, "bad_one")

    relay.relay_once(transport)
    clock.advance(1)
    with caplog.at_level(logging.ERROR, logger="services.infra.outbox"):
        relay.relay_once(transport)
        relay.relay_once(transport)

    assert transport.confirmed_ids() == ids(next_one)
    stored = db.things.find_one({"_id": "a"})
    assert OUTBOX not in stored and PENDING not in stored
    [parked] = stored[PARKED]
    assert parked["event_id"] == ids(poison)[0]
    assert parked["attempts"] == 2 and parked["last_error"] == "refused"
    assert metric(OUTBOX_EVENTS_PARKED, "bad_one") == parked_before + 1
    assert any(r.getMessage().startswith("outbox event parked") for r in caplog.records)
    assert public(stored) == {"_id": "a", "name": "x"}
    assert [p["event_id"] for p in relay.parked()] == ids(poison)

    assert relay.requeue_parked() == 1
    transport.refuse = lambda m: None
    assert relay.relay_once(transport) == 1
    assert transport.confirmed_ids()[-1] == ids(poison)[0]
    assert db.things.find_one({"_id": "a"}) == {"_id": "a", "name": "x"}


def test_entries_that_can_never_be_published_are_parked_at_once(db, clock):
    unserialisable = {"type": "odd", "payload": {"event_id": "e-odd", "oid": ObjectId()}}
    huge, fine = event("huge", blob="x" * 5000), event("fine")
    db.things.insert_one({"_id": "a", OUTBOX: [unserialisable, event("fine")], PENDING: "03"})
    db.things.insert_one(with_events({"_id": "b"}, [huge, fine]))
    transport = FakeTransport()

    relay = relay_for(db, clock, max_event_bytes=1000)
    assert relay.relay_once(transport) + relay.relay_once(transport) == 2
    assert [m.routing_key for m in transport.sent] == ["fine", "fine"]
    reasons = {p["document_id"]: p["last_error"] for p in relay_for(db, clock).parked()}
    assert reasons["a"].startswith("not serialisable") and reasons["b"].startswith("too large")


def test_a_broker_that_cannot_be_reached_counts_against_no_event(db, clock):
    db.things.insert_one(with_events({"_id": "a"}, [event()]))

    class Down(FakeTransport):
        def send(self, messages: Sequence[Outgoing]) -> list[str | None]:
            raise ConnectionError("broker unreachable")

    relay = relay_for(db, clock)
    with pytest.raises(ConnectionError):
        relay.relay_once(Down())
    stored = db.things.find_one({"_id": "a"})
    assert "attempts" not in stored[OUTBOX][0] and stored[PENDING] != RETRYING
    assert relay.relay_once(FakeTransport()) == 1 and relay.pending() == 0


# -- leases ------------------------------------------------------------------------------------


def test_one_relay_per_collection_until_its_lease_expires_or_is_released(db, clock):
    a = relay_for(db, clock, owner="relay-a", lease_seconds=30)
    b = relay_for(db, clock, owner="relay-b", lease_seconds=30)
    to_a, to_b = FakeTransport(), FakeTransport()

    db.things.insert_one(with_events({"_id": "t1"}, [event(n=1)]))
    assert a.relay_once(to_a) == 1
    db.things.insert_one(with_events({"_id": "t2"}, [event(n=2)]))
    assert b.relay_once(to_b) == 0 and to_b.sent == []  # a holds the lease
    clock.advance(15)
    assert a.relay_once(to_a) == 1  # a renews (a third of the lease has passed)
    db.things.insert_one(with_events({"_id": "t3"}, [event(n=3)]))
    clock.advance(29)
    assert b.relay_once(to_b) == 0  # renewed 29 s ago: still a's

    clock.advance(2)  # a fell silent: its lease ran out (b tried 2 s before: it waits 10 s)
    assert b.relay_once(to_b) == 0
    clock.advance(8)  # a standby retries every third of the lease
    assert b.relay_once(to_b) == 1
    assert a.relay_once(to_a) == 0  # lost, and a knows it
    assert len(to_a.sent) == 2 and len(to_b.sent) == 1

    b.release()  # a clean stop hands over at a standby's next try
    db.things.insert_one(with_events({"_id": "t4"}, [event(n=4)]))
    clock.advance(10)
    assert a.relay_once(to_a) == 1 and len(to_b.sent) == 1


def test_a_relay_that_loses_its_lease_mid_pass_stops_publishing(db, clock):
    db.things.insert_many([with_events({"_id": f"t{n}"}, [event(n=n)]) for n in range(300)])
    a = relay_for(db, clock, owner="relay-a", lease_seconds=30, batch=10)
    b = relay_for(db, clock, owner="relay-b", lease_seconds=30)
    transport = FakeTransport()

    def stall_then_lose_the_lease() -> None:
        if len(transport.batches) == 3:
            clock.advance(31)
            assert b.leases["things"].held()

    transport.on_send = stall_then_lose_the_lease
    published = a.relay_once(transport)
    assert len(transport.batches) == 3  # nothing sent after the lease was gone
    assert published == len(transport.sent)  # what was on the wire is still settled
    assert b.relay_once(FakeTransport()) == 300 - published


# -- passes woken by a worker ------------------------------------------------------------------


def test_a_pass_woken_by_a_write_reads_only_the_shards_written_to(db, clock):
    counting = CountingDb(db)
    relay = relay_for(counting, clock)
    transport = FakeTransport()
    assert relay.relay_once(transport, full=True) == 0  # the sweep a relay starts with
    elsewhere = event(n=0)  # written by another replica: no hint in this process
    db.things.insert_one({"_id": "x", OUTBOX: [_entry(elsewhere)], PENDING: "05"})
    here = event(n=1)
    db.things.insert_one(with_events({"_id": "t1"}, [here]))  # shard "07"
    counting.finds.clear()

    assert relay.relay_once(transport, full=False) == 1
    assert transport.confirmed_ids() == ids(here)
    assert [q[PENDING] for q in counting.finds] == ["07"]
    assert relay.relay_once(transport, full=True) == 1  # the sweep finds the other replica's
    assert transport.confirmed_ids() == ids(here, elsewhere)


def test_a_pass_woken_by_a_write_retries_this_relays_refused_events_once_due(db, clock):
    db.things.insert_one(with_events({"_id": "a"}, [event("bad_one")]))
    transport = FakeTransport(lambda m: "refused")
    relay = relay_for(db, clock)
    relay.relay_once(transport)
    transport.refuse = lambda m: None
    assert relay.relay_once(transport, full=False) == 0  # not due
    clock.advance(1)
    assert relay.relay_once(transport, full=False) == 1
