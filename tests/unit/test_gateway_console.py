"""The console's read routes over Flask's test client and a fake RPC client: what reaches the
services, roles, the scope checked before the call or on the answer, strict queries, and the
home page without the volunteer service."""

import json

import pytest
from nameko.exceptions import RemoteError

from gateway import errors
from gateway.app import create_app
from gateway.auth import issue_token
from gateway.settings import Settings

SECRET = "s" * 40
BRANCH = "/hj/hj-s01/hj-s01-c01/hj-s01-c01-b01"
PATHS = {"hj": "/hj", "hj-s01": "/hj/hj-s01", "hj-s01-c01-b01": BRANCH, "hj-s02": "/hj/hj-s02"}
PROBLEM = "application/problem+json"
COUNTS = {"children": 1, "orgs_below": 3, "own_members": 2, "members": 40}
AT = "2026-11-23T09:00:00+00:00"


def org_node(org_id):
    path = PATHS[org_id]
    parent = path.rsplit("/", 2)[-2] or None
    return {
        "org_id": org_id,
        "parent_id": parent,
        "name": "惠济区委",
        "kind": "committee",
        "tags": [],
        "path": path,
        "depth": path.count("/"),
        "has_children": True,
        "counts": COUNTS,
        "_id": "a storage field that must never reach a caller",
    }


def meeting(meeting_id):
    org_path = "/hj/hj-s02" if meeting_id == "m-other" else BRANCH
    return {
        "meeting_id": meeting_id,
        "org_id": org_path.rsplit("/", 1)[1],
        "org_path": org_path,
        "kind": "theme_day",
        "title": "主题党日",
        "starts_at": AT,
        "opens_at": AT,
        "closes_at": AT,
        "invited_org_paths": [],
        "open_to_all": False,
        "expected": 12,
        "signed_in": 3,
    }


class FakeRpc:
    def __init__(self):
        self.calls = []
        self.down = set()

    def call(self, service, method, *args, caller=None, timeout=None):
        self.calls.append((service, method, args))
        if service in self.down:
            raise errors.unavailable(service)
        try:
            return getattr(self, f"{service}_{method}")(*args)
        except RemoteError as error:
            raise errors.from_remote(error) from None

    def members_get_org(self, org_id):
        if org_id not in PATHS:
            raise RemoteError("NotFound", json.dumps({"message": "Unknown organization"}))
        return {"org_id": org_id, "path": PATHS[org_id]}

    def members_get_org_node(self, org_id):
        return org_node(org_id)

    def members_list_orgs(self, query):
        return {"items": [org_node("hj")], "next_cursor": None}

    def members_list_members(self, query):
        return {"items": [], "next_cursor": None}

    def members_list_meetings(self, query):
        return {"items": [meeting("m1")], "next_cursor": "c2"}

    def members_get_meeting(self, meeting_id):
        return meeting(meeting_id)

    def members_follow_attendance(self, query):
        signed = {
            "member_id": "mb-1",
            "name_masked": "王*",
            "org_path": BRANCH,
            "checked_in_at": AT,
            "recorded_at": AT,
            "recorded_offline": False,
        }
        found = {k: v for k, v in meeting(query["meeting_id"]).items() if k != "org_id"}
        return {**found, "items": [signed], "next_cursor": "c1", "more": False}

    def members_get_member(self, member_id):
        return {"member_id": member_id, "org_path": BRANCH}

    def members_list_member_attendance(self, query):
        return {"items": [], "next_cursor": None}

    def members_get_overview(self):
        figures = {"organizations": 4, "members": 40, "meetings_this_month": 2}
        return {"scope": "/hj", "month": "2026-11", "roots": [org_node("hj")], **figures,
                "attendance_this_month": 30}  # fmt: skip

    def volunteer_count_needs(self, query):
        return {"scope": query["scope"], "status": "open", "count": 7, "capped": False}


@pytest.fixture
def rpc():
    return FakeRpc()


@pytest.fixture
def client(rpc):
    settings = Settings(token_secret=SECRET, amqp_uri="pyamqp://guest:guest@127.0.0.1:5672/")
    return create_app(settings, rpc_client=rpc).test_client()


def bearer(role="county_operator", scope="/hj", subject=None):
    device = "kiosk-1" if role == "kiosk" else None
    subject = subject or device or f"{role}-1"
    token = issue_token(SECRET, subject=subject, role=role, scope=scope, device=device)
    return {"Authorization": f"Bearer {token}"}


OPERATOR = bearer()
STREET2 = bearer("org_admin", "/hj/hj-s02")
SECRETARY = bearer("branch_secretary", BRANCH)


def get(client, path, headers=OPERATOR):
    return client.get("/api/v1" + path, headers=headers)


def problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    return response.get_json()


def last_call(rpc):
    service, method, args = rpc.calls[-1]
    return f"{service}.{method}", args


# -- what reaches the services ---------------------------------------------------------------


def test_the_tree_level_by_level(client, rpc):
    roots = get(client, "/orgs/roots")
    assert roots.status_code == 200 and roots.get_json()["items"][0]["counts"] == COUNTS
    assert "storage field" not in roots.get_data(as_text=True)
    assert last_call(rpc) == ("members.list_orgs", ({"cursor": None, "limit": 50},))
    assert get(client, "/orgs/hj").get_json()["has_children"] is True
    assert get(client, "/orgs/hj/children?limit=10&cursor=abc").status_code == 200
    wanted = {"org_id": "hj", "cursor": "abc", "limit": 10}
    assert last_call(rpc) == ("members.list_orgs", (wanted,))
    assert [c[1] for c in rpc.calls[-2:]] == ["get_org", "list_orgs"]  # scope first


