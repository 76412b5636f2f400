"""Benchmark (not a test): events from the store write to a plain kombu consumer.

Pipeline: a writer stores N documents with their events (``with_events``, one event each, as
the services record a check-in), waking the relay after each write as a finished worker wakes
``OutboxPublisher``; the relay (``OutboxRelay`` + ``BatchPublisher``, what the provider runs)
publishes them to a durable topic exchange; a plain kombu consumer in another process (another
service, an outside subscriber) bound to it with a durable queue decodes and acks each message.
Baseline, same count, same consumer: a raw kombu ``Producer.publish`` of the same bodies,
persistent, confirms awaited at the end. Each side is timed from its first write (or publish)
to the consumer's last ack; the write-to-consume latency of every event is recorded too.
Raw and pipeline rounds alternate (raw, pipeline, ..., raw); medians are compared.

Runs in its own vhost (created and deleted through the management API) and a temporary data
directory. Usage:
    .venv/bin/python bench/event_pipeline.py [--count 10000] [--rounds 3] [--plain]
"""

from __future__ import annotations

import sys

if "--plain" not in sys.argv:
    import eventlet

    eventlet.monkey_patch()

import argparse
import json
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any

warnings.filterwarnings("ignore", category=DeprecationWarning)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from kombu import Connection, Consumer, Producer  # noqa: E402
from kombu.utils.json import dumps  # noqa: E402
from outbox_relay import EXCHANGE, QUEUE, Vhost, member_event, purge  # noqa: E402

from services.infra.outbox import OUTBOX_INDEX, OutboxRelay, with_events  # noqa: E402
from services.infra.providers import BatchPublisher  # noqa: E402
from services.infra.storage import close_all, ensure_indexes, open_database  # noqa: E402

# -- the consumer (a separate process) -------------------------------------------------------


def consume(uri: str, count: int, out: str) -> None:
    """Consume ``count`` messages, ack each; write {message_id: receive time} to ``out``."""
    received: dict[str, float] = {}
    with Connection(uri) as conn:
        channel = conn.channel()
        channel.basic_qos(0, 1000, False)

        def on_message(body: Any, message: Any) -> None:
            if not isinstance(body, dict):
                raise RuntimeError(f"undecodable body {body!r}")
            received[message.properties["message_id"]] = time.time()
            message.ack()

        with Consumer(channel, queues=[QUEUE], callbacks=[on_message], accept=["json"]):
            print("ready", flush=True)
            while len(received) < count:
                conn.drain_events(timeout=120)
    Path(out).write_text(json.dumps(received))


class ConsumerProcess:
    def __init__(self, uri: str, count: int, workdir: Path) -> None:
        self.out = workdir / f"received-{time.monotonic_ns()}.json"
        args = [sys.executable, __file__, "--consume", uri, str(count), str(self.out)]
        if "--plain" in sys.argv:
            args.append("--plain")
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        if self.process.stdout.readline().strip() != "ready":
            raise RuntimeError("the consumer did not start")

    def result(self) -> dict[str, float]:
        if self.process.wait(timeout=300) != 0:
            raise RuntimeError("the consumer failed")
        received: dict[str, float] = json.loads(self.out.read_text())
        return received


# -- the two sides ---------------------------------------------------------------------------


def figures(sent_at: dict[str, float], received: dict[str, float]) -> dict[str, float]:
    if set(received) != set(sent_at):
        raise RuntimeError(f"{len(set(sent_at) - set(received))} events missing or unexpected")
    started, finished = min(sent_at.values()), max(received.values())
    latencies = sorted(received[k] - sent_at[k] for k in sent_at)
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "rate": len(sent_at) / (finished - started),
        "p50_ms": cuts[49] * 1000,
        "p99_ms": cuts[98] * 1000,
    }


def raw_round(uri: str, events: list[dict[str, Any]], workdir: Path) -> dict[str, float]:
    consumer = ConsumerProcess(uri, len(events), workdir)
    bodies = [(e["payload"]["event_id"], dumps(e["payload"]).encode()) for e in events]
    sent_at: dict[str, float] = {}
    with Connection(uri) as conn:
        channel = conn.channel()
        channel.confirm_select()
        last = [0]
        channel.events["basic_ack"].add(lambda tag, multiple: last.__setitem__(0, tag))
        producer = Producer(channel, exchange=EXCHANGE)
        for event_id, body in bodies:
            sent_at[event_id] = time.time()
            producer.publish(
                body,
                routing_key="member_checked_in",
                delivery_mode=2,
                content_type="application/json",
                content_encoding="utf-8",
                message_id=event_id,
            )
        while last[0] < len(bodies):
            conn.drain_events(timeout=60)
    return figures(sent_at, consumer.result())


