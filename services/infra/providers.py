"""nameko dependency providers: the outbox relay loop and per-entrypoint instrumentation.

``BatchPublisher`` is the relay's AMQP side: one connection and one channel in confirm mode;
a batch of messages is written back to back and the broker's confirms for the whole batch are
awaited once (py-amqp delivers ``basic.ack`` / ``basic.nack`` to channel callbacks, ``multiple``
acks covering many tags), instead of one synchronous round trip per message. A channel error
during a batch (the broker closing the channel because of one message) is pinned on its message
by re-sending the unconfirmed rest one at a time on a fresh channel.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Iterable, Sequence
from typing import Any

import amqp
import eventlet
from amqp.exceptions import ChannelError
from kombu import Connection, Exchange
from nameko.extensions import DependencyProvider
from nameko.standalone.events import get_event_exchange

from services.infra import metrics
from services.infra.config import data_dir
from services.infra.outbox import OUTBOX_INDEX, OutboxRelay, Outgoing
from services.infra.storage import ensure_indexes, open_database

log = logging.getLogger(__name__)

PERSISTENT = 2
STOP_SECONDS = 10.0


class _Batch:
    """A sent batch: its messages and, per index, None (confirmed) or why it was refused."""

    def __init__(self, messages: Sequence[Outgoing]) -> None:
        self.messages = messages
        self.outcome: dict[int, str | None] = {}
        self.unconfirmed = len(messages)

    def settle(self, index: int, reason: str | None) -> None:
        if index not in self.outcome:
            self.outcome[index] = reason
            self.unconfirmed -= 1


class BatchPublisher:
    """Publishes batches to one exchange and waits for the broker's confirms once per batch.

    ``send`` writes a batch without waiting, ``wait`` collects its confirms, so the relay keeps
    one batch on the wire while it settles the previous one in the store.
    """

    def __init__(
        self,
        amqp_uri: str,
        exchange: Exchange,
        *,
        confirm_timeout: float = 30.0,
        connect_timeout: float = 5.0,
    ) -> None:
        self.amqp_uri = amqp_uri
        self.exchange = exchange
        self.confirm_timeout = confirm_timeout
        self.connect_timeout = connect_timeout
        self._connection: Any = None
        self._channel: Any = None
        self._tag = 0
        self._waiting: dict[int, tuple[_Batch, int]] = {}  # delivery tag -> batch, index
        self._in_flight: list[_Batch] = []

    # -- Transport -----------------------------------------------------------------------------

    def send(self, messages: Sequence[Outgoing]) -> _Batch:
        batch = _Batch(messages)
        if not messages:
            return batch
        try:
            self._ensure_channel()
            self._in_flight.append(batch)
            try:
                self._write(batch, range(len(messages)))
            except ChannelError:
                self._isolate()
        except BaseException:
            self.close()  # connection-level trouble: reconnect on the next batch
            raise
        return batch

    def wait(self, batch: _Batch) -> list[str | None]:
        try:
            deadline = time.monotonic() + self.confirm_timeout
            while batch.unconfirmed:
                if batch not in self._in_flight:
                    raise ConnectionError("the connection was lost before the broker confirmed")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no broker confirm within {self.confirm_timeout}s")
                try:
                    self._connection.connection.drain_events(timeout=remaining)
                except ChannelError:
                    self._isolate()
        except BaseException:
            self.close()
            raise
        if batch in self._in_flight:
            self._in_flight.remove(batch)
        return [batch.outcome[index] for index in range(len(batch.messages))]

    def close(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        self._waiting.clear()
        self._in_flight.clear()
        if connection is not None:
            try:
                connection.release()
            except Exception:
                log.debug("error closing the outbox connection", exc_info=True)

    # -- AMQP ----------------------------------------------------------------------------------

    def _ensure_channel(self) -> None:
        if self._connection is None:
            connection = Connection(
                self.amqp_uri, connect_timeout=self.connect_timeout, heartbeat=0
            )
            connection.connect()
            # py-amqp polls the socket before every publish when the broker may send
            # connection.blocked; this publisher reads the socket once per batch instead (in
            # ``wait``, where a Blocked frame is handled too), so skip the per-message poll.
            capabilities = connection.connection.client_properties.get("capabilities") or {}
            capabilities["connection.blocked"] = False
            self._connection = connection
            self._open_channel()
            self.exchange(self._channel).declare()

    def _open_channel(self) -> None:
        old, self._channel = self._channel, None
        if old is not None:
            try:
                old.close()
            except Exception:
                log.debug("error closing a failed channel", exc_info=True)
        channel = self._connection.channel()
        channel.confirm_select()
        channel.events["basic_ack"].add(self._on_ack)
        channel.events["basic_nack"].add(self._on_nack)
        self._channel, self._tag = channel, 0
        self._waiting.clear()

    def _write(self, batch: _Batch, indices: Iterable[int]) -> None:
        channel, exchange = self._channel, self.exchange.name
        for index in indices:
            message = batch.messages[index]
            channel.basic_publish(
                self._message(message), exchange=exchange, routing_key=message.routing_key
            )
            self._tag += 1
            self._waiting[self._tag] = (batch, index)

    def _message(self, message: Outgoing) -> amqp.Message:
        """What nameko's json publisher sends, plus the event id as the message id."""
        return amqp.Message(
            message.body,
            content_type="application/json",
            content_encoding="utf-8",
            delivery_mode=PERSISTENT,
            message_id=message.event_id,
        )

    def _isolate(self) -> None:
        """The broker closed the channel because of some message in flight: re-send every
        unconfirmed message alone on a fresh channel, so the refusal lands on its own message."""
        log.warning(
            "channel closed by the broker; re-sending the unconfirmed messages one at a time",
            extra={"unconfirmed": sum(b.unconfirmed for b in self._in_flight)},
        )
        self._open_channel()
        connection = self._connection.connection
        for batch in list(self._in_flight):
            for index in range(len(batch.messages)):
                if index in batch.outcome:
                    continue
                try:
                    self._write(batch, [index])
                    deadline = time.monotonic() + self.confirm_timeout
                    while index not in batch.outcome:
                        remaining = deadline - time.monotonic()
                        if remaining <= 0:
                            raise TimeoutError(f"no broker confirm within {self.confirm_timeout}s")
                        connection.drain_events(timeout=remaining)
                except ChannelError as exc:
                    batch.settle(index, f"refused by the broker: {exc}")
                    self._open_channel()

    def _on_ack(self, delivery_tag: int, multiple: bool) -> None:
        self._confirm(delivery_tag, multiple, None)

    def _on_nack(self, delivery_tag: int, multiple: bool) -> None:
        self._confirm(delivery_tag, multiple, "refused by the broker (basic.nack)")

    def _confirm(self, delivery_tag: int, multiple: bool, reason: str | None) -> None:
        if not multiple:
            entry = self._waiting.pop(delivery_tag, None)
            if entry is not None:
                entry[0].settle(entry[1], reason)
            return
        while self._waiting:
            tag = next(iter(self._waiting))  # tags are inserted in ascending order
            if tag > delivery_tag:
                break
            batch, index = self._waiting.pop(tag)
            batch.settle(index, reason)


