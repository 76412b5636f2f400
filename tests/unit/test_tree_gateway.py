"""The organization register's routes over Flask's test client and a fake RPC client: what
reaches the members service, the roles, every organization checked against the caller's scope
before the call, strict bodies, the stale version's 409 and the OpenAPI document."""

import json

import pytest
from nameko.exceptions import RemoteError

from gateway.app import create_app
from gateway.auth import issue_token
from gateway.settings import Settings
from tests.unit.test_gateway_console import FakeRpc as ConsoleRpc

SECRET = "s" * 40
PATHS = {
    "hj": "/hj",
    "hj-s01": "/hj/hj-s01",
    "hj-s01-b1": "/hj/hj-s01/hj-s01-b1",
    "hj-s01-b2": "/hj/hj-s01/hj-s01-b2",
    "hj-s02": "/hj/hj-s02",
}
PROBLEM = "application/problem+json"
AT = "2026-12-02T09:00:00+00:00"
TREE_PATHS = {
    "/orgs/{org_id}/move",
    "/org-moves/{move_id}",
    "/orgs/{org_id}/merge",
    "/orgs/{org_id}/dissolve",
    "/orgs/{org_id}/temporary-members",
    "/orgs/{org_id}/temporary-members/return",
    "/orgs/{org_id}/history",
}


def node(org_id, **extra):
    path = PATHS[org_id]
    return {
        "org_id": org_id,
        "parent_id": path.rsplit("/", 2)[-2] or None,
        "name": "一支部",
        "kind": "branch",
        "tags": [],
        "path": path,
        "depth": path.count("/"),
        "has_children": False,
        "counts": {"children": 0, "orgs_below": 0, "own_members": 3, "members": 3},
        "by_status": {"full": 3},
        "ends_on": None,
        "dissolved": False,
        "dissolved_on": None,
        "merged_into": None,
        "grid": None,
        "version": 2,
        **extra,
    }


def job(state="running", from_path="/hj/hj-s01/hj-s01-b1", to_path="/hj/hj-s02/hj-s01-b1"):
    return {
        "move_id": "mv-1",
        "org_id": "hj-s01-b1",
        "from_path": from_path,
        "to_path": to_path,
        "new_parent_id": "hj-s02",
        "state": state,
        "phase": "orgs",
        "orgs": 1,
        "members": 3,
        "progress": {"orgs": 1},
        "started_at": AT,
        "finished_at": None,
    }


class FakeRpc(ConsoleRpc):
    """The console tests' fake RPC client (what reached the services) with this tree's
    organizations and the register's answers."""

    def __init__(self):
        super().__init__()
        self.stale = False

    def members_get_org(self, org_id):
        if org_id not in PATHS:
            raise RemoteError("NotFound", json.dumps({"message": "Unknown organization"}))
        return {"org_id": org_id, "path": PATHS[org_id]}

    def members_update_org(self, payload):
        if self.stale:
            message = "Someone else changed this organization meanwhile; reload it and try again"
            raise RemoteError("Conflict", json.dumps({"message": message, "version": 3}))
        return node(payload["org_id"], name=payload.get("name", "一支部"))

    def members_move_org(self, payload):
        return job()

    def members_get_org_move(self, move_id):
        return job("done")

    def members_merge_org(self, payload):
        return node(payload["into_org_id"])

    def members_dissolve_org(self, payload):
        return node(payload["org_id"], dissolved=True, dissolved_on="2026-12-02")

    def members_place_temporary_members(self, payload):
        return {"placed": len(payload["member_ids"])}

    def members_return_temporary_members(self, payload):
        return {"returned": len(payload["member_ids"])}

    def members_list_org_history(self, query):
        entry = {
            "change_id": "hj-s01-b1:v2",
            "org_id": query["org_id"],
            "at": AT,
            "actor": {"subject": "op", "role": "county_operator"},
            "action": "changed",
            "changes": {"name": ["一支部", "第一党支部"]},
        }
        return {"items": [entry], "next_cursor": None}


@pytest.fixture
def rpc():
    return FakeRpc()


@pytest.fixture
def client(rpc):
    settings = Settings(token_secret=SECRET, amqp_uri="pyamqp://guest:guest@127.0.0.1:5672/")
    return create_app(settings, rpc_client=rpc).test_client()


def bearer(role="county_operator", scope="/hj"):
    token = issue_token(SECRET, subject=f"{role}-1", role=role, scope=scope)
    return {"Authorization": f"Bearer {token}"}


OPERATOR = bearer()
STREET1 = bearer("org_admin", "/hj/hj-s01")
SECRETARY = bearer("branch_secretary", PATHS["hj-s01-b1"])


def send(client, method, path, body=None, headers=OPERATOR):
    return client.open("/api/v1" + path, method=method, json=body, headers=headers)


def problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    return response.get_json()


def methods(rpc):
    return [m for _s, m, _a in rpc.calls]


def test_a_patch_reaches_the_service_with_the_org_and_its_version(client, rpc):
    response = send(client, "PATCH", "/orgs/hj-s01-b1", {"version": 2, "name": "第一党支部"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["name"] == "第一党支部"
    assert rpc.calls[-1] == (
        "members",
        "update_org",
        ({"version": 2, "name": "第一党支部", "org_id": "hj-s01-b1"},),
    )


def test_a_stale_patch_is_409_with_the_reload_message(client, rpc):
    rpc.stale = True
    body = problem(send(client, "PATCH", "/orgs/hj-s01-b1", {"version": 1, "name": "x"}), 409)
    assert "刷新" in body["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x"},  # no version
        {"version": 1},  # nothing to change
        {"version": 1, "ends_on": "31/12/2026"},
        {"version": 1, "name": "x", "parent_id": "hj"},  # not a field of a change
        {"version": 1, "grid": {"households": -1}},
    ],
)
def test_bad_patches_are_400_and_reach_no_service(client, rpc, body):
    problem(send(client, "PATCH", "/orgs/hj-s01-b1", body), 400)
    assert "update_org" not in methods(rpc)


def test_a_move_answers_202_with_the_job_after_checking_both_organizations(client, rpc):
    response = send(client, "POST", "/orgs/hj-s01-b1/move", {"new_parent_id": "hj-s02"})
    assert response.status_code == 202
    assert response.get_json()["move_id"] == "mv-1"
    assert methods(rpc) == ["get_org", "get_org", "move_org"]


def test_an_org_admin_moves_nothing_out_of_their_area(client, rpc):
    body = {"new_parent_id": "hj-s02"}
    problem(send(client, "POST", "/orgs/hj-s01-b1/move", body, STREET1), 403)
    assert "move_org" not in methods(rpc)
    problem(send(client, "GET", "/org-moves/mv-1", headers=STREET1), 403)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", "/orgs/hj-s01-b1", {"version": 1, "name": "x"}),
        ("POST", "/orgs/hj-s01-b1/move", {"new_parent_id": "hj-s01"}),
        ("POST", "/orgs/hj-s01-b1/merge", {"into_org_id": "hj-s01-b2", "reason": "合并"}),
        ("POST", "/orgs/hj-s01-b1/dissolve", {"reason": "撤销"}),
        ("POST", "/orgs/hj-s01-b1/temporary-members", {"member_ids": ["mb-1"], "reason": "x"}),
        ("GET", "/orgs/hj-s01-b1/history", None),
    ],
)
def test_a_branch_secretary_changes_nothing_in_the_register(client, rpc, method, path, body):
    problem(send(client, method, path, body, SECRETARY), 403)
    assert rpc.calls == []


def test_merge_dissolve_and_temporary_members(client, rpc):
    merged = send(
        client, "POST", "/orgs/hj-s01-b1/merge", {"into_org_id": "hj-s01-b2", "reason": "合并"}
    )
    assert (merged.status_code, merged.get_json()["org_id"]) == (200, "hj-s01-b2")
    dissolved = send(client, "POST", "/orgs/hj-s01-b2/dissolve", {"reason": "撤销"}, STREET1)
    assert dissolved.get_json()["dissolved"] is True
    body = {"member_ids": ["mb-1", "mb-2"], "reason": "防汛"}
    assert send(client, "POST", "/orgs/hj-s01-b1/temporary-members", body).get_json() == {
        "placed": 2
    }
    back = send(client, "POST", "/orgs/hj-s01-b1/temporary-members/return", body)
    assert back.get_json() == {"returned": 2}
    problem(send(client, "POST", "/orgs/hj-s01-b1/dissolve", {}), 400)  # a reason is needed


def test_history_is_paged(client, rpc):
    response = send(client, "GET", "/orgs/hj-s01-b1/history?limit=10")
    assert response.get_json()["items"][0]["changes"] == {"name": ["一支部", "第一党支部"]}
    assert rpc.calls[-1][2] == ({"org_id": "hj-s01-b1", "cursor": None, "limit": 10},)


def test_the_openapi_document_has_the_register_routes(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert set(spec["paths"]) >= TREE_PATHS
    assert "patch" in spec["paths"]["/orgs/{org_id}"]
    for path in TREE_PATHS:
        for method, operation in spec["paths"][path].items():
            if method != "parameters":
                assert operation["security"] == [{"bearer": []}]
                assert {"400", "401", "403", "500", "503", "504"} <= set(operation["responses"])
    assert "202" in spec["paths"]["/orgs/{org_id}/move"]["post"]["responses"]
