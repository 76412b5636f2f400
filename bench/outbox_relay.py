"""Benchmark (not a test): the outbox relay against a raw kombu publish on the same broker.

Puts N events in the outbox of an embedded store (one event per document, as the services
write them: ``with_events``), then relays them with the services' own machinery
(``OutboxRelay`` + ``BatchPublisher``, what ``OutboxPublisher`` runs) to a durable topic
exchange with a durable queue bound to it, until the outbox is empty. The baseline is a raw kombu
``Producer.publish`` of the same N persistent messages (the same JSON bodies) on a channel in
confirm mode, every confirm awaited at the end (kombu's fastest confirmed publish). Raw and relay
rounds alternate (raw, relay, raw, relay, ..., raw) and the medians are compared, so a busy
neighbour on the machine weighs on both; CPU time per message is printed too. For context it
also prints kombu with one synchronous confirm per message (``confirm_publish=True``, the
relay's old way) on N/10.

Runs in its own vhost (created and deleted through the management API) and a temporary data
directory. Usage:
    .venv/bin/python bench/outbox_relay.py [--count 20000] [--events-per-doc 1] [--rounds 3]
                                           [--plain]
``--plain`` runs without eventlet's monkey patching (the services run with it).
"""

from __future__ import annotations

import sys

if "--plain" not in sys.argv:
    import eventlet

    eventlet.monkey_patch()

import argparse
import os
import shutil
import statistics
import tempfile
import time
import uuid
import warnings
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

warnings.filterwarnings("ignore", category=DeprecationWarning)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kombu import Connection, Exchange, Producer, Queue  # noqa: E402
from kombu.utils.json import dumps  # noqa: E402

from services.infra.events import new_event  # noqa: E402
from services.infra.outbox import OUTBOX_INDEX, OutboxRelay, Outgoing, with_events  # noqa: E402
from services.infra.providers import BatchPublisher  # noqa: E402
from services.infra.storage import close_all, ensure_indexes, open_database  # noqa: E402

MGMT = os.environ.get("RABBIT_CTL_URI", "http://guest:guest@127.0.0.1:15672").rstrip("/")
AMQP_HOST = os.environ.get("BENCH_AMQP_HOST", "guest:guest@127.0.0.1:5672")
EXCHANGE = Exchange("bench.events", type="topic", durable=True)
QUEUE = Queue("bench.all", exchange=EXCHANGE, routing_key="#", durable=True)


class Vhost:
    """A throw-away vhost, created and deleted through RabbitMQ's management API."""

    def __init__(self, prefix: str) -> None:
        self.name = f"{prefix}-{uuid.uuid4().hex[:8]}"
        self.uri = f"pyamqp://{AMQP_HOST}/{quote(self.name, safe='')}"

    def __enter__(self) -> Vhost:
        vhost = quote(self.name, safe="")
        requests.put(f"{MGMT}/api/vhosts/{vhost}", timeout=10).raise_for_status()
        requests.put(
            f"{MGMT}/api/permissions/{vhost}/guest",
            json={"configure": ".*", "write": ".*", "read": ".*"},
            timeout=10,
        ).raise_for_status()
        return self

    def __exit__(self, *exc: object) -> None:
        requests.delete(f"{MGMT}/api/vhosts/{quote(self.name, safe='')}", timeout=30)


def queue_depth(uri: str) -> int:
    with Connection(uri) as conn:
        _, count, _ = QUEUE(conn.default_channel).queue_declare(passive=True)
        return int(count)


def purge(uri: str) -> None:
    with Connection(uri) as conn:
        QUEUE(conn.default_channel).purge()


def member_event(i: int) -> dict[str, Any]:
    return new_event(
        "member_checked_in",
        "/hj/hj-s03/hj-s03-c2/hj-b41",
        {
            "member_id": f"mb-{i:06d}",
            "member_org_path": "/hj/hj-s03/hj-s03-c2/hj-b41",
            "meeting_id": f"mt-{i // 50:05d}",
            "meeting_kind": "theme_day",
            "meeting_org_id": "hj-b41",
            "checked_in_at": "2026-11-23T08:30:00Z",
            "device_id": "kiosk-hj-s03-01",
        },
    )


