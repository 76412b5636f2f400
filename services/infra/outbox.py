"""Transactional outbox without multi-document transactions, and the relay that publishes it.

Writing
-------
A state change and the events announcing it are written in ONE document write: the events ride
in the document's ``_outbox`` array and ``_outbox_pending`` holds the document's *shard* (a
two-digit string, ``"00"`` .. ``"15"``). ``with_events`` / ``push_events`` / ``set_with_events`` do this; nothing else
in a store needs to know. Each outbox entry is ``{type, event_id, body}`` where ``body`` is the
payload already serialised as the JSON that goes on the wire, so an event that cannot be
serialised fails the write that raises it (loudly, nothing recorded) instead of reaching the
outbox, and the relay copies and re-encodes nothing. ``public`` / ``strip`` remove the
bookkeeping before a document leaves the store.

Relaying (``OutboxRelay``)
--------------------------
- Batches. The relay reads pending documents shard by shard (an equality match on the sparse
  ``_outbox_pending`` index, with a limit) and publishes their events in batches (which may span
  shards) whose broker confirms are awaited once per batch; up to ``window`` batches are on the
  wire while the oldest is confirmed and settled. The store is settled in batches too: one
  ``update_many`` per group of documents whose events were all confirmed (the outbox is removed
  only if it still starts with the first event published and holds nothing more, so an event
  appended meanwhile stays), one update per document on the rare partial or failed paths.
  Shards keep every query small on the embedded engine, whose cursor materialises every match
  before applying ``limit``.
- Passes. ``OutboxPublisher`` runs a pass whenever a worker finishes and at least every idle
  period. A pass woken by a worker reads only the shards this process wrote to since the relay's
  last pass (``with_events`` counts writes per shard); every idle period a full sweep reads every
  shard and the retry bucket (writes of other replicas, late commits).
- Speed (bench/outbox_relay.py). The publishing side alone is as fast as kombu's raw confirmed
  publish on the same broker, at half its CPU per message. End to end on the embedded engine the
  relay is bound by the one store write per document that removes the published events: each is
  a SQLite commit plus mongomock's Python update machinery, about 0.1 ms, whatever the broker.
  Documents carrying several events share that write. On MongoDB that work is the server's.
- Order. Events of one document are published in "waves": the n-th event of a document is sent
  only after its (n-1)-th was confirmed, so a refused event is never overtaken by a later event of
  the same document. Events of different documents share each wave.
- Per-event failures. An event the broker refuses (a nack, or a channel error pinned on it by
  re-sending alone) gets ``attempts``, ``last_error`` and ``next_attempt_at`` in its own outbox
  entry and is retried with exponential backoff; its document moves to the ``"retry"`` bucket
  and waits (order), every other document goes on. An event that can never be published (an
  old-format entry that does not serialise, or one larger than ``max_event_bytes``) or that
  failed ``max_attempts`` times is *parked*: moved from ``_outbox`` to ``_outbox_parked`` in the
  same document with its error, logged at ERROR and counted in ``outbox_events_parked_total``;
  the document's later events then go on. ``requeue_parked`` puts parked events back. Nothing is
  dropped silently. A broker or connection failure is not the event's fault: the pass stops,
  nothing is counted against the events, they stay pending.
- One relay per collection. A lease document per collection in ``outbox_leases`` (``owner``,
  ``expires_at``), taken and renewed with one atomic ``find_one_and_update`` (upsert; a
  duplicate-key error means another owner holds it). A relay reads and publishes a collection
  only while it holds that collection's lease; it renews it when a third of its time has passed
  and checks it before every batch; it releases it on a clean stop, so another replica takes over
  at once, and otherwise after ``lease_seconds``. Replicas of a service are hot standbys for the
  collections they do not hold: one relay at a time per collection keeps its order and spends no
  work twice (a lease per collection shard would spread a collection over replicas, but a
  document moves between shards when an event is appended, and the relay is bound by its store
  writes, which replicas would share anyway). A relay that
  stalls past its lease while a successor starts may publish an event twice: delivery is at least
  once anyway and consumers de-duplicate on ``event_id``; the settle filter above makes sure it
  never removes an event it did not publish. Lease times come from each replica's clock: keep
  clocks in sync (NTP) well within ``lease_seconds``. On the embedded engine the lease is exact
  between relays of one process (the usual single-machine deployment); across processes only
  MongoDB makes ``find_one_and_update`` atomic.

This module knows nothing of nameko or AMQP: ``Transport`` (publish batches with confirms) is
implemented over AMQP in ``services.infra.providers.BatchPublisher``.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
import zlib
from collections import Counter as Tally
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple, Protocol

from kombu.utils.json import dumps
from prometheus_client import Counter
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from services.infra import metrics
from services.infra.events import isoformat, utcnow

log = logging.getLogger(__name__)

OUTBOX = "_outbox"
PENDING = "_outbox_pending"
PARKED = "_outbox_parked"
OUTBOX_INDEX = ([(PENDING, 1)], {"sparse": True})
LEASES = "outbox_leases"
SHARDS = 16
SHARD_NAMES = tuple(f"{n:02d}" for n in range(SHARDS))
# Documents whose first event was refused wait here (not in a shard) until it is due again.
RETRYING = "retry"
_BOOKKEEPING = (OUTBOX, PENDING, PARKED)
# Documents written before shards existed carry ``True``; shard "00" picks them up.
_LEGACY_PENDING = True
# mongomock evaluates ``$in`` against every candidate: keep id lists short.
_ID_CHUNK = 50
_FAILURE_FIELDS = ("attempts", "last_error", "next_attempt_at", "parked_at")

OUTBOX_PUBLISH_FAILURES = Counter(
    "outbox_publish_failures_total",
    "Outbox events the broker refused (or that could not be encoded), by event type.",
    ["service", "event_type"],
)
OUTBOX_EVENTS_PARKED = Counter(
    "outbox_events_parked_total",
    "Outbox events set aside after a permanent error or too many attempts.",
    ["service", "event_type"],
)


# -- writing -----------------------------------------------------------------------------------


def _shard_number(key: Any) -> int:
    return zlib.crc32(str(key).encode()) % SHARDS


def _shard_of(key: Any) -> str:
    return SHARD_NAMES[_shard_number(key)]


def _entry(event: dict[str, Any]) -> dict[str, Any]:
    """The outbox entry of an event from ``new_event``; raises if it cannot be serialised."""
    payload = event["payload"]
    return {"type": event["type"], "event_id": str(payload["event_id"]), "body": dumps(payload)}


# Writes per shard in this process: a hint that lets a relay woken by a finished worker read only
# the shards written to since its last pass; its regular full sweep finds everything else
# (writes of other replicas, a hint noted before its write was committed).
_writes_per_shard = [0] * SHARDS


def _mark(key: Any) -> str:
    number = _shard_number(key)
    _writes_per_shard[number] += 1
    return SHARD_NAMES[number]


def with_events(document: dict[str, Any], events: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The document to insert, carrying its events."""
    entries = [_entry(e) for e in events]
    key = document.get("_id", entries[0]["event_id"] if entries else uuid.uuid4())
    return {**document, OUTBOX: entries, PENDING: _mark(key)}


