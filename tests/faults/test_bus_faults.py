"""Poison, failing and repeated messages on the real broker: nothing lost, nothing done twice."""

import json
import uuid
from datetime import UTC, datetime
from typing import ClassVar

import pytest
from amqp.exceptions import ChannelError
from kombu import Connection, Exchange, Queue
from nameko.standalone.rpc import ClusterRpcProxy

from services.infra.consuming import reliable_event_handler
from services.infra.dlq import drain
from services.notify.service import NotifyService
from services.scoring.service import ScoringService
from tests.conftest import caller, wait_for

QUEUE = "evt-members-member_checked_in--scoring.award_meeting_attendance"


def checked_in(event_id=None, **overrides):
    payload = {
        "event_id": event_id or str(uuid.uuid4()),
        "occurred_at": datetime.now(UTC).isoformat(),
        "version": 1,
        "org_path": "/hj/hj-b1",
        "member_id": "mb-1",
        "member_org_path": "/hj/hj-b1",
        "meeting_id": "m1",
        "meeting_kind": "theme_day",
        "meeting_org_id": "hj-b1",
        "checked_in_at": datetime.now(UTC).isoformat(),
        "device_id": "kiosk-1",
    }
    return {**payload, **overrides}


def publish(config, body, *, raw=False, routing_key="member_checked_in"):
    exchange = Exchange("members.events", type="topic", durable=True)
    with Connection(config["AMQP_URI"]) as conn:
        producer = conn.Producer()
        if raw:
            producer.publish(
                body,
                exchange=exchange,
                routing_key=routing_key,
                content_type="application/json",
                content_encoding="utf-8",
                declare=[exchange],
            )
        else:
            producer.publish(
                body,
                exchange=exchange,
                routing_key=routing_key,
                serializer="json",
                declare=[exchange],
            )


def dead_letters(config, queue):
    found = []
    with Connection(config["AMQP_URI"]) as conn:
        bound = Queue(queue, durable=True)(conn.default_channel)
        bound.declare()
        while (message := bound.get(no_ack=False)) is not None:
            found.append(message)
            message.ack()
    return found


@pytest.fixture
def scoring(runner_factory, make_config):
    config = make_config("scoring")
    runner = runner_factory(config, ScoringService, NotifyService)
    runner.start()
    with ClusterRpcProxy(config, timeout=10, context_data=caller()) as rpc:
        yield config, rpc


def test_same_event_twice_changes_nothing_the_second_time(scoring):
    config, rpc = scoring
    event = checked_in()
    publish(config, event)
    wait_for(lambda: rpc.scoring.get_scorecard("mb-1")["total"] == 2)
    publish(config, event)  # a broker redelivery or a relay re-publish: same event_id
    publish(config, checked_in())  # a different sign-in still counts
    wait_for(lambda: rpc.scoring.get_scorecard("mb-1")["total"] == 4)
    wait_for(lambda: len(rpc.notify.list_inbox("mb-1")["items"]) == 2)
    card = rpc.scoring.get_scorecard("mb-1")
    assert len(rpc.scoring.list_entries("mb-1")["items"]) == 2 and card["counts"] == {
        "theme_day": 2
    }
    assert len(rpc.notify.list_inbox("mb-1")["items"]) == 2


def test_the_yearly_cap_holds_and_is_explained(scoring):
    config, rpc = scoring
    for _ in range(5):  # theme day: 2 points each, at most 8 a year
        publish(config, checked_in())
    wait_for(lambda: len(rpc.scoring.list_entries("mb-1")["items"]) == 5)
    card = rpc.scoring.get_scorecard("mb-1")
    assert card["total"] == 8
    assert sorted(e["points"] for e in rpc.scoring.list_entries("mb-1")["items"]) == [0, 2, 2, 2, 2]
    inbox = wait_for(lambda: m if len(m := rpc.notify.list_inbox("mb-1")["items"]) == 5 else None)
    assert sum("上限" in m["body"] for m in inbox) == 1


def test_malformed_messages_are_dead_lettered_with_a_reason_and_the_consumer_keeps_serving(scoring):
    config, rpc = scoring
    publish(config, b"{not json", raw=True)
    publish(config, {"no": "event id"})
    publish(config, checked_in(meeting_kind=42, checked_in_at="yesterday"))
    publish(config, checked_in())
    wait_for(lambda: rpc.scoring.get_scorecard("mb-1")["total"] == 2)
    letters: list = []
    wait_for(lambda: letters.extend(dead_letters(config, QUEUE + ".dlq")) or len(letters) >= 3)
    reasons = sorted(m.headers["x-death-reason"] for m in letters)
    assert len(reasons) == 3, reasons
    assert any(r.startswith("undecodable message") for r in reasons)
    assert any("event_id" in r for r in reasons)
    assert any(r.startswith("ValidationError") and "checked_in_at" in r for r in reasons)
    assert all(m.headers["x-original-queue"] == QUEUE for m in letters)


class Flaky:
    """A consumer that fails a configurable number of times before it succeeds."""

    name = "flaky"
    failures: ClassVar[dict[str, int]] = {}
    handled: ClassVar[list[str]] = []

    @reliable_event_handler("members", "member_checked_in")
    def handle(self, payload):
        left = self.failures.get(payload["event_id"], 0)
        if left:
            self.failures[payload["event_id"]] = left - 1
            raise RuntimeError(f"transient failure, {left} left")
        self.handled.append(payload["event_id"])


def test_a_failing_handler_is_retried_with_backoff_then_dead_lettered(runner_factory, make_config):
    config = make_config("scoring")
    runner = runner_factory(config, Flaky)
    runner.start()
    recovers, never = checked_in(), checked_in()
    Flaky.failures = {recovers["event_id"]: 2, never["event_id"]: 99}
    Flaky.handled = []
    publish(config, recovers)
    publish(config, never)
    wait_for(lambda: Flaky.handled == [recovers["event_id"]], timeout=10)
    letters = wait_for(
        lambda: dead_letters(config, "evt-members-member_checked_in--flaky.handle.dlq"), timeout=10
    )
    assert len(letters) == 1
    assert json.loads(letters[0].body)["event_id"] == never["event_id"]
    assert letters[0].headers["x-attempts"] == 3
    assert "transient failure" in letters[0].headers["x-death-reason"]


def test_an_operator_can_list_and_replay_dead_letters(runner_factory, make_config):
    config = make_config("scoring")
    runner = runner_factory(config, Flaky)
    runner.start()
    event = checked_in()
    Flaky.failures, Flaky.handled = {event["event_id"]: 99}, []
    publish(config, event)
    dlq = "evt-members-member_checked_in--flaky.handle.dlq"

    def listed_once():
        with Connection(config["AMQP_URI"]) as conn:
            try:
                return drain(conn, dlq, replay=False)
            except ChannelError:  # not dead-lettered yet: the queue does not exist
                return None

    listed = wait_for(listed_once)
    assert (
        listed[0]["attempts"] == 3
        and listed[0]["queue"] == "evt-members-member_checked_in--flaky.handle"
    )
    Flaky.failures = {}  # the cause is fixed
    with Connection(config["AMQP_URI"]) as conn:
        assert len(drain(conn, dlq, replay=True)) == 1
    wait_for(lambda: Flaky.handled == [event["event_id"]])
    assert dead_letters(config, dlq) == []
