"""The outbox relay on the real broker and the embedded store: batches confirmed by the broker,
an event the broker refuses does not hold back the others, one relay per collection."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import amqp
import pytest
from kombu import Connection, Exchange, Queue
from nameko.rpc import rpc
from nameko.standalone.rpc import ClusterRpcProxy

from services.infra.events import new_event
from services.infra.outbox import (
    LEASES,
    OUTBOX,
    OUTBOX_INDEX,
    PENDING,
    RETRYING,
    OutboxRelay,
    Outgoing,
    with_events,
)
from services.infra.providers import BatchPublisher, OutboxPublisher
from services.infra.storage import Database, ensure_indexes, open_database
from tests.conftest import wait_for

EXCHANGE = Exchange("things.events", type="topic", durable=True)


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class CountingPublisher(BatchPublisher):
    """The real publisher, counting batches and confirm waits."""

    def __init__(self, amqp_uri: str) -> None:
        super().__init__(amqp_uri, EXCHANGE)
        self.sends = self.waits = 0

    def send(self, messages: Any) -> Any:
        self.sends += 1
        return super().send(messages)

    def wait(self, batch: Any) -> list[str | None]:
        self.waits += 1
        return super().wait(batch)


@pytest.fixture
def amqp_uri(rabbit_config):
    return rabbit_config["AMQP_URI"]


@pytest.fixture
def db(tmp_path):
    database = open_database("outboxtest", None, tmp_path)
    ensure_indexes(database, {"things": [OUTBOX_INDEX]})
    return database


def bind(amqp_uri: str, name: str, *routing_keys: str, **arguments: Any) -> None:
    with Connection(amqp_uri) as conn:
        channel = conn.default_channel
        EXCHANGE(channel).declare()
        Queue(name, durable=True, queue_arguments=arguments or None)(channel).declare()
        for key in routing_keys:
            channel.queue_bind(name, EXCHANGE.name, key)


def take_all(amqp_uri: str, name: str) -> list[Any]:
    found = []
    with Connection(amqp_uri) as conn:
        queue = Queue(name, durable=True)(conn.default_channel)
        while (message := queue.get(no_ack=True)) is not None:
            found.append(message)
    return found


def depth(amqp_uri: str, name: str) -> int:
    with Connection(amqp_uri) as conn:
        _, count, _ = Queue(name, durable=True)(conn.default_channel).queue_declare(passive=True)
        return int(count)


def event(kind: str = "thing_added", **data: Any) -> dict[str, Any]:
    return new_event(kind, "/x", data)


def event_ids(*events: dict[str, Any]) -> list[str]:
    return [e["payload"]["event_id"] for e in events]


def relay_for(db: Any, **options: Any) -> OutboxRelay:
    return OutboxRelay(db, ["things"], service="test", **options)


def test_the_relay_publishes_batches_confirmed_by_the_broker_once_each_and_in_order(db, amqp_uri):
    bind(amqp_uri, "all", "#")
    singles = [event(n=n) for n in range(1000)]
    db.things.insert_many([with_events({"_id": f"t{n}"}, [e]) for n, e in enumerate(singles)])
    chain = [event("step", n=n) for n in range(3)]
    db.things.insert_one(with_events({"_id": "chain"}, chain))
    publisher = CountingPublisher(amqp_uri)
    relay = relay_for(db, batch=200)
    try:
        assert relay.relay_once(publisher) == 1003
    finally:
        publisher.close()

    # returned only after the broker confirmed: everything is already in the queue
    assert depth(amqp_uri, "all") == 1003
    assert publisher.waits == publisher.sends < 1003 // 10  # one confirm wait per batch
    messages = take_all(amqp_uri, "all")
    assert sorted(m.properties["message_id"] for m in messages) == sorted(
        event_ids(*singles, *chain)
    )
    first = next(m for m in messages if m.properties["message_id"] == event_ids(singles[0])[0])
    assert json.loads(first.body) == singles[0]["payload"]
    assert first.content_type == "application/json"
    assert first.properties["delivery_mode"] == 2  # persistent
    steps = [
        m.properties["message_id"] for m in messages if m.delivery_info["routing_key"] == "step"
    ]
    assert steps == event_ids(*chain)
    assert relay.pending() == 0 and db.things.find_one({"_id": "chain"}) == {"_id": "chain"}


def test_an_event_the_broker_refuses_does_not_hold_back_the_others(db, amqp_uri):
    # a queue that refuses every message routed to it: the broker nacks those publishes
    bind(amqp_uri, "refusing", "refused_one", **{"x-max-length": 0, "x-overflow": "reject-publish"})
    bind(amqp_uri, "others", "fine", "after_the_refused_one")
    refused, behind_it = event("refused_one"), event("after_the_refused_one")
    others = [event("fine", n=n) for n in range(20)]
    db.things.insert_one(with_events({"_id": "a"}, [refused, behind_it]))
    db.things.insert_many([with_events({"_id": f"b{n}"}, [e]) for n, e in enumerate(others)])
    clock = Clock()
    relay = relay_for(db, clock=clock)
    publisher = BatchPublisher(amqp_uri, EXCHANGE)
    try:
        assert relay.relay_once(publisher) == 20
        arrived = [m.properties["message_id"] for m in take_all(amqp_uri, "others")]
        assert sorted(arrived) == sorted(event_ids(*others))  # not the one behind the refusal
        stored = db.things.find_one({"_id": "a"})
        assert stored[PENDING] == RETRYING
        assert stored[OUTBOX][0]["attempts"] == 1
        assert "nack" in stored[OUTBOX][0]["last_error"]

        with Connection(amqp_uri) as conn:  # the broker accepts it again
            conn.default_channel.queue_delete("refusing")
        clock.advance(1)
        assert relay.relay_once(publisher) == 2
    finally:
        publisher.close()
    arrived = [m.properties["message_id"] for m in take_all(amqp_uri, "others")]
    assert arrived == event_ids(behind_it)
    assert relay.pending() == 0


class Fussy(BatchPublisher):
    """Gives one event a property the broker rejects by closing the channel."""

    def __init__(self, amqp_uri: str, bad_event_id: str) -> None:
        super().__init__(amqp_uri, EXCHANGE)
        self.bad_event_id = bad_event_id

    def _message(self, message: Outgoing) -> amqp.Message:
        built = super()._message(message)
        if message.event_id == self.bad_event_id:
            built.properties["expiration"] = "not-a-number"
        return built


def test_a_message_that_makes_the_broker_close_the_channel_is_pinned_on_itself(db, amqp_uri):
    bind(amqp_uri, "all", "#")
    events = [event(n=n) for n in range(60)]
    db.things.insert_many([with_events({"_id": f"t{n}"}, [e]) for n, e in enumerate(events)])
    bad = event_ids(events[17])[0]
    publisher = Fussy(amqp_uri, bad)
    try:
        assert relay_for(db).relay_once(publisher) == 59
    finally:
        publisher.close()
    arrived = {m.properties["message_id"] for m in take_all(amqp_uri, "all")}
    assert arrived == set(event_ids(*events)) - {bad}
    [entry] = db.things.find_one({"_id": "t17"})[OUTBOX]
    assert entry["attempts"] == 1 and "PRECONDITION_FAILED" in entry["last_error"]


def test_two_relays_sharing_a_collection_do_not_both_publish(db, amqp_uri):
    bind(amqp_uri, "all", "#")
    clock = Clock()
    a = relay_for(db, owner="replica-a", lease_seconds=30, clock=clock)
    b = relay_for(db, owner="replica-b", lease_seconds=30, clock=clock)
    to_a, to_b = CountingPublisher(amqp_uri), CountingPublisher(amqp_uri)
    written = []
    try:
        for round_ in range(5):
            batch = [event(n=n) for n in range(40)]
            db.things.insert_many(
                [with_events({"_id": f"r{round_}-{n}"}, [e]) for n, e in enumerate(batch)]
            )
            written += event_ids(*batch)
            a.relay_once(to_a)
            b.relay_once(to_b)
            clock.advance(5)
        assert to_b.sends == 0
        assert db[LEASES].find_one({"_id": "things"})["owner"] == "replica-a"

        a.release()  # replica a stops cleanly: b takes over at its next try
        late = event(n=999)
        db.things.insert_one(with_events({"_id": "late"}, [late]))
        written += event_ids(late)
        clock.advance(10)
        assert b.relay_once(to_b) == 1 and a.relay_once(to_a) == 0
    finally:
        to_a.close()
        to_b.close()
    arrived = [m.properties["message_id"] for m in take_all(amqp_uri, "all")]
    assert sorted(arrived) == sorted(written)  # each exactly once


# -- the provider: replicas of one service ------------------------------------------------------


class Things:
    INDEXES: ClassVar[dict[str, Any]] = {"things": [OUTBOX_INDEX]}

    def __init__(self, db: Any) -> None:
        self.db = db

    def add(self, key: str) -> None:
        self.db.things.insert_one(with_events({"_id": key}, [new_event("thing_added", "/x", {})]))


class ThingService:
    name = "things"
    store = Database(Things)
    outbox = OutboxPublisher(("things",))

    @rpc
    def add(self, key: str) -> None:
        self.store.add(key)


def test_replicas_of_a_service_publish_each_event_once_and_take_over_on_a_clean_stop(
    container_factory, rabbit_config, tmp_path: Path
):
    def config(owner: str) -> dict[str, Any]:
        return {
            **rabbit_config,
            "DATA_DIR": str(tmp_path / "shared-data"),
            "OUTBOX_OWNER": owner,
            "OUTBOX_LEASE_SECONDS": 3,
        }

    amqp_uri = rabbit_config["AMQP_URI"]
    bind(amqp_uri, "all", "#")
    first = container_factory(ThingService, config("replica-1"))
    second = container_factory(ThingService, config("replica-2"))
    first.start()
    second.start()
    with ClusterRpcProxy(rabbit_config, timeout=10) as proxy:
        for n in range(60):
            proxy.things.add(f"t{n}")
        wait_for(lambda: depth(amqp_uri, "all") >= 60, timeout=15)
        owner = open_database("things", None, tmp_path / "shared-data")[LEASES].find_one(
            {"_id": "things"}
        )["owner"]
        holder, standby = (first, second) if owner == "replica-1" else (second, first)
        holder.stop()  # releases its lease
        for n in range(60, 80):
            proxy.things.add(f"t{n}")
        wait_for(lambda: depth(amqp_uri, "all") >= 80, timeout=15)
    standby.stop()
    messages = take_all(amqp_uri, "all")
    ids = [m.properties["message_id"] for m in messages]
    assert len(ids) == len(set(ids)) == 80
    assert all(m.delivery_info["routing_key"] == "thing_added" for m in messages)


def test_messages_carry_what_a_nameko_event_handler_reads(db, amqp_uri):
    payload = event(member_id="mb-1", name="张三")
    db.things.insert_one(with_events({"_id": "t1"}, [payload]))
    bind(amqp_uri, "all", "#")
    publisher = BatchPublisher(amqp_uri, EXCHANGE)
    try:
        relay_for(db).relay_once(publisher)
    finally:
        publisher.close()
    [message] = take_all(amqp_uri, "all")
    assert message.decode() == payload["payload"]  # kombu's own decoding, as nameko does
    assert uuid.UUID(message.properties["message_id"])
