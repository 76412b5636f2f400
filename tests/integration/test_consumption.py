"""Processed-event records on the real broker and the embedded store: a real datetime, one
record per handled event, and their retention (the expiry job of the embedded engine; the TTL
index when MONGO_URI names a server)."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import eventlet
import pytest
from kombu import Connection, Exchange
from prometheus_client import REGISTRY

from services.infra.consuming import reliable_event_handler
from services.infra.expiry import (
    PROCESSED,
    ensure_retention,
    expire_processed,
    is_embedded,
    processed_record,
)
from services.infra.retention import MARKS
from services.infra.storage import open_database
from tests.conftest import wait_for

EXCHANGE = Exchange("things.events", type="topic", durable=True)


DUPLICATE = {"service": "recorder", "event_type": "thing_added", "outcome": "duplicate"}


class Recorder:
    name = "recorder"
    handled: ClassVar[list[str]] = []

    @reliable_event_handler("things", "thing_added")
    def on_thing_added(self, payload: dict[str, Any]) -> None:
        Recorder.handled.append(payload["event_id"])


class SlowRecorder:
    """Holds each event long enough for a second copy to arrive while it runs."""

    name = "slowrecorder"
    handled: ClassVar[list[str]] = []

    @reliable_event_handler("things", "thing_added")
    def on_thing_added(self, payload: dict[str, Any]) -> None:
        eventlet.sleep(0.5)
        SlowRecorder.handled.append(payload["event_id"])


def counted(service: str, outcome: str) -> float:
    labels = {"service": service, "event_type": "thing_added", "outcome": outcome}
    return REGISTRY.get_sample_value("events_consumed_total", labels) or 0


def publish(amqp_uri: str, event_id: str) -> None:
    payload = {"event_id": event_id, "occurred_at": "2026-11-23T08:00:00Z", "version": 1}
    with Connection(amqp_uri) as conn:
        conn.Producer().publish(
            payload,
            exchange=EXCHANGE,
            routing_key="thing_added",
            serializer="json",
            declare=[EXCHANGE],
        )


def old_records(now: datetime, days_ago: int, count: int) -> list[dict[str, Any]]:
    at = now - timedelta(days=days_ago)
    return [
        {"_id": f"on_thing_added:old-{days_ago}-{n}", **processed_record(at)} for n in range(count)
    ]


@pytest.fixture
def config(rabbit_config, tmp_path: Path) -> dict[str, Any]:
    Recorder.handled.clear()
    return {
        **rabbit_config,
        "DATA_DIR": str(tmp_path / "data"),
        "RETRY_BACKOFF_SECONDS": [0.2],
        "PROCESSED_EXPIRY_INTERVAL_SECONDS": 0.2,
        "PROCESSED_EXPIRY_BATCH": 50,
    }


def test_a_handled_event_leaves_one_record_with_a_utc_datetime_and_runs_once(
    container_factory, config
):
    container = container_factory(Recorder, config)
    container.start()
    duplicates = ("events_consumed_total", DUPLICATE)
    seen_before = REGISTRY.get_sample_value(*duplicates) or 0
    event_id = str(uuid.uuid4())
    before = datetime.now(UTC)
    publish(config["AMQP_URI"], event_id)
    publish(config["AMQP_URI"], event_id)  # redelivered
    records = open_database("recorder", None, Path(config["DATA_DIR"]))[PROCESSED]
    record = wait_for(lambda: records.find_one({"_id": f"on_thing_added:{event_id}"}))
    at = record["at"].replace(tzinfo=record["at"].tzinfo or UTC)  # the embedded engine: naive UTC
    assert before - timedelta(seconds=1) <= at <= datetime.now(UTC)
    assert record["day"] == at.date().isoformat()
    wait_for(lambda: (REGISTRY.get_sample_value(*duplicates) or 0) == seen_before + 1)
    assert Recorder.handled == [event_id]  # the redelivery was settled as a duplicate


def test_a_copy_arriving_while_the_first_runs_waits_and_is_settled_as_a_duplicate(
    container_factory, config
):
    SlowRecorder.handled.clear()
    container = container_factory(SlowRecorder, config)
    container.start()
    deferred, duplicates = counted("slowrecorder", "deferred"), counted("slowrecorder", "duplicate")
    event_id = str(uuid.uuid4())
    publish(config["AMQP_URI"], event_id)
    publish(config["AMQP_URI"], event_id)

    wait_for(lambda: counted("slowrecorder", "duplicate") == duplicates + 1)
    assert counted("slowrecorder", "deferred") >= deferred + 1
    assert SlowRecorder.handled == [event_id]
    record = open_database("slowrecorder", None, Path(config["DATA_DIR"]))[PROCESSED].find_one(
        {"_id": f"on_thing_added:{event_id}"}
    )
    assert record["state"] == "done" and "until" not in record


def test_a_claim_whose_holder_died_is_taken_over_when_its_lease_ends(container_factory, config):
    db = open_database("recorder", None, Path(config["DATA_DIR"]))
    now = datetime.now(UTC)
    expired, live = str(uuid.uuid4()), str(uuid.uuid4())
    for event_id, until in (
        (expired, now - timedelta(seconds=1)),
        (live, now + timedelta(hours=1)),
    ):
        claim = {"state": "running", "until": until, "token": "dead-holder"}
        db[PROCESSED].insert_one(
            {"_id": f"on_thing_added:{event_id}", **processed_record(now), **claim}
        )
    container = container_factory(Recorder, config)
    container.start()
    deferred = counted("recorder", "deferred")

    publish(config["AMQP_URI"], live)
    publish(config["AMQP_URI"], expired)

    wait_for(lambda: Recorder.handled == [expired])
    wait_for(lambda: counted("recorder", "deferred") >= deferred + 2)  # still waiting its turn
    assert live not in Recorder.handled
    assert db[PROCESSED].find_one({"_id": f"on_thing_added:{expired}"})["state"] == "done"


def test_the_embedded_engine_expires_old_records_in_batches_and_keeps_the_recent(
    container_factory, config
):
    db = open_database("recorder", None, Path(config["DATA_DIR"]))
    now = datetime.now(UTC)
    db[PROCESSED].insert_many(
        old_records(now, 45, 120) + old_records(now, 32, 80) + old_records(now, 29, 7)
    )
    container = container_factory(Recorder, {**config, "PROCESSED_RETENTION_DAYS": 30})
    container.start()

    wait_for(lambda: db[PROCESSED].count_documents({"day": {"$exists": True}}) == 7)
    assert db[PROCESSED].count_documents({"_id": {"$regex": "^on_thing_added:old-29-"}}) == 7
    # no TTL index here: mongomock would scan the collection on every read
    indexes = db[PROCESSED].index_information()
    assert not [i for i in indexes.values() if "expireAfterSeconds" in i]
    assert [("day", 1)] in [i["key"] for i in indexes.values()]
    event_id = str(uuid.uuid4())
    publish(config["AMQP_URI"], event_id)
    wait_for(lambda: event_id in Recorder.handled)


def test_expiry_runs_look_only_at_days_they_have_not_cleared(tmp_path: Path):
    db = open_database("expirytest", None, tmp_path)
    ensure_retention(db, 30)
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    db[PROCESSED].insert_many(old_records(now, 40, 5) + old_records(now, 31, 5))
    # written before records had a datetime and a day
    db[PROCESSED].insert_one({"_id": "h:legacy", "at": "2026-10-01T08:00:00Z"})
    pauses: list[int] = []

    assert expire_processed(db, 30, now=now, batch=2, pause=lambda: pauses.append(1)) == 11
    assert len(pauses) >= 11 // 2  # in batches, yielding between them
    assert db[MARKS].find_one({"_id": PROCESSED})["through"] == "2026-10-23"
    db[PROCESSED].insert_many(old_records(now, 29, 3))
    assert expire_processed(db, 30, now=now) == 0
    assert expire_processed(db, 30, now=now + timedelta(days=2)) == 3


@pytest.mark.skipif(not os.environ.get("MONGO_URI"), reason="needs a MongoDB server (MONGO_URI)")
def test_mongodb_keeps_processed_records_with_a_ttl_index(tmp_path: Path):
    db = open_database(f"ttl{uuid.uuid4().hex[:6]}", os.environ["MONGO_URI"], tmp_path)
    try:
        assert not is_embedded(db)
        db[PROCESSED].insert_one({"_id": "h:legacy", "at": "2026-10-01T08:00:00Z"})
        ensure_retention(db, 30)
        assert isinstance(db[PROCESSED].find_one({"_id": "h:legacy"})["at"], datetime)
        ensure_retention(db, 7)  # a changed retention is applied in place
        [ttl] = [i for i in db[PROCESSED].index_information().values() if i["key"] == [("at", 1)]]
        assert ttl["expireAfterSeconds"] == 7 * 86400
    finally:
        db.client.drop_database(db.name)