class OutboxPublisher(DependencyProvider):
    """Runs the outbox relay in the background; every finished worker wakes it up.

    Config: ``OUTBOX_LEASE_SECONDS`` (15), ``OUTBOX_MAX_ATTEMPTS`` (12), ``OUTBOX_BATCH`` (500
    messages per confirm wait), ``OUTBOX_OWNER`` (the lease owner; default ``<host>/<service>``:
    a pod's name in Kubernetes, so a restarted container takes its lease back at once, while
    other pods wait for it to expire or be released).
    """

    def __init__(self, collections: tuple[str, ...], idle_seconds: float = 0.5) -> None:
        self.collections = collections
        self.idle_seconds = idle_seconds
        self._wake = threading.Event()
        self._stopping = False
        self._thread: Any = None

    def setup(self) -> None:
        config = self.container.config
        service = self.container.service_name
        db = open_database(service, config.get("MONGO_URI") or None, data_dir(config))
        ensure_indexes(db, {name: [OUTBOX_INDEX] for name in self.collections})
        owner = (
            config.get("OUTBOX_OWNER")
            or os.environ.get("OUTBOX_OWNER")
            or f"{socket.gethostname()}/{service}"
        )
        self.relay = OutboxRelay(
            db,
            self.collections,
            service=service,
            owner=str(owner),
            batch=int(config.get("OUTBOX_BATCH") or 500),
            lease_seconds=float(config.get("OUTBOX_LEASE_SECONDS") or 15),
            max_attempts=int(config.get("OUTBOX_MAX_ATTEMPTS") or 12),
        )
        self.transport = BatchPublisher(config["AMQP_URI"], get_event_exchange(service, config))

    def start(self) -> None:
        self._stopping = False
        self.relay.stop_requested = False
        self._thread = self.container.spawn_managed_thread(self._run, identifier="outbox-relay")

    def stop(self) -> None:
        self._stopping = True
        self.relay.stop_requested = True
        self._wake.set()
        if self._thread is not None:
            # the pass ends after its current batch; a broker that stopped reading must not
            # hold the shutdown (the events stay in the outbox for the next start)
            with eventlet.Timeout(STOP_SECONDS, False):
                self._thread.wait()
            self._thread.kill()

    def kill(self) -> None:
        self._stopping = True
        self.relay.stop_requested = True
        self._wake.set()

    def get_dependency(self, worker_ctx: Any) -> OutboxRelay:
        return self.relay

    def worker_teardown(self, worker_ctx: Any) -> None:
        # only when the woken pass would read something (waking the relay for nothing cost
        # ~0.045 ms of CPU per repeated card swipe, about 4% of the members service's share)
        if self.relay.woken_pass_has_work():
            self._wake.set()

    def _run(self) -> None:
        failures = 0
        last_sweep = 0.0
        try:
            while not self._stopping:
                try:
                    # woken by a worker: the shards it wrote to; every idle period: a full sweep
                    full = time.monotonic() - last_sweep >= self.idle_seconds
                    if full:
                        last_sweep = time.monotonic()
                    sent = self.relay.relay_once(self.transport, full=full)
                    failures = 0
                except Exception:
                    failures += 1
                    log.exception(
                        "outbox relay failed; events stay pending", extra={"attempt": failures}
                    )
                    self.transport.close()
                    sent = 0
                    self._sleep(min(30.0, 0.5 * 2**failures))
                if self._stopping:  # what is still pending stays in the outbox for the next start
                    return
                if sent == 0:
                    self._wake.wait(self.idle_seconds)
                    self._wake.clear()
        finally:
            if self._stopping:
                self.relay.release()
            self.transport.close()

    def _sleep(self, seconds: float) -> None:
        """Back off; only a stop cuts it short (finished workers must not hammer the broker)."""
        deadline = time.monotonic() + seconds
        while not self._stopping and time.monotonic() < deadline:
            time.sleep(0.1)


class Instrumentation(DependencyProvider):
    """Times every entrypoint into the shared histogram, labelled by outcome."""

    def __init__(self) -> None:
        self._started: dict[Any, float] = {}

    def worker_setup(self, worker_ctx: Any) -> None:
        self._started[worker_ctx] = time.perf_counter()

    def worker_result(self, worker_ctx: Any, result: Any = None, exc_info: Any = None) -> None:
        started = self._started.pop(worker_ctx, None)
        if started is None:
            return
        outcome = metrics.outcome_of(exc_info[1] if exc_info else None)
        metrics.ENTRYPOINT_DURATION.labels(
            self.container.service_name, worker_ctx.entrypoint.method_name, outcome
        ).observe(time.perf_counter() - started)
        if exc_info and outcome == "error":
            log.error(
                "entrypoint failed",
                exc_info=exc_info,
                extra={"entrypoint": worker_ctx.entrypoint.method_name},
            )
