"""Transactional outbox without multi-document transactions.

A state change and the events announcing it are written in ONE document write: the events ride
in the document's ``_outbox`` array and ``_outbox_pending`` is set. The relay publishes each
pending event with broker confirms and only then removes it from the document. A crash at any
point leaves the event in the document, so it is published again later (at least once;
consumers de-duplicate on ``event_id``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

log = logging.getLogger(__name__)

OUTBOX = "_outbox"
PENDING = "_outbox_pending"
OUTBOX_INDEX = ([(PENDING, 1)], {"sparse": True})

Publish = Callable[[str, dict[str, Any]], None]


def with_events(document: dict[str, Any], events: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The document to insert, carrying its events."""
    return {**document, OUTBOX: list(events), PENDING: True}


def push_events(events: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Update operators that add events to an existing document in the same update."""
    return {"$push": {OUTBOX: {"$each": list(events)}}, "$set": {PENDING: True}}


def public(document: dict[str, Any] | None) -> dict[str, Any] | None:
    """The document without its outbox bookkeeping (None stays None)."""
    return None if document is None else strip(document)


def strip(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k not in (OUTBOX, PENDING)}


class OutboxRelay:
    """Publishes pending events of the given collections. Plain class: no nameko, no AMQP."""

    def __init__(self, db: Any, collections: Iterable[str], batch: int = 200) -> None:
        self.collections = [db[name] for name in collections]
        self.batch = batch

    def relay_once(self, publish: Publish) -> int:
        sent = 0
        for collection in self.collections:
            for doc in collection.find({PENDING: True}).limit(self.batch):
                for event in doc.get(OUTBOX, []):
                    publish(event["type"], event["payload"])
                    collection.update_one(
                        {"_id": doc["_id"]},
                        {"$pull": {OUTBOX: {"payload.event_id": event["payload"]["event_id"]}}},
                    )
                    sent += 1
                # only clear the flag if no event was added meanwhile
                collection.update_one(
                    {"_id": doc["_id"], OUTBOX: {"$size": 0}}, {"$unset": {PENDING: ""}}
                )
        return sent

    def pending(self) -> int:
        return sum(c.count_documents({PENDING: True}) for c in self.collections)
