"""Personal data at rest, audited reads, and volunteer needs, through nameko on the real broker."""

import os
from datetime import date
from pathlib import Path

import pytest
from kombu import Connection, Exchange, Queue
from nameko.exceptions import RemoteError
from nameko.standalone.rpc import ClusterRpcProxy

from services.members.idcard import make_id_number
from services.members.service import MembersService
from services.volunteer.service import VolunteerService
from tests.conftest import caller, wait_for

ID_NUMBER = make_id_number("410108", date(1975, 3, 9), 3, "female")
PHONE = "17187654321"


@pytest.fixture
def services(runner_factory, make_config):
    config = make_config("members")
    runner_factory(config, MembersService).start()
    admin = caller("org_admin", "/hj", subject="admin-1", ip="10.0.0.9")
    with ClusterRpcProxy(config, timeout=10, context_data=admin) as rpc:
        rpc.members.create_org({"org_id": "hj", "name": "惠济区委", "kind": "committee"})
        rpc.members.create_org(
            {"org_id": "hj-c1", "parent_id": "hj", "name": "岗桥社区", "kind": "general_branch"}
        )
        rpc.members.create_org(
            {"org_id": "hj-c1-g1", "parent_id": "hj-c1", "name": "第1网格", "kind": "grid"}
        )
        yield config, rpc


def register(rpc, **overrides):
    return rpc.members.register_member(
        {
            "org_id": "hj-c1",
            "name": "李秀英",
            "gender": "female",
            "birth_date": "1975-03-09",
            "id_number": ID_NUMBER,
            "phone": PHONE,
            "join_date": "1998-07-01",
            "card_uid": "0A0B0C0D",
            **overrides,
        }
    )


def test_personal_data_is_encrypted_at_rest_masked_and_every_full_read_audited(services):
    config, rpc = services
    member = register(rpc)
    assert member["id_number_masked"] == ID_NUMBER[:4] + "*" * 10 + ID_NUMBER[-4:]
    assert ID_NUMBER not in str(rpc.members.get_member(member["member_id"]))
    if not os.environ.get("MONGO_URI"):
        stored = b"".join(
            p.read_bytes() for p in Path(config["DATA_DIR"]).rglob("*") if p.is_file()
        )
        assert ID_NUMBER.encode() not in stored and PHONE.encode() not in stored
        assert "李秀英".encode() in stored  # names are not encrypted, only masked in answers
    full = rpc.members.read_member_pii(member["member_id"], "核对党员身份信息")
    assert (full["id_number"], full["phone"]) == (ID_NUMBER, PHONE)
    from services.infra.storage import open_database

    audit = list(
        open_database("members", config["MONGO_URI"], Path(config["DATA_DIR"])).audit.find({})
    )
    assert [
        (a["member_id"], a["actor"]["subject"], a["actor"]["ip"], a["reason"]) for a in audit
    ] == [(member["member_id"], "admin-1", "10.0.0.9", "核对党员身份信息")]
    with pytest.raises(RemoteError) as no_reason:
        rpc.members.read_member_pii(member["member_id"], "")
    assert no_reason.value.exc_type == "InvalidInput"


def test_registering_the_same_person_twice_is_idempotent_and_cards_are_unique(services):
    _, rpc = services
    first = register(rpc)
    again = register(rpc)
    assert first["created"] and not again["created"] and again["member_id"] == first["member_id"]
    other = make_id_number("410108", date(1980, 1, 1), 5, "male")
    with pytest.raises(RemoteError) as taken:
        register(rpc, id_number=other, name="张伟", gender="male", birth_date="1980-01-01")
    assert taken.value.exc_type == "Conflict"
    with pytest.raises(RemoteError) as invalid:
        register(rpc, id_number=ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1"))
    assert invalid.value.exc_type == "InvalidInput" and "id_number" in invalid.value.value


WORKER = caller("grid_worker", "/hj/hj-c1", subject="worker-1")
OTHER_COMMUNITY = caller("community_worker", "/hj/hj-c2", subject="worker-2")
NEED = {
    "grid_path": "/hj/hj-c1/hj-c1-g1",
    "title": "独居老人水管漏水",
    "category": "repair",
    "resident_name": "赵桂兰",
    "resident_phone": "17000000001",
}


@pytest.fixture
def volunteer(runner_factory, make_config):
    config = make_config("volunteer")
    runner_factory(config, VolunteerService).start()
    with (
        ClusterRpcProxy(config, timeout=10, context_data=WORKER) as worker,
        ClusterRpcProxy(config, timeout=10, context_data=OTHER_COMMUNITY) as other,
    ):
        yield config, worker, other


def test_needs_are_recorded_by_the_caller_published_and_listed_by_subtree(volunteer):
    config, worker, other = volunteer
    exchange = Exchange("volunteer.events", type="topic", durable=True)
    with Connection(config["AMQP_URI"]) as conn:
        queue = Queue("observer", exchange=exchange, routing_key="need_recorded")(
            conn.default_channel
        )
        queue.declare()
        need = worker.volunteer.record_need(NEED)
        event = wait_for(lambda: queue.get(no_ack=True)).decode()
    assert event["need_id"] == need["need_id"] and event["org_path"] == "/hj/hj-c1/hj-c1-g1"
    assert need["recorded_by"] == "worker-1" and need["status"] == "open"
    assert (
        need["resident_name_masked"] == "赵*兰" and need["resident_phone_masked"] == "170****0001"
    )
    if not os.environ.get("MONGO_URI"):
        stored = b"".join(
            p.read_bytes() for p in Path(config["DATA_DIR"]).rglob("*") if p.is_file()
        )
        assert "赵桂兰".encode() not in stored and b"17000000001" not in stored
    listed = worker.volunteer.list_open_needs("/hj/hj-c1", limit=10)
    assert listed == {"items": [need], "next_cursor": None}
    assert other.volunteer.list_open_needs("/hj/hj-c2") == {"items": [], "next_cursor": None}


def test_needs_page_newest_first(volunteer):
    _, worker, _ = volunteer
    recorded = [worker.volunteer.record_need({**NEED, "title": f"需求{i}"}) for i in range(3)]
    first = worker.volunteer.list_open_needs("/hj/hj-c1", limit=2)
    rest = worker.volunteer.list_open_needs("/hj/hj-c1", first["next_cursor"], 2)
    assert rest["next_cursor"] is None
    titles = [n["title"] for n in first["items"] + rest["items"]]
    assert titles == [n["title"] for n in reversed(recorded)]


def test_needs_are_scoped_to_the_caller(volunteer):
    config, worker, other = volunteer
    for call in (
        lambda: other.volunteer.record_need(NEED),
        lambda: other.volunteer.list_open_needs("/hj/hj-c1"),
        lambda: worker.volunteer.list_open_needs("/hj"),
    ):
        with pytest.raises(RemoteError) as refused:
            call()
        assert refused.value.exc_type == "Forbidden"
    with pytest.raises(RemoteError) as invalid:
        worker.volunteer.record_need({**NEED, "recorded_by": "someone-else"})
    assert invalid.value.exc_type == "InvalidInput" and "recorded_by" in invalid.value.value
    with ClusterRpcProxy(config, timeout=10) as anonymous, pytest.raises(RemoteError) as nobody:
        anonymous.volunteer.list_open_needs("/hj/hj-c1")
    assert nobody.value.exc_type == "Forbidden"
    assert worker.volunteer.list_open_needs("/hj/hj-c1")["items"] == []
