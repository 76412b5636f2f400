"""Retention of the processed-event records (collection ``processed_events``).

A record is ``{_id: "<handler>:<event_id>", at: <datetime, UTC>, day: "YYYY-MM-DD"}`` (see
``services.infra.consuming``); it lets a handler skip a redelivered event. Records are kept
``PROCESSED_RETENTION_DAYS`` (default 30): far longer than any redelivery or retry, which take
seconds to minutes.

- MongoDB: a TTL index on ``at`` (``expireAfterSeconds``); the server deletes expired records
  by itself (its TTL monitor runs every 60 s). A changed retention is applied with ``collMod``.
- Embedded engine (litemongo): no TTL index. mongomock emulates TTL by scanning the whole
  collection on every read, which would make each duplicate check cost a full scan. Instead
  records carry ``day`` (an indexed string), and ``ProcessedEventsExpiry`` (started once per
  service container by the reliable event handlers) deletes whole days older than the
  retention, in batches of ``PROCESSED_EXPIRY_BATCH`` (200) with a pause between batches so the
  service's other green threads keep running, every ``PROCESSED_EXPIRY_INTERVAL_SECONDS``
  (3600), through ``services.infra.retention.purge_before`` (whole days: a record lives
  between N and N+1 days; the day cleared through is kept in ``purge_marks``, so each run only
  looks at new days).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import eventlet
from nameko.extensions import SharedExtension
from pymongo.errors import OperationFailure

from services.infra.config import data_dir
from services.infra.events import utcnow
from services.infra.retention import purge_before
from services.infra.storage import open_database

log = logging.getLogger(__name__)

PROCESSED = "processed_events"
DEFAULT_RETENTION_DAYS = 30
_INDEX_CONFLICT_CODES = (85, 86)  # IndexOptionsConflict, IndexKeySpecsConflict


def is_embedded(db: Any) -> bool:
    """True on the embedded engine (litemongo), False on a MongoDB server."""
    from pymongo.database import Database

    return not isinstance(db, Database)


def processed_record(now: datetime) -> dict[str, Any]:
    """The fields of a new processed-event record."""
    moment = now.astimezone(UTC)
    return {"at": moment, "day": moment.date().isoformat()}


def ensure_retention(db: Any, retention_days: float) -> None:
    """The TTL index on MongoDB; the ``day`` index on the embedded engine."""
    collection = db[PROCESSED]
    if is_embedded(db):
        collection.create_index([("day", 1)], sparse=True)
        return
    seconds = int(retention_days * 86400)
    try:
        collection.create_index([("at", 1)], expireAfterSeconds=seconds)
    except OperationFailure as exc:  # the index exists with another retention
        if exc.code not in _INDEX_CONFLICT_CODES:
            raise
        db.command(
            "collMod", PROCESSED, index={"keyPattern": {"at": 1}, "expireAfterSeconds": seconds}
        )
    # records written before ``at`` was a date (an ISO string) would never expire
    collection.update_many({"at": {"$type": "string"}}, [{"$set": {"at": {"$toDate": "$at"}}}])


def expire_processed(
    db: Any,
    retention_days: float,
    *,
    now: datetime | None = None,
    batch: int = 200,
    pause: Callable[[], None] = lambda: time.sleep(0),
) -> int:
    """Delete the records of every day older than the retention; returns how many.

    Meant for the embedded engine (MongoDB's TTL index does this there, but it is correct on
    both): ``services.infra.retention.purge_before`` by the records' ``day``, records written
    before ``day`` existed getting theirs from ``at`` on the first run.
    """
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    deleted = purge_before(
        db[PROCESSED], ("at",), cutoff, batch=batch, pause=pause, day_field="day"
    )
    if deleted:
        log.info("processed-event records expired", extra={"deleted": deleted})
    return deleted


class ProcessedEventsExpiry(SharedExtension):
    """One per service container (shared by its reliable event handlers): sets up the
    retention index and, on the embedded engine, runs ``expire_processed`` periodically."""

    def setup(self) -> None:
        config = self.container.config
        self.db = open_database(
            self.container.service_name, config.get("MONGO_URI") or None, data_dir(config)
        )
        self.retention_days = float(
            config.get("PROCESSED_RETENTION_DAYS") or DEFAULT_RETENTION_DAYS
        )
        self.interval = float(config.get("PROCESSED_EXPIRY_INTERVAL_SECONDS") or 3600)
        self.batch = int(config.get("PROCESSED_EXPIRY_BATCH") or 200)
        self._stopping = threading.Event()
        self._thread: Any = None
        ensure_retention(self.db, self.retention_days)

    def start(self) -> None:
        if is_embedded(self.db):
            self._stopping.clear()
            self._thread = self.container.spawn_managed_thread(
                self._run, identifier="processed-events-expiry"
            )

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            with eventlet.Timeout(10, False):
                self._thread.wait()
            self._thread.kill()

    def kill(self) -> None:
        self._stopping.set()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                expire_processed(self.db, self.retention_days, batch=self.batch, pause=self._pause)
            except _Stopped:
                return
            except Exception:
                log.exception("expiring processed-event records failed; retrying later")
            self._stopping.wait(self.interval)

    def _pause(self) -> None:
        time.sleep(0)  # let the service's other green threads run
        if self._stopping.is_set():
            raise _Stopped


class _Stopped(Exception):
    """The container is stopping: end the run between two batches."""