def raw_confirmed(uri: str, bodies: list[bytes]) -> tuple[float, float]:
    """kombu Producer.publish of the same JSON bodies, persistent, on a channel in confirm mode,
    every confirm awaited at the end. Returns (messages/s, CPU microseconds per message)."""
    with Connection(uri) as conn:
        channel = conn.channel()
        channel.confirm_select()
        last = [0]
        channel.events["basic_ack"].add(lambda tag, multiple: last.__setitem__(0, tag))
        producer = Producer(channel, exchange=EXCHANGE)
        started, cpu = time.perf_counter(), time.process_time()
        for body in bodies:
            producer.publish(
                body,
                routing_key="member_checked_in",
                delivery_mode=2,
                content_type="application/json",
                content_encoding="utf-8",
            )
        while last[0] < len(bodies):
            conn.drain_events(timeout=30)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        channel.close()
    return len(bodies) / elapsed, cpu / len(bodies) * 1e6


def raw_synchronous(uri: str, payloads: list[dict[str, Any]]) -> float:
    """kombu with one synchronous confirm per message (the relay's old way)."""
    with Connection(uri, transport_options={"confirm_publish": True}) as conn:
        producer = conn.Producer(exchange=EXCHANGE, serializer="json")
        started = time.perf_counter()
        for payload in payloads:
            producer.publish(payload, routing_key="member_checked_in", delivery_mode=2)
        return len(payloads) / (time.perf_counter() - started)


