"""The console's reads through nameko on the real broker and the embedded store: the counters
as a county is built over RPC (concurrent duplicate creates counted once), the tree, members,
meetings, live attendance and the home page, each refused outside the caller's scope."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from nameko.exceptions import RemoteError
from nameko.standalone.rpc import ClusterRpcProxy

from services.infra.storage import open_database
from services.members.idcard import make_id_number
from services.members.service import MembersService
from services.volunteer.service import VolunteerService
from tests.conftest import caller, wait_for

TREE = [
    ("hj", None, "committee"),
    ("hj-s1", "hj", "working_committee"),
    ("hj-s2", "hj", "working_committee"),
    ("hj-s1-b1", "hj-s1", "branch"),
    ("hj-s1-b2", "hj-s1", "branch"),
    ("hj-s1-g1", "hj-s1", "grid"),
]
NAMES = ["张伟", "张三丰", "李娜"]
KIOSK = caller("kiosk", "/hj/hj-s1", subject="kiosk-1", device="kiosk-1")
STREET2 = caller("org_admin", "/hj/hj-s2", subject="street-2")


def person(n, org_id="hj-s1-b1", name=None):
    born = date(1970, 1, 1) + timedelta(days=n)
    return {
        "org_id": org_id,
        "name": name or NAMES[n % len(NAMES)],
        "gender": "female",
        "birth_date": born.isoformat(),
        "id_number": make_id_number("410108", born, n, "female"),
        "phone": f"1710000{n:04d}",
        "join_date": (born + timedelta(days=365 * 20)).isoformat(),
        "card_uid": f"AB{n:06X}",
    }


@pytest.fixture
def county(runner_factory, make_config):
    config = make_config("members")
    runner_factory(config, MembersService, VolunteerService).start()
    with (
        ClusterRpcProxy(config, timeout=20, context_data=caller("county_operator", "/hj")) as op,
        ClusterRpcProxy(config, timeout=20, context_data=KIOSK) as kiosk,
        ClusterRpcProxy(config, timeout=20, context_data=STREET2) as other,
    ):
        for org_id, parent, kind in TREE:
            op.members.create_org(
                {"org_id": org_id, "parent_id": parent, "name": org_id, "kind": kind}
            )
        members = op.members.register_members([person(n) for n in range(1, 4)])
        op.members.enroll_kiosk({"device_id": "kiosk-1", "org_id": "hj-s1", "place": "服务中心"})
        op.members.schedule_meeting(
            {
                "meeting_id": "m1",
                "org_id": "hj-s1-b1",
                "kind": "theme_day",
                "title": "主题党日",
                "starts_at": datetime.now(UTC).isoformat(),
            }
        )
        yield {"op": op, "kiosk": kiosk, "other": other, "members": members, "config": config}


def test_counters_hold_under_concurrent_duplicate_creates(county):
    """The same create four times at once (redelivered or repeated calls) counts once."""
    op, config = county["op"], county["config"]
    body = {"org_id": "hj-s1-b3", "parent_id": "hj-s1", "name": "三支部", "kind": "branch"}
    orgs = [op.members.create_org.call_async(body) for _ in range(4)]
    assert sorted(r.result()["created"] for r in orgs) == [False, False, False, True]
    people = [op.members.register_member.call_async(person(9, "hj-s1-b3")) for _ in range(4)]
    assert sorted(r.result()["created"] for r in people) == [False, False, False, True]
    street = op.members.get_org_node("hj-s1")
    assert street["counts"] == {"children": 4, "orgs_below": 4, "own_members": 0, "members": 4}
    root = op.members.get_org_node("hj")
    assert (root["counts"]["orgs_below"], root["counts"]["members"]) == (6, 4)
    db = open_database("members", config["MONGO_URI"], Path(config["DATA_DIR"]))
    assert db.orgs.count_documents({"uncounted": True}) == 0


def test_the_tree_members_and_meetings_for_the_console(county):
    op = county["op"]
    [root] = op.members.list_orgs({})["items"]
    assert (root["org_id"], root["has_children"], root["counts"]["members"]) == ("hj", True, 3)
    children = op.members.list_orgs({"org_id": "hj-s1", "limit": 2})
    rest = op.members.list_orgs({"org_id": "hj-s1", "cursor": children["next_cursor"]})
    assert [o["org_id"] for o in children["items"] + rest["items"]] == [
        "hj-s1-b1",
        "hj-s1-b2",
        "hj-s1-g1",
    ]
    listed = op.members.list_members({"org_id": "hj-s1-b1"})
    assert [m["name_masked"] for m in listed["items"]] == ["张*丰", "张*", "李*"]  # by name
    assert all("name" not in m and m["phone_masked"].count("*") == 4 for m in listed["items"])
    found = op.members.list_members({"org_id": "hj", "q": "张三", "subtree": True})
    assert [m["member_id"] for m in found["items"]] == [county["members"][0]["member_id"]]
    by_card = op.members.list_members({"org_id": "hj-s1-b1", "card_uid": "ab000003"})
    assert [m["card_uid"] for m in by_card["items"]] == ["AB000003"]
    [meeting] = op.members.list_meetings({"org_id": "hj-s1-b1"})["items"]
    assert (meeting["expected"], meeting["signed_in"]) == (3, 0)
    for refused in (
        lambda rpc: rpc.members.list_orgs({"org_id": "hj-s1"}),
        lambda rpc: rpc.members.get_org_node("hj-s1-b1"),
        lambda rpc: rpc.members.list_members({"org_id": "hj-s1-b1"}),
        lambda rpc: rpc.members.list_meetings({"org_id": "hj-s1-b1"}),
        lambda rpc: rpc.members.get_meeting("m1"),
        lambda rpc: rpc.members.follow_attendance({"meeting_id": "m1"}),
        lambda rpc: rpc.members.list_member_attendance(
            {"member_id": county["members"][0]["member_id"]}
        ),
    ):
        with pytest.raises(RemoteError) as error:
            refused(county["other"])
        assert error.value.exc_type == "Forbidden" and "hj-s1" not in str(error.value)


def test_live_attendance_and_the_home_page_follow_the_sign_ins(county):
    op, kiosk = county["op"], county["kiosk"]
    first = op.members.follow_attendance({"meeting_id": "m1"})
    assert (first["items"], first["expected"], first["signed_in"]) == ([], 3, 0)
    for n in (2, 1, 2):  # the last a repeated swipe
        kiosk.members.check_in({"card_uid": f"ab{n:06x}", "meeting_id": "m1"})
    live = op.members.follow_attendance({"meeting_id": "m1", "after": first["next_cursor"]})
    assert [i["name_masked"] for i in live["items"]] == ["李*", "张*丰"]  # in sign-in order
    assert live["more"] is False
    counted = wait_for(  # counted off the swipe path within COUNT_SIGN_INS_SECONDS
        lambda: (n := op.members.get_meeting("m1")["signed_in"]) == 2 and n, timeout=15
    )
    assert counted == 2
    mine = op.members.list_member_attendance({"member_id": county["members"][0]["member_id"]})
    assert [(s["meeting_id"], s["title"]) for s in mine["items"]] == [("m1", "主题党日")]
    overview = op.members.get_overview()
    assert (overview["organizations"], overview["members"]) == (6, 3)
    assert (overview["meetings_this_month"], overview["attendance_this_month"]) == (1, 2)
    needs = op.volunteer.count_needs({"scope": "/hj"})
    assert (needs["count"], needs["capped"]) == (0, False)


def test_a_kiosk_finds_its_open_meetings_until_it_is_revoked(county):
    op, kiosk = county["op"], county["kiosk"]
    for meeting_id, org_id, days in (("m-later", "hj-s1-b2", 2), ("m-s2", "hj-s2", 0)):
        starts_at = datetime.now(UTC) + timedelta(days=days)
        op.members.schedule_meeting(
            {
                "meeting_id": meeting_id,
                "org_id": org_id,
                "kind": "lecture",
                "title": "党课",
                "starts_at": starts_at.isoformat(),
            }
        )
    [meeting] = kiosk.members.list_kiosk_meetings()["items"]
    assert meeting["meeting_id"] == "m1" and meeting["open_now"] is True
    fields = {"meeting_id", "title", "kind", "starts_at", "opens_at", "closes_at", "open_now"}
    assert set(meeting) == fields
    op.members.revoke_kiosk("kiosk-1")
    refusals = []
    for refused in (
        lambda: kiosk.members.list_kiosk_meetings(),
        lambda: kiosk.members.check_in({"card_uid": "ab000001", "meeting_id": "m1"}),
        lambda: county["other"].members.list_kiosk_meetings(),  # not a kiosk
    ):
        with pytest.raises(RemoteError) as error:
            refused()
        refusals.append((error.value.exc_type, error.value.value))
    assert refusals[0] == refusals[1] and refusals[2][0] == "Forbidden"
    assert refusals[0][0] == "Forbidden"