def test_members_are_searched_by_prefix_or_card_in_the_org_or_its_subtree(client, rpc):
    assert get(client, "/orgs/hj-s01/members?q=张&subtree=true&limit=20").status_code == 200
    wanted = {"org_id": "hj-s01", "q": "张", "card_uid": None, "subtree": True, "status": None}
    assert last_call(rpc) == ("members.list_members", ({**wanted, "cursor": None, "limit": 20},))
    assert get(client, "/orgs/hj-s01/members?card=0a0b0c0d").status_code == 200
    assert last_call(rpc)[1][0]["card_uid"] == "0a0b0c0d"  # the service normalises the case
    assert get(client, "/orgs/hj-s01/members?status=in_register").status_code == 200
    assert last_call(rpc)[1][0]["status"] == "in_register"
    calls = len(rpc.calls)
    assert get(client, "/orgs/hj-s01/members?status=gone").status_code == 400
    assert len(rpc.calls) == calls


def test_meetings_by_start_time_within_a_range(client, rpc):
    query = "from=2026-11-01T00:00:00%2B08:00&to=2026-12-01T00:00:00%2B08:00&order=asc"
    answer = get(client, f"/orgs/{'hj-s01-c01-b01'}/meetings?{query}")
    assert answer.status_code == 200 and answer.get_json()["next_cursor"] == "c2"
    assert answer.get_json()["items"][0]["expected"] == 12
    sent = last_call(rpc)[1][0]
    assert (sent["since"], sent["until"]) == (
        "2026-11-01T00:00:00+08:00",
        "2026-12-01T00:00:00+08:00",
    )
    assert sent["newest_first"] is False
    get(client, "/orgs/hj/meetings")
    assert last_call(rpc)[1][0] | {"org_id": "hj"} == {
        "org_id": "hj",
        "since": None,
        "until": None,
        "newest_first": True,
        "cursor": None,
        "limit": 50,
    }


def test_a_meeting_and_its_live_attendance(client, rpc):
    assert get(client, "/meetings/m1", SECRETARY).get_json()["signed_in"] == 3
    live = get(client, "/meetings/m1/attendance?after=c0&limit=20", SECRETARY)
    assert live.status_code == 200
    body = live.get_json()
    assert (body["expected"], body["signed_in"], body["next_cursor"]) == (12, 3, "c1")
    assert body["items"][0]["name_masked"] == "王*"
    wanted = {"meeting_id": "m1", "after": "c0", "limit": 20}
    assert last_call(rpc) == ("members.follow_attendance", (wanted,))


def test_a_members_sign_ins_for_staff_and_the_member_themselves(client, rpc):
    assert get(client, "/members/mb-1/attendance", SECRETARY).status_code == 200
    assert last_call(rpc)[0] == "members.list_member_attendance"
    me = bearer("member", BRANCH, subject="mb-1")
    assert get(client, "/members/mb-1/attendance?limit=5", me).status_code == 200
    assert last_call(rpc) == (
        "members.list_member_attendance",
        ({"member_id": "mb-1", "cursor": None, "limit": 5},),
    )
    calls = len(rpc.calls)
    problem(get(client, "/members/mb-2/attendance", me), 403)
    assert len(rpc.calls) == calls


def test_the_overview_adds_the_open_needs_and_does_without_them(client, rpc):
    body = get(client, "/overview").get_json()
    assert (body["members"], body["open_needs"], body["month"]) == (40, 7, "2026-11")
    assert last_call(rpc) == ("volunteer.count_needs", ({"scope": "/hj", "status": "open"},))
    rpc.down.add("volunteer")
    assert get(client, "/overview").get_json()["open_needs"] is None
    rpc.down.add("members")
    problem(get(client, "/overview"), 503)


# -- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/orgs/roots",
        "/orgs/hj",
        "/orgs/hj/children",
        "/orgs/hj/members",
        "/orgs/hj/meetings",
        "/meetings/m1",
        "/meetings/m1/attendance",
        "/overview",
    ],
)
@pytest.mark.parametrize("role", ["member", "kiosk"])
def test_members_and_kiosks_are_refused_before_any_call(client, rpc, path, role):
    problem(get(client, path, bearer(role, BRANCH)), 403)
    assert rpc.calls == []


@pytest.mark.parametrize(
    "path",
    [
        "/orgs/hj-s01",
        "/orgs/hj-s01/children",
        "/orgs/hj-s01/members?q=张",
        "/orgs/hj-s01/meetings",
        "/meetings/m1",
        "/meetings/m1/attendance",
        "/members/mb-1/attendance",
    ],
)
def test_objects_outside_the_scope_are_refused_without_their_data(client, path):
    body = problem(get(client, path, STREET2), 403)
    assert "hj-s01" not in json.dumps(body) and "主题党日" not in json.dumps(body)


def test_an_unknown_org_is_404(client):
    assert problem(get(client, "/orgs/nope/members"), 404)["code"] == "not_found"


@pytest.mark.parametrize(
    "query",
    [
        "/orgs/hj/members?card=xyz",
        "/orgs/hj/members?subtree=maybe",
        "/orgs/hj/members?q=",
        "/orgs/hj/members?name=张",
        "/orgs/hj/meetings?from=yesterday",
        "/orgs/hj/meetings?from=2026-11-01T00:00:00",  # no offset
        "/orgs/hj/meetings?order=up",
        "/orgs/hj/meetings?from=0001-01-01T00:00:00%2B14:00",  # out of range
        "/meetings/m1/attendance?after=not%20a%20cursor",
        "/meetings/m1/attendance?limit=500",
        "/orgs/roots?limit=0",
        "/overview?scope=/hj",
        "/needs?status=lost",
    ],
)
def test_bad_queries_are_400_problems_before_any_call(client, rpc, query):
    assert problem(get(client, query), 400)["errors"]
    assert rpc.calls == []
