"""nameko dependency providers: the outbox relay loop and per-entrypoint instrumentation."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from nameko.amqp.publish import Publisher
from nameko.extensions import DependencyProvider
from nameko.standalone.events import get_event_exchange

from services.infra import metrics
from services.infra.config import data_dir
from services.infra.outbox import OUTBOX_INDEX, OutboxRelay
from services.infra.storage import ensure_indexes, open_database

log = logging.getLogger(__name__)


class OutboxPublisher(DependencyProvider):
    """Runs the outbox relay in the background; every finished worker wakes it up."""

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
        self.relay = OutboxRelay(db, self.collections)
        self.exchange = get_event_exchange(service, config)
        self.publisher = Publisher(
            config["AMQP_URI"], use_confirms=True, declare=[self.exchange], serializer="json"
        )

    def start(self) -> None:
        self._stopping = False
        self._thread = self.container.spawn_managed_thread(self._run, identifier="outbox-relay")

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._thread is not None:
            self._thread.wait()

    def kill(self) -> None:
        self._stopping = True
        self._wake.set()

    def get_dependency(self, worker_ctx: Any) -> OutboxRelay:
        return self.relay

    def worker_teardown(self, worker_ctx: Any) -> None:
        self._wake.set()

    def _publish(self, event_type: str, payload: dict[str, Any]) -> None:
        self.publisher.publish(payload, exchange=self.exchange, routing_key=event_type)
        metrics.EVENTS_PUBLISHED.labels(self.container.service_name, event_type).inc()

    def _run(self) -> None:
        failures = 0
        while True:
            try:
                sent = self.relay.relay_once(self._publish)
                failures = 0
            except Exception:
                failures += 1
                log.exception(
                    "outbox relay failed; events stay pending", extra={"attempt": failures}
                )
                sent = 0
                time.sleep(min(30.0, 0.5 * 2**failures))
            if self._stopping:  # what is still pending stays in the outbox for the next start
                return
            if sent == 0:
                self._wake.wait(self.idle_seconds)
                self._wake.clear()


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