def fill_outbox(db: Any, count: int, per_doc: int) -> None:
    ensure_indexes(db, {"attendance": [OUTBOX_INDEX]})
    docs = []
    for d in range(count // per_doc):
        events = [member_event(d * per_doc + k) for k in range(per_doc)]
        docs.append(
            with_events(
                {
                    "_id": f"mt-{d // 50:05d}:mb-{d:06d}",
                    "meeting_id": f"mt-{d // 50:05d}",
                    "member_id": f"mb-{d:06d}",
                    "org_path": "/hj/hj-s03/hj-s03-c2/hj-b41",
                    "device_id": "kiosk-hj-s03-01",
                    "checked_in_at": "2026-11-23T08:30:00Z",
                },
                events,
            )
        )
        if len(docs) == 1000:
            db.attendance.insert_many(docs)
            docs = []
    if docs:
        db.attendance.insert_many(docs)


class InstantBroker:
    """A transport that confirms everything at once: the relay's store work alone."""

    def encode(self, payload: dict[str, Any]) -> bytes:
        return dumps(payload).encode("utf-8")

    def send(self, messages: Sequence[Outgoing]) -> list[str | None]:
        return [None] * len(messages)

    def wait(self, ticket: list[str | None]) -> list[str | None]:
        return ticket

    def publish(self, messages: Sequence[Outgoing]) -> list[str | None]:
        return [None] * len(messages)

    def close(self) -> None:
        pass


def publisher_alone(uri: str, bodies: list[bytes], batch: int = 500) -> tuple[float, float]:
    """BatchPublisher on the same bodies, batches and window as the relay, no store."""
    messages = [Outgoing("member_checked_in", body, str(n)) for n, body in enumerate(bodies)]
    publisher = BatchPublisher(uri, EXCHANGE)
    in_flight: deque[Any] = deque()
    started, cpu = time.perf_counter(), time.process_time()
    try:
        for start in range(0, len(messages), batch):
            in_flight.append(publisher.send(messages[start : start + batch]))
            while len(in_flight) >= 4:
                if any(publisher.wait(in_flight.popleft())):
                    raise RuntimeError("the broker refused a message")
        while in_flight:
            if any(publisher.wait(in_flight.popleft())):
                raise RuntimeError("the broker refused a message")
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        publisher.close()
    return len(bodies) / elapsed, cpu / len(bodies) * 1e6


def relay_all(uri: str | None, db: Any, count: int) -> tuple[float, float]:
    """Relay the whole outbox; returns (events/s, CPU microseconds per event). Without a
    broker URI the broker is ``InstantBroker``."""
    relay = OutboxRelay(db, ["attendance"], service="bench", owner="bench-relay")
    transport: Any = BatchPublisher(uri, EXCHANGE) if uri else InstantBroker()
    sent = 0
    started, cpu = time.perf_counter(), time.process_time()
    try:
        while sent < count:
            moved = relay.relay_once(transport)
            if moved == 0:
                raise RuntimeError(f"relay stalled after {sent} of {count} events")
            sent += moved
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        relay.release()
        transport.close()
    if relay.pending():
        raise RuntimeError(f"{relay.pending()} documents still pending")
    return count / elapsed, cpu / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--events-per-doc", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3, help="alternating raw/relay rounds")
    parser.add_argument("--plain", action="store_true", help="no eventlet monkey patching")
    args = parser.parse_args()
    count = args.count - args.count % args.events_per_doc
    data = Path(tempfile.mkdtemp(prefix="bench-outbox-"))
    raw: list[tuple[float, float]] = []
    relayed: list[tuple[float, float]] = []
    alone: list[tuple[float, float]] = []
    store_only: list[tuple[float, float]] = []
    fills: list[float] = []
    try:
        with Vhost("bench-outbox") as vhost:
            with Connection(vhost.uri) as conn:
                QUEUE(conn.default_channel).declare()
            payloads = [member_event(i)["payload"] for i in range(count)]
            bodies = [dumps(p).encode("utf-8") for p in payloads]

            sync_n = max(1, count // 10)
            sync_rate = raw_synchronous(vhost.uri, payloads[:sync_n])
            purge(vhost.uri)
            for round_ in range(args.rounds):
                raw.append(raw_confirmed(vhost.uri, bodies))
                expect_depth(vhost.uri, count)
                alone.append(publisher_alone(vhost.uri, bodies))
                expect_depth(vhost.uri, count)
                db = open_database(f"bench_outbox_{round_}", None, data)
                started = time.perf_counter()
                fill_outbox(db, count, args.events_per_doc)
                fills.append(count / (time.perf_counter() - started))
                relayed.append(relay_all(vhost.uri, db, count))
                expect_depth(vhost.uri, count)
                db = open_database(f"bench_outbox_store_{round_}", None, data)
                fill_outbox(db, count, args.events_per_doc)
                store_only.append(relay_all(None, db, count))
            raw.append(raw_confirmed(vhost.uri, bodies))
            expect_depth(vhost.uri, count)
    finally:
        close_all()
        shutil.rmtree(data, ignore_errors=True)
    raw_rate, raw_cpu = median(r for r, _ in raw), median(c for _, c in raw)
    relay_rate, relay_cpu = median(r for r, _ in relayed), median(c for _, c in relayed)
    mode = "plain threads" if args.plain else "eventlet, as the services run"
    print(
        f"outbox relay benchmark: {count} events, {args.events_per_doc} per document, "
        f"{args.rounds} rounds ({mode}); medians, each round's figures in brackets"
    )
    print(f"  store write (insert with_events)       {median(fills):8.0f} events/s")
    print(f"  raw kombu, one sync confirm per msg    {sync_rate:8.0f} msg/s  (n={sync_n})")
    print(
        f"  raw kombu, confirms awaited at end     {raw_rate:8.0f} msg/s  "
        f"{raw_cpu:5.0f} us CPU/msg   {_rates(raw)}"
    )
    print(
        f"  relay's publisher alone (no store)     {median(r for r, _ in alone):8.0f} msg/s  "
        f"{median(c for _, c in alone):5.0f} us CPU/msg   {_rates(alone)}"
    )
    print(
        f"  relay's store work alone (no broker)   {median(r for r, _ in store_only):8.0f} "
        f"events/s {median(c for _, c in store_only):5.0f} us CPU/event {_rates(store_only)}"
    )
    print(
        f"  outbox relay, store -> broker          {relay_rate:8.0f} events/s "
        f"{relay_cpu:5.0f} us CPU/event {_rates(relayed)}"
    )
    print(f"  ratio relay / raw confirmed publish    {relay_rate / raw_rate:8.2f}  (target >= 0.5)")
    print(f"  ratio relay / old one-confirm-per-msg  {relay_rate / sync_rate:8.2f}")
    print(f"  ratio publisher alone / raw            {median(r for r, _ in alone) / raw_rate:8.2f}")


def expect_depth(uri: str, count: int) -> None:
    depth = queue_depth(uri)
    if depth != count:
        raise RuntimeError(f"queue holds {depth} messages, expected {count}")
    purge(uri)


def median(values: Any) -> float:
    return float(statistics.median(list(values)))


def _rates(figures: list[tuple[float, float]]) -> str:
    return "[" + " ".join(f"{rate:.0f}" for rate, _ in figures) + "]"


if __name__ == "__main__":
    main()
