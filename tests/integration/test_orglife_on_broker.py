"""Meetings held through nameko's runner on the real broker and the embedded store: leave
approved before the start, a sign-in, the meeting closed once its window has closed, and
scoring's deduction for the unexcused absence arriving through meeting_closed, once, also when
the event is delivered again."""

import json
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from kombu import Connection, Exchange, Producer, Queue
from nameko.standalone.rpc import ClusterRpcProxy

from services.members.idcard import make_id_number
from services.members.service import MembersService
from services.scoring.service import ScoringService
from tests.conftest import caller, wait_for

KIOSK = caller("kiosk", "/hj", subject="kiosk-1", device="kiosk-1")
LEAD = timedelta(seconds=3)  # the meeting starts this long after it is scheduled


@pytest.fixture
def system(runner_factory, make_config):
    config = make_config("scoring")
    exchange = Exchange("members.events", type="topic", durable=True)
    queue = Queue("orglife-test", exchange, routing_key="meeting_closed", durable=False)
    with Connection(config["AMQP_URI"]) as conn:
        queue(conn.channel()).declare()
        runner_factory(config, MembersService, ScoringService).start()
        with (
            ClusterRpcProxy(
                config, timeout=10, context_data=caller("county_operator", "/hj")
            ) as op,
            ClusterRpcProxy(config, timeout=10, context_data=KIOSK) as kiosk,
        ):
            yield op, kiosk, conn, queue, exchange


def registered(op, n):
    born = date(1978, 1, 1) + timedelta(days=n)
    body = {
        "org_id": "hj-b1",
        "name": f"党员{n}",
        "gender": "female",
        "birth_date": born.isoformat(),
        "id_number": make_id_number("410108", born, n, "female"),
        "phone": f"1710000{n:04d}",
        "join_date": "2005-07-01",
        "card_uid": f"CA{n:06X}",
    }
    return op.members.register_member(body)


def test_closing_deducts_for_the_unexcused_absence_once(system):
    op, kiosk, conn, queue, exchange = system
    for org_id, parent, kind in (("hj", None, "committee"), ("hj-b1", "hj", "branch")):
        op.members.create_org({"org_id": org_id, "parent_id": parent, "name": org_id, "kind": kind})
    op.members.enroll_kiosk({"device_id": "kiosk-1", "org_id": "hj-b1", "place": "活动室"})
    excused, present, absent = (registered(op, n) for n in (1, 2, 3))
    starts = datetime.now(UTC) + LEAD
    meeting = {
        "meeting_id": "mt-broker",
        "org_id": "hj-b1",
        "kind": "theme_day",
        "title": "主题党日",
        "starts_at": starts.isoformat(),
        "window_before_min": 10,
        "window_after_min": 0,
    }
    op.members.schedule_meeting(meeting)
    leave = {"meeting_id": "mt-broker", "member_id": excused["member_id"], "reason": "出差"}
    op.members.request_leave(leave)
    op.members.decide_leave(
        {"meeting_id": "mt-broker", "member_id": excused["member_id"], "approve": True}
    )
    kiosk.members.check_in({"card_uid": present["card_uid"], "meeting_id": "mt-broker"})
    time.sleep(max(0.0, (starts - datetime.now(UTC)).total_seconds()) + 0.3)

    closed = op.members.close_meeting({"meeting_id": "mt-broker"})
    assert (closed["expected"], closed["present"], closed["excused"], closed["absent"]) == (
        3,
        1,
        1,
        1,
    )
    assert closed["absent_member_ids"] == [absent["member_id"]]

    def entries(member):
        return op.scoring.list_entries(member["member_id"])["items"]

    [entry] = wait_for(lambda: entries(absent), timeout=15)
    assert (entry["points"], entry["reason"]) == (-1, "meeting_absent:theme_day")
    assert entries(excused) == [] and entries(present)[0]["points"] > 0

    # the event delivered again (an at-least-once copy): nothing more is deducted
    message = wait_for(lambda: queue(conn.channel()).get(no_ack=True), timeout=10)
    Producer(conn.channel()).publish(
        json.dumps(message.payload),
        exchange=exchange,
        routing_key="meeting_closed",
        content_type="application/json",
    )
    time.sleep(1.5)
    assert len(entries(absent)) == 1
    assert op.scoring.get_scorecard(absent["member_id"])["total"] == -1
