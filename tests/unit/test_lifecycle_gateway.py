"""The lifecycle routes over Flask's test client and a fake RPC client: what reaches the members
service (card UIDs upper-cased, dates as ISO text, the search's organization), roles, and the
member or organization checked against the caller's scope before any change is asked."""

import json

import pytest
from nameko.exceptions import RemoteError

from gateway import errors
from gateway.app import create_app
from tests.unit.test_gateway_console import BRANCH, OPERATOR, PATHS, SECRET, bearer, problem

SECRETARY = bearer("branch_secretary", BRANCH)
SECRETARY2 = bearer("branch_secretary", "/hj/hj-s02/hj-s02-c01/hj-s02-c01-b01")
GRID = bearer("grid_worker", "/hj/hj-s01/hj-s01-c01/hj-s01-c01-g01")
MEMBER = bearer("member", BRANCH, subject="mb-1")


def member(member_id="mb-1", **more):
    return {
        "member_id": member_id,
        "org_id": "hj-s01-c01-b01",
        "org_path": BRANCH,
        "name_masked": "王*",
        "gender": "female",
        "status": "full",
        "join_date": "2005-07-01",
        "card_uid": "AB000001",
        "id_number_masked": "4101**********1234",
        "phone_masked": "138****1234",
        "skills": [],
        "version": 3,
        **more,
    }


class FakeRpc:
    def __init__(self):
        self.calls = []

    def call(self, service, method, *args, caller=None, timeout=None):
        self.calls.append((f"{service}.{method}", args))
        try:
            return getattr(self, method)(*args)
        except RemoteError as error:
            raise errors.from_remote(error) from None

    def get_member(self, member_id):
        if member_id == "mb-none":
            raise RemoteError("NotFound", json.dumps({"message": "Unknown member"}))
        return member(member_id)

    def get_org(self, org_id):
        return {"org_id": org_id, "path": PATHS[org_id]}

    def update_member_profile(self, payload):
        return member(payload["member_id"], status="full", address_masked="河南省郑州市****")

    def change_member_status(self, payload):
        return member(payload["member_id"], status=payload["to_status"], card_uid=None)

    def issue_card(self, payload):
        return member(payload["member_id"], card_uid=payload["card_uid"])

    replace_card = issue_card

    def report_card_lost(self, payload):
        return member(payload["member_id"], card_uid=None)

    return_card = report_card_lost

    def list_status_history(self, query):
        return {"items": [], "next_cursor": None}

    list_cards = list_status_history

    def search_members(self, query):
        return {"items": [member()], "next_cursor": None}

    list_probation_due = search_members


@pytest.fixture
def rpc():
    return FakeRpc()


@pytest.fixture
def client(rpc):
    from gateway.settings import Settings

    settings = Settings(token_secret=SECRET, amqp_uri="pyamqp://guest:guest@127.0.0.1:5672/")
    return create_app(settings, rpc_client=rpc).test_client()


def send(client, method, path, body=None, headers=SECRETARY):
    return client.open("/api/v1" + path, method=method, json=body, headers=headers)


def changes(rpc):
    return [(m, a) for m, a in rpc.calls if m != "members.get_member" and m != "members.get_org"]


def test_card_uids_reach_the_service_upper_cased(client, rpc):
    answer = send(client, "POST", "/members/mb-1/card", {"card_uid": " ab12cd34 "})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert changes(rpc) == [
        ("members.issue_card", ({"card_uid": "AB12CD34", "member_id": "mb-1"},))
    ]
    assert answer.get_json()["version"] == 3
    bad = send(client, "POST", "/members/mb-1/card/replace", {"card_uid": "xyz"})
    assert set(problem(bad, 400)["errors"]) == {"card_uid"}


def test_status_and_profile_dates_as_iso_text(client, rpc):
    body = {
        "to_status": "deceased",
        "effective_on": "2026-11-20",
        "reason": "病故",
        "approved_by": "支部委员会",
    }
    answer = send(client, "POST", "/members/mb-1/status", body)
    assert answer.status_code == 200 and answer.get_json()["status"] == "deceased"
    assert changes(rpc)[-1] == (
        "members.change_member_status",
        ({**body, "member_id": "mb-1", "extend_days": None},),
    )
    profile = send(
        client, "PATCH", "/members/mb-1", {"join_date": "2005-07-01", "duties": ["书记"]}
    )
    assert profile.status_code == 200
    assert changes(rpc)[-1] == (
        "members.update_member_profile",
        ({"join_date": "2005-07-01", "duties": ["书记"], "version": None, "member_id": "mb-1"},),
    )


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", "/members/mb-1", {"work_unit": "区医院"}),
        ("POST", "/members/mb-1/status", {"to_status": "lapsed", "effective_on": "2026-11-20",
                                          "reason": "脱党", "approved_by": "支部大会"}),
        ("POST", "/members/mb-1/card", {"card_uid": "AB12CD34"}),
        ("POST", "/members/mb-1/card/lost", {"reason": "遗失"}),
        ("POST", "/members/mb-1/card/replace", {"card_uid": "AB12CD34"}),
        ("POST", "/members/mb-1/card/return", {"reason": "调离"}),
    ],
)  # fmt: skip
def test_changes_outside_the_scope_or_role_never_reach_the_service(client, rpc, method, path, body):
    for headers in (SECRETARY2, GRID, MEMBER):
        problem(send(client, method, path, body, headers), 403)
    assert changes(rpc) == []
    assert send(client, method, path, body, OPERATOR).status_code == 200


def test_reads_and_the_searchs_organization(client, rpc):
    assert send(client, "GET", "/members/mb-1/status-history", headers=MEMBER).status_code == 200
    assert send(client, "GET", "/members/mb-1/cards", headers=GRID).status_code == 403
    found = send(client, "GET", "/members/search?q=ab000001", headers=SECRETARY)
    assert found.status_code == 200
    assert changes(rpc)[-1] == (
        "members.search_members",
        ({"org_id": "hj-s01-c01-b01", "q": "ab000001", "cursor": None, "limit": 50},),
    )
    problem(send(client, "GET", "/members/search?q=王&org_id=hj-s02", headers=SECRETARY), 403)
    problem(send(client, "GET", "/members/probation-due?org_id=hj-s02", headers=SECRETARY), 403)
    due = send(client, "GET", "/members/probation-due?org_id=hj&within_days=10", headers=OPERATOR)
    assert due.status_code == 200
    assert changes(rpc)[-1][1][0]["within_days"] == 10
    problem(send(client, "GET", "/members/probation-due?org_id=hj&within_days=400"), 400)
    problem(send(client, "GET", "/members/search?q=王", headers=bearer(scope="/")), 400)
