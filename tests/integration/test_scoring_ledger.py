"""The points ledger on the real store engine and the real broker: caps hold under concurrent
awards, and every entry is applied to the totals exactly once."""

import uuid
from datetime import UTC, datetime

import pytest
from kombu import Connection, Exchange, Queue
from nameko.standalone.rpc import ClusterRpcProxy

from services.infra.errors import AlreadyStored, InvalidInput
from services.infra.storage import ensure_indexes, open_database
from services.scoring import commands, handlers
from services.scoring.ledger import Ledger, Source
from services.scoring.service import ScoringService, settings
from services.scoring.store import ScoringStore
from tests.conftest import caller, wait_for

MEMBER = "mb-concurrent"


def checked_in_payload(event_id=None):
    now = datetime.now(UTC).isoformat()
    return {
        "event_id": event_id or str(uuid.uuid4()),
        "occurred_at": now,
        "version": 1,
        "org_path": "/hj/hj-b1",
        "member_id": MEMBER,
        "member_org_path": "/hj/hj-b1",
        "meeting_id": "m1",
        "meeting_kind": "theme_day",
        "meeting_org_id": "hj-b1",
        "checked_in_at": now,
        "device_id": "kiosk-1",
    }


@pytest.fixture
def store(make_config):
    from pathlib import Path

    config = make_config("scoring")
    db = open_database("scoring", config.get("MONGO_URI"), Path(config["DATA_DIR"]))
    ensure_indexes(db, ScoringStore.INDEXES)
    return ScoringStore(db), settings(config)


def test_the_store_refuses_a_second_entry_at_the_same_position(store):
    uow, config = store
    rule = config.meeting_points["theme_day"]
    at = datetime.now(UTC)
    totals = uow.totals.get(MEMBER, at.year)
    first, events = Ledger(totals).post(Source("x", "1", MEMBER, "/hj", at, "r"), rule)
    uow.ledger.add(first, events)
    rival, events = Ledger(totals).post(Source("x", "2", MEMBER, "/hj", at, "r"), rule)
    with pytest.raises(AlreadyStored):
        uow.ledger.add(rival, events)
    with pytest.raises(AlreadyStored):
        uow.ledger.add(first, events)


def test_a_racing_worker_never_pushes_the_member_over_the_cap(store):
    """A rival stores its entry between this worker's read and write, then dies before applying
    it: this worker recomputes from the rival's entry, and the rival's entry is applied once."""
    uow, config = store
    award = handlers.award_meeting_attendance
    now = datetime.now(UTC)

    def cmd():
        return commands.AwardMeetingAttendance(str(uuid.uuid4()), MEMBER, "/hj", "theme_day", now)

    for _ in range(3):
        award(cmd(), uow, config)
    real_add = uow.ledger.add

    def rival_first(entry, events):
        uow.ledger.add = real_add
        stale = uow.totals.get(MEMBER, entry.year)
        rule = config.meeting_points["theme_day"]
        rival, rival_events = Ledger(stale).post(
            Source("member_checked_in", "rival", MEMBER, "/hj", entry.at, "r"), rule
        )
        real_add(rival, rival_events)
        real_add(entry, events)

    uow.ledger.add = rival_first
    mine = award(cmd(), uow, config)
    assert mine is not None and (mine.seq, mine.points) == (5, 0)
    totals = uow.totals.get(MEMBER, now.astimezone(config.timezone).year)
    assert (totals.total, totals.version) == (8, 5)