def pipeline_round(
    uri: str, events: list[dict[str, Any]], db: Any, workdir: Path
) -> dict[str, float]:
    ensure_indexes(db, {"attendance": [OUTBOX_INDEX]})
    consumer = ConsumerProcess(uri, len(events), workdir)
    relay = OutboxRelay(db, ["attendance"], service="bench", owner="bench-pipeline")
    transport = BatchPublisher(uri, EXCHANGE)
    wake, writing_done = threading.Event(), threading.Event()
    published = [0]
    errors: list[BaseException] = []

    def relay_loop() -> None:  # OutboxPublisher._run, without nameko
        last_sweep = 0.0
        try:
            while published[0] < len(events):
                full = time.monotonic() - last_sweep >= 0.5
                if full:
                    last_sweep = time.monotonic()
                sent = relay.relay_once(transport, full=full)
                published[0] += sent
                if sent == 0:
                    wake.wait(0.5)
                    wake.clear()
        except BaseException as exc:
            errors.append(exc)
            raise

    thread = threading.Thread(target=relay_loop, daemon=True)
    thread.start()
    sent_at: dict[str, float] = {}
    for n, event in enumerate(events):
        sent_at[event["payload"]["event_id"]] = time.time()
        db.attendance.insert_one(
            with_events(
                {"_id": f"att-{n:06d}", "member_id": event["payload"]["member_id"]}, [event]
            )
        )
        wake.set()  # a finished worker wakes the relay
        time.sleep(0)  # an RPC worker yields at its I/O
    writing_done.set()
    received = consumer.result()
    thread.join(timeout=60)
    relay.release()
    transport.close()
    if errors:
        raise errors[0]
    return figures(sent_at, received)


def main() -> None:
    if "--consume" in sys.argv:
        at = sys.argv.index("--consume")
        consume(sys.argv[at + 1], int(sys.argv[at + 2]), sys.argv[at + 3])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--plain", action="store_true", help="no eventlet monkey patching")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    raw: list[dict[str, float]] = []
    piped: list[dict[str, float]] = []
    try:
        with Vhost("bench-pipeline") as vhost:
            with Connection(vhost.uri) as conn:
                QUEUE(conn.default_channel).declare()
            for round_ in range(args.rounds):
                raw.append(raw_round(vhost.uri, fresh(args.count), workdir))
                purge(vhost.uri)
                db = open_database(f"bench_pipeline_{round_}", None, workdir)
                piped.append(pipeline_round(vhost.uri, fresh(args.count), db, workdir))
                purge(vhost.uri)
            raw.append(raw_round(vhost.uri, fresh(args.count), workdir))
    finally:
        close_all()
        shutil.rmtree(workdir, ignore_errors=True)
    mode = "plain threads" if args.plain else "eventlet, as the services run"
    print(
        f"event pipeline benchmark: {args.count} events, {args.rounds} rounds ({mode}); "
        "medians, each round's rate in brackets"
    )
    show("raw publish + consume + ack", raw)
    show("store write -> relay -> consume + ack", piped)
    ratio = median(piped, "rate") / median(raw, "rate")
    print(f"  ratio pipeline / raw                    {ratio:8.2f}")


def fresh(count: int) -> list[dict[str, Any]]:
    return [member_event(i) for i in range(count)]


def median(rounds: list[dict[str, float]], key: str) -> float:
    return float(statistics.median(r[key] for r in rounds))


def show(label: str, rounds: list[dict[str, float]]) -> None:
    each = " ".join(f"{r['rate']:.0f}" for r in rounds)
    print(
        f"  {label:38s} {median(rounds, 'rate'):8.0f} events/s  "
        f"latency p50 {median(rounds, 'p50_ms'):7.1f} ms  p99 {median(rounds, 'p99_ms'):7.1f} ms"
        f"  [{each}]"
    )


if __name__ == "__main__":
    main()
