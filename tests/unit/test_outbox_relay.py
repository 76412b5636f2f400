"""The relay on the real embedded engine: publish, then clear; a failed publish keeps the event."""

import pytest

from services.infra.events import new_event
from services.infra.outbox import OutboxRelay, push_events, with_events
from services.infra.storage import open_database


@pytest.fixture
def db(tmp_path):
    return open_database("relaytest", None, tmp_path)


def test_relay_publishes_each_event_once_and_clears_the_document(db):
    first, second = new_event("a_happened", "/x", {"n": 1}), new_event("b_happened", "/x", {"n": 2})
    db.things.insert_one(with_events({"_id": "t1"}, [first]))
    db.things.update_one({"_id": "t1"}, push_events([second]))
    sent: list = []
    relay = OutboxRelay(db, ["things"])
    assert relay.relay_once(lambda kind, payload: sent.append((kind, payload["event_id"]))) == 2
    assert sent == [
        ("a_happened", first["payload"]["event_id"]),
        ("b_happened", second["payload"]["event_id"]),
    ]
    assert relay.pending() == 0 and relay.relay_once(lambda *a: sent.append(a)) == 0
    assert db.things.find_one({"_id": "t1"}) == {"_id": "t1", "_outbox": []}


def test_an_event_whose_publish_fails_stays_pending(db):
    db.things.insert_one(with_events({"_id": "t1"}, [new_event("a_happened", "/x", {})]))
    relay = OutboxRelay(db, ["things"])

    def broker_down(kind, payload):
        raise ConnectionError("broker unreachable")

    with pytest.raises(ConnectionError):
        relay.relay_once(broker_down)
    assert relay.pending() == 1
    assert relay.relay_once(lambda kind, payload: None) == 1 and relay.pending() == 0