def push_events(events: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Update operators that add events to an existing document in the same update."""
    entries = [_entry(e) for e in events]
    key = entries[0]["event_id"] if entries else uuid.uuid4()
    return {"$push": {OUTBOX: {"$each": entries}}, "$set": {PENDING: _mark(key)}}


def set_with_events(fields: dict[str, Any], events: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """An update that sets ``fields`` and adds ``events`` to the outbox in the same write (no
    events: a plain ``$set``)."""
    entries = list(events)
    if not entries:
        return {"$set": dict(fields)}
    pushed = push_events(entries)
    return {"$set": {**fields, **pushed["$set"]}, "$push": pushed["$push"]}


def public(document: dict[str, Any] | None) -> dict[str, Any] | None:
    """The document without its outbox bookkeeping (None stays None)."""
    return None if document is None else strip(document)


def strip(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k not in _BOOKKEEPING}


# -- publishing --------------------------------------------------------------------------------


class Outgoing(NamedTuple):
    routing_key: str
    body: bytes
    event_id: str


class Transport(Protocol):
    """Publishes to the service's event exchange (see ``providers.BatchPublisher``)."""

    def send(self, messages: Sequence[Outgoing]) -> Any:
        """Put a batch on the wire without waiting; returns a ticket for ``wait``."""
        ...

    def wait(self, ticket: Any) -> list[str | None]:
        """Wait for the broker's confirms of a sent batch: per message None (confirmed) or the
        reason the broker refused it. Raises if the broker cannot be reached at all."""
        ...


class LeaseLost(Exception):
    """This relay no longer holds the collection's lease."""


class Lease:
    """A relay's claim on one collection's outbox (see the module docstring)."""

    def __init__(
        self,
        leases: Any,
        name: str,
        owner: str,
        seconds: float,
        clock: Callable[[], datetime],
    ) -> None:
        self.leases = leases
        self.name = name
        self.owner = owner
        self.ttl = timedelta(seconds=seconds)
        self.clock = clock
        self.expires_at: datetime | None = None
        self._next_try: datetime | None = None

    def held(self) -> bool:
        """True while this relay holds the lease; takes or renews it when due."""
        now = self.clock()
        if self.expires_at is not None and self.expires_at - now > self.ttl * 2 / 3:
            return True
        if self.expires_at is None and self._next_try is not None and now < self._next_try:
            return False
        return self._take(now)

    def _take(self, now: datetime) -> bool:
        expires_at = now + self.ttl
        try:
            self.leases.find_one_and_update(
                {"_id": self.name, "$or": [{"owner": self.owner}, {"expires_at": {"$lte": now}}]},
                {"$set": {"owner": self.owner, "expires_at": expires_at, "renewed_at": now}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError:  # held by another relay and not expired
            if self.expires_at is not None:
                log.warning("outbox lease lost", extra={"lease": self.name, "owner": self.owner})
            self.expires_at = None
            self._next_try = now + self.ttl / 3
            return False
        if self.expires_at is None:
            log.info("outbox lease taken", extra={"lease": self.name, "owner": self.owner})
        self.expires_at = expires_at
        return True

    def release(self) -> None:
        if self.expires_at is None:
            return
        self.leases.update_one(
            {"_id": self.name, "owner": self.owner}, {"$set": {"expires_at": self.clock()}}
        )
        self.expires_at = None
        self._next_try = None


@dataclass
class _Doc:
    id: Any
    events: list[dict[str, Any]]
    published: list[dict[str, Any]] = field(default_factory=list)
    failure: tuple[dict[str, Any], str, bool] | None = None  # event, reason, permanent


class _Sending(NamedTuple):
    doc: _Doc
    event: dict[str, Any]
    message: Outgoing


def default_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class OutboxRelay:
    """Publishes pending events of the given collections. Plain class: no nameko, no AMQP."""

    def __init__(
        self,
        db: Any,
        collections: Iterable[str],
        *,
        service: str = "",
        owner: str | None = None,
        batch: int = 500,
        window: int = 4,
        max_docs: int = 2000,
        lease_seconds: float = 30.0,
        max_attempts: int = 12,
        backoff_seconds: float = 1.0,
        max_backoff_seconds: float = 300.0,
        max_event_bytes: int = 1 << 20,
        clock: Callable[[], datetime] = utcnow,
        pause: Callable[[], None] = lambda: time.sleep(0),
    ) -> None:
        self.collections = [db[name] for name in collections]
        self.service = service
        self.owner = owner or default_owner()
        self.batch = batch
        self.window = window
        self.max_docs = max_docs
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self.max_event_bytes = max_event_bytes
        self.clock = clock
        self.pause = pause  # lets other green threads run between batches
        self.leases = {
            c.name: Lease(db[LEASES], c.name, self.owner, lease_seconds, clock)
            for c in self.collections
        }
        self.stop_requested = False  # set on shutdown: the pass ends after its current batch
        self._writes_seen = list(_writes_per_shard)  # earlier writes: the first sweep's
        self._written_before: set[str] = set()
        self._retry_due: datetime | None = None  # the earliest retry this relay scheduled

    # -- the pass ------------------------------------------------------------------------------

    def woken_pass_has_work(self) -> bool:
        """Whether a pass woken by a finished worker (``relay_once(full=False)``) would read
        anything: a write hinted since the last pass, a write of the pass before, or a refused
        event of this relay due again. A worker that wrote nothing (a repeated swipe, a read) need
        not wake the relay: its regular sweep still runs every idle period."""
        if self._written_before or self._writes_seen != _writes_per_shard:
            return True
        return self._retry_due is not None and self._retry_due <= self.clock()

    def relay_once(self, transport: Transport, *, full: bool = True) -> int:
        """Publish what is due in every collection whose lease this relay holds.

        ``full``: sweep every shard. Otherwise only the shards this process wrote to since the
        last pass and the pass before (the hint is taken before the write it announces may be
        committed), and the retry bucket once a refused event of this relay is due again: what a
        relay woken by a finished worker needs, at a fraction of a sweep's queries.
        """
        counts = list(_writes_per_shard)
        written = {SHARD_NAMES[n] for n in range(SHARDS) if counts[n] != self._writes_seen[n]}
        self._writes_seen = counts
        if full:
            shards: tuple[str, ...] = (RETRYING, *SHARD_NAMES)
            self._retry_due = None
        else:
            wanted = written | self._written_before
            shards = tuple(s for s in SHARD_NAMES if s in wanted)
            if self._retry_due is not None and self._retry_due <= self.clock():
                shards, self._retry_due = (RETRYING, *shards), None
        self._written_before = written
        sent = 0
        for collection in self.collections:
            lease = self.leases[collection.name]
            if shards and not self.stop_requested and lease.held():
                sent += self._relay_collection(collection, shards, lease, transport)
        return sent

    def _relay_collection(
        self, collection: Any, shards: Sequence[str], lease: Lease, transport: Transport
    ) -> int:
        """Shard after shard, the documents read fill batches of ``batch`` events (a batch may
        span shards); up to ``window`` batches are on the wire while the oldest is confirmed and
        settled (the broker confirms persistent messages after writing them to disk, in groups,
        so a deep window keeps it busy)."""
        in_flight: deque[tuple[list[_Doc], list[_Sending], Any]] = deque()
        waiting: list[_Doc] = []  # read, not yet sent
        on_the_wire: set[str] = set()  # a write may move a document to a later shard meanwhile
        sent = 0

        def send(docs: list[_Doc]) -> None:
            if not lease.held():
                raise LeaseLost(lease.name)
            sending = self._encode(docs, 0, transport)
            in_flight.append((docs, sending, transport.send([s.message for s in sending])))
            while len(in_flight) >= self.window:
                finish_oldest()

        def finish_oldest() -> None:
            nonlocal sent
            docs, sending, ticket = in_flight.popleft()
            sent += self._finish(collection, docs, sending, ticket, lease, transport)
            on_the_wire.difference_update(repr(d.id) for d in docs)

        try:
            for shard in shards:
                while not self.stop_requested:
                    docs, more = self._due_documents(collection, shard)
                    if on_the_wire:
                        kept = [d for d in docs if repr(d.id) not in on_the_wire]
                        docs, more = kept, more and len(kept) == len(docs)
                    on_the_wire.update(repr(d.id) for d in docs)
                    waiting += docs
                    while len(waiting) >= self.batch and not self.stop_requested:
                        send(waiting[: self.batch])
                        waiting = waiting[self.batch :]
                    if not more:
                        break
                    if waiting:  # settle everything before reading the same shard again
                        send(waiting)
                        waiting = []
                    while in_flight:
                        finish_oldest()
            if waiting and not self.stop_requested:
                send(waiting)
            while in_flight:
                finish_oldest()
        except LeaseLost:  # what is on the wire is still confirmed and settled
            while in_flight:
                finish_oldest()
        except BaseException:  # transport trouble: the unconfirmed stay pending
            for docs, _, _ in in_flight:
                self._settle(collection, docs)
            raise
        return sent

    def _due_documents(self, collection: Any, shard: str) -> tuple[list[_Doc], bool]:
        """A page of the shard's documents whose first event is due; and whether to read on."""
        query: dict[str, Any] = {PENDING: shard}
        if shard == SHARD_NAMES[0]:
            query = {PENDING: {"$in": [shard, _LEGACY_PENDING]}}
        elif shard == RETRYING:  # small: only documents whose first event was refused
            query = {PENDING: shard, f"{OUTBOX}.0.next_attempt_at": {"$not": {"$gt": self.clock()}}}
        found = list(collection.find(query).limit(self.max_docs))
        now = self.clock()
        # a document pushed back into a shard while its first event waits: skip until due
        docs = [
            _Doc(d["_id"], list(d.get(OUTBOX) or []))
            for d in found
            if shard == RETRYING or _due(d.get(OUTBOX), now)
        ]
        return docs, len(found) == self.max_docs and len(docs) == len(found)

    def _finish(
        self,
        collection: Any,
        docs: list[_Doc],
        sending: list[_Sending],
        ticket: Any,
        lease: Lease,
        transport: Transport,
    ) -> int:
        """Wait for a chunk's confirms, publish its documents' later events wave by wave (the
        n-th event of a document only after its (n-1)-th was confirmed), settle the store."""
        try:
            self._record(sending, transport.wait(ticket))
            wave = 1
            active = [d for d in docs if d.failure is None and len(d.events) > wave]
            while active and not self.stop_requested and lease.held():
                sending = self._encode(active, wave, transport)
                self._record(sending, transport.wait(transport.send([s.message for s in sending])))
                wave += 1
                active = [d for d in active if d.failure is None and len(d.events) > wave]
        finally:  # settle what the broker confirmed even if the pass stops half-way
            self._settle(collection, docs)
            self.pause()
        return sum(len(d.published) for d in docs)

    def _encode(self, docs: Sequence[_Doc], wave: int, transport: Transport) -> list[_Sending]:
        sending = []
        for doc in docs:
            if len(doc.events) <= wave:
                continue
            event = doc.events[wave]
            try:
                body = _body(event)
            except Exception as exc:
                doc.failure = (event, f"not serialisable: {type(exc).__name__}: {exc}", True)
                continue
            if len(body) > self.max_event_bytes:
                doc.failure = (
                    event,
                    f"too large: {len(body)} > {self.max_event_bytes} bytes",
                    True,
                )
                continue
            sending.append(_Sending(doc, event, Outgoing(event["type"], body, _event_id(event))))
        return sending

    def _record(self, sending: list[_Sending], results: list[str | None]) -> None:
        confirmed: Tally[str] = Tally()
        for item, error in zip(sending, results, strict=True):
            if error is None:
                item.doc.published.append(item.event)
                confirmed[item.event["type"]] += 1
            else:
                item.doc.failure = (item.event, error, False)
        for event_type, count in confirmed.items():
            metrics.EVENTS_PUBLISHED.labels(self.service, event_type).inc(count)

    # -- settling the store --------------------------------------------------------------------

    def _settle(self, collection: Any, docs: list[_Doc]) -> None:
        done: dict[tuple[int, str], list[_Doc]] = {}
        for doc in docs:
            if doc.failure is None and len(doc.published) == len(doc.events):
                head = _id_field(doc.events[0]) if doc.events else ""
                done.setdefault((len(doc.events), head), []).append(doc)
                continue
            for id_field, ids in _by_field(doc.published).items():
                collection.update_one(
                    {"_id": doc.id}, {"$pull": {OUTBOX: {id_field: {"$in": ids}}}}
                )
            if doc.failure is not None:
                self._record_failure(collection, doc.id, *doc.failure)
        for (count, head), group in done.items():
            for chunk in _chunks(group, _ID_CHUNK):
                self._clear(collection, chunk, count, head)

    def _clear(self, collection: Any, docs: Sequence[_Doc], count: int, head: str) -> None:
        """Remove the outbox of documents whose events were all published, in one update."""
        ids = [d.id for d in docs]
        if count == 0:  # nothing to publish: clear the flag unless an event arrived meanwhile
            collection.update_many(
                {"_id": {"$in": ids}, f"{OUTBOX}.0": {"$exists": False}},
                {"$unset": {OUTBOX: "", PENDING: ""}},
            )
            return
        unchanged = {
            "_id": {"$in": ids},
            f"{OUTBOX}.0.{head}": {"$in": [_event_id(d.events[0]) for d in docs]},
            f"{OUTBOX}.{count}": {"$exists": False},
        }
        result = collection.update_many(unchanged, {"$unset": {OUTBOX: "", PENDING: ""}})
        if result.matched_count < len(ids):  # events were appended meanwhile: remove ours only
            published = [e for d in docs for e in d.published]
            for id_field, event_ids in _by_field(published).items():
                collection.update_many(
                    {"_id": {"$in": ids}, f"{OUTBOX}.{id_field}": {"$in": event_ids}},
                    {"$pull": {OUTBOX: {id_field: {"$in": event_ids}}}},
                )

    def _record_failure(
        self, collection: Any, doc_id: Any, event: dict[str, Any], reason: str, permanent: bool
    ) -> None:
        now = self.clock()
        attempts = int(event.get("attempts", 0)) + 1
        event_type, event_id, id_field = event.get("type", "?"), _event_id(event), _id_field(event)
        OUTBOX_PUBLISH_FAILURES.labels(self.service, event_type).inc()
        details = {
            "event_id": event_id,
            "event_type": event_type,
            "collection": collection.name,
            "attempts": attempts,
            "reason": reason[:500],
        }
        if permanent or attempts >= self.max_attempts:
            parked = {k: v for k, v in event.items() if k != "next_attempt_at"}
            parked.update(attempts=attempts, last_error=reason[:1000], parked_at=isoformat(now))
            collection.update_one(
                {"_id": doc_id},
                {"$pull": {OUTBOX: {id_field: event_id}}, "$push": {PARKED: parked}},
            )
            OUTBOX_EVENTS_PARKED.labels(self.service, event_type).inc()
            log.error("outbox event parked; the document's later events go on", extra=details)
            return
        delay = min(self.max_backoff_seconds, self.backoff_seconds * 2 ** (attempts - 1))
        due = now + timedelta(seconds=delay)
        self._retry_due = due if self._retry_due is None else min(self._retry_due, due)
        collection.update_one(
            {"_id": doc_id, f"{OUTBOX}.{id_field}": event_id},
            {
                "$set": {
                    f"{OUTBOX}.$.attempts": attempts,
                    f"{OUTBOX}.$.last_error": reason[:1000],
                    f"{OUTBOX}.$.next_attempt_at": due,
                    PENDING: RETRYING,
                }
            },
        )
        log.warning("outbox event refused; retrying later", extra={**details, "delay": delay})

    # -- operations ----------------------------------------------------------------------------

    def release(self) -> None:
        """Give up every lease at once (a clean stop), so another replica takes over."""
        for lease in self.leases.values():
            try:
                lease.release()
            except Exception:
                log.exception("could not release an outbox lease", extra={"lease": lease.name})

    def pending(self) -> int:
        """Documents with events still to publish (a scan on the embedded engine)."""
        return sum(c.count_documents({PENDING: {"$exists": True}}) for c in self.collections)

    def parked(self, limit: int = 100) -> list[dict[str, Any]]:
        """Parked events with their collection and document id (a scan: operators only)."""
        found: list[dict[str, Any]] = []
        for collection in self.collections:
            query = {f"{PARKED}.0": {"$exists": True}}
            for doc in collection.find(query, {PARKED: 1}).limit(limit):
                found += [
                    {"collection": collection.name, "document_id": doc["_id"], **event}
                    for event in doc[PARKED]
                ]
        return found[:limit]

    def requeue_parked(self) -> int:
        """Put every parked event back at the end of its document's outbox (operators only)."""
        count = 0
        for collection in self.collections:
            for doc in list(collection.find({f"{PARKED}.0": {"$exists": True}}, {PARKED: 1})):
                entries = [
                    {k: v for k, v in e.items() if k not in _FAILURE_FIELDS} for e in doc[PARKED]
                ]
                result = collection.update_one(
                    {"_id": doc["_id"], PARKED: doc[PARKED]},  # unchanged since read
                    {
                        "$push": {OUTBOX: {"$each": entries}},
                        "$unset": {PARKED: ""},
                        "$set": {PENDING: _shard_of(doc["_id"])},
                    },
                )
                count += len(entries) if result.modified_count else 0
        return count


def _body(event: dict[str, Any]) -> bytes:
    body = event.get("body")
    if isinstance(body, str):
        return body.encode("utf-8")
    return dumps(event["payload"]).encode("utf-8")  # an entry written before bodies were stored


def _id_field(event: dict[str, Any]) -> str:
    return "event_id" if "event_id" in event else "payload.event_id"


def _event_id(event: dict[str, Any]) -> str:
    if "event_id" in event:
        return str(event["event_id"])
    payload = event.get("payload")
    return str(payload.get("event_id")) if isinstance(payload, dict) else ""


def _by_field(events: Iterable[dict[str, Any]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for event in events:
        grouped.setdefault(_id_field(event), []).append(_event_id(event))
    return grouped


def _due(events: list[dict[str, Any]] | None, now: datetime) -> bool:
    moment = events[0].get("next_attempt_at") if events else None
    if not isinstance(moment, datetime):
        return True
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)) <= now


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
