"""Reliable event consumption on top of nameko's ``event_handler``.

nameko acks a message whose handler raised, and so drops it. Here instead:
- a handler runs once per ``event_id`` (a processed-events record per handler);
- a failure is retried after a delay (per-attempt retry queues whose TTL dead-letters the
  message back to the consumer's queue), then dead-lettered with its reason;
- a malformed message (undecodable, no ``event_id``, failing the consumer's schema) goes to the
  dead-letter queue at once;
- the original delivery is acked only after the retry or dead-letter copy is confirmed.

Queues, per handler queue ``Q``: ``Q.retry.<n>`` (TTL, then back to ``Q``) and ``Q.dlq``.

A handler that is idempotent by its own store key (one ledger entry per source event, one inbox
message per cause) is declared ``idempotent=True`` and keeps no processed-event record: the
record would repeat that key, cost two store operations per event and grow the store.

A delivery claims its event before the handler runs: the record is inserted as ``running`` with
a lease, marked ``done`` when the handler succeeds and released when it fails (so its retry can
run). A second copy arriving while the first runs (the outbox relay published twice, or the
broker redelivered) finds the claim and waits in the first retry queue without using an attempt;
a claim whose holder died is taken over when its lease (``PROCESSED_CLAIM_SECONDS``, 300) ends.
Checking for a record only after the handler ran let two concurrent copies both run.

Processed-event records live in ``processed_events``: ``{_id: "<handler>:<event_id>", at: <UTC
datetime>, day: "YYYY-MM-DD", state: "running"|"done"}`` (no state: done, written before
claims), kept ``PROCESSED_RETENTION_DAYS`` (30): a TTL index on MongoDB,
a periodic batched expiry job on the embedded engine, which ignores TTL indexes
(``services.infra.expiry``; started once per container through the handlers' shared extension).
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta
from enum import Enum
from functools import partial
from typing import Any

from kombu import Queue
from marshmallow import ValidationError
from nameko.amqp.publish import Publisher
from nameko.events import EventHandler
from pymongo.errors import DuplicateKeyError

from services.infra import metrics
from services.infra.config import data_dir
from services.infra.errors import InvalidInput, PoisonMessage
from services.infra.events import isoformat, utcnow
from services.infra.expiry import PROCESSED, ProcessedEventsExpiry, processed_record
from services.infra.reconnect import ReconnectingQueueConsumer
from services.infra.storage import open_database

log = logging.getLogger(__name__)

PERMANENT_ERRORS = (PoisonMessage, ValidationError, InvalidInput)
DEFAULT_BACKOFF_SECONDS = (1.0, 5.0, 30.0)
DEFAULT_CLAIM_SECONDS = 300.0
RUNNING, DONE = "running", "done"


class Claim(Enum):
    TAKEN = "taken"
    DONE = "done"
    BUSY = "busy"


class SafeQueueConsumer(ReconnectingQueueConsumer):
    """A queue consumer that hands undecodable messages to their provider, not to a crash (and
    rides out a broker restart, see ``services.infra.reconnect``)."""

    def get_consumers(self, consumer_cls: Any, channel: Any) -> Any:
        consumers = super().get_consumers(consumer_cls, channel)
        for provider, consumer in self._consumers.items():
            consumer.on_decode_error = partial(provider.handle_undecodable)
        return consumers


class ReliableEventHandler(EventHandler):
    queue_consumer = SafeQueueConsumer()
    expiry = ProcessedEventsExpiry()  # shared: one per container, whatever the handler count

    def __init__(self, *args: Any, idempotent: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.idempotent = idempotent

    def setup(self) -> None:
        super().setup()
        config = self.container.config
        self.backoff = tuple(config.get("RETRY_BACKOFF_SECONDS") or DEFAULT_BACKOFF_SECONDS)
        self.lease = timedelta(seconds=config.get("PROCESSED_CLAIM_SECONDS", DEFAULT_CLAIM_SECONDS))
        name = self.queue.name
        self.retry_queues = [
            Queue(
                f"{name}.retry.{attempt}",
                durable=True,
                queue_arguments={
                    "x-message-ttl": int(delay * 1000),
                    "x-dead-letter-exchange": "",
                    "x-dead-letter-routing-key": name,
                },
            )
            for attempt, delay in enumerate(self.backoff, start=1)
        ]
        self.dead_letter_queue = Queue(f"{name}.dlq", durable=True)
        self.publisher = Publisher(config["AMQP_URI"], use_confirms=True)
        db = open_database(
            self.container.service_name, config.get("MONGO_URI") or None, data_dir(config)
        )
        self.processed = db[PROCESSED]

    # -- delivery -----------------------------------------------------------------------------

    def handle_message(self, body: Any, message: Any) -> None:
        if not isinstance(body, dict) or not isinstance(body.get("event_id"), str):
            self._settle_permanent_failure(message, "malformed event: not an object with event_id")
            return
        claim = Claim.TAKEN if self.idempotent else self._claim(self._processed_key(body))
        if claim is Claim.DONE:
            self._count("duplicate")
            self.queue_consumer.ack_message(message)
        elif claim is Claim.BUSY:
            self._defer(message)
        else:
            super().handle_message(body, message)

    def handle_undecodable(self, message: Any, exc: Exception) -> None:
        self._settle_permanent_failure(message, f"undecodable message: {exc}")

    def handle_result(
        self, message: Any, worker_ctx: Any, result: Any = None, exc_info: Any = None
    ):
        body = worker_ctx.args[0]
        try:
            if exc_info is None:
                self._finish(body)
                self._count("handled")
                self.queue_consumer.ack_message(message)
            else:
                self._count("failed")
                self._release(body)
                self._settle_failure(message, exc_info[1])
        except Exception:
            log.exception("could not settle message; returning it to the queue")
            self.queue_consumer.requeue_message(message)
        return result, exc_info

    # -- claims -------------------------------------------------------------------------------

    def _claim(self, key: str) -> Claim:
        now = utcnow()
        token = uuid.uuid4().hex
        lease = {"state": RUNNING, "until": now + self.lease, "token": token}
        try:
            self.processed.insert_one({"_id": key, **processed_record(now), **lease})
            return Claim.TAKEN
        except DuplicateKeyError:
            pass
        record = self.processed.find_one({"_id": key})
        if record is None:  # released by a failed run a moment ago: its retry is on the way
            return Claim.BUSY
        if record.get("state", DONE) == DONE:
            return Claim.DONE
        if _as_utc(record["until"]) > now:
            return Claim.BUSY
        taken = self.processed.update_one(
            {"_id": key, "token": record.get("token")}, {"$set": lease}
        )
        return Claim.TAKEN if taken.modified_count else Claim.BUSY

    def _finish(self, body: dict[str, Any]) -> None:
        if not self.idempotent:
            self.processed.update_one(
                {"_id": self._processed_key(body)},
                {"$set": {"state": DONE}, "$unset": {"until": "", "token": ""}},
            )

    def _release(self, body: dict[str, Any]) -> None:
        if not self.idempotent:
            self.processed.delete_one({"_id": self._processed_key(body), "state": RUNNING})

    def _defer(self, message: Any) -> None:
        """Wait in the first retry queue while another delivery of the event runs."""
        try:
            self._republish(message, self.retry_queues[0], {})
            self.queue_consumer.ack_message(message)
            self._count("deferred")
        except Exception:
            log.exception("could not defer a message; returning it to the queue")
            self.queue_consumer.requeue_message(message)

    # -- failure paths ------------------------------------------------------------------------

    def _settle_failure(self, message: Any, exc: BaseException) -> None:
        attempts = int((message.headers or {}).get("x-attempts", 0)) + 1
        reason = f"{type(exc).__name__}: {exc}"
        if isinstance(exc, PERMANENT_ERRORS) or attempts > len(self.retry_queues):
            self._dead_letter(message, reason, attempts)
        else:
            queue = self.retry_queues[attempts - 1]
            self._republish(message, queue, {"x-attempts": attempts, "x-last-error": reason})
            metrics.EVENTS_RETRIED.labels(self.container.service_name, self.event_type).inc()
            log.warning(
                "event handling failed; retrying",
                extra={"queue": self.queue.name, "attempt": attempts, "reason": reason},
            )
        self.queue_consumer.ack_message(message)

    def _settle_permanent_failure(self, message: Any, reason: str) -> None:
        try:
            self._dead_letter(message, reason, attempts=1)
            self.queue_consumer.ack_message(message)
        except Exception:
            log.exception("could not dead-letter a malformed message; returning it to the queue")
            self.queue_consumer.requeue_message(message)

    def _dead_letter(self, message: Any, reason: str, attempts: int) -> None:
        headers = {
            "x-death-reason": reason[:1000],
            "x-attempts": attempts,
            "x-failed-at": isoformat(utcnow()),
            "x-original-queue": self.queue.name,
            "x-original-routing-key": message.delivery_info.get("routing_key"),
        }
        self._republish(message, self.dead_letter_queue, headers)
        metrics.EVENTS_DEAD_LETTERED.labels(self.container.service_name, self.event_type).inc()
        log.error(
            "event dead-lettered",
            extra={"queue": self.dead_letter_queue.name, "reason": reason, "attempts": attempts},
        )

    def _republish(self, message: Any, queue: Queue, headers: dict[str, Any]) -> None:
        self.publisher.publish(
            message.body,
            exchange="",
            routing_key=queue.name,
            declare=[queue],
            serializer=None,
            content_type=message.content_type or "application/octet-stream",
            content_encoding=message.content_encoding or "binary",
            headers={**(message.headers or {}), **headers},
        )

    def _processed_key(self, body: dict[str, Any]) -> str:
        return f"{self.method_name}:{body['event_id']}"

    def _count(self, outcome: str) -> None:
        metrics.EVENTS_CONSUMED.labels(self.container.service_name, self.event_type, outcome).inc()


reliable_event_handler = ReliableEventHandler.decorator


def _as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # the embedded engine: naive