def test_concurrent_events_for_one_member_respect_the_cap(runner_factory, make_config):
    config = make_config("scoring", max_workers=10)
    runner_factory(config, ScoringService).start()
    exchange = Exchange("members.events", type="topic", durable=True)
    with Connection(config["AMQP_URI"]) as conn:
        producer = conn.Producer(serializer="json")
        for _ in range(30):
            producer.publish(
                checked_in_payload(),
                exchange=exchange,
                routing_key="member_checked_in",
                declare=[exchange],
            )
    with ClusterRpcProxy(config, timeout=10, context_data=caller()) as rpc:
        page = wait_for(
            lambda: (
                (p := rpc.scoring.list_entries(MEMBER, None, None, 200))
                and len(p["items"]) == 30
                and p
            ),
            timeout=30,
        )
        card = rpc.scoring.get_scorecard(MEMBER)
    points = [e["points"] for e in reversed(page["items"])]
    assert sum(points) == card["total"] == 8
    assert points[:4] == [2, 2, 2, 2] and set(points[4:]) == {0}
    assert page["items"][0]["total_after"] == 8


def test_entries_page_on_the_real_store_newest_first_with_a_cursor(store):
    uow, config = store
    now = datetime.now(UTC)
    for _ in range(5):
        handlers.award_meeting_attendance(
            commands.AwardMeetingAttendance(str(uuid.uuid4()), MEMBER, "/hj", "theme_day", now),
            uow,
            config,
        )
    year = now.astimezone(config.timezone).year
    first, cursor = uow.ledger.page(MEMBER, year, None, 2)
    assert [e.seq for e in first] == [5, 4] and cursor
    rest, end = uow.ledger.page(MEMBER, year, cursor, 10)
    assert [e.seq for e in rest] == [3, 2, 1] and end is None
    with pytest.raises(InvalidInput):
        uow.ledger.page(MEMBER, year, "garbage", 10)


def test_a_redelivered_event_makes_one_entry_one_message_and_no_processed_record(
    runner_factory, make_config
):
    """scoring and notify are idempotent by their own keys (one entry per source event, one
    message per cause), so they keep no processed-event records: a redelivery must still change
    nothing."""
    from pathlib import Path

    from prometheus_client import REGISTRY

    from services.infra.expiry import PROCESSED
    from services.notify.service import NotifyService

    def handled(service: str, event_type: str) -> float:
        labels = {"service": service, "event_type": event_type, "outcome": "handled"}
        return REGISTRY.get_sample_value("events_consumed_total", labels) or 0

    config = make_config("scoring")
    runner_factory(config, ScoringService, NotifyService).start()
    before = handled("scoring", "member_checked_in"), handled("notify", "points_awarded")
    members_events = Exchange("members.events", type="topic", durable=True)
    scoring_events = Exchange("scoring.events", type="topic", durable=True)
    with Connection(config["AMQP_URI"]) as conn:
        awarded = conn.SimpleQueue(
            Queue("", scoring_events, routing_key="points_awarded", exclusive=True)
        )
        producer = conn.Producer(serializer="json")
        swipe = checked_in_payload()
        for _ in range(2):
            producer.publish(
                swipe,
                exchange=members_events,
                routing_key="member_checked_in",
                declare=[members_events],
            )
        wait_for(lambda: handled("scoring", "member_checked_in") == before[0] + 2)
        published = awarded.get(timeout=10)
        published.ack()
        with pytest.raises(awarded.Empty):  # the redelivered swipe awarded nothing again
            awarded.get(timeout=1)
        for _ in range(2):  # and notify gets the award twice more, as on a redelivery
            producer.publish(
                published.payload, exchange=scoring_events, routing_key="points_awarded"
            )
        awarded.close()
    wait_for(lambda: handled("notify", "points_awarded") == before[1] + 3)
    with ClusterRpcProxy(config, timeout=10, context_data=caller()) as rpc:
        entries = rpc.scoring.list_entries(MEMBER)["items"]
        inbox = rpc.notify.list_inbox(MEMBER)["items"]
    assert len(entries) == 1 and entries[0]["total_after"] == 2
    assert len(inbox) == 1
    data = Path(config["DATA_DIR"])
    for service in ("scoring", "notify"):
        records = open_database(service, config.get("MONGO_URI"), data)[PROCESSED]
        assert records.count_documents({"day": {"$exists": True}}) == 0  # (the expiry marker aside)
