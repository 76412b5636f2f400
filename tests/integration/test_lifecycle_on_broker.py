"""The members' lifecycle through nameko on the real broker and the embedded store: a card
reported lost is refused at the kiosk and the refused swipe recorded; status changes move the
counters once (a retried call too) and an exit returns the card; the profile, search, probation
list and histories; and the events published on members.events with no personal data."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from kombu import Connection, Exchange, Queue
from nameko.exceptions import RemoteError
from nameko.standalone.rpc import ClusterRpcProxy

from services.infra.storage import open_database
from services.members.idcard import make_id_number
from services.members.service import MembersService
from tests.conftest import caller, wait_for

TREE = [
    ("hj", None, "committee"),
    ("hj-s1", "hj", "working_committee"),
    ("hj-s2", "hj", "working_committee"),
    ("hj-s1-b1", "hj-s1", "branch"),
    ("hj-s2-b1", "hj-s2", "branch"),
]
KIOSK = caller("kiosk", "/hj/hj-s1", subject="kiosk-1", device="kiosk-1")
SECRETARY = caller("branch_secretary", "/hj/hj-s1/hj-s1-b1", subject="sec-1")
STREET2 = caller("org_admin", "/hj/hj-s2", subject="street-2")
EVENTS = ("member_status_changed", "member_updated", "card_issued", "card_blocked")


def person(n, org_id="hj-s1-b1", **more):
    born = date(1970, 1, 1) + timedelta(days=n)
    return {
        "org_id": org_id,
        "name": "张三丰",
        "gender": "female",
        "birth_date": born.isoformat(),
        "id_number": make_id_number("410108", born, n, "female"),
        "phone": f"1710000{n:04d}",
        "join_date": (born + timedelta(days=365 * 20)).isoformat(),
        "card_uid": f"AB{n:06X}",
        **more,
    }


@pytest.fixture
def county(runner_factory, make_config):
    config = make_config("members")
    exchange = Exchange("members.events", type="topic", durable=True)
    queue = Queue("lifecycle-test", exchange, routing_key="#", durable=False)
    with Connection(config["AMQP_URI"]) as conn:
        queue(conn.channel()).declare()
        runner_factory(config, MembersService).start()
        with (
            ClusterRpcProxy(
                config, timeout=20, context_data=caller("county_operator", "/hj")
            ) as op,
            ClusterRpcProxy(config, timeout=20, context_data=SECRETARY) as secretary,
            ClusterRpcProxy(config, timeout=20, context_data=KIOSK) as kiosk,
            ClusterRpcProxy(config, timeout=20, context_data=STREET2) as other,
        ):
            for org_id, parent, kind in TREE:
                op.members.create_org(
                    {"org_id": org_id, "parent_id": parent, "name": org_id, "kind": kind}
                )
            op.members.enroll_kiosk(
                {"device_id": "kiosk-1", "org_id": "hj-s1", "place": "服务中心"}
            )
            op.members.schedule_meeting(
                {
                    "meeting_id": "m1",
                    "org_id": "hj-s1-b1",
                    "kind": "theme_day",
                    "title": "主题党日",
                    "starts_at": datetime.now(UTC).isoformat(),
                }
            )
            db = open_database("members", config["MONGO_URI"], Path(config["DATA_DIR"]))
            yield {
                "op": op,
                "secretary": secretary,
                "kiosk": kiosk,
                "other": other,
                "db": db,
                "events": lambda: _drain(conn, queue),
            }


def _drain(conn, queue):
    found = []
    bound = queue(conn.channel())
    while (message := bound.get(no_ack=True)) is not None:
        found.append((message.delivery_info["routing_key"], message.payload))
    return found


def test_a_lost_card_is_refused_at_the_kiosk_and_the_swipe_recorded(county):
    op, secretary, kiosk, db = county["op"], county["secretary"], county["kiosk"], county["db"]
    member = op.members.register_member(person(1))
    lost = secretary.members.report_card_lost({"member_id": member["member_id"], "reason": "遗失"})
    assert lost["card_uid"] is None
    for uid in ("ab000001", "AB000001"):  # either case, as readers send it
        with pytest.raises(RemoteError) as refused:
            kiosk.members.check_in({"card_uid": uid, "meeting_id": "m1"})
        assert refused.value.exc_type == "Forbidden" and "挂失" in refused.value.value
    [refusal] = list(db.card_refusals.find({"card_uid": "AB000001"}))
    assert (refusal["device_id"], refusal["member_id"]) == ("kiosk-1", member["member_id"])
    assert db.cards.find_one({"_id": "AB000001"})["state"] == "blocked"
    with pytest.raises(RemoteError) as reissued:  # a blocked UID is never given again
        secretary.members.issue_card({"member_id": member["member_id"], "card_uid": "ab000001"})
    assert reissued.value.exc_type == "Conflict"
    replaced = secretary.members.replace_card(
        {"member_id": member["member_id"], "card_uid": "cd000001"}
    )
    assert replaced["card_uid"] == "CD000001"
    signed = kiosk.members.check_in({"card_uid": "cd000001", "meeting_id": "m1"})
    assert signed["created"] is True
    lost_card = op.members.search_members({"org_id": "hj-s1", "q": "ab000001"})["items"]
    assert [m["member_id"] for m in lost_card] == [member["member_id"]]
    history = op.members.list_cards({"member_id": member["member_id"]})["items"]
    assert {(c["card_uid"], c["state"]) for c in history} == {
        ("AB000001", "blocked"),
        ("CD000001", "issued"),
    }


def test_status_changes_move_the_counters_once_and_an_exit_returns_the_card(county):
    op, secretary, db = county["op"], county["secretary"], county["db"]
    member = op.members.register_member(person(2))
    today = datetime.now(UTC).date().isoformat()
    body = {
        "member_id": member["member_id"],
        "to_status": "deceased",
        "effective_on": today,
        "reason": "病故",
        "approved_by": "支部委员会",
    }
    answers = [secretary.members.change_member_status.call_async(body) for _ in range(3)]
    results = [a.result() for a in answers]
    assert {r["status"] for r in results} == {"deceased"}
    node = op.members.get_org_node("hj")
    assert node["counts"]["members"] == 0
    assert db.orgs.find_one({"_id": "hj"})["counts"]["by_status"] == {"full": 0, "deceased": 1}
    assert db.members.find_one({"_id": member["member_id"]}) is not None  # never deleted
    assert db.cards.find_one({"_id": "AB000002"})["state"] == "returned"
    history = op.members.list_status_history({"member_id": member["member_id"]})["items"]
    assert [(h["from_status"], h["to_status"], h["approved_by"]) for h in history] == [
        ("full", "deceased", "支部委员会")
    ]
    events = wait_for(
        lambda: (e := [p for k, p in county["events"]() if k == "member_status_changed"]) and e,
        timeout=20,
    )
    assert len(events) == 1 and events[0]["reason_code"] == "deceased"
    assert "病故" not in str(events[0]) and "支部委员会" not in str(events[0])


def test_profile_search_probation_and_scope(county):
    op, secretary, other = county["op"], county["secretary"], county["other"]
    member = op.members.register_member(person(3))
    joined = (datetime.now(UTC).date() - timedelta(days=350)).isoformat()
    probationer = op.members.register_member(
        person(4, name="李四", status="probationary", join_date=joined, card_uid=None)
    )
    changed = secretary.members.update_member_profile(
        {
            "member_id": member["member_id"],
            "version": member["version"],
            "ethnicity": "回族",
            "address": "河南省郑州市惠济区天河路12号",
            "skills": ["维修家电"],
        }
    )
    assert changed["address_masked"] == "河南省郑州市****" and changed["ethnicity"] == "回族"
    with pytest.raises(RemoteError) as bad:
        secretary.members.update_member_profile(
            {"member_id": member["member_id"], "ethnicity": "火星族"}
        )
    assert bad.value.exc_type == "InvalidInput" and "民族" in bad.value.value
    id_number = person(3)["id_number"]
    for q in (id_number, "ab000003", "张"):
        found = op.members.search_members({"org_id": "hj", "q": q})["items"]
        assert [m["member_id"] for m in found] == [member["member_id"]], q
        assert "天河路" not in str(found) and id_number not in str(found)
    due = op.members.list_probation_due({"org_id": "hj-s1"})["items"]
    assert [m["member_id"] for m in due] == [probationer["member_id"]]
    for refused in (
        lambda: other.members.search_members({"org_id": "hj-s1", "q": "张"}),
        lambda: other.members.report_card_lost(
            {"member_id": member["member_id"], "reason": "遗失"}
        ),
    ):
        with pytest.raises(RemoteError) as outside:
            refused()
        assert outside.value.exc_type == "Forbidden"
    updated = wait_for(
        lambda: (e := [p for k, p in county["events"]() if k == "member_updated"]) and e,
        timeout=20,
    )
    assert updated[0]["changed"] == ["address", "ethnicity", "skills"]
